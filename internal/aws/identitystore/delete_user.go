package identitystore

import (
	"context"
)

type deleteUserInput struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	UserID          string `json:"UserId"`
	Revision        string `json:"Revision"`
}

// DeleteUser is identitystore:DeleteUser.
func (a *API) DeleteUser(ctx context.Context, in *deleteUserInput) (any, error) {
	return struct{}{}, a.svc.DeleteUser(ctx, in.IdentityStoreID, in.UserID, in.Revision)
}
