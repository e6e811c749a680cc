package ssoadmin

import (
	"context"
)

// ListPermissionSetProvisioningStatus is sso:ListPermissionSetProvisioningStatus.
func (a *API) ListPermissionSetProvisioningStatus(ctx context.Context, in *listOperationsInput) (any, error) {
	ops, next, err := a.svc.ListPermissionSetProvisioningStatus(ctx, in.InstanceArn, in.status(), in.page())
	if err != nil {
		return nil, err
	}
	return struct {
		PermissionSetsProvisioningStatus []operationMetadata `json:"PermissionSetsProvisioningStatus"`
		NextToken                        string              `json:"NextToken,omitempty"`
	}{operationsToWire(ops), next}, nil
}
