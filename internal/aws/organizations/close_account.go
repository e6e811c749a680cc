package organizations

import (
	"context"
)

type closeAccountInput struct {
	AccountID string `json:"AccountId"`
}

// CloseAccount is organizations:CloseAccount.
func (a *API) CloseAccount(ctx context.Context, in *closeAccountInput) (any, error) {
	return struct{}{}, a.svc.CloseAccount(ctx, in.AccountID)
}
