package organizations

import (
	"context"
)

type describePolicyInput struct {
	PolicyID string `json:"PolicyId"`
}

// DescribePolicy is organizations:DescribePolicy.
func (a *API) DescribePolicy(ctx context.Context, in *describePolicyInput) (any, error) {
	p, err := a.svc.DescribePolicy(ctx, in.PolicyID)
	if err != nil {
		return nil, err
	}
	return map[string]wirePolicy{"Policy": policyOut(p)}, nil
}
