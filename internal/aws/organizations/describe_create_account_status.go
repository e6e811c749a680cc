package organizations

import (
	"context"
)

type describeCreateAccountStatusInput struct {
	CreateAccountRequestID string `json:"CreateAccountRequestId"`
}

// DescribeCreateAccountStatus is organizations:DescribeCreateAccountStatus.
func (a *API) DescribeCreateAccountStatus(ctx context.Context, in *describeCreateAccountStatusInput) (any, error) {
	st, err := a.svc.DescribeCreateAccountStatus(ctx, in.CreateAccountRequestID)
	if err != nil {
		return nil, err
	}
	return map[string]wireCreateAccountStatus{"CreateAccountStatus": createAccountStatusOut(st)}, nil
}
