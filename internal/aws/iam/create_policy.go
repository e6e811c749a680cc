package iam

import (
	"context"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/service"
)

type createPolicyInput struct {
	PolicyName     string
	Path           string
	PolicyDocument string
	Description    string
	Tags           awsproto.Members[tag]
}

type createPolicyResult struct {
	Policy policyShape
}

// CreatePolicy is iam:CreatePolicy.
func (a *API) CreatePolicy(ctx context.Context, in *createPolicyInput) (any, error) {
	p, err := a.svc.IAMCreatePolicy(ctx, service.NewIAMPolicy{Name: in.PolicyName, Path: in.Path, Description: in.Description,
		Document: in.PolicyDocument, Tags: toTags(in.Tags)})
	if err != nil {
		return nil, err
	}
	out := toPolicy(p)
	out.Description = "" // CreatePolicy does not echo the description
	return createPolicyResult{Policy: out}, nil
}
