package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type listTagsForResourceInput struct {
	InstanceArn string `json:"InstanceArn"`
	ResourceArn string `json:"ResourceArn"`
	NextToken   string `json:"NextToken"`
}

// ListTagsForResource is sso:ListTagsForResource.
func (a *API) ListTagsForResource(ctx context.Context, in *listTagsForResourceInput) (any, error) {
	tags, next, err := a.svc.ListTagsForResource(ctx, in.InstanceArn, in.ResourceArn, service.PageRequest{NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := struct {
		Tags      []tag  `json:"Tags"`
		NextToken string `json:"NextToken,omitempty"`
	}{Tags: make([]tag, len(tags)), NextToken: next}
	for i, t := range tags {
		out.Tags[i] = tag{Key: t.Key, Value: t.Value}
	}
	return out, nil
}
