package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/service"
)

type listGroupMembershipsInput struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	GroupID         string `json:"GroupId"`
	MaxResults      int    `json:"MaxResults"`
	NextToken       string `json:"NextToken"`
}

// ListGroupMemberships is identitystore:ListGroupMemberships.
func (a *API) ListGroupMemberships(ctx context.Context, in *listGroupMembershipsInput) (any, error) {
	ms, next, err := a.svc.ListGroupMemberships(ctx, in.IdentityStoreID, in.GroupID, service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return membershipPage(ms, next), nil
}

type membershipList struct {
	GroupMemberships []wireMembership `json:"GroupMemberships"`
	NextToken        string           `json:"NextToken,omitempty"`
}

func membershipPage(ms []directory.Membership, next string) membershipList {
	out := membershipList{GroupMemberships: make([]wireMembership, len(ms)), NextToken: next}
	for i := range ms {
		out.GroupMemberships[i] = membershipToWire(&ms[i])
	}
	return out
}
