package iam

import "context"

type getRoleInput struct {
	RoleName string
}

type getRoleResult struct {
	Role roleShape
}

// GetRole is iam:GetRole.
func (a *API) GetRole(ctx context.Context, in *getRoleInput) (any, error) {
	r, err := a.svc.IAMGetRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	return getRoleResult{Role: toRole(r, true)}, nil
}
