package organizations

import (
	"context"
)

type describeOrganizationalUnitInput struct {
	OrganizationalUnitID string `json:"OrganizationalUnitId"`
}

// DescribeOrganizationalUnit is organizations:DescribeOrganizationalUnit.
func (a *API) DescribeOrganizationalUnit(ctx context.Context, in *describeOrganizationalUnitInput) (any, error) {
	u, err := a.svc.DescribeOrganizationalUnit(ctx, in.OrganizationalUnitID)
	if err != nil {
		return nil, err
	}
	return map[string]wireOU{"OrganizationalUnit": ouOut(u)}, nil
}
