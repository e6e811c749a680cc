package organizations

import (
	"context"
)

type describeAccountInput struct {
	AccountID string `json:"AccountId"`
}

// DescribeAccount is organizations:DescribeAccount.
func (a *API) DescribeAccount(ctx context.Context, in *describeAccountInput) (any, error) {
	acct, err := a.svc.DescribeAccount(ctx, in.AccountID)
	if err != nil {
		return nil, err
	}
	return map[string]wireAccount{"Account": accountOut(acct)}, nil
}
