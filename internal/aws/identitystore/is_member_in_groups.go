package identitystore

import (
	"context"
)

type isMemberInGroupsInput struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	MemberID        memberID `json:"MemberId"`
	GroupIDs        []string `json:"GroupIds"`
}

// IsMemberInGroups is identitystore:IsMemberInGroups.
func (a *API) IsMemberInGroups(ctx context.Context, in *isMemberInGroupsInput) (any, error) {
	rs, err := a.svc.IsMemberInGroups(ctx, in.IdentityStoreID, in.MemberID.UserID, in.GroupIDs)
	if err != nil {
		return nil, err
	}
	type result struct {
		GroupID          string   `json:"GroupId"`
		MemberID         memberID `json:"MemberId"`
		MembershipExists bool     `json:"MembershipExists"`
	}
	out := struct {
		Results []result `json:"Results"`
	}{Results: make([]result, len(rs))}
	for i, r := range rs {
		out.Results[i] = result{GroupID: r.GroupID, MemberID: memberID{UserID: r.UserID}, MembershipExists: r.Exists}
	}
	return out, nil
}
