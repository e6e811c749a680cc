package iam

import (
	"context"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
)

type getContextKeysForCustomPolicyInput struct {
	PolicyInputList []string
}

// GetContextKeysForCustomPolicy is iam:GetContextKeysForCustomPolicy.
func (a *API) GetContextKeysForCustomPolicy(ctx context.Context, in *getContextKeysForCustomPolicyInput) (any, error) {
	keys, err := a.svc.GetContextKeysForCustomPolicy(ctx, in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	return contextKeysResponse{ContextKeyNames: awsproto.Members[string](keys)}, nil
}
