package organizations

import (
	"context"
)

type listPoliciesForTargetInput struct {
	paging
	TargetID string `json:"TargetId"`
	Filter   string `json:"Filter"`
}

// ListPoliciesForTarget is organizations:ListPoliciesForTarget.
func (a *API) ListPoliciesForTarget(ctx context.Context, in *listPoliciesForTargetInput) (any, error) {
	ps, next, err := a.svc.ListPoliciesForTarget(ctx, in.TargetID, in.Filter, in.request())
	if err != nil {
		return nil, err
	}
	return struct {
		Policies  []policySummary `json:"Policies"`
		NextToken string          `json:"NextToken,omitempty"`
	}{Policies: policySummariesOut(ps), NextToken: next}, nil
}
