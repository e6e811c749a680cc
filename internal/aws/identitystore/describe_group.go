package identitystore

import (
	"context"
)

type describeGroupInput struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	GroupID         string `json:"GroupId"`
}

// DescribeGroup is identitystore:DescribeGroup.
func (a *API) DescribeGroup(ctx context.Context, in *describeGroupInput) (any, error) {
	g, err := a.svc.DescribeGroup(ctx, in.IdentityStoreID, in.GroupID)
	if err != nil {
		return nil, err
	}
	return groupToWire(g), nil
}
