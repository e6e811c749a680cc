// Package iam is the part of the AWS IAM (2010-05-08) Query API that Atrium
// serves, over the service layer: the policy simulator, the managed
// policies of the caller's account and the roles provisioning made in it.
// One file per operation, named after it.
package iam

import (
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/jsonspan"
	"github.com/atriumhq/atrium/internal/service"
)

// Namespace is the XML namespace of IAM responses.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// API binds the operations to a service.
type API struct{ svc *service.Service }

// New returns the IAM service description for the protocol layer.
func New(svc *service.Service) *awsproto.QueryService {
	a := &API{svc: svc}
	return &awsproto.QueryService{
		SigningName: "iam",
		EventSource: service.SourceIAM,
		Namespace:   Namespace,
		Version:     "2010-05-08",
		Ops: map[string]awsproto.QueryOperation{
			"SimulateCustomPolicy":             awsproto.QueryOp(true, a.SimulateCustomPolicy),
			"SimulatePrincipalPolicy":          awsproto.QueryOp(true, a.SimulatePrincipalPolicy),
			"GetContextKeysForCustomPolicy":    awsproto.QueryOp(true, a.GetContextKeysForCustomPolicy),
			"GetContextKeysForPrincipalPolicy": awsproto.QueryOp(true, a.GetContextKeysForPrincipalPolicy),
			"CreatePolicy":                     awsproto.QueryOp(false, a.CreatePolicy),
			"GetPolicy":                        awsproto.QueryOp(true, a.GetPolicy),
			"GetPolicyVersion":                 awsproto.QueryOp(true, a.GetPolicyVersion),
			"ListPolicies":                     awsproto.QueryOp(true, a.ListPolicies),
			"ListPolicyVersions":               awsproto.QueryOp(true, a.ListPolicyVersions),
			"DeletePolicy":                     awsproto.QueryOp(false, a.DeletePolicy),
			"GetRole":                          awsproto.QueryOp(true, a.GetRole),
			"ListRoles":                        awsproto.QueryOp(true, a.ListRoles),
		},
	}
}

// contextEntry is the ContextEntry shape.
type contextEntry struct {
	ContextKeyName   string
	ContextKeyValues []string
	ContextKeyType   string
}

// simulation holds the members the two simulate operations share.
type simulation struct {
	PolicyInputList                    []string
	PermissionsBoundaryPolicyInputList []string
	ActionNames                        []string
	ResourceArns                       []string
	ResourcePolicy                     string
	ResourceOwner                      string
	CallerArn                          string
	ContextEntries                     []contextEntry
	ResourceHandlingOption             string
	MaxItems                           *int
	Marker                             string
}

func (in *simulation) toService(policySourceARN string) service.Simulation {
	out := service.Simulation{
		PolicySourceARN: policySourceARN, Policies: in.PolicyInputList, BoundaryPolicies: in.PermissionsBoundaryPolicyInputList,
		Actions: in.ActionNames, Resources: in.ResourceArns, ResourcePolicy: in.ResourcePolicy, ResourceOwner: in.ResourceOwner,
		CallerARN: in.CallerArn, ResourceHandlingOption: in.ResourceHandlingOption, MaxItems: in.MaxItems, Marker: in.Marker,
	}
	for _, e := range in.ContextEntries {
		out.Context = append(out.Context, service.ContextEntry{Name: e.ContextKeyName, Values: e.ContextKeyValues, Type: e.ContextKeyType})
	}
	return out
}

// simulatePolicyResponse is the SimulatePolicyResponse shape.
type simulatePolicyResponse struct {
	EvaluationResults awsproto.Members[evaluationResult]
	IsTruncated       bool
	Marker            string `xml:",omitempty"`
}

type evaluationResult struct {
	EvalActionName                    string
	EvalResourceName                  string
	EvalDecision                      string
	MatchedStatements                 awsproto.Members[statement]
	MissingContextValues              awsproto.Members[string]
	PermissionsBoundaryDecisionDetail *boundaryDetail                          `xml:",omitempty"`
	EvalDecisionDetails               *awsproto.Entries                        `xml:",omitempty"`
	ResourceSpecificResults           awsproto.Members[resourceSpecificResult] `xml:",omitempty"`
}

