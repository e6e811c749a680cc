package iam

import (
	"context"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/service"
)

type listPoliciesInput struct {
	Scope             string
	OnlyAttached      bool
	PathPrefix        string
	PolicyUsageFilter string
	Marker            string
	MaxItems          *int
}

type listPoliciesResult struct {
	Policies    awsproto.Members[policyShape]
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// ListPolicies is iam:ListPolicies.
func (a *API) ListPolicies(ctx context.Context, in *listPoliciesInput) (any, error) {
	page, err := a.svc.IAMListPolicies(ctx, service.PolicyListing{Scope: in.Scope, OnlyAttached: in.OnlyAttached, PathPrefix: in.PathPrefix,
		UsageFilter: in.PolicyUsageFilter, Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	out := listPoliciesResult{Policies: make(awsproto.Members[policyShape], len(page.Policies)), IsTruncated: page.IsTruncated, Marker: page.Marker}
	for i := range page.Policies {
		out.Policies[i] = toPolicy(&page.Policies[i])
	}
	return out, nil
}
