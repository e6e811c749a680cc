package ssoadmin

import (
	"context"
)

// ListAccountAssignmentDeletionStatus is sso:ListAccountAssignmentDeletionStatus.
func (a *API) ListAccountAssignmentDeletionStatus(ctx context.Context, in *listOperationsInput) (any, error) {
	ops, next, err := a.svc.ListAccountAssignmentDeletionStatus(ctx, in.InstanceArn, in.status(), in.page())
	if err != nil {
		return nil, err
	}
	return struct {
		AccountAssignmentsDeletionStatus []operationMetadata `json:"AccountAssignmentsDeletionStatus"`
		NextToken                        string              `json:"NextToken,omitempty"`
	}{operationsToWire(ops), next}, nil
}
