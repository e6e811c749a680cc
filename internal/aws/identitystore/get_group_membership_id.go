package identitystore

import (
	"context"
)

type getGroupMembershipIDInput struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	GroupID         string   `json:"GroupId"`
	MemberID        memberID `json:"MemberId"`
}

// GetGroupMembershipId is identitystore:GetGroupMembershipId.
func (a *API) GetGroupMembershipId(ctx context.Context, in *getGroupMembershipIDInput) (any, error) {
	id, err := a.svc.GetGroupMembershipID(ctx, in.IdentityStoreID, in.GroupID, in.MemberID.UserID)
	if err != nil {
		return nil, err
	}
	return map[string]string{"MembershipId": id, "IdentityStoreId": in.IdentityStoreID}, nil
}
