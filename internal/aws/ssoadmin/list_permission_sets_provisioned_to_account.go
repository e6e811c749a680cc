package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type listPermissionSetsProvisionedToAccountInput struct {
	InstanceArn        string `json:"InstanceArn"`
	AccountId          string `json:"AccountId"`
	ProvisioningStatus string `json:"ProvisioningStatus"`
	MaxResults         int    `json:"MaxResults"`
	NextToken          string `json:"NextToken"`
}

// ListPermissionSetsProvisionedToAccount is sso:ListPermissionSetsProvisionedToAccount.
func (a *API) ListPermissionSetsProvisionedToAccount(ctx context.Context, in *listPermissionSetsProvisionedToAccountInput) (any, error) {
	arns, next, err := a.svc.ListPermissionSetsProvisionedToAccount(ctx, in.InstanceArn, in.AccountId, in.ProvisioningStatus,
		service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return struct {
		PermissionSets []string `json:"PermissionSets"`
		NextToken      string   `json:"NextToken,omitempty"`
	}{nonNil(arns), next}, nil
}
