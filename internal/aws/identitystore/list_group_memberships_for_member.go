package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/service"
)

type listGroupMembershipsForMemberInput struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	MemberID        memberID `json:"MemberId"`
	MaxResults      int      `json:"MaxResults"`
	NextToken       string   `json:"NextToken"`
}

// ListGroupMembershipsForMember is identitystore:ListGroupMembershipsForMember.
func (a *API) ListGroupMembershipsForMember(ctx context.Context, in *listGroupMembershipsForMemberInput) (any, error) {
	ms, next, err := a.svc.ListGroupMembershipsForMember(ctx, in.IdentityStoreID, in.MemberID.UserID, service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return membershipPage(ms, next), nil
}
