package organizations

import (
	"context"
)

type updatePolicyInput struct {
	PolicyID    string  `json:"PolicyId"`
	Name        *string `json:"Name"`
	Description *string `json:"Description"`
	Content     *string `json:"Content"`
}

// UpdatePolicy is organizations:UpdatePolicy.
func (a *API) UpdatePolicy(ctx context.Context, in *updatePolicyInput) (any, error) {
	p, err := a.svc.UpdatePolicy(ctx, in.PolicyID, in.Name, in.Description, in.Content)
	if err != nil {
		return nil, err
	}
	return map[string]wirePolicy{"Policy": policyOut(p)}, nil
}
