package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/arn"
)

type createUserInput struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	userFields
}

// CreateUser is identitystore:CreateUser.
func (a *API) CreateUser(ctx context.Context, in *createUserInput) (any, error) {
	u, err := a.svc.CreateUser(ctx, in.IdentityStoreID, in.userFields.user())
	if err != nil {
		return nil, err
	}
	return map[string]string{"UserId": u.UserID, "IdentityStoreId": u.IdentityStoreID,
		"UserArn": arn.UserARN(u.IdentityStoreID, u.UserID), "Revision": revisionOf(u.Revision)}, nil
}
