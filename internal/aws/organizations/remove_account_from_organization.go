package organizations

import (
	"context"
)

type removeAccountFromOrganizationInput struct {
	AccountID string `json:"AccountId"`
}

// RemoveAccountFromOrganization is organizations:RemoveAccountFromOrganization.
func (a *API) RemoveAccountFromOrganization(ctx context.Context, in *removeAccountFromOrganizationInput) (any, error) {
	return struct{}{}, a.svc.RemoveAccountFromOrganization(ctx, in.AccountID)
}
