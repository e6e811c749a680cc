package organizations

import (
	"context"
)

type listAccountsForParentInput struct {
	paging
	ParentID string `json:"ParentId"`
}

// ListAccountsForParent is organizations:ListAccountsForParent.
func (a *API) ListAccountsForParent(ctx context.Context, in *listAccountsForParentInput) (any, error) {
	accts, next, err := a.svc.ListAccountsForParent(ctx, in.ParentID, in.request())
	if err != nil {
		return nil, err
	}
	return struct {
		Accounts  []wireAccount `json:"Accounts"`
		NextToken string        `json:"NextToken,omitempty"`
	}{Accounts: accountsOut(accts), NextToken: next}, nil
}
