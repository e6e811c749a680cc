package organizations

import (
	"context"
)

type updateOrganizationalUnitInput struct {
	OrganizationalUnitID string  `json:"OrganizationalUnitId"`
	Name                 *string `json:"Name"`
}

// UpdateOrganizationalUnit is organizations:UpdateOrganizationalUnit.
func (a *API) UpdateOrganizationalUnit(ctx context.Context, in *updateOrganizationalUnitInput) (any, error) {
	u, err := a.svc.UpdateOrganizationalUnit(ctx, in.OrganizationalUnitID, in.Name)
	if err != nil {
		return nil, err
	}
	return map[string]wireOU{"OrganizationalUnit": ouOut(u)}, nil
}
