package organizations

import (
	"context"
)

type listOrganizationalUnitsForParentInput struct {
	paging
	ParentID string `json:"ParentId"`
}

// ListOrganizationalUnitsForParent is organizations:ListOrganizationalUnitsForParent.
func (a *API) ListOrganizationalUnitsForParent(ctx context.Context, in *listOrganizationalUnitsForParentInput) (any, error) {
	us, next, err := a.svc.ListOrganizationalUnitsForParent(ctx, in.ParentID, in.request())
	if err != nil {
		return nil, err
	}
	out := struct {
		OrganizationalUnits []wireOU `json:"OrganizationalUnits"`
		NextToken           string   `json:"NextToken,omitempty"`
	}{OrganizationalUnits: make([]wireOU, len(us)), NextToken: next}
	for i := range us {
		out.OrganizationalUnits[i] = ouOut(&us[i])
	}
	return out, nil
}
