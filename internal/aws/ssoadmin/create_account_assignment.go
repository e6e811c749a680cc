package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type accountAssignmentInput struct {
	InstanceArn      string `json:"InstanceArn"`
	TargetId         string `json:"TargetId"`
	TargetType       string `json:"TargetType"`
	PermissionSetArn string `json:"PermissionSetArn"`
	PrincipalType    string `json:"PrincipalType"`
	PrincipalId      string `json:"PrincipalId"`
}

func (in *accountAssignmentInput) request() service.AssignmentRequest {
	return service.AssignmentRequest{TargetID: in.TargetId, TargetType: in.TargetType, PermissionSetARN: in.PermissionSetArn,
		PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalId}
}

// CreateAccountAssignment is sso:CreateAccountAssignment. Besides
// AWS_ACCOUNT, TargetType may be ORGANIZATIONAL_UNIT (an Atrium extension).
func (a *API) CreateAccountAssignment(ctx context.Context, in *accountAssignmentInput) (any, error) {
	op, err := a.svc.CreateAccountAssignment(ctx, in.InstanceArn, in.request())
	if err != nil {
		return nil, err
	}
	return struct {
		AccountAssignmentCreationStatus assignmentStatus `json:"AccountAssignmentCreationStatus"`
	}{assignmentStatusToWire(op)}, nil
}
