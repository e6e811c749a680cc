package ssoadmin

import (
	"context"
)

type provisionPermissionSetInput struct {
	InstanceArn      string `json:"InstanceArn"`
	PermissionSetArn string `json:"PermissionSetArn"`
	TargetId         string `json:"TargetId"`
	TargetType       string `json:"TargetType"`
}

// ProvisionPermissionSet is sso:ProvisionPermissionSet.
func (a *API) ProvisionPermissionSet(ctx context.Context, in *provisionPermissionSetInput) (any, error) {
	op, err := a.svc.ProvisionPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, in.TargetType, in.TargetId)
	if err != nil {
		return nil, err
	}
	return struct {
		PermissionSetProvisioningStatus provisioningStatus `json:"PermissionSetProvisioningStatus"`
	}{provisioningStatusToWire(op)}, nil
}
