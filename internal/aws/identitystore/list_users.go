package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/service"
)

type listUsersInput struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	MaxResults      int      `json:"MaxResults"`
	NextToken       string   `json:"NextToken"`
	Filters         []filter `json:"Filters"`
	Extensions      []string `json:"Extensions"`
}

// ListUsers is identitystore:ListUsers.
func (a *API) ListUsers(ctx context.Context, in *listUsersInput) (any, error) {
	users, next, err := a.svc.ListUsers(ctx, in.IdentityStoreID, filters(in.Filters), service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := struct {
		Users     []wireUser `json:"Users"`
		NextToken string     `json:"NextToken,omitempty"`
	}{Users: make([]wireUser, len(users)), NextToken: next}
	for i := range users {
		out.Users[i] = toWire(&users[i], in.Extensions)
	}
	return out, nil
}
