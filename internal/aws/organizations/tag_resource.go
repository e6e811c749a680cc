package organizations

import (
	"context"
)

type tagResourceInput struct {
	ResourceID string    `json:"ResourceId"`
	Tags       []wireTag `json:"Tags"`
}

// TagResource is organizations:TagResource.
func (a *API) TagResource(ctx context.Context, in *tagResourceInput) (any, error) {
	return struct{}{}, a.svc.OrgTagResource(ctx, in.ResourceID, tagsIn(in.Tags))
}
