package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/arn"
)

type getUserIDInput struct {
	IdentityStoreID     string              `json:"IdentityStoreId"`
	AlternateIdentifier alternateIdentifier `json:"AlternateIdentifier"`
}

// GetUserId is identitystore:GetUserId.
func (a *API) GetUserId(ctx context.Context, in *getUserIDInput) (any, error) {
	id, err := a.svc.GetUserID(ctx, in.IdentityStoreID, in.AlternateIdentifier.toService())
	if err != nil {
		return nil, err
	}
	return map[string]string{"UserId": id, "IdentityStoreId": in.IdentityStoreID, "UserArn": arn.UserARN(in.IdentityStoreID, id)}, nil
}
