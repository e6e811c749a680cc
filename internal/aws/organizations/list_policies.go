package organizations

import (
	"context"
)

type listPoliciesInput struct {
	paging
	Filter string `json:"Filter"`
}

// ListPolicies is organizations:ListPolicies.
func (a *API) ListPolicies(ctx context.Context, in *listPoliciesInput) (any, error) {
	ps, next, err := a.svc.ListPolicies(ctx, in.Filter, in.request())
	if err != nil {
		return nil, err
	}
	return struct {
		Policies  []policySummary `json:"Policies"`
		NextToken string          `json:"NextToken,omitempty"`
	}{Policies: policySummariesOut(ps), NextToken: next}, nil
}
