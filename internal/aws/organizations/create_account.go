package organizations

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type createAccountInput struct {
	Email                  string    `json:"Email"`
	AccountName            string    `json:"AccountName"`
	RoleName               string    `json:"RoleName"`
	IamUserAccessToBilling string    `json:"IamUserAccessToBilling"`
	Tags                   []wireTag `json:"Tags"`
}

// CreateAccount is organizations:CreateAccount.
func (a *API) CreateAccount(ctx context.Context, in *createAccountInput) (any, error) {
	st, err := a.svc.CreateAccount(ctx, service.CreateAccountRequest{Email: in.Email, AccountName: in.AccountName,
		RoleName: in.RoleName, IAMUserAccessToBilling: in.IamUserAccessToBilling, Tags: tagsIn(in.Tags)})
	if err != nil {
		return nil, err
	}
	return map[string]wireCreateAccountStatus{"CreateAccountStatus": createAccountStatusOut(st)}, nil
}
