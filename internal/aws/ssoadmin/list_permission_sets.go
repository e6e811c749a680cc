package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type listPermissionSetsInput struct {
	InstanceArn string `json:"InstanceArn"`
	MaxResults  int    `json:"MaxResults"`
	NextToken   string `json:"NextToken"`
}

// ListPermissionSets is sso:ListPermissionSets.
func (a *API) ListPermissionSets(ctx context.Context, in *listPermissionSetsInput) (any, error) {
	arns, next, err := a.svc.ListPermissionSets(ctx, in.InstanceArn, service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return struct {
		PermissionSets []string `json:"PermissionSets"`
		NextToken      string   `json:"NextToken,omitempty"`
	}{nonNil(arns), next}, nil
}
