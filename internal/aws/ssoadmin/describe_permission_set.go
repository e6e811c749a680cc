package ssoadmin

import (
	"context"
)

type permissionSetRef struct {
	InstanceArn      string `json:"InstanceArn"`
	PermissionSetArn string `json:"PermissionSetArn"`
}

// DescribePermissionSet is sso:DescribePermissionSet.
func (a *API) DescribePermissionSet(ctx context.Context, in *permissionSetRef) (any, error) {
	ps, err := a.svc.DescribePermissionSet(ctx, in.InstanceArn, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	return struct {
		PermissionSet permissionSet `json:"PermissionSet"`
	}{permissionSetToWire(ps)}, nil
}
