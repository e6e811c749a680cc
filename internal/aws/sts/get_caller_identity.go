package sts

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type getCallerIdentityInput struct{}

// getCallerIdentityResult is the GetCallerIdentityResponse shape.
type getCallerIdentityResult struct {
	Arn     string
	UserId  string
	Account string
}

// GetCallerIdentity is sts:GetCallerIdentity.
func (a *API) GetCallerIdentity(ctx context.Context, _ *getCallerIdentityInput) (any, error) {
	id, err := service.GetCallerIdentity(ctx, a.svc)
	if err != nil {
		return nil, err
	}
	return getCallerIdentityResult{Arn: id.ARN, UserId: id.UserID, Account: id.Account}, nil
}
