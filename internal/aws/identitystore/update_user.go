package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/arn"
)

type updateUserInput struct {
	IdentityStoreID string      `json:"IdentityStoreId"`
	UserID          string      `json:"UserId"`
	Operations      []operation `json:"Operations"`
	Revision        string      `json:"Revision"`
}

// UpdateUser is identitystore:UpdateUser.
func (a *API) UpdateUser(ctx context.Context, in *updateUserInput) (any, error) {
	u, err := a.svc.UpdateUser(ctx, in.IdentityStoreID, in.UserID, operations(in.Operations), in.Revision)
	if err != nil {
		return nil, err
	}
	return map[string]string{"UserId": u.UserID, "IdentityStoreId": u.IdentityStoreID,
		"UserArn": arn.UserARN(u.IdentityStoreID, u.UserID), "Revision": revisionOf(u.Revision)}, nil
}
