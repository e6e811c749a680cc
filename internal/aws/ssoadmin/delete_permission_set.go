package ssoadmin

import (
	"context"
)

// DeletePermissionSet is sso:DeletePermissionSet.
func (a *API) DeletePermissionSet(ctx context.Context, in *permissionSetRef) (any, error) {
	return struct{}{}, a.svc.DeletePermissionSet(ctx, in.InstanceArn, in.PermissionSetArn)
}
