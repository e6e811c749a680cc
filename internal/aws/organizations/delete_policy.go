package organizations

import (
	"context"
)

type deletePolicyInput struct {
	PolicyID string `json:"PolicyId"`
}

// DeletePolicy is organizations:DeletePolicy.
func (a *API) DeletePolicy(ctx context.Context, in *deletePolicyInput) (any, error) {
	return struct{}{}, a.svc.DeletePolicy(ctx, in.PolicyID)
}
