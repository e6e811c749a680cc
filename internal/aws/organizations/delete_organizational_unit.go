package organizations

import (
	"context"
)

type deleteOrganizationalUnitInput struct {
	OrganizationalUnitID string `json:"OrganizationalUnitId"`
}

// DeleteOrganizationalUnit is organizations:DeleteOrganizationalUnit.
func (a *API) DeleteOrganizationalUnit(ctx context.Context, in *deleteOrganizationalUnitInput) (any, error) {
	return struct{}{}, a.svc.DeleteOrganizationalUnit(ctx, in.OrganizationalUnitID)
}
