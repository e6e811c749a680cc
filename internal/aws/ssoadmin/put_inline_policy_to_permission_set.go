package ssoadmin

import (
	"context"
)

type putInlinePolicyInput struct {
	InstanceArn      string `json:"InstanceArn"`
	PermissionSetArn string `json:"PermissionSetArn"`
	InlinePolicy     string `json:"InlinePolicy"`
}

// PutInlinePolicyToPermissionSet is sso:PutInlinePolicyToPermissionSet.
func (a *API) PutInlinePolicyToPermissionSet(ctx context.Context, in *putInlinePolicyInput) (any, error) {
	return struct{}{}, a.svc.PutInlinePolicyToPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, in.InlinePolicy)
}
