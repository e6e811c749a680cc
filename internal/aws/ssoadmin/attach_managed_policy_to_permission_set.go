package ssoadmin

import (
	"context"
)

type managedPolicyInput struct {
	InstanceArn      string `json:"InstanceArn"`
	PermissionSetArn string `json:"PermissionSetArn"`
	ManagedPolicyArn string `json:"ManagedPolicyArn"`
}

// AttachManagedPolicyToPermissionSet is sso:AttachManagedPolicyToPermissionSet.
func (a *API) AttachManagedPolicyToPermissionSet(ctx context.Context, in *managedPolicyInput) (any, error) {
	return struct{}{}, a.svc.AttachManagedPolicyToPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, in.ManagedPolicyArn)
}
