package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/service"
)

type listOperationsInput struct {
	InstanceArn string `json:"InstanceArn"`
	MaxResults  int    `json:"MaxResults"`
	NextToken   string `json:"NextToken"`
	Filter      *struct {
		Status string `json:"Status"`
	} `json:"Filter"`
}

func (in *listOperationsInput) status() access.Status {
	if in.Filter == nil {
		return ""
	}
	return access.Status(in.Filter.Status)
}

func (in *listOperationsInput) page() service.PageRequest {
	return service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken}
}

// ListAccountAssignmentCreationStatus is sso:ListAccountAssignmentCreationStatus.
func (a *API) ListAccountAssignmentCreationStatus(ctx context.Context, in *listOperationsInput) (any, error) {
	ops, next, err := a.svc.ListAccountAssignmentCreationStatus(ctx, in.InstanceArn, in.status(), in.page())
	if err != nil {
		return nil, err
	}
	return struct {
		AccountAssignmentsCreationStatus []operationMetadata `json:"AccountAssignmentsCreationStatus"`
		NextToken                        string              `json:"NextToken,omitempty"`
	}{operationsToWire(ops), next}, nil
}
