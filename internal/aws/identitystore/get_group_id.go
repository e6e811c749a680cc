package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/arn"
)

type getGroupIDInput struct {
	IdentityStoreID     string              `json:"IdentityStoreId"`
	AlternateIdentifier alternateIdentifier `json:"AlternateIdentifier"`
}

// GetGroupId is identitystore:GetGroupId.
func (a *API) GetGroupId(ctx context.Context, in *getGroupIDInput) (any, error) {
	id, err := a.svc.GetGroupID(ctx, in.IdentityStoreID, in.AlternateIdentifier.toService())
	if err != nil {
		return nil, err
	}
	return map[string]string{"GroupId": id, "IdentityStoreId": in.IdentityStoreID, "GroupArn": arn.GroupARN(in.IdentityStoreID, id)}, nil
}
