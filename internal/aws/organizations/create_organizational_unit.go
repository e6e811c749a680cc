package organizations

import (
	"context"
)

type createOrganizationalUnitInput struct {
	ParentID string    `json:"ParentId"`
	Name     string    `json:"Name"`
	Tags     []wireTag `json:"Tags"`
}

// CreateOrganizationalUnit is organizations:CreateOrganizationalUnit.
func (a *API) CreateOrganizationalUnit(ctx context.Context, in *createOrganizationalUnitInput) (any, error) {
	u, err := a.svc.CreateOrganizationalUnit(ctx, in.ParentID, in.Name, tagsIn(in.Tags))
	if err != nil {
		return nil, err
	}
	return map[string]wireOU{"OrganizationalUnit": ouOut(u)}, nil
}
