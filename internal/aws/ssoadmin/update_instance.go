package ssoadmin

import (
	"context"
)

type updateInstanceInput struct {
	InstanceArn string  `json:"InstanceArn"`
	Name        *string `json:"Name"`
	// EncryptionConfiguration and PermissionSetsEnabled are accepted and
	// ignored: Atrium encrypts with its own master key.
}

// UpdateInstance is sso:UpdateInstance.
func (a *API) UpdateInstance(ctx context.Context, in *updateInstanceInput) (any, error) {
	return struct{}{}, a.svc.UpdateInstance(ctx, in.InstanceArn, in.Name)
}
