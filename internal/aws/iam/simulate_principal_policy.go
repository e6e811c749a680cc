package iam

import "context"

type simulatePrincipalPolicyInput struct {
	PolicySourceArn string
	simulation
}

// SimulatePrincipalPolicy is iam:SimulatePrincipalPolicy.
func (a *API) SimulatePrincipalPolicy(ctx context.Context, in *simulatePrincipalPolicyInput) (any, error) {
	r, err := a.svc.SimulatePrincipalPolicy(ctx, in.toService(in.PolicySourceArn))
	if err != nil {
		return nil, err
	}
	return toResponse(r), nil
}
