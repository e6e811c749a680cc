package ssoadmin

import (
	"context"
)

// GetInlinePolicyForPermissionSet is sso:GetInlinePolicyForPermissionSet.
func (a *API) GetInlinePolicyForPermissionSet(ctx context.Context, in *permissionSetRef) (any, error) {
	doc, err := a.svc.GetInlinePolicyForPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	return struct {
		InlinePolicy string `json:"InlinePolicy,omitempty"`
	}{doc}, nil
}
