package identitystore

import (
	"context"
)

type deleteGroupInput struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	GroupID         string `json:"GroupId"`
	Revision        string `json:"Revision"`
}

// DeleteGroup is identitystore:DeleteGroup.
func (a *API) DeleteGroup(ctx context.Context, in *deleteGroupInput) (any, error) {
	return struct{}{}, a.svc.DeleteGroup(ctx, in.IdentityStoreID, in.GroupID, in.Revision)
}
