package iam

import "context"

type deletePolicyInput struct {
	PolicyArn string
}

// DeletePolicy is iam:DeletePolicy.
func (a *API) DeletePolicy(ctx context.Context, in *deletePolicyInput) (any, error) {
	return nil, a.svc.IAMDeletePolicy(ctx, in.PolicyArn)
}
