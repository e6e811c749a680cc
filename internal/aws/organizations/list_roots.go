package organizations

import (
	"context"
)

type listRootsInput struct {
	paging
}

// ListRoots is organizations:ListRoots.
func (a *API) ListRoots(ctx context.Context, in *listRootsInput) (any, error) {
	roots, next, err := a.svc.ListRoots(ctx, in.request())
	if err != nil {
		return nil, err
	}
	out := struct {
		Roots     []wireRoot `json:"Roots"`
		NextToken string     `json:"NextToken,omitempty"`
	}{Roots: make([]wireRoot, len(roots)), NextToken: next}
	for i := range roots {
		out.Roots[i] = rootOut(&roots[i])
	}
	return out, nil
}
