package ssoadmin

import (
	"context"
)

type describeProvisioningInput struct {
	InstanceArn                     string `json:"InstanceArn"`
	ProvisionPermissionSetRequestId string `json:"ProvisionPermissionSetRequestId"`
}

// DescribePermissionSetProvisioningStatus is sso:DescribePermissionSetProvisioningStatus.
func (a *API) DescribePermissionSetProvisioningStatus(ctx context.Context, in *describeProvisioningInput) (any, error) {
	op, err := a.svc.DescribePermissionSetProvisioningStatus(ctx, in.InstanceArn, in.ProvisionPermissionSetRequestId)
	if err != nil {
		return nil, err
	}
	return struct {
		PermissionSetProvisioningStatus provisioningStatus `json:"PermissionSetProvisioningStatus"`
	}{provisioningStatusToWire(op)}, nil
}
