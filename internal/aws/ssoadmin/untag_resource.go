package ssoadmin

import (
	"context"
)

type untagResourceInput struct {
	InstanceArn string   `json:"InstanceArn"`
	ResourceArn string   `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

// UntagResource is sso:UntagResource.
func (a *API) UntagResource(ctx context.Context, in *untagResourceInput) (any, error) {
	return struct{}{}, a.svc.UntagResource(ctx, in.InstanceArn, in.ResourceArn, in.TagKeys)
}