type resourceSpecificResult struct {
	EvalResourceName                  string
	EvalResourceDecision              string
	MatchedStatements                 awsproto.Members[statement]
	MissingContextValues              awsproto.Members[string]
	EvalDecisionDetails               *awsproto.Entries `xml:",omitempty"`
	PermissionsBoundaryDecisionDetail *boundaryDetail   `xml:",omitempty"`
}

type boundaryDetail struct {
	AllowedByPermissionsBoundary bool
}

type statement struct {
	SourcePolicyId   string
	SourcePolicyType string    `xml:",omitempty"`
	StartPosition    *position `xml:",omitempty"`
	EndPosition      *position `xml:",omitempty"`
}

type position struct {
	Line   int
	Column int
}

func toResponse(r *service.SimulationResult) simulatePolicyResponse {
	out := simulatePolicyResponse{EvaluationResults: make(awsproto.Members[evaluationResult], len(r.Results)), IsTruncated: r.IsTruncated, Marker: r.Marker}
	for i, res := range r.Results {
		e := evaluationResult{EvalActionName: res.Action, EvalResourceName: res.Resource, EvalDecision: res.Decision,
			MatchedStatements: statements(res.Matched), MissingContextValues: awsproto.Members[string](res.Missing)}
		if res.Boundary != nil {
			e.PermissionsBoundaryDecisionDetail = &boundaryDetail{AllowedByPermissionsBoundary: *res.Boundary}
		}
		if r.ResourcesGiven {
			// With resources named, AWS reports each result as a
			// resource-specific one too, moves the missing context values
			// there, and sends an empty EvalDecisionDetails (it is filled
			// only for cross-account simulations).
			e.EvalDecisionDetails = &awsproto.Entries{}
			e.ResourceSpecificResults = awsproto.Members[resourceSpecificResult]{{
				EvalResourceName: res.Resource, EvalResourceDecision: res.Decision, MatchedStatements: e.MatchedStatements,
				MissingContextValues: e.MissingContextValues, EvalDecisionDetails: &awsproto.Entries{},
				PermissionsBoundaryDecisionDetail: e.PermissionsBoundaryDecisionDetail,
			}}
			e.MissingContextValues = nil
		}
		out.EvaluationResults[i] = e
	}
	return out
}

func statements(ms []service.MatchedStatement) awsproto.Members[statement] {
	out := make(awsproto.Members[statement], len(ms))
	for i, m := range ms {
		out[i] = statement{SourcePolicyId: m.SourcePolicyID, SourcePolicyType: m.SourcePolicyType}
		out[i].StartPosition, out[i].EndPosition = statementPositions(m.Document, m.Statement)
	}
	return out
}

// statementPositions returns where statement i of doc is, as the IAM policy
// simulator reports it: the line and 1-based column just after the
// statement's opening brace, and just after its closing brace. (AWS's own
// example, {"Version":"2012-10-17","Statement":{…}} of 167 characters on one
// line, gives 1:38 to 1:167.) A Statement that is a single object is
// statement 0.
func statementPositions(doc string, i int) (start, end *position) {
	b := []byte(doc)
	s, e, ok := jsonspan.Find(b, []jsonspan.Elem{jsonspan.Key("Statement"), jsonspan.Index(i)})
	if !ok && i == 0 {
		s, e, ok = jsonspan.Find(b, []jsonspan.Elem{jsonspan.Key("Statement")})
	}
	if !ok {
		return nil, nil
	}
	ps, pe := jsonspan.PositionOf(b, s+1), jsonspan.PositionOf(b, e)
	return &position{Line: ps.Line, Column: ps.Column + 1}, &position{Line: pe.Line, Column: pe.Column + 1}
}

// contextKeysResponse is the GetContextKeysForPolicyResponse shape.
type contextKeysResponse struct {
	ContextKeyNames awsproto.Members[string]
}
