package identitystore

import (
	"context"
)

type deleteGroupMembershipInput struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	MembershipID    string `json:"MembershipId"`
}

// DeleteGroupMembership is identitystore:DeleteGroupMembership.
func (a *API) DeleteGroupMembership(ctx context.Context, in *deleteGroupMembershipInput) (any, error) {
	return struct{}{}, a.svc.DeleteGroupMembership(ctx, in.IdentityStoreID, in.MembershipID)
}
