package iam

import "context"

type simulateCustomPolicyInput struct {
	simulation
}

// SimulateCustomPolicy is iam:SimulateCustomPolicy.
func (a *API) SimulateCustomPolicy(ctx context.Context, in *simulateCustomPolicyInput) (any, error) {
	r, err := a.svc.SimulateCustomPolicy(ctx, in.toService(""))
	if err != nil {
		return nil, err
	}
	return toResponse(r), nil
}
