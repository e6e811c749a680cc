package ssoadmin

import (
	"context"
)

// DeleteAccountAssignment is sso:DeleteAccountAssignment.
func (a *API) DeleteAccountAssignment(ctx context.Context, in *accountAssignmentInput) (any, error) {
	op, err := a.svc.DeleteAccountAssignment(ctx, in.InstanceArn, in.request())
	if err != nil {
		return nil, err
	}
	return struct {
		AccountAssignmentDeletionStatus assignmentStatus `json:"AccountAssignmentDeletionStatus"`
	}{assignmentStatusToWire(op)}, nil
}
