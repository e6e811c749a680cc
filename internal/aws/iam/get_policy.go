package iam

import "context"

type getPolicyInput struct {
	PolicyArn string
}

type getPolicyResult struct {
	Policy policyShape
}

// GetPolicy is iam:GetPolicy.
func (a *API) GetPolicy(ctx context.Context, in *getPolicyInput) (any, error) {
	p, err := a.svc.IAMGetPolicy(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return getPolicyResult{Policy: toPolicy(p)}, nil
}
