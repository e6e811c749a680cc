package organizations

import (
	"context"
)

type listTargetsForPolicyInput struct {
	paging
	PolicyID string `json:"PolicyId"`
}

type policyTargetSummary struct {
	TargetID string `json:"TargetId"`
	Arn      string `json:"Arn"`
	Name     string `json:"Name"`
	Type     string `json:"Type"`
}

// ListTargetsForPolicy is organizations:ListTargetsForPolicy.
func (a *API) ListTargetsForPolicy(ctx context.Context, in *listTargetsForPolicyInput) (any, error) {
	ts, next, err := a.svc.ListTargetsForPolicy(ctx, in.PolicyID, in.request())
	if err != nil {
		return nil, err
	}
	out := struct {
		Targets   []policyTargetSummary `json:"Targets"`
		NextToken string                `json:"NextToken,omitempty"`
	}{Targets: make([]policyTargetSummary, len(ts)), NextToken: next}
	for i, t := range ts {
		out.Targets[i] = policyTargetSummary{TargetID: t.TargetID, Arn: t.ARN, Name: t.Name, Type: t.Type}
	}
	return out, nil
}
