package ssoadmin

import (
	"context"
)

type describeCreationInput struct {
	InstanceArn                        string `json:"InstanceArn"`
	AccountAssignmentCreationRequestId string `json:"AccountAssignmentCreationRequestId"`
}

// DescribeAccountAssignmentCreationStatus is sso:DescribeAccountAssignmentCreationStatus.
func (a *API) DescribeAccountAssignmentCreationStatus(ctx context.Context, in *describeCreationInput) (any, error) {
	op, err := a.svc.DescribeAccountAssignmentCreationStatus(ctx, in.InstanceArn, in.AccountAssignmentCreationRequestId)
	if err != nil {
		return nil, err
	}
	return struct {
		AccountAssignmentCreationStatus assignmentStatus `json:"AccountAssignmentCreationStatus"`
	}{assignmentStatusToWire(op)}, nil
}
