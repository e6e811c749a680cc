package organizations

import (
	"context"
)

type enablePolicyTypeInput struct {
	RootID     string `json:"RootId"`
	PolicyType string `json:"PolicyType"`
}

// EnablePolicyType is organizations:EnablePolicyType.
func (a *API) EnablePolicyType(ctx context.Context, in *enablePolicyTypeInput) (any, error) {
	r, err := a.svc.EnablePolicyType(ctx, in.RootID, in.PolicyType)
	if err != nil {
		return nil, err
	}
	return map[string]wireRoot{"Root": rootOut(r)}, nil
}
