package organizations

import (
	"context"
)

type listCreateAccountStatusInput struct {
	paging
	States []string `json:"States"`
}

// ListCreateAccountStatus is organizations:ListCreateAccountStatus.
func (a *API) ListCreateAccountStatus(ctx context.Context, in *listCreateAccountStatusInput) (any, error) {
	sts, next, err := a.svc.ListCreateAccountStatus(ctx, in.States, in.request())
	if err != nil {
		return nil, err
	}
	out := struct {
		CreateAccountStatuses []wireCreateAccountStatus `json:"CreateAccountStatuses"`
		NextToken             string                    `json:"NextToken,omitempty"`
	}{CreateAccountStatuses: make([]wireCreateAccountStatus, len(sts)), NextToken: next}
	for i := range sts {
		out.CreateAccountStatuses[i] = createAccountStatusOut(&sts[i])
	}
	return out, nil
}
