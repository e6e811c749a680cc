package iam_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/atriumtest"
)

const (
	allowGet = `{"Version":"2012-10-17","Statement":[{"Sid":"Get","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
	denyTmp  = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::bucket/tmp/*"}}`
	// allowIfMFA allows s3:PutObject with MFA only; its statement spans
	// lines 3 to 8.
	allowIfMFA = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    }
  ]
}`
	// boundaryReadOnly allows only reads.
	boundaryReadOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`
	allowS3          = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

func newClient(s *atriumtest.Server, creds ...aws.Credentials) *iam.Client {
	cfg := s.AWSConfig()
	if len(creds) > 0 {
		cfg = s.AWSConfigFor(creds[0])
	}
	return iam.NewFromConfig(cfg)
}

// decision is an evaluation result reduced to what the tests compare.
type decision struct {
	Action, Resource, Decision string
	Matched                    []string // SourcePolicyId of each matched statement
	Missing                    []string
	Boundary                   *bool
}

func decisions(rs []types.EvaluationResult) []decision {
	var out []decision
	for _, r := range rs {
		d := decision{Action: aws.ToString(r.EvalActionName), Resource: aws.ToString(r.EvalResourceName), Decision: string(r.EvalDecision), Missing: r.MissingContextValues}
		for _, m := range r.MatchedStatements {
			d.Matched = append(d.Matched, aws.ToString(m.SourcePolicyId))
		}
		if len(d.Missing) == 0 {
			d.Missing = nil
		}
		if r.PermissionsBoundaryDecisionDetail != nil {
			d.Boundary = aws.Bool(r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary)
		}
		out = append(out, d)
	}
	return out
}

func TestSimulateCustomPolicy(t *testing.T) {
	s := atriumtest.Start(t)
	c := newClient(s)
	tests := []struct {
		name string
		in   iam.SimulateCustomPolicyInput
		want []decision
	}{
		{
			name: "allow",
			in:   iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::bucket/a"}},
			want: []decision{{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/a", Decision: "allowed", Matched: []string{"PolicyInputList.1"}}},
		},
		{
			name: "explicit deny",
			in:   iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet, denyTmp}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::bucket/tmp/x"}},
			want: []decision{{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/tmp/x", Decision: "explicitDeny", Matched: []string{"PolicyInputList.2"}}},
		},
		{
			name: "implicit deny, every resource by default",
			in:   iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"s3:DeleteObject"}},
			want: []decision{{Action: "s3:DeleteObject", Resource: "*", Decision: "implicitDeny"}},
		},
		{
			name: "actions times resources",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"s3:GetObject", "s3:PutObject"},
				ResourceArns: []string{"arn:aws:s3:::bucket/a", "arn:aws:s3:::other/a"}},
			want: []decision{
				{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/a", Decision: "allowed", Matched: []string{"PolicyInputList.1"}},
				{Action: "s3:GetObject", Resource: "arn:aws:s3:::other/a", Decision: "implicitDeny"},
				{Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket/a", Decision: "implicitDeny"},
				{Action: "s3:PutObject", Resource: "arn:aws:s3:::other/a", Decision: "implicitDeny"},
			},
		},
		{
			name: "boundary limits",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowS3}, PermissionsBoundaryPolicyInputList: []string{boundaryReadOnly},
				ActionNames: []string{"s3:GetObject", "s3:PutObject"}},
			want: []decision{
				{Action: "s3:GetObject", Resource: "*", Decision: "allowed", Matched: []string{"PolicyInputList.1", "PermissionsBoundaryPolicyInputList.1"}, Boundary: aws.Bool(true)},
				{Action: "s3:PutObject", Resource: "*", Decision: "implicitDeny", Boundary: aws.Bool(false)},
			},
		},
		{
			name: "missing context value",
			in:   iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowIfMFA}, ActionNames: []string{"s3:PutObject"}},
			want: []decision{{Action: "s3:PutObject", Resource: "*", Decision: "implicitDeny", Missing: []string{"aws:MultiFactorAuthPresent"}}},
		},
		{
			name: "context value given",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowIfMFA}, ActionNames: []string{"s3:PutObject"},
				ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyValues: []string{"true"}, ContextKeyType: types.ContextKeyTypeEnumBoolean}}},
			want: []decision{{Action: "s3:PutObject", Resource: "*", Decision: "allowed", Matched: []string{"PolicyInputList.1"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.SimulateCustomPolicy(t.Context(), &tt.in)
			if err != nil {
				t.Fatalf("SimulateCustomPolicy: %v", err)
			}
			if got := decisions(out.EvaluationResults); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SimulateCustomPolicy = %+v, want %+v", got, tt.want)
			}
			if out.IsTruncated {
				t.Errorf("SimulateCustomPolicy IsTruncated = true, want false")
			}
		})
	}
}

