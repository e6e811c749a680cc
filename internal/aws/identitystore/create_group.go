package identitystore

import (
	"context"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/directory"
)

type createGroupInput struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	DisplayName     string `json:"DisplayName"`
	Description     string `json:"Description"`
}

// CreateGroup is identitystore:CreateGroup.
func (a *API) CreateGroup(ctx context.Context, in *createGroupInput) (any, error) {
	g, err := a.svc.CreateGroup(ctx, in.IdentityStoreID, &directory.Group{DisplayName: in.DisplayName, Description: in.Description})
	if err != nil {
		return nil, err
	}
	return map[string]string{"GroupId": g.GroupID, "IdentityStoreId": g.IdentityStoreID,
		"GroupArn": arn.GroupARN(g.IdentityStoreID, g.GroupID), "Revision": revisionOf(g.Revision)}, nil
}
