package ssoadmin

import (
	"context"
)

// DetachManagedPolicyFromPermissionSet is sso:DetachManagedPolicyFromPermissionSet.
func (a *API) DetachManagedPolicyFromPermissionSet(ctx context.Context, in *managedPolicyInput) (any, error) {
	return struct{}{}, a.svc.DetachManagedPolicyFromPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, in.ManagedPolicyArn)
}