func TestResourceSpecificResults(t *testing.T) {
	s := atriumtest.Start(t)
	out, err := newClient(s).SimulateCustomPolicy(t.Context(), &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{allowIfMFA}, ActionNames: []string{"s3:PutObject"}, ResourceArns: []string{"arn:aws:s3:::b/k"}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.EvaluationResults[0]
	if len(r.ResourceSpecificResults) != 1 {
		t.Fatalf("ResourceSpecificResults = %+v, want one", r.ResourceSpecificResults)
	}
	rs := r.ResourceSpecificResults[0]
	if aws.ToString(rs.EvalResourceName) != "arn:aws:s3:::b/k" || rs.EvalResourceDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("ResourceSpecificResults[0] = %s %s, want arn:aws:s3:::b/k implicitDeny", aws.ToString(rs.EvalResourceName), rs.EvalResourceDecision)
	}
	if want := []string{"aws:MultiFactorAuthPresent"}; !reflect.DeepEqual(rs.MissingContextValues, want) {
		t.Errorf("ResourceSpecificResults[0].MissingContextValues = %v, want %v", rs.MissingContextValues, want)
	}
	if len(r.MissingContextValues) != 0 || r.EvalDecisionDetails == nil {
		t.Errorf("top-level MissingContextValues = %v, EvalDecisionDetails = %v; want none and an empty map", r.MissingContextValues, r.EvalDecisionDetails)
	}
}

func TestStatementPositions(t *testing.T) {
	s := atriumtest.Start(t)
	// AWS's example: the statement of this one-line policy is at 1:38 to
	// 1:167.
	const awsExample = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	tests := []struct {
		name       string
		policies   []string
		action     string
		context    []types.ContextEntry
		wantSource string
		start, end types.Position
	}{
		{"one line", []string{awsExample}, "dynamodb:CreateBackup",
			[]types.ContextEntry{{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyValues: []string{"2019-04-25T11:00:00Z"}, ContextKeyType: types.ContextKeyTypeEnumDate}},
			"PolicyInputList.1", types.Position{Line: 1, Column: 38}, types.Position{Line: 1, Column: 167}},
		{"several lines", []string{allowGet, allowIfMFA}, "s3:PutObject",
			[]types.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyValues: []string{"true"}, ContextKeyType: types.ContextKeyTypeEnumBoolean}},
			"PolicyInputList.2", types.Position{Line: 4, Column: 6}, types.Position{Line: 7, Column: 6}},
		{"second statement", []string{`{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*"},` + "\n" + `{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`}, "s3:PutObject", nil,
			"PolicyInputList.1", types.Position{Line: 2, Column: 2}, types.Position{Line: 2, Column: 58}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := newClient(s).SimulateCustomPolicy(t.Context(), &iam.SimulateCustomPolicyInput{PolicyInputList: tt.policies, ActionNames: []string{tt.action}, ContextEntries: tt.context})
			if err != nil {
				t.Fatal(err)
			}
			ms := out.EvaluationResults[0].MatchedStatements
			if len(ms) != 1 {
				t.Fatalf("MatchedStatements = %+v, want one", ms)
			}
			m := ms[0]
			if aws.ToString(m.SourcePolicyId) != tt.wantSource || m.StartPosition == nil || m.EndPosition == nil {
				t.Fatalf("MatchedStatements[0] = %+v, want %s with positions", m, tt.wantSource)
			}
			if *m.StartPosition != tt.start || *m.EndPosition != tt.end {
				t.Errorf("positions = %d:%d to %d:%d, want %d:%d to %d:%d", m.StartPosition.Line, m.StartPosition.Column, m.EndPosition.Line, m.EndPosition.Column,
					tt.start.Line, tt.start.Column, tt.end.Line, tt.end.Column)
			}
			if m.SourcePolicyType != "IAM Policy" {
				t.Errorf("SourcePolicyType = %q, want IAM Policy", m.SourcePolicyType)
			}
		})
	}
}

