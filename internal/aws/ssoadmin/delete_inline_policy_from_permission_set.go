package ssoadmin

import (
	"context"
)

// DeleteInlinePolicyFromPermissionSet is sso:DeleteInlinePolicyFromPermissionSet.
func (a *API) DeleteInlinePolicyFromPermissionSet(ctx context.Context, in *permissionSetRef) (any, error) {
	return struct{}{}, a.svc.DeleteInlinePolicyFromPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn)
}
