package identitystore

import (
	"context"
)

type createGroupMembershipInput struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	GroupID         string   `json:"GroupId"`
	MemberID        memberID `json:"MemberId"`
}

// CreateGroupMembership is identitystore:CreateGroupMembership.
func (a *API) CreateGroupMembership(ctx context.Context, in *createGroupMembershipInput) (any, error) {
	m, err := a.svc.CreateGroupMembership(ctx, in.IdentityStoreID, in.GroupID, in.MemberID.UserID)
	if err != nil {
		return nil, err
	}
	return map[string]string{"MembershipId": m.MembershipID, "IdentityStoreId": m.IdentityStoreID}, nil
}