func TestSimulatePaging(t *testing.T) {
	s := atriumtest.Start(t)
	c := newClient(s)
	actions := []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetBucketPolicy"}
	in := &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: actions, MaxItems: aws.Int32(2)}
	var got []string
	pages := 0
	p := iam.NewSimulateCustomPolicyPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.EvaluationResults) > 2 {
			t.Errorf("page %d has %d results, want at most 2", pages, len(out.EvaluationResults))
		}
		for _, r := range out.EvaluationResults {
			got = append(got, aws.ToString(r.EvalActionName))
		}
	}
	if pages != 3 || !reflect.DeepEqual(got, actions) {
		t.Errorf("paging gave %d pages of %v, want 3 pages of %v", pages, got, actions)
	}
	_, err := c.SimulateCustomPolicy(t.Context(), &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: actions, Marker: aws.String("bogus")})
	wantAPIError(t, err, "InvalidInput")
	_, err = c.SimulateCustomPolicy(t.Context(), &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: actions, MaxItems: aws.Int32(1001)})
	wantAPIError(t, err, "InvalidInput")
}

func wantAPIError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
	return ae
}

func TestSimulateErrors(t *testing.T) {
	s := atriumtest.Start(t)
	nobody := s.NewPrincipal(t, "nobody")
	tests := []struct {
		name     string
		client   *iam.Client
		in       iam.SimulateCustomPolicyInput
		code     string
		contains string
	}{
		{"malformed policy", newClient(s), iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet, `{"Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}`}, ActionNames: []string{"s3:GetObject"}},
			"MalformedPolicyDocument", `PolicyInputList.2: $.Statement[0].Effect`},
		{"not JSON", newClient(s), iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":`}, ActionNames: []string{"s3:GetObject"}},
			"MalformedPolicyDocument", "PolicyInputList.1"},
		{"no actions", newClient(s), iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{}}, "InvalidInput", "actionNames"},
		{"bad action", newClient(s), iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"getobject"}}, "InvalidInput", "service:action"},
		{"two boundaries", newClient(s), iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, PermissionsBoundaryPolicyInputList: []string{allowS3, allowS3}, ActionNames: []string{"s3:GetObject"}},
			"InvalidInput", "one permissions boundary"},
		{"bad context type", newClient(s), iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"s3:GetObject"},
			ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyValues: []string{"not-an-ip"}, ContextKeyType: types.ContextKeyTypeEnumIp}}}, "InvalidInput", "not-an-ip"},
		{"resource policy", newClient(s), iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"s3:GetObject"}, ResourcePolicy: aws.String(allowS3)},
			"InvalidInput", "ResourcePolicy"},
		{"not allowed to simulate", newClient(s, nobody), iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowGet}, ActionNames: []string{"s3:GetObject"}},
			"AccessDenied", "iam:SimulateCustomPolicy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.SimulateCustomPolicy(t.Context(), &tt.in)
			ae := wantAPIError(t, err, tt.code)
			if !strings.Contains(ae.ErrorMessage(), tt.contains) {
				t.Errorf("SimulateCustomPolicy message = %q, want it to contain %q", ae.ErrorMessage(), tt.contains)
			}
		})
	}
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	s := atriumtest.Start(t)
	c := newClient(s)
	admin := s.App.Bootstrap.AdminARN
	account := s.App.Bootstrap.Organization.ManagementAccountID
	tests := []struct {
		name      string
		in        iam.SimulatePrincipalPolicyInput
		want      []decision
		code      string
		wantStart *types.Position
	}{
		{
			name:      "own policies",
			in:        iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(admin), ActionNames: []string{"sso:ListInstances"}},
			want:      []decision{{Action: "sso:ListInstances", Resource: "*", Decision: "allowed", Matched: []string{"Policies.1"}}},
			wantStart: &types.Position{Line: 1, Column: 39},
		},
		{
			name: "own and given policies",
			in:   iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(admin), PolicyInputList: []string{denyTmp}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::bucket/tmp/a"}},
			want: []decision{{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/tmp/a", Decision: "explicitDeny", Matched: []string{"PolicyInputList.1"}}},
		},
		{
			name: "boundary",
			in:   iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(admin), PermissionsBoundaryPolicyInputList: []string{boundaryReadOnly}, ActionNames: []string{"s3:PutObject"}},
			want: []decision{{Action: "s3:PutObject", Resource: "*", Decision: "implicitDeny", Boundary: aws.Bool(false)}},
		},
		{name: "unknown user", in: iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":user/nobody-here"), ActionNames: []string{"s3:GetObject"}}, code: "NoSuchEntity"},
		{name: "a role", in: iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + account + ":role/r"), ActionNames: []string{"s3:GetObject"}}, code: "NoSuchEntity"},
		{name: "another account", in: iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::999999999999:user/atrium-admin"), ActionNames: []string{"s3:GetObject"}}, code: "NoSuchEntity"},
		{name: "not an ARN", in: iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("user/atrium-admin-xyz"), ActionNames: []string{"s3:GetObject"}}, code: "InvalidInput"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.SimulatePrincipalPolicy(t.Context(), &tt.in)
			if tt.code != "" {
				wantAPIError(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatalf("SimulatePrincipalPolicy: %v", err)
			}
			if got := decisions(out.EvaluationResults); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SimulatePrincipalPolicy = %+v, want %+v", got, tt.want)
			}
			if tt.wantStart != nil {
				m := out.EvaluationResults[0].MatchedStatements[0]
				if m.StartPosition == nil || *m.StartPosition != *tt.wantStart || m.SourcePolicyType != types.PolicySourceTypeUser {
					t.Errorf("MatchedStatements[0] = %s at %+v, want user at %+v", m.SourcePolicyType, m.StartPosition, tt.wantStart)
				}
			}
		})
	}
}

