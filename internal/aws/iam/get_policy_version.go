package iam

import "context"

type getPolicyVersionInput struct {
	PolicyArn string
	VersionId string
}

type getPolicyVersionResult struct {
	PolicyVersion policyVersion
}

// GetPolicyVersion is iam:GetPolicyVersion. The document is URL-encoded,
// as IAM sends it.
func (a *API) GetPolicyVersion(ctx context.Context, in *getPolicyVersionInput) (any, error) {
	v, err := a.svc.IAMGetPolicyVersion(ctx, in.PolicyArn, in.VersionId)
	if err != nil {
		return nil, err
	}
	return getPolicyVersionResult{PolicyVersion: toVersion(v)}, nil
}
