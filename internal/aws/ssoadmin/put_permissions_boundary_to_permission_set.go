package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/access"
)

type putBoundaryInput struct {
	InstanceArn         string              `json:"InstanceArn"`
	PermissionSetArn    string              `json:"PermissionSetArn"`
	PermissionsBoundary permissionsBoundary `json:"PermissionsBoundary"`
}

// PutPermissionsBoundaryToPermissionSet is sso:PutPermissionsBoundaryToPermissionSet.
func (a *API) PutPermissionsBoundaryToPermissionSet(ctx context.Context, in *putBoundaryInput) (any, error) {
	b := access.Boundary{ManagedPolicyARN: in.PermissionsBoundary.ManagedPolicyArn}
	if r := in.PermissionsBoundary.CustomerManagedPolicyReference; r != nil {
		ref := r.toDomain()
		b.CustomerPolicy = &ref
	}
	return struct{}{}, a.svc.PutPermissionsBoundaryToPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, b)
}
