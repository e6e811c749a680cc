package ssoadmin

import (
	"context"
)

type describeDeletionInput struct {
	InstanceArn                        string `json:"InstanceArn"`
	AccountAssignmentDeletionRequestId string `json:"AccountAssignmentDeletionRequestId"`
}

// DescribeAccountAssignmentDeletionStatus is sso:DescribeAccountAssignmentDeletionStatus.
func (a *API) DescribeAccountAssignmentDeletionStatus(ctx context.Context, in *describeDeletionInput) (any, error) {
	op, err := a.svc.DescribeAccountAssignmentDeletionStatus(ctx, in.InstanceArn, in.AccountAssignmentDeletionRequestId)
	if err != nil {
		return nil, err
	}
	return struct {
		AccountAssignmentDeletionStatus assignmentStatus `json:"AccountAssignmentDeletionStatus"`
	}{assignmentStatusToWire(op)}, nil
}
