package ssoadmin

import "context"

type describeInstanceInput struct {
	InstanceArn string `json:"InstanceArn"`
}

// DescribeInstance is sso:DescribeInstance.
func (a *API) DescribeInstance(ctx context.Context, in *describeInstanceInput) (any, error) {
	inst, err := a.svc.DescribeInstance(ctx, in.InstanceArn)
	if err != nil {
		return nil, err
	}
	return a.instanceToWire(inst), nil
}
