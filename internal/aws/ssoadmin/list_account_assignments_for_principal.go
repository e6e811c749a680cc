package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type listAccountAssignmentsForPrincipalInput struct {
	InstanceArn   string `json:"InstanceArn"`
	PrincipalId   string `json:"PrincipalId"`
	PrincipalType string `json:"PrincipalType"`
	Filter        *struct {
		AccountId string `json:"AccountId"`
	} `json:"Filter"`
	MaxResults int    `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

// ListAccountAssignmentsForPrincipal is sso:ListAccountAssignmentsForPrincipal.
func (a *API) ListAccountAssignmentsForPrincipal(ctx context.Context, in *listAccountAssignmentsForPrincipalInput) (any, error) {
	account := ""
	if in.Filter != nil {
		account = in.Filter.AccountId
	}
	as, next, err := a.svc.ListAccountAssignmentsForPrincipal(ctx, in.InstanceArn, in.PrincipalType, in.PrincipalId, account,
		service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return struct {
		AccountAssignments []accountAssignment `json:"AccountAssignments"`
		NextToken          string              `json:"NextToken,omitempty"`
	}{assignmentsToWire(as), next}, nil
}
