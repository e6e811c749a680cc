package ssoadmin

import (
	"context"
)

type tagResourceInput struct {
	InstanceArn string `json:"InstanceArn"`
	ResourceArn string `json:"ResourceArn"`
	Tags        []tag  `json:"Tags"`
}

// TagResource is sso:TagResource.
func (a *API) TagResource(ctx context.Context, in *tagResourceInput) (any, error) {
	return struct{}{}, a.svc.TagResource(ctx, in.InstanceArn, in.ResourceArn, tagsFromWire(in.Tags))
}
