// Package organizations is the AWS Organizations (2016-11-28) JSON 1.1 API
// over the service layer: one file per operation, named after it.
package organizations

import (
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/service"
)

// API binds the operations to a service.
type API struct{ svc *service.Service }

// New returns the organizations service description for the protocol layer.
func New(svc *service.Service) *awsproto.JSONService {
	a := &API{svc: svc}
	return &awsproto.JSONService{
		TargetPrefix: "AWSOrganizationsV20161128",
		SigningName:  "organizations",
		EventSource:  service.SourceOrganizations,
		Ops: map[string]awsproto.Operation{
			"DescribeOrganization":             awsproto.Op(true, a.DescribeOrganization),
			"ListRoots":                        awsproto.Op(true, a.ListRoots),
			"CreateAccount":                    awsproto.Op(false, a.CreateAccount),
			"DescribeCreateAccountStatus":      awsproto.Op(true, a.DescribeCreateAccountStatus),
			"ListCreateAccountStatus":          awsproto.Op(true, a.ListCreateAccountStatus),
			"DescribeAccount":                  awsproto.Op(true, a.DescribeAccount),
			"ListAccounts":                     awsproto.Op(true, a.ListAccounts),
			"ListAccountsForParent":            awsproto.Op(true, a.ListAccountsForParent),
			"MoveAccount":                      awsproto.Op(false, a.MoveAccount),
			"CloseAccount":                     awsproto.Op(false, a.CloseAccount),
			"RemoveAccountFromOrganization":    awsproto.Op(false, a.RemoveAccountFromOrganization),
			"CreateOrganizationalUnit":         awsproto.Op(false, a.CreateOrganizationalUnit),
			"UpdateOrganizationalUnit":         awsproto.Op(false, a.UpdateOrganizationalUnit),
			"DeleteOrganizationalUnit":         awsproto.Op(false, a.DeleteOrganizationalUnit),
			"DescribeOrganizationalUnit":       awsproto.Op(true, a.DescribeOrganizationalUnit),
			"ListOrganizationalUnitsForParent": awsproto.Op(true, a.ListOrganizationalUnitsForParent),
			"ListChildren":                     awsproto.Op(true, a.ListChildren),
			"ListParents":                      awsproto.Op(true, a.ListParents),
			"TagResource":                      awsproto.Op(false, a.TagResource),
			"UntagResource":                    awsproto.Op(false, a.UntagResource),
			"ListTagsForResource":              awsproto.Op(true, a.ListTagsForResource),
			"EnablePolicyType":                 awsproto.Op(false, a.EnablePolicyType),
			"DisablePolicyType":                awsproto.Op(false, a.DisablePolicyType),
			"CreatePolicy":                     awsproto.Op(false, a.CreatePolicy),
			"UpdatePolicy":                     awsproto.Op(false, a.UpdatePolicy),
			"DeletePolicy":                     awsproto.Op(false, a.DeletePolicy),
			"DescribePolicy":                   awsproto.Op(true, a.DescribePolicy),
			"ListPolicies":                     awsproto.Op(true, a.ListPolicies),
			"AttachPolicy":                     awsproto.Op(false, a.AttachPolicy),
			"DetachPolicy":                     awsproto.Op(false, a.DetachPolicy),
			"ListPoliciesForTarget":            awsproto.Op(true, a.ListPoliciesForTarget),
			"ListTargetsForPolicy":             awsproto.Op(true, a.ListTargetsForPolicy),
		},
	}
}

// paging is the NextToken and MaxResults of a listing.
type paging struct {
	NextToken  string `json:"NextToken"`
	MaxResults *int   `json:"MaxResults"`
}

func (p paging) request() service.PageRequest {
	r := service.PageRequest{NextToken: p.NextToken}
	if p.MaxResults != nil {
		r.MaxResults = *p.MaxResults
		if r.MaxResults == 0 {
			r.MaxResults = -1 // given, and below the minimum of 1
		}
	}
	return r
}

type wireTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagsIn(ts []wireTag) []org.Tag {
	if ts == nil {
		return nil
	}
	out := make([]org.Tag, len(ts))
	for i, t := range ts {
		out[i] = org.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func tagsOut(ts []org.Tag) []wireTag {
	out := make([]wireTag, len(ts))
	for i, t := range ts {
		out[i] = wireTag{Key: t.Key, Value: t.Value}
	}
	return out
}

type policyTypeSummary struct {
	Type   string `json:"Type"`
	Status string `json:"Status"`
}

func policyTypes(ts []org.PolicyTypeSummary) []policyTypeSummary {
	out := make([]policyTypeSummary, len(ts))
	for i, t := range ts {
		out[i] = policyTypeSummary{Type: t.Type, Status: t.Status}
	}
	return out
}

type wireRoot struct {
	ID          string              `json:"Id"`
	Arn         string              `json:"Arn"`
	Name        string              `json:"Name"`
	PolicyTypes []policyTypeSummary `json:"PolicyTypes"`
}

func rootOut(r *service.OrgRoot) wireRoot {
	return wireRoot{ID: r.ID, Arn: r.ARN, Name: r.Name, PolicyTypes: policyTypes(r.PolicyTypes)}
}

// wireAccount is an Account; Status and the newer State are both sent.
type wireAccount struct {
	ID              string         `json:"Id"`
	Arn             string         `json:"Arn"`
	Email           string         `json:"Email"`
	Name            string         `json:"Name"`
	Status          string         `json:"Status"`
	State           string         `json:"State"`
	JoinedMethod    string         `json:"JoinedMethod"`
	JoinedTimestamp *awsproto.Time `json:"JoinedTimestamp,omitempty"`
	Paths           []string       `json:"Paths,omitempty"`
}

func accountOut(a *service.OrgAccount) wireAccount {
	return wireAccount{ID: a.ID, Arn: a.ARN, Email: a.Email, Name: a.Name, Status: a.Status, State: a.State(),
		JoinedMethod: a.JoinMethod, JoinedTimestamp: awsproto.TimePtr(a.JoinedAt), Paths: a.Paths}
}

func accountsOut(as []service.OrgAccount) []wireAccount {
	out := make([]wireAccount, len(as))
	for i := range as {
		out[i] = accountOut(&as[i])
	}
	return out
}

type wireOU struct {
	ID   string `json:"Id"`
	Arn  string `json:"Arn"`
	Name string `json:"Name"`
	Path string `json:"Path,omitempty"`
}

func ouOut(u *service.OrgUnit) wireOU {
	return wireOU{ID: u.ID, Arn: u.ARN, Name: u.Name, Path: u.Path}
}

type wireCreateAccountStatus struct {
	ID                 string         `json:"Id"`
	AccountName        string         `json:"AccountName"`
	State              string         `json:"State"`
	RequestedTimestamp *awsproto.Time `json:"RequestedTimestamp,omitempty"`
	CompletedTimestamp *awsproto.Time `json:"CompletedTimestamp,omitempty"`
	AccountID          string         `json:"AccountId,omitempty"`
	FailureReason      string         `json:"FailureReason,omitempty"`
}

func createAccountStatusOut(r *org.CreateAccountStatus) wireCreateAccountStatus {
	return wireCreateAccountStatus{ID: r.ID, AccountName: r.AccountName, State: r.State,
		RequestedTimestamp: awsproto.TimePtr(r.RequestedAt), CompletedTimestamp: awsproto.TimePtr(r.CompletedAt),
		AccountID: r.AccountID, FailureReason: r.FailureReason}
}

type policySummary struct {
	ID          string `json:"Id"`
	Arn         string `json:"Arn"`
	Name        string `json:"Name"`
	Description string `json:"Description"`
	Type        string `json:"Type"`
	AwsManaged  bool   `json:"AwsManaged"`
}

func policySummaryOut(p *service.OrgPolicy) policySummary {
	return policySummary{ID: p.ID, Arn: p.ARN, Name: p.Name, Description: p.Description, Type: p.Type, AwsManaged: p.AWSManaged}
}

func policySummariesOut(ps []service.OrgPolicy) []policySummary {
	out := make([]policySummary, len(ps))
	for i := range ps {
		out[i] = policySummaryOut(&ps[i])
	}
	return out
}

type wirePolicy struct {
	PolicySummary policySummary `json:"PolicySummary"`
	Content       string        `json:"Content"`
}

func policyOut(p *service.OrgPolicy) wirePolicy {
	return wirePolicy{PolicySummary: policySummaryOut(p), Content: p.Content}
}

// relative is a Parent or a Child.
type relative struct {
	ID   string `json:"Id"`
	Type string `json:"Type"`
}

func relativesOut(rs []service.OrgRelative) []relative {
	out := make([]relative, len(rs))
	for i, r := range rs {
		out[i] = relative{ID: r.ID, Type: r.Type}
	}
	return out
}
