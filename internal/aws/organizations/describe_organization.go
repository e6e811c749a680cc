package organizations

import (
	"context"
)

type describeOrganizationInput struct{}

// DescribeOrganization is organizations:DescribeOrganization.
func (a *API) DescribeOrganization(ctx context.Context, _ *describeOrganizationInput) (any, error) {
	g, err := a.svc.DescribeOrganization(ctx)
	if err != nil {
		return nil, err
	}
	type organization struct {
		ID                   string              `json:"Id"`
		Arn                  string              `json:"Arn"`
		FeatureSet           string              `json:"FeatureSet"`
		MasterAccountArn     string              `json:"MasterAccountArn"`
		MasterAccountID      string              `json:"MasterAccountId"`
		MasterAccountEmail   string              `json:"MasterAccountEmail"`
		AvailablePolicyTypes []policyTypeSummary `json:"AvailablePolicyTypes"`
	}
	return map[string]organization{"Organization": {ID: g.ID, Arn: g.ARN, FeatureSet: g.FeatureSet, MasterAccountArn: g.ManagementAccountARN,
		MasterAccountID: g.ManagementAccountID, MasterAccountEmail: g.ManagementEmail, AvailablePolicyTypes: policyTypes(g.PolicyTypes)}}, nil
}
