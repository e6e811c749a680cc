package identitystore

import (
	"context"
)

type describeUserInput struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	UserID          string   `json:"UserId"`
	Extensions      []string `json:"Extensions"`
}

// DescribeUser is identitystore:DescribeUser.
func (a *API) DescribeUser(ctx context.Context, in *describeUserInput) (any, error) {
	u, err := a.svc.DescribeUser(ctx, in.IdentityStoreID, in.UserID)
	if err != nil {
		return nil, err
	}
	return toWire(u, in.Extensions), nil
}
