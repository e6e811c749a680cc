package identitystore

import (
	"context"
)

type describeGroupMembershipInput struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	MembershipID    string `json:"MembershipId"`
}

// DescribeGroupMembership is identitystore:DescribeGroupMembership.
func (a *API) DescribeGroupMembership(ctx context.Context, in *describeGroupMembershipInput) (any, error) {
	m, err := a.svc.DescribeGroupMembership(ctx, in.IdentityStoreID, in.MembershipID)
	if err != nil {
		return nil, err
	}
	return membershipToWire(m), nil
}
