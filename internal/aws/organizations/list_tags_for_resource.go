package organizations

import (
	"context"
)

type listTagsForResourceInput struct {
	ResourceID string `json:"ResourceId"`
	NextToken  string `json:"NextToken"`
}

// ListTagsForResource is organizations:ListTagsForResource.
func (a *API) ListTagsForResource(ctx context.Context, in *listTagsForResourceInput) (any, error) {
	tags, next, err := a.svc.OrgListTagsForResource(ctx, in.ResourceID, in.NextToken)
	if err != nil {
		return nil, err
	}
	return struct {
		Tags      []wireTag `json:"Tags"`
		NextToken string    `json:"NextToken,omitempty"`
	}{Tags: tagsOut(tags), NextToken: next}, nil
}
