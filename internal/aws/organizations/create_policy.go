package organizations

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type createPolicyInput struct {
	Content     string    `json:"Content"`
	Description string    `json:"Description"`
	Name        string    `json:"Name"`
	Type        string    `json:"Type"`
	Tags        []wireTag `json:"Tags"`
}

// CreatePolicy is organizations:CreatePolicy.
func (a *API) CreatePolicy(ctx context.Context, in *createPolicyInput) (any, error) {
	p, err := a.svc.CreatePolicy(ctx, service.CreatePolicyRequest{Content: in.Content, Description: in.Description,
		Name: in.Name, Type: in.Type, Tags: tagsIn(in.Tags)})
	if err != nil {
		return nil, err
	}
	return map[string]wirePolicy{"Policy": policyOut(p)}, nil
}
