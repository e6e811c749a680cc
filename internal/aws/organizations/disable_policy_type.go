package organizations

import (
	"context"
)

type disablePolicyTypeInput struct {
	RootID     string `json:"RootId"`
	PolicyType string `json:"PolicyType"`
}

// DisablePolicyType is organizations:DisablePolicyType.
func (a *API) DisablePolicyType(ctx context.Context, in *disablePolicyTypeInput) (any, error) {
	r, err := a.svc.DisablePolicyType(ctx, in.RootID, in.PolicyType)
	if err != nil {
		return nil, err
	}
	return map[string]wireRoot{"Root": rootOut(r)}, nil
}
