package organizations

import (
	"context"
)

type untagResourceInput struct {
	ResourceID string   `json:"ResourceId"`
	TagKeys    []string `json:"TagKeys"`
}

// UntagResource is organizations:UntagResource.
func (a *API) UntagResource(ctx context.Context, in *untagResourceInput) (any, error) {
	return struct{}{}, a.svc.OrgUntagResource(ctx, in.ResourceID, in.TagKeys)
}
