package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type pagedPermissionSetInput struct {
	InstanceArn      string `json:"InstanceArn"`
	PermissionSetArn string `json:"PermissionSetArn"`
	MaxResults       int    `json:"MaxResults"`
	NextToken        string `json:"NextToken"`
}

// ListManagedPoliciesInPermissionSet is sso:ListManagedPoliciesInPermissionSet.
func (a *API) ListManagedPoliciesInPermissionSet(ctx context.Context, in *pagedPermissionSetInput) (any, error) {
	ps, next, err := a.svc.ListManagedPoliciesInPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := struct {
		AttachedManagedPolicies []attachedManagedPolicy `json:"AttachedManagedPolicies"`
		NextToken               string                  `json:"NextToken,omitempty"`
	}{AttachedManagedPolicies: make([]attachedManagedPolicy, len(ps)), NextToken: next}
	for i, p := range ps {
		out.AttachedManagedPolicies[i] = attachedManagedPolicy{Name: p.Name, Arn: p.ARN}
	}
	return out, nil
}
