package iam

import (
	"context"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
)

type listRolesInput struct {
	PathPrefix string
	Marker     string
	MaxItems   *int
}

type listRolesResult struct {
	Roles       awsproto.Members[roleShape]
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// ListRoles is iam:ListRoles.
func (a *API) ListRoles(ctx context.Context, in *listRolesInput) (any, error) {
	page, err := a.svc.IAMListRoles(ctx, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := listRolesResult{Roles: make(awsproto.Members[roleShape], len(page.Roles)), IsTruncated: page.IsTruncated, Marker: page.Marker}
	for i := range page.Roles {
		out.Roles[i] = toRole(&page.Roles[i], false)
	}
	return out, nil
}
