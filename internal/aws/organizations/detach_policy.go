package organizations

import (
	"context"
)

type detachPolicyInput struct {
	PolicyID string `json:"PolicyId"`
	TargetID string `json:"TargetId"`
}

// DetachPolicy is organizations:DetachPolicy.
func (a *API) DetachPolicy(ctx context.Context, in *detachPolicyInput) (any, error) {
	return struct{}{}, a.svc.DetachPolicy(ctx, in.PolicyID, in.TargetID)
}
