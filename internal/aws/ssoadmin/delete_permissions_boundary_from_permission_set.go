package ssoadmin

import (
	"context"
)

// DeletePermissionsBoundaryFromPermissionSet is sso:DeletePermissionsBoundaryFromPermissionSet.
func (a *API) DeletePermissionsBoundaryFromPermissionSet(ctx context.Context, in *permissionSetRef) (any, error) {
	return struct{}{}, a.svc.DeletePermissionsBoundaryFromPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn)
}