func TestGetContextKeys(t *testing.T) {
	s := atriumtest.Start(t)
	c := newClient(s)
	const withKeys = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*",
		"Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"StringEquals":{"s3:prefix":["home/${aws:userid}"]}}}]}`
	out, err := c.GetContextKeysForCustomPolicy(t.Context(), &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{withKeys, allowIfMFA}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"aws:MultiFactorAuthPresent", "aws:SourceIp", "aws:userid", "aws:username", "s3:prefix"}
	if !reflect.DeepEqual(out.ContextKeyNames, want) {
		t.Errorf("GetContextKeysForCustomPolicy = %v, want %v", out.ContextKeyNames, want)
	}
	pout, err := c.GetContextKeysForPrincipalPolicy(t.Context(), &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(s.App.Bootstrap.AdminARN), PolicyInputList: []string{allowIfMFA}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"aws:MultiFactorAuthPresent"}; !reflect.DeepEqual(pout.ContextKeyNames, want) {
		t.Errorf("GetContextKeysForPrincipalPolicy = %v, want %v", pout.ContextKeyNames, want)
	}
	_, err = c.GetContextKeysForCustomPolicy(t.Context(), &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{`{"Statement":[]}`}})
	wantAPIError(t, err, "MalformedPolicyDocument")
	_, err = c.GetContextKeysForPrincipalPolicy(t.Context(), &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + s.App.Bootstrap.Organization.ManagementAccountID + ":user/ghost")})
	wantAPIError(t, err, "NoSuchEntity")
}

// TestSimulateAnotherPrincipal simulates the policies of a principal other
// than the caller, found by its ARN.
func TestSimulateAnotherPrincipal(t *testing.T) {
	s := atriumtest.Start(t)
	s.NewPrincipal(t, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`)
	reader := "arn:aws:iam::" + s.App.Bootstrap.Organization.ManagementAccountID + ":user/reader"
	out, err := iam.NewFromConfig(s.AWSConfig()).SimulatePrincipalPolicy(t.Context(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(reader), ActionNames: []string{"s3:GetObject", "s3:PutObject"}})
	if err != nil {
		t.Fatalf("SimulatePrincipalPolicy(%s): %v", reader, err)
	}
	got := map[string]string{}
	for _, r := range out.EvaluationResults {
		got[aws.ToString(r.EvalActionName)] = string(r.EvalDecision)
	}
	if got["s3:GetObject"] != "allowed" || got["s3:PutObject"] != "implicitDeny" {
		t.Errorf("SimulatePrincipalPolicy(reader) = %v, want GetObject allowed, PutObject implicitDeny", got)
	}
}
