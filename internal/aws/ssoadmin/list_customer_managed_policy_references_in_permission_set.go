package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

// ListCustomerManagedPolicyReferencesInPermissionSet is
// sso:ListCustomerManagedPolicyReferencesInPermissionSet.
func (a *API) ListCustomerManagedPolicyReferencesInPermissionSet(ctx context.Context, in *pagedPermissionSetInput) (any, error) {
	refs, next, err := a.svc.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := struct {
		CustomerManagedPolicyReferences []customerManagedPolicyReference `json:"CustomerManagedPolicyReferences"`
		NextToken                       string                           `json:"NextToken,omitempty"`
	}{CustomerManagedPolicyReferences: make([]customerManagedPolicyReference, len(refs)), NextToken: next}
	for i, r := range refs {
		out.CustomerManagedPolicyReferences[i] = customerManagedPolicyReference{Name: r.Name, Path: r.Path}
	}
	return out, nil
}
