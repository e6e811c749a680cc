package organizations

import (
	"context"
)

type attachPolicyInput struct {
	PolicyID string `json:"PolicyId"`
	TargetID string `json:"TargetId"`
}

// AttachPolicy is organizations:AttachPolicy.
func (a *API) AttachPolicy(ctx context.Context, in *attachPolicyInput) (any, error) {
	return struct{}{}, a.svc.AttachPolicy(ctx, in.PolicyID, in.TargetID)
}
