package policy

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	const v = `"Version":"2012-10-17",`
	tests := []struct {
		name     string
		ref      string
		typ      PolicyType
		in       string
		wantType FindingType
		wantCode string
		wantLoc  string
	}{
		{"invalid JSON", docChecks, IdentityPolicy, `{"Version":`, FindingError, "JSON_SYNTAX_ERROR", "$.Version"},
		{"missing version", docChecks, IdentityPolicy, `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, FindingWarning, "MISSING_VERSION", "$"},
		{"invalid version", docChecks, IdentityPolicy, `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, FindingError, "INVALID_VERSION", "$.Version"},
		{"invalid effect", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}]}`, FindingError, "INVALID_EFFECT", "$.Statement[0].Effect"},
		{"empty action list", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, FindingSuggestion, "EMPTY_ARRAY_ACTION", "$.Statement[0].Action"},
		{"invalid action", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3"],"Resource":"*"}]}`, FindingError, "INVALID_ACTION", "$.Statement[0].Action[1]"},
		{"empty action", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"","Resource":"*"}]}`, FindingError, "INVALID_ACTION", "$.Statement[0].Action"},
		{"wildcard in service", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s*:GetObject","Resource":"*"}]}`, FindingSuggestion, "WILDCARD_IN_SERVICE_NAME", "$.Statement[0].Action"},
		{"unknown operator", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}]}`, FindingError, "INVALID_CONDITION_OPERATOR", "$.Statement[0].Condition.StringEqualz"},
		{"numeric value not a number", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}]}`, FindingWarning, "TYPE_MISMATCH_NUMBER", `$.Statement[0].Condition.NumericLessThan["s3:max-keys"]`},
		{"date value not a date", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":["2020-01-01","soon"]}}}]}`, FindingWarning, "INVALID_DATE_VALUE", `$.Statement[0].Condition.DateLessThan["aws:CurrentTime"][1]`},
		{"bool value not a bool", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}]}`, FindingWarning, "TYPE_MISMATCH_BOOLEAN", `$.Statement[0].Condition.Bool["aws:SecureTransport"]`},
		{"bad CIDR", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.0.0.0/8"}}}]}`, FindingWarning, "TYPE_MISMATCH_IP_RANGE", `$.Statement[0].Condition.IpAddress["aws:SourceIp"]`},
		{"host bits set", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.1/24"}}}]}`, FindingSuggestion, "IMPROVE_IP_RANGE", `$.Statement[0].Condition.IpAddress["aws:SourceIp"]`},
		{"private source IP", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, FindingError, "PRIVATE_IP_ADDRESS", `$.Statement[0].Condition.IpAddress["aws:SourceIp"]`},
		{"key type mismatch", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"aws:SourceIp":"10.0.0.1"}}}]}`, FindingWarning, "TYPE_MISMATCH", `$.Statement[0].Condition.StringEquals["aws:SourceIp"]`},
		{"wildcard without like", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/*"}}}]}`, FindingWarning, "WILDCARD_WITHOUT_LIKE_OPERATOR", `$.Statement[0].Condition.StringEquals["s3:prefix"]`},
		{"multiple booleans", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":["true","false"]}}}]}`, FindingError, "INVALID_CONDITION_MULTIPLE_BOOLEAN", `$.Statement[0].Condition.Bool["aws:SecureTransport"]`},
		{"null with if exists", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NullIfExists":{"aws:TagKeys":"true"}}}]}`, FindingError, "NULL_WITH_IF_EXISTS", "$.Statement[0].Condition.NullIfExists"},
		{"missing qualifier", docSingleMulti, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"a"}}}]}`, FindingError, "MISSING_QUALIFIER", `$.Statement[0].Condition.StringEquals["aws:TagKeys"]`},
		{"forallvalues with single-valued key", docSingleMulti, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:RequestTag/team":"a"}}}]}`, FindingSecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", `$.Statement[0].Condition["ForAllValues:StringEquals"]["aws:RequestTag/team"]`},
		{"duplicate keys with different case", docCondition, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/a":"x","aws:requesttag/A":"y"}}}]}`, FindingError, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", `$.Statement[0].Condition.StringEquals["aws:requesttag/A"]`},
		{"empty condition list with ForAllValues", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":[]}}}]}`, FindingSuggestion, "EMPTY_ARRAY_CONDITION_FORALLVALUES", `$.Statement[0].Condition["ForAllValues:StringEquals"]["aws:TagKeys"]`},
		{"variable in numeric operator", docVariables, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericEquals":{"s3:max-keys":"${aws:username}"}}}]}`, FindingError, "INVALID_VARIABLE_FOR_OPERATOR", `$.Statement[0].Condition.NumericEquals["s3:max-keys"]`},
		{"variable in action", docVariables, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:${aws:username}","Resource":"*"}]}`, FindingError, "VARIABLE_UNSUPPORTED_IN_ELEMENT", "$.Statement[0].Action"},
		{"variable in old version", docVariables, IdentityPolicy, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}]}`, FindingError, "VARIABLE_UNSUPPORTED_IN_VERSION", "$.Statement[0].Resource"},
		{"empty variable", docVariables, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${}"}]}`, FindingError, "EMPTY_VARIABLE", "$.Statement[0].Resource"},
		{"missing brace", docVariables, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username"}]}`, FindingError, "MISSING_BRACE_IN_VARIABLE", "$.Statement[0].Resource"},
		{"space in variable", docVariables, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws: username}"}]}`, FindingError, "UNSUPPORTED_SPACE_IN_VARIABLE", "$.Statement[0].Resource"},
		{"redundant action", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":["s3:*","s3:GetObject"],"Resource":"*"}]}`, FindingSuggestion, "REDUNDANT_ACTION", "$.Statement[0].Action[1]"},
		{"redundant action by case", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":["s3:GetObject","S3:getobject"],"Resource":"*"}]}`, FindingSuggestion, "REDUNDANT_ACTION", "$.Statement[0].Action[1]"},
		{"redundant resource", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/a/*","arn:aws:s3:::b/*"]}]}`, FindingSuggestion, "REDUNDANT_RESOURCE", "$.Statement[0].Resource[0]"},
		{"redundant statement", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"B","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, FindingSuggestion, "REDUNDANT_STATEMENT", "$.Statement[1]"},
		{"allow with NotAction", docNotAction, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, FindingSecurityWarning, "ALLOW_WITH_NOT_ACTION", "$.Statement[0].NotAction"},
		{"allow with NotResource", docNotResource, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::hr"}]}`, FindingSecurityWarning, "ALLOW_WITH_NOT_RESOURCE", "$.Statement[0].NotResource"},
		{"pass role with star", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`, FindingSecurityWarning, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "$.Statement[0].Resource"},
		{"pass role with star in action and resource", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`, FindingSecurityWarning, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "$.Statement[0].Resource"},
		{"principal in identity policy", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, FindingError, "UNSUPPORTED_PRINCIPAL", "$.Statement[0].Principal"},
		{"principal in SCP", docChecks, ServiceControlPolicy, `{` + v + `"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, FindingError, "SCP_SYNTAX_ERROR_PRINCIPAL", "$.Statement[0].Principal"},
		{"missing principal in resource policy", docChecks, ResourcePolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, FindingError, "MISSING_PRINCIPAL", "$.Statement[0]"},
		{"allow with NotPrincipal", docChecks, ResourcePolicy, `{` + v + `"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}]}`, FindingSecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", "$.Statement[0].NotPrincipal"},
		{"unsupported sid", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Sid":"my-sid","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, FindingError, "UNSUPPORTED_SID", "$.Statement[0].Sid"},
		{"duplicate sid", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`, FindingError, "UNIQUE_SIDS_REQUIRED", "$.Statement[1].Sid"},
		{"duplicate sid in resource policy", docChecks, ResourcePolicy, `{` + v + `"Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"*"}]}`, FindingWarning, "UNIQUE_SIDS_RECOMMENDED", "$.Statement[1].Sid"},
		{"missing ARN field", docChecks, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:bucket"}]}`, FindingError, "MISSING_ARN_FIELD", "$.Statement[0].Resource"},
		{"SCP size limit", docSCPLimits, ServiceControlPolicy, `{` + v + `"Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":["arn:aws:s3:::` + strings.Repeat("a", 5200) + `"]}]}`, FindingError, "POLICY_SIZE_EXCEEDS_SCP_QUOTA", "$"},
		{"identity size limit", docQuotas, IdentityPolicy, `{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::` + strings.Repeat("a", 6200) + `"]}]}`, FindingWarning, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Validate([]byte(tt.in), tt.typ)
			for _, f := range got {
				if f.IssueCode == tt.wantCode {
					if f.Type != tt.wantType || len(f.Locations) == 0 || f.Locations[0].String() != tt.wantLoc {
						t.Errorf("Validate(%.80s) = %s %s at %v, want %s at %s (%s)", tt.in, f.Type, f.IssueCode, f.Locations, tt.wantType, tt.wantLoc, tt.ref)
					}
					if f.Message == "" {
						t.Errorf("Validate(%.80s): %s has no message", tt.in, f.IssueCode)
					}
					return
				}
			}
			t.Errorf("Validate(%.80s) = %v, want a %s %s finding (%s)", tt.in, codes(got), tt.wantType, tt.wantCode, tt.ref)
		})
	}
}

func TestValidateClean(t *testing.T) {
	tests := []struct {
		name string
		typ  PolicyType
		in   string
	}{
		{"identity", IdentityPolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/${aws:username}/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`},
		{"scp", ServiceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`},
		{"resource", ResourcePolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"Public read","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`},
		{"trust policy", ResourcePolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Validate([]byte(tt.in), tt.typ); len(got) != 0 {
				t.Errorf("Validate(%s, %s) = %v, want no finding (%s)", tt.in, tt.typ, codes(got), docChecks)
			}
		})
	}
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Type)+" "+f.IssueCode+" "+f.Locations[0].String())
	}
	return out
}
