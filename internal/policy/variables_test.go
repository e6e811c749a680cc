package policy

import (
	"strconv"
	"testing"
)

func TestVariablesInResource(t *testing.T) {
	tests := []struct {
		name     string
		ref      string
		version  string
		pattern  string
		resource string
		ctx      kv
		want     bool
	}{
		{"username", docVariables, Version2012, "arn:aws:s3:::bucket/home/${aws:username}/*", "arn:aws:s3:::bucket/home/bob/file", kv{"aws:username": {"bob"}}, true},
		{"username other user", docVariables, Version2012, "arn:aws:s3:::bucket/home/${aws:username}/*", "arn:aws:s3:::bucket/home/alice/file", kv{"aws:username": {"bob"}}, false},
		{"key name case-insensitive", docVariables, Version2012, "arn:aws:s3:::bucket/${AWS:UserName}", "arn:aws:s3:::bucket/bob", kv{"aws:username": {"bob"}}, true},
		{"userid with colon", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:userid}/*", "arn:aws:s3:::bucket/AROAEXAMPLE:bob/x", kv{"aws:userid": {"AROAEXAMPLE:bob"}}, true},
		{"principal tag", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*", "arn:aws:s3:::bucket/blue/x", kv{"aws:principaltag/Team": {"blue"}}, true},
		{"variable in account field", docVariables, Version2012, "arn:aws:iam::${aws:PrincipalAccount}:role/x", "arn:aws:iam::123456789012:role/x", kv{"aws:PrincipalAccount": {"123456789012"}}, true},
		{"any context key", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:SourceIp}", "arn:aws:s3:::bucket/10.1.2.3", kv{"aws:SourceIp": {"10.1.2.3"}}, true},
		{"no value matches nothing", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/", nil, false},
		{"no value and star matches nothing", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:username}*", "arn:aws:s3:::bucket/x", nil, false},
		{"default used when absent", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*", "arn:aws:s3:::bucket/company-wide/x", nil, true},
		{"default ignored when present", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*", "arn:aws:s3:::bucket/company-wide/x", kv{"aws:PrincipalTag/team": {"red"}}, false},
		{"substituted value is literal", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/anything", kv{"aws:username": {"*"}}, false},
		{"substituted star matches itself", docVariables, Version2012, "arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/*", kv{"aws:username": {"*"}}, true},
		{"${*} is a literal star", docVariables, Version2012, "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/x", nil, false},
		{"${*} matches a star", docVariables, Version2012, "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", nil, true},
		{"${?} matches a question mark", docVariables, Version2012, "arn:aws:s3:::bucket/a${?}", "arn:aws:s3:::bucket/a?", nil, true},
		{"${$} matches a dollar", docVariables, Version2012, "arn:aws:s3:::bucket/${$}x", "arn:aws:s3:::bucket/$x", nil, true},
		{"literal under 2008-10-17", docVersion, Version2008, "arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/bob", kv{"aws:username": {"bob"}}, false},
		{"literal text under 2008-10-17 matches itself", docVersion, Version2008, "arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/${aws:username}", kv{"aws:username": {"bob"}}, true},
		{"literal without Version", docVersion, "", "arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/bob", kv{"aws:username": {"bob"}}, false},
		{"multivalued key is no variable", docSingleMulti, Version2012, "arn:aws:s3:::bucket/${aws:TagKeys}", "arn:aws:s3:::bucket/a", kv{"aws:TagKeys": {"a", "b"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := stmtPolicy(tt.version, `{"Effect":"Allow","Action":"s3:*","Resource":`+strconv.Quote(tt.pattern)+`}`)
			if got := allows(t, doc, "s3:GetObject", tt.resource, tt.ctx); got != tt.want {
				t.Errorf("match(%q, %q, %v) = %v, want %v (%s)", tt.pattern, tt.resource, tt.ctx, got, tt.want, tt.ref)
			}
		})
	}
}

func TestVariablesInConditions(t *testing.T) {
	tests := []struct {
		name    string
		ref     string
		version string
		cond    string
		ctx     kv
		want    bool
	}{
		{"StringEquals with variable", docVariables, Version2012, `{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, kv{"aws:ResourceTag/owner": {"bob"}, "aws:username": {"bob"}}, true},
		{"StringLike with variable and star", docVariables, Version2012, `{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}`, kv{"s3:prefix": {"home/bob/docs"}, "aws:username": {"bob"}}, true},
		{"StringLike variable value is literal", docVariables, Version2012, `{"StringLike":{"s3:prefix":"${aws:username}"}}`, kv{"s3:prefix": {"anything"}, "aws:username": {"*"}}, false},
		{"ArnLike with variable", docVariables, Version2012, `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::${aws:PrincipalTag/bucket}/*"}}`, kv{"aws:SourceArn": {"arn:aws:s3:::b1/x"}, "aws:PrincipalTag/bucket": {"b1"}}, true},
		{"positive operator with unresolved variable is false", docVariables, Version2012, `{"StringEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}`, kv{"s3:ExistingObjectTag/Team": {"x"}}, false},
		{"negated operator with unresolved variable is true", docVariables, Version2012, `{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}`, kv{"s3:ExistingObjectTag/Team": {"x"}}, true},
		{"default in condition", docVariables, Version2012, `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team, 'none'}"}}`, kv{"aws:ResourceTag/team": {"none"}}, true},
		{"literal under 2008-10-17", docVersion, Version2008, `{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, kv{"aws:ResourceTag/owner": {"bob"}, "aws:username": {"bob"}}, false},
		{"no variables for Numeric", docVariables, Version2012, `{"NumericEquals":{"k:n":"${k:m}"}}`, kv{"k:n": {"1"}, "k:m": {"1"}}, false},
		{"${*} literal in StringLike", docVariables, Version2012, `{"StringLike":{"k:s":"a${*}"}}`, kv{"k:s": {"ab"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := stmtPolicy(tt.version, `{"Effect":"Allow","Action":"*","Resource":"*","Condition":`+tt.cond+`}`)
			if got := allows(t, doc, "s3:GetObject", "*", tt.ctx); got != tt.want {
				t.Errorf("Condition(%s, %v) = %v, want %v (%s)", tt.cond, tt.ctx, got, tt.want, tt.ref)
			}
		})
	}
}
