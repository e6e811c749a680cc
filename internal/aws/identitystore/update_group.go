package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/arn"
)

type updateGroupInput struct {
	IdentityStoreID string      `json:"IdentityStoreId"`
	GroupID         string      `json:"GroupId"`
	Operations      []operation `json:"Operations"`
	Revision        string      `json:"Revision"`
}

// UpdateGroup is identitystore:UpdateGroup.
func (a *API) UpdateGroup(ctx context.Context, in *updateGroupInput) (any, error) {
	g, err := a.svc.UpdateGroup(ctx, in.IdentityStoreID, in.GroupID, operations(in.Operations), in.Revision)
	if err != nil {
		return nil, err
	}
	return map[string]string{"GroupId": g.GroupID, "IdentityStoreId": g.IdentityStoreID,
		"GroupArn": arn.GroupARN(g.IdentityStoreID, g.GroupID), "Revision": revisionOf(g.Revision)}, nil
}
