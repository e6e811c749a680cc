package iam

import (
	"context"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
)

type listPolicyVersionsInput struct {
	PolicyArn string
	Marker    string
	MaxItems  *int
}

type listPolicyVersionsResult struct {
	Versions    awsproto.Members[policyVersion]
	IsTruncated bool
}

// ListPolicyVersions is iam:ListPolicyVersions.
func (a *API) ListPolicyVersions(ctx context.Context, in *listPolicyVersionsInput) (any, error) {
	vs, err := a.svc.IAMListPolicyVersions(ctx, in.PolicyArn, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := listPolicyVersionsResult{Versions: make(awsproto.Members[policyVersion], len(vs))}
	for i := range vs {
		out.Versions[i] = toVersion(&vs[i])
	}
	return out, nil
}
