package organizations

import (
	"context"
)

type listParentsInput struct {
	paging
	ChildID string `json:"ChildId"`
}

// ListParents is organizations:ListParents.
func (a *API) ListParents(ctx context.Context, in *listParentsInput) (any, error) {
	ps, next, err := a.svc.ListParents(ctx, in.ChildID, in.request())
	if err != nil {
		return nil, err
	}
	return struct {
		Parents   []relative `json:"Parents"`
		NextToken string     `json:"NextToken,omitempty"`
	}{Parents: relativesOut(ps), NextToken: next}, nil
}
