package organizations

import (
	"context"
)

type listAccountsInput struct {
	paging
}

// ListAccounts is organizations:ListAccounts.
func (a *API) ListAccounts(ctx context.Context, in *listAccountsInput) (any, error) {
	accts, next, err := a.svc.ListAccounts(ctx, in.request())
	if err != nil {
		return nil, err
	}
	return struct {
		Accounts  []wireAccount `json:"Accounts"`
		NextToken string        `json:"NextToken,omitempty"`
	}{Accounts: accountsOut(accts), NextToken: next}, nil
}
