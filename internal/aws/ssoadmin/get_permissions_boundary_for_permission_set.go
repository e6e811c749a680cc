package ssoadmin

import (
	"context"
)

// GetPermissionsBoundaryForPermissionSet is sso:GetPermissionsBoundaryForPermissionSet.
func (a *API) GetPermissionsBoundaryForPermissionSet(ctx context.Context, in *permissionSetRef) (any, error) {
	b, err := a.svc.GetPermissionsBoundaryForPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	out := permissionsBoundary{ManagedPolicyArn: b.ManagedPolicyARN}
	if b.CustomerPolicy != nil {
		out.CustomerManagedPolicyReference = &customerManagedPolicyReference{Name: b.CustomerPolicy.Name, Path: b.CustomerPolicy.Path}
	}
	return struct {
		PermissionsBoundary permissionsBoundary `json:"PermissionsBoundary"`
	}{out}, nil
}
