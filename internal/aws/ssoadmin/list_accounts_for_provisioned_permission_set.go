package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type listAccountsForProvisionedPermissionSetInput struct {
	InstanceArn        string `json:"InstanceArn"`
	PermissionSetArn   string `json:"PermissionSetArn"`
	ProvisioningStatus string `json:"ProvisioningStatus"`
	MaxResults         int    `json:"MaxResults"`
	NextToken          string `json:"NextToken"`
}

// ListAccountsForProvisionedPermissionSet is sso:ListAccountsForProvisionedPermissionSet.
func (a *API) ListAccountsForProvisionedPermissionSet(ctx context.Context, in *listAccountsForProvisionedPermissionSetInput) (any, error) {
	ids, next, err := a.svc.ListAccountsForProvisionedPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, in.ProvisioningStatus,
		service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return struct {
		AccountIds []string `json:"AccountIds"`
		NextToken  string   `json:"NextToken,omitempty"`
	}{nonNil(ids), next}, nil
}
