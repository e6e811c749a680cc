package organizations

import (
	"context"
)

type listChildrenInput struct {
	paging
	ParentID  string `json:"ParentId"`
	ChildType string `json:"ChildType"`
}

// ListChildren is organizations:ListChildren.
func (a *API) ListChildren(ctx context.Context, in *listChildrenInput) (any, error) {
	cs, next, err := a.svc.ListChildren(ctx, in.ParentID, in.ChildType, in.request())
	if err != nil {
		return nil, err
	}
	return struct {
		Children  []relative `json:"Children"`
		NextToken string     `json:"NextToken,omitempty"`
	}{Children: relativesOut(cs), NextToken: next}, nil
}
