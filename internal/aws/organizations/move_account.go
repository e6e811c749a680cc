package organizations

import (
	"context"
)

type moveAccountInput struct {
	AccountID           string `json:"AccountId"`
	SourceParentID      string `json:"SourceParentId"`
	DestinationParentID string `json:"DestinationParentId"`
}

// MoveAccount is organizations:MoveAccount.
func (a *API) MoveAccount(ctx context.Context, in *moveAccountInput) (any, error) {
	return struct{}{}, a.svc.MoveAccount(ctx, in.AccountID, in.SourceParentID, in.DestinationParentID)
}
