package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type listAccountAssignmentsInput struct {
	InstanceArn      string `json:"InstanceArn"`
	AccountId        string `json:"AccountId"`
	PermissionSetArn string `json:"PermissionSetArn"`
	MaxResults       int    `json:"MaxResults"`
	NextToken        string `json:"NextToken"`
}

// ListAccountAssignments is sso:ListAccountAssignments. Assignments made to
// an organizational unit above the account are listed too.
func (a *API) ListAccountAssignments(ctx context.Context, in *listAccountAssignmentsInput) (any, error) {
	as, next, err := a.svc.ListAccountAssignments(ctx, in.InstanceArn, in.AccountId, in.PermissionSetArn, service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return struct {
		AccountAssignments []accountAssignment `json:"AccountAssignments"`
		NextToken          string              `json:"NextToken,omitempty"`
	}{assignmentsToWire(as), next}, nil
}
