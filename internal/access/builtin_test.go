package access

import (
	"testing"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/policy"
)

func TestBuiltInAWSManagedPolicies(t *testing.T) {
	wantARNs := map[string]bool{
		"arn:aws:iam::aws:policy/AdministratorAccess":                true,
		"arn:aws:iam::aws:policy/PowerUserAccess":                    true,
		"arn:aws:iam::aws:policy/ReadOnlyAccess":                     true,
		"arn:aws:iam::aws:policy/SecurityAudit":                      true,
		"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess":        true,
		"arn:aws:iam::aws:policy/job-function/Billing":               true,
		"arn:aws:iam::aws:policy/job-function/SupportUser":           true,
		"arn:aws:iam::aws:policy/job-function/DatabaseAdministrator": true,
		"arn:aws:iam::aws:policy/job-function/NetworkAdministrator":  true,
		"arn:aws:iam::aws:policy/job-function/SystemAdministrator":   true,
		"arn:aws:iam::aws:policy/job-function/DataScientist":         true,
	}
	sets := map[string]*policy.Set{}
	prev := ""
	for _, p := range BuiltInAWSManagedPolicies() {
		if !wantARNs[p.ARN] {
			t.Errorf("unexpected built-in policy %s", p.ARN)
		}
		delete(wantARNs, p.ARN)
		if p.ARN <= prev {
			t.Errorf("built-in policies out of ARN order: %s after %s", p.ARN, prev)
		}
		prev = p.ARN
		if p.ARN != AWSManagedPolicyARN(p.Path, p.Name) || p.Source != SourceBuiltIn || p.Description == "" {
			t.Errorf("%s: name %q, path %q, source %q, description %q", p.ARN, p.Name, p.Path, p.Source, p.Description)
		}
		if err := ValidateManagedPolicyDocument("test", p.Document); err != nil {
			t.Errorf("%s: ValidateManagedPolicyDocument() = %v", p.Name, err)
		}
		if path, ok := BuiltInPath(p.Name); !ok || path != p.Path {
			t.Errorf("BuiltInPath(%s) = %q, %v, want %q", p.Name, path, ok, p.Path)
		}
		sets[p.Name] = &policy.Set{Identity: []*policy.Policy{policy.MustCompile(p.Name, p.Document)}}
	}
	for a := range wantARNs {
		t.Errorf("built-in catalog lacks %s", a)
	}

	tests := []struct {
		policy, action, resource string
		allowed                  bool
	}{
		{"AdministratorAccess", "iam:CreateUser", "*", true},
		{"AdministratorAccess", "anything:AtAll", "arn:aws:s3:::b/k", true},
		{"PowerUserAccess", "s3:PutObject", "arn:aws:s3:::b/k", true},
		{"PowerUserAccess", "iam:CreateUser", "*", false},
		{"PowerUserAccess", "iam:ListRoles", "*", true},
		{"PowerUserAccess", "iam:CreateServiceLinkedRole", "*", true},
		{"PowerUserAccess", "organizations:CreateAccount", "*", false},
		{"PowerUserAccess", "organizations:DescribeOrganization", "*", true},
		{"PowerUserAccess", "account:PutAlternateContact", "*", false},
		{"ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k", true},
		{"ReadOnlyAccess", "ec2:DescribeInstances", "*", true},
		{"ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::b/k", false},
		{"ReadOnlyAccess", "secretsmanager:GetSecretValue", "*", false},
		{"ReadOnlyAccess", "secretsmanager:ListSecrets", "*", true},
		{"ViewOnlyAccess", "ec2:DescribeInstances", "*", true},
		{"ViewOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k", false},
		{"SecurityAudit", "iam:GetAccountAuthorizationDetails", "*", true},
		{"SecurityAudit", "s3:GetBucketPolicy", "arn:aws:s3:::b", true},
		{"SecurityAudit", "s3:GetObject", "arn:aws:s3:::b/k", false},
		{"Billing", "budgets:ViewBudget", "*", true},
		{"Billing", "ec2:RunInstances", "*", false},
		{"SupportUser", "support:CreateCase", "*", true},
		{"SupportUser", "ec2:TerminateInstances", "*", false},
		{"DatabaseAdministrator", "rds:CreateDBInstance", "*", true},
		{"DatabaseAdministrator", "iam:PassRole", "arn:aws:iam::111122223333:role/rds-monitoring-role", true},
		{"DatabaseAdministrator", "iam:PassRole", "arn:aws:iam::111122223333:role/Admin", false},
		{"NetworkAdministrator", "ec2:CreateVpc", "*", true},
		{"NetworkAdministrator", "ec2:RunInstances", "*", false},
		{"SystemAdministrator", "ec2:RunInstances", "*", true},
		{"SystemAdministrator", "iam:CreateUser", "*", false},
		{"DataScientist", "sagemaker:CreateTrainingJob", "*", true},
		{"DataScientist", "iam:CreateRole", "*", false},
	}
	for _, tc := range tests {
		d := sets[tc.policy].Decide(&policy.Request{Action: tc.action, Resource: tc.resource, Context: policy.NewContext()})
		if (d == policy.Allowed) != tc.allowed {
			t.Errorf("%s allows %s on %s = %v, want %v", tc.policy, tc.action, tc.resource, d == policy.Allowed, tc.allowed)
		}
	}
}

func TestNextVersionID(t *testing.T) {
	for in, want := range map[string]string{"v1": "v2", "v9": "v10", "v188": "v189", "": "v1", "x": "v1", "v0": "v1", "1": "v1"} {
		if got := NextVersionID(in); got != want {
			t.Errorf("NextVersionID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateManagedPolicyDocument(t *testing.T) {
	tests := []struct {
		name, doc, code string
	}{
		{name: "valid", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
		{name: "not JSON", doc: `{"Version":`, code: "MalformedPolicyDocumentException"},
		{name: "bad effect", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"}]}`, code: "MalformedPolicyDocumentException"},
		{name: "empty", doc: ``, code: "ValidationError"},
		{name: "control character", doc: "{\x01}", code: "ValidationError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateManagedPolicyDocument("test", tc.doc)
			code := ""
			if err != nil {
				code = errsCode(err)
			}
			if code != tc.code {
				t.Errorf("ValidateManagedPolicyDocument(%q) = %v, want code %q", tc.doc, err, tc.code)
			}
		})
	}
}

func errsCode(err error) string { return errs.As(err).Code }
