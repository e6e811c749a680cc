package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type updatePermissionSetInput struct {
	InstanceArn      string  `json:"InstanceArn"`
	PermissionSetArn string  `json:"PermissionSetArn"`
	Description      *string `json:"Description"`
	SessionDuration  *string `json:"SessionDuration"`
	RelayState       *string `json:"RelayState"`
}

// UpdatePermissionSet is sso:UpdatePermissionSet.
func (a *API) UpdatePermissionSet(ctx context.Context, in *updatePermissionSetInput) (any, error) {
	err := a.svc.UpdatePermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, service.PermissionSetUpdate{
		Description: in.Description, SessionDuration: in.SessionDuration, RelayState: in.RelayState,
	})
	return struct{}{}, err
}
