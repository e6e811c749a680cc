package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/service"
)

type listGroupsInput struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	MaxResults      int      `json:"MaxResults"`
	NextToken       string   `json:"NextToken"`
	Filters         []filter `json:"Filters"`
}

// ListGroups is identitystore:ListGroups.
func (a *API) ListGroups(ctx context.Context, in *listGroupsInput) (any, error) {
	groups, next, err := a.svc.ListGroups(ctx, in.IdentityStoreID, filters(in.Filters), service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := struct {
		Groups    []wireGroup `json:"Groups"`
		NextToken string      `json:"NextToken,omitempty"`
	}{Groups: make([]wireGroup, len(groups)), NextToken: next}
	for i := range groups {
		out.Groups[i] = groupToWire(&groups[i])
	}
	return out, nil
}
