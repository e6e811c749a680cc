package iam

import (
	"context"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
)

type getContextKeysForPrincipalPolicyInput struct {
	PolicySourceArn string
	PolicyInputList []string
}

// GetContextKeysForPrincipalPolicy is iam:GetContextKeysForPrincipalPolicy.
func (a *API) GetContextKeysForPrincipalPolicy(ctx context.Context, in *getContextKeysForPrincipalPolicyInput) (any, error) {
	keys, err := a.svc.GetContextKeysForPrincipalPolicy(ctx, in.PolicySourceArn, in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	return contextKeysResponse{ContextKeyNames: awsproto.Members[string](keys)}, nil
}
