package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type createPermissionSetInput struct {
	InstanceArn     string `json:"InstanceArn"`
	Name            string `json:"Name"`
	Description     string `json:"Description"`
	SessionDuration string `json:"SessionDuration"`
	RelayState      string `json:"RelayState"`
	Tags            []tag  `json:"Tags"`
}

// CreatePermissionSet is sso:CreatePermissionSet.
func (a *API) CreatePermissionSet(ctx context.Context, in *createPermissionSetInput) (any, error) {
	ps, err := a.svc.CreatePermissionSet(ctx, in.InstanceArn, service.NewPermissionSet{
		Name: in.Name, Description: in.Description, SessionDuration: in.SessionDuration, RelayState: in.RelayState, Tags: tagsFromWire(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	return struct {
		PermissionSet permissionSet `json:"PermissionSet"`
	}{permissionSetToWire(ps)}, nil
}
