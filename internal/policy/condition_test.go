package policy

import "testing"

// condHolds reports whether an Allow statement with the given Condition
// block allows a request with the given context.
func condHolds(t *testing.T, cond string, ctx kv) bool {
	t.Helper()
	doc := stmtPolicy(Version2012, `{"Effect":"Allow","Action":"*","Resource":"*","Condition":`+cond+`}`)
	return allows(t, doc, "s3:GetObject", "*", ctx)
}

func TestConditionOperators(t *testing.T) {
	tests := []struct {
		name string
		ref  string
		cond string
		ctx  kv
		want bool
	}{
		// String operators.
		{"StringEquals exact", docOperators, `{"StringEquals":{"aws:PrincipalTag/job":"iamuser-admin"}}`, kv{"aws:PrincipalTag/job": {"iamuser-admin"}}, true},
		{"StringEquals is case-sensitive", docOperators, `{"StringEquals":{"aws:PrincipalTag/job":"Admin"}}`, kv{"aws:PrincipalTag/job": {"admin"}}, false},
		{"StringEquals treats * literally", docOperators, `{"StringEquals":{"s3:prefix":"home/*"}}`, kv{"s3:prefix": {"home/bob"}}, false},
		{"StringEquals * matches literal *", docOperators, `{"StringEquals":{"s3:prefix":"home/*"}}`, kv{"s3:prefix": {"home/*"}}, true},
		{"StringEquals absent key is false", docOperators, `{"StringEquals":{"aws:PrincipalTag/job":"x"}}`, nil, false},
		{"StringNotEquals differs", docOperators, `{"StringNotEquals":{"aws:PrincipalTag/job":"x"}}`, kv{"aws:PrincipalTag/job": {"y"}}, true},
		{"StringNotEquals equal", docOperators, `{"StringNotEquals":{"aws:PrincipalTag/job":"x"}}`, kv{"aws:PrincipalTag/job": {"x"}}, false},
		{"StringNotEquals absent key is true", docOperators, `{"StringNotEquals":{"aws:PrincipalTag/job":"x"}}`, nil, true},
		{"StringEqualsIgnoreCase", docOperators, `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/job":"ADMIN"}}`, kv{"aws:PrincipalTag/job": {"admin"}}, true},
		{"StringEqualsIgnoreCase no wildcard", docOperators, `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/job":"ADM*"}}`, kv{"aws:PrincipalTag/job": {"admin"}}, false},
		{"StringNotEqualsIgnoreCase", docOperators, `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/job":"ADMIN"}}`, kv{"aws:PrincipalTag/job": {"admin"}}, false},
		{"StringLike glob", docOperators, `{"StringLike":{"s3:prefix":"home/*/docs/?.txt"}}`, kv{"s3:prefix": {"home/bob/docs/a.txt"}}, true},
		{"StringLike star crosses colon", docOperators, `{"StringLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, kv{"aws:SourceArn": {"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}}, true},
		{"StringLike is full-string", docOperators, `{"StringLike":{"aws:ResourceTag/env":"prod"}}`, kv{"aws:ResourceTag/env": {"production"}}, false},
		{"StringLike is case-sensitive", docOperators, `{"StringLike":{"aws:ResourceTag/env":"Prod*"}}`, kv{"aws:ResourceTag/env": {"production"}}, false},
		{"StringNotLike", docOperators, `{"StringNotLike":{"s3:prefix":"home/*"}}`, kv{"s3:prefix": {"tmp/x"}}, true},
		{"StringNotLike absent is true", docOperators, `{"StringNotLike":{"s3:prefix":"home/*"}}`, nil, true},

		// Numeric operators.
		{"NumericEquals decimal", docOperators, `{"NumericEquals":{"s3:max-keys":"10"}}`, kv{"s3:max-keys": {"10.0"}}, true},
		{"NumericLessThan is numeric not lexical", docOperators, `{"NumericLessThan":{"s3:max-keys":"10"}}`, kv{"s3:max-keys": {"9"}}, true},
		{"NumericLessThan bound", docOperators, `{"NumericLessThan":{"s3:max-keys":10}}`, kv{"s3:max-keys": {"10"}}, false},
		{"NumericLessThanEquals bound", docOperators, `{"NumericLessThanEquals":{"s3:max-keys":10}}`, kv{"s3:max-keys": {"10"}}, true},
		{"NumericGreaterThan", docOperators, `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}`, kv{"aws:MultiFactorAuthAge": {"3601"}}, true},
		{"NumericGreaterThanEquals negative", docOperators, `{"NumericGreaterThanEquals":{"k:n":"-1.5"}}`, kv{"k:n": {"-1.5"}}, true},
		{"Numeric request not a number", docOperators, `{"NumericEquals":{"k:n":"1"}}`, kv{"k:n": {"one"}}, false},
		{"Numeric policy not a number", docOperators, `{"NumericEquals":{"k:n":"one"}}`, kv{"k:n": {"1"}}, false},
		{"NumericNotEquals", docOperators, `{"NumericNotEquals":{"k:n":["1","2"]}}`, kv{"k:n": {"3"}}, true},
		{"NumericNotEquals NOR", docOperators, `{"NumericNotEquals":{"k:n":["1","2"]}}`, kv{"k:n": {"2"}}, false},
		{"NumericNotEquals absent is true", docOperators, `{"NumericNotEquals":{"k:n":"1"}}`, nil, true},
		{"NumericLessThan absent is false", docOperators, `{"NumericLessThan":{"k:n":"1"}}`, nil, false},

		// Date operators.
		{"DateGreaterThan ISO", docOperators, `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:01Z"}}`, kv{"aws:CurrentTime": {"2021-06-30T00:00:00Z"}}, true},
		{"DateLessThan ISO", docOperators, `{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:01Z"}}`, kv{"aws:CurrentTime": {"2021-06-30T00:00:00Z"}}, false},
		{"DateEquals across offsets", docOperators, `{"DateEquals":{"aws:CurrentTime":"2020-01-01T01:00:00+01:00"}}`, kv{"aws:CurrentTime": {"2020-01-01T00:00:00Z"}}, true},
		{"Date epoch in policy, ISO in request", docOperators, `{"DateLessThan":{"aws:CurrentTime":"1577836800"}}`, kv{"aws:CurrentTime": {"2019-12-31T23:59:59Z"}}, true},
		{"Date ISO in policy, epoch in request", docOperators, `{"DateGreaterThanEquals":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}`, kv{"aws:EpochTime": {"1577836800"}}, true},
		{"Date epoch as JSON number", docOperators, `{"DateEquals":{"aws:EpochTime":1577836800}}`, kv{"aws:EpochTime": {"2020-01-01T00:00:00Z"}}, true},
		{"Date date-only", docOperators, `{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-01"}}`, kv{"aws:CurrentTime": {"2020-01-01T00:00:00Z"}}, true},
		{"Date fractional seconds", docOperators, `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, kv{"aws:CurrentTime": {"2020-01-01T00:00:00.5Z"}}, true},
		{"Date invalid request", docOperators, `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, kv{"aws:CurrentTime": {"yesterday"}}, false},
		{"DateNotEquals absent is true", docOperators, `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01"}}`, nil, true},

		// Bool.
		{"Bool true", docOperators, `{"Bool":{"aws:SecureTransport":"true"}}`, kv{"aws:SecureTransport": {"true"}}, true},
		{"Bool JSON boolean", docOperators, `{"Bool":{"aws:SecureTransport":true}}`, kv{"aws:SecureTransport": {"true"}}, true},
		{"Bool false vs true", docOperators, `{"Bool":{"aws:SecureTransport":"false"}}`, kv{"aws:SecureTransport": {"true"}}, false},
		{"Bool case-insensitive value", docOperators, `{"Bool":{"aws:SecureTransport":"true"}}`, kv{"aws:SecureTransport": {"TRUE"}}, true},
		{"Bool absent is false", docOperators, `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false},

		// Binary.
		{"BinaryEquals", docOperators, `{"BinaryEquals":{"k:bin":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, kv{"k:bin": {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, true},
		{"BinaryEquals compares bytes", docOperators, `{"BinaryEquals":{"k:bin":"QUJD"}}`, kv{"k:bin": {"QUJD"}}, true},
		{"BinaryEquals differs", docOperators, `{"BinaryEquals":{"k:bin":"QUJD"}}`, kv{"k:bin": {"QUJE"}}, false},

		// IP address.
		{"IpAddress v4 CIDR", docOperators, `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, kv{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress outside", docOperators, `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, kv{"aws:SourceIp": {"203.0.114.7"}}, false},
		{"IpAddress host bits ignored", docOperators, `{"IpAddress":{"aws:SourceIp":"203.0.113.5/24"}}`, kv{"aws:SourceIp": {"203.0.113.200"}}, true},
		{"IpAddress bare address", docOperators, `{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}`, kv{"aws:SourceIp": {"203.0.113.5"}}, true},
		{"IpAddress v6", docOperators, `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, kv{"aws:SourceIp": {"2001:db8:1234:5678::1"}}, true},
		{"IpAddress mixed list", docOperators, `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`, kv{"aws:SourceIp": {"2001:db8:1234:5678:ffff::"}}, true},
		{"IpAddress v4 range vs v6 address", docOperators, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, kv{"aws:SourceIp": {"2001:db8::1"}}, false},
		{"IpAddress absent is false", docOperators, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, nil, false},
		{"NotIpAddress outside", docOperators, `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, kv{"aws:SourceIp": {"198.51.100.1"}}, true},
		{"NotIpAddress inside", docOperators, `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, kv{"aws:SourceIp": {"203.0.113.1"}}, false},
		{"NotIpAddress absent is true (VPC endpoint)", docOperators, `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, nil, true},

		// ARN operators.
		{"ArnLike", docOperators, `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:topic*"}}`, kv{"aws:SourceArn": {"arn:aws:sns:us-east-1:123456789012:topic-a"}}, true},
		{"ArnLike is per component", docOperators, `{"ArnLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, kv{"aws:SourceArn": {"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}}, false},
		{"ArnEquals takes wildcards", docOperators, `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:*:t"}}`, kv{"aws:SourceArn": {"arn:aws:sns:us-east-1:123456789012:t"}}, true},
		{"ArnLike is case-sensitive", docOperators, `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:Topic"}}`, kv{"aws:SourceArn": {"arn:aws:sns:us-east-1:1:topic"}}, false},
		{"ArnNotLike", docOperators, `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:a"}}`, kv{"aws:SourceArn": {"arn:aws:sns:us-east-1:1:b"}}, true},
		{"ArnNotEquals absent is true", docOperators, `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:*:*:a"}}`, nil, true},
		{"ArnLike request not an ARN", docOperators, `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:a"}}`, kv{"aws:SourceArn": {"a"}}, false},

		// Null.
		{"Null true, absent", docOperators, `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true},
		{"Null true, present", docOperators, `{"Null":{"aws:TokenIssueTime":"true"}}`, kv{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, false},
		{"Null false, present", docOperators, `{"Null":{"aws:TokenIssueTime":false}}`, kv{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, true},
		{"Null false, absent", docOperators, `{"Null":{"aws:TokenIssueTime":"false"}}`, nil, false},
		{"Null false, present empty set", docOperators, `{"Null":{"aws:TagKeys":"false"}}`, kv{"aws:TagKeys": {}}, true},

		// IfExists.
		{"IfExists absent is true", docOperators, `{"StringEqualsIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}`, nil, true},
		{"IfExists present uses operator", docOperators, `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}`, kv{"ec2:InstanceType": {"m5.large"}}, false},
		{"IfExists present matches", docOperators, `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}`, kv{"ec2:InstanceType": {"t2.micro"}}, true},
		{"negated IfExists absent is true", docOperators, `{"StringNotEqualsIfExists":{"aws:PrincipalTag/team":"a"}}`, nil, true},
		{"NumericLessThanIfExists absent", docOperators, `{"NumericLessThanIfExists":{"k:n":"1"}}`, nil, true},
		{"IpAddressIfExists present outside", docOperators, `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{"aws:SourceIp": {"11.0.0.1"}}, false},

		// Several values, keys and operators.
		{"values OR-ed", docMultiKeys, `{"StringEquals":{"aws:PrincipalTag/dept":["a","b"]}}`, kv{"aws:PrincipalTag/dept": {"b"}}, true},
		{"negated values NOR-ed, equal one", docMultiKeys, `{"StringNotEquals":{"aws:PrincipalTag/dept":["a","b"]}}`, kv{"aws:PrincipalTag/dept": {"b"}}, false},
		{"negated values NOR-ed, equal none", docMultiKeys, `{"StringNotEquals":{"aws:PrincipalTag/dept":["a","b"]}}`, kv{"aws:PrincipalTag/dept": {"c"}}, true},
		{"keys AND-ed, both", docMultiKeys, `{"StringEquals":{"aws:PrincipalTag/a":"1","aws:PrincipalTag/b":"2"}}`, kv{"aws:PrincipalTag/a": {"1"}, "aws:PrincipalTag/b": {"2"}}, true},
		{"keys AND-ed, one", docMultiKeys, `{"StringEquals":{"aws:PrincipalTag/a":"1","aws:PrincipalTag/b":"2"}}`, kv{"aws:PrincipalTag/a": {"1"}}, false},
		{"operators AND-ed", docMultiKeys, `{"StringEquals":{"aws:PrincipalTag/a":"1"},"Bool":{"aws:SecureTransport":"true"}}`, kv{"aws:PrincipalTag/a": {"1"}, "aws:SecureTransport": {"false"}}, false},
		{"key names case-insensitive", docCondition, `{"StringEquals":{"AWS:PrincipalTag/TagKey1":"v"}}`, kv{"aws:principaltag/tagkey1": {"v"}}, true},
		{"tag-key part case-insensitive", docCondition, `{"StringEquals":{"aws:ResourceTag/TagKey1":"v"}}`, kv{"aws:ResourceTag/tagkey1": {"v"}}, true},
		{"values stay case-sensitive", docCondition, `{"StringEquals":{"aws:ResourceTag/TagKey1":"V"}}`, kv{"aws:ResourceTag/tagkey1": {"v"}}, false},
		{"empty condition block", docCondition, `{}`, nil, true},
		{"present empty set, positive", docSingleMulti, `{"StringEquals":{"k:s":"a"}}`, kv{"k:s": {}}, false},
		{"present empty set, negated", docSingleMulti, `{"StringNotEquals":{"k:s":"a"}}`, kv{"k:s": {}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condHolds(t, tt.cond, tt.ctx); got != tt.want {
				t.Errorf("Condition(%s, %v) = %v, want %v (%s)", tt.cond, tt.ctx, got, tt.want, tt.ref)
			}
		})
	}
}

func TestSetOperators(t *testing.T) {
	// The truth table for Deny + ForAllValues:StringNotLike is the one of
	// reference_policies_condition_examples-multi-valued-context-keys.html.
	tests := []struct {
		name string
		ref  string
		cond string
		ctx  kv
		want bool
	}{
		{"ForAllValues subset", docSingleMulti, `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, kv{"aws:TagKeys": {"environment"}}, true},
		{"ForAllValues not subset", docSingleMulti, `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, kv{"aws:TagKeys": {"environment", "owner"}}, false},
		{"ForAllValues absent is true", docSingleMulti, `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, nil, true},
		{"ForAllValues empty set is true", docSingleMulti, `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, kv{"aws:TagKeys": {}}, true},
		{"ForAnyValue intersects", docSingleMulti, `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, kv{"aws:TagKeys": {"owner", "cost-center"}}, true},
		{"ForAnyValue disjoint", docSingleMulti, `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, kv{"aws:TagKeys": {"owner"}}, false},
		{"ForAnyValue absent is false", docSingleMulti, `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, nil, false},
		{"ForAnyValue empty set is false", docSingleMulti, `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, kv{"aws:TagKeys": {}}, false},
		{"ForAnyValue StringLike", docSingleMulti, `{"ForAnyValue:StringLike":{"aws:TagKeys":"key1*"}}`, kv{"aws:TagKeys": {"x", "key1a"}}, true},
		{"ForAllValues:StringNotLike key3", docMultiExamples, `{"ForAllValues:StringNotLike":{"aws:TagKeys":["key1*","key2*"]}}`, kv{"aws:TagKeys": {"key3"}}, true},
		{"ForAllValues:StringNotLike key1 key2", docMultiExamples, `{"ForAllValues:StringNotLike":{"aws:TagKeys":["key1*","key2*"]}}`, kv{"aws:TagKeys": {"key1", "key2"}}, false},
		{"ForAllValues:StringNotLike key1 key3", docMultiExamples, `{"ForAllValues:StringNotLike":{"aws:TagKeys":["key1*","key2*"]}}`, kv{"aws:TagKeys": {"key1", "key3"}}, false},
		{"ForAllValues:StringNotLike no tags", docMultiExamples, `{"ForAllValues:StringNotLike":{"aws:TagKeys":["key1*","key2*"]}}`, nil, true},
		{"ForAnyValue:StringNotEquals some differs", docMultiExamples, `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, kv{"aws:TagKeys": {"a", "c"}}, true},
		{"ForAnyValue:StringNotEquals none differs", docMultiExamples, `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, kv{"aws:TagKeys": {"a", "b"}}, false},
		{"ForAnyValue:StringNotEquals absent is false", docSingleMulti, `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, nil, false},
		{"ForAllValues empty policy list, absent", docChecks, `{"ForAllValues:StringEquals":{"aws:TagKeys":[]}}`, nil, true},
		{"ForAllValues empty policy list, present", docChecks, `{"ForAllValues:StringEquals":{"aws:TagKeys":[]}}`, kv{"aws:TagKeys": {"a"}}, false},
		{"ForAllValues negated empty policy list, present", docChecks, `{"ForAllValues:StringNotEquals":{"aws:TagKeys":[]}}`, kv{"aws:TagKeys": {"a"}}, false},
		{"ForAnyValue empty policy list", docChecks, `{"ForAnyValue:StringEquals":{"aws:TagKeys":[]}}`, kv{"aws:TagKeys": {"a"}}, false},
		{"IfExists empty policy list, absent", docChecks, `{"StringEqualsIfExists":{"k:s":[]}}`, nil, true},
		{"IfExists empty policy list, present", docChecks, `{"StringEqualsIfExists":{"k:s":[]}}`, kv{"k:s": {"a"}}, false},
		{"ForAllValues IfExists absent", docOperators, `{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":"a*"}}`, nil, true},
		{"ForAnyValue IfExists absent", docOperators, `{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"a*"}}`, nil, true},
		{"ForAnyValue IfExists empty set", docOperators, `{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"a*"}}`, kv{"aws:TagKeys": {}}, false},
		{"ForAnyValue numeric", docSingleMulti, `{"ForAnyValue:NumericGreaterThan":{"k:n":"5"}}`, kv{"k:n": {"1", "7"}}, true},
		{"ForAllValues IpAddress", docSingleMulti, `{"ForAllValues:IpAddress":{"k:ips":"10.0.0.0/8"}}`, kv{"k:ips": {"10.1.1.1", "11.0.0.1"}}, false},
		{"multivalued without qualifier intersects", docSingleMulti, `{"StringEquals":{"aws:TagKeys":"a"}}`, kv{"aws:TagKeys": {"b", "a"}}, true},
		{"multivalued negated without qualifier", docSingleMulti, `{"StringNotEquals":{"aws:TagKeys":"a"}}`, kv{"aws:TagKeys": {"b", "a"}}, false},
		{"Null under qualifier is plain Null", docChecks, `{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condHolds(t, tt.cond, tt.ctx); got != tt.want {
				t.Errorf("Condition(%s, %v) = %v, want %v (%s)", tt.cond, tt.ctx, got, tt.want, tt.ref)
			}
		})
	}
}

// TestMFAMatrix reproduces the aws:MultiFactorAuthPresent patterns of
// reference_policies_condition-keys.html: the key is absent for long-term
// access keys, "false" for temporary credentials without MFA and "true"
// with MFA.
func TestMFAMatrix(t *testing.T) {
	longTerm := kv{}
	noMFA := kv{"aws:MultiFactorAuthPresent": {"false"}}
	mfa := kv{"aws:MultiFactorAuthPresent": {"true"}}
	tests := []struct {
		name  string
		stmt  string
		ctx   kv
		allow bool
	}{
		{"Deny Bool false misses long-term keys", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`, longTerm, true},
		{"Deny Bool false denies no-MFA sessions", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`, noMFA, false},
		{"Deny BoolIfExists false denies long-term keys", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`, longTerm, false},
		{"Deny BoolIfExists false denies no-MFA sessions", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`, noMFA, false},
		{"Deny BoolIfExists false spares MFA", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`, mfa, true},
	}
	allowAll := `{"Effect":"Allow","Action":"*","Resource":"*"}`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := stmtPolicy(Version2012, allowAll+","+tt.stmt)
			if got := allows(t, doc, "s3:GetObject", "*", tt.ctx); got != tt.allow {
				t.Errorf("allows(%s, %v) = %v, want %v (%s)", tt.stmt, tt.ctx, got, tt.allow, docConditionKeys)
			}
		})
	}
	allowTests := []struct {
		name string
		cond string
		ctx  kv
		want bool
	}{
		{"Allow BoolIfExists true admits long-term keys", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, longTerm, true},
		{"Allow BoolIfExists true admits MFA", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, mfa, true},
		{"Allow BoolIfExists true refuses no-MFA sessions", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, noMFA, false},
		{"Allow Bool true refuses long-term keys", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, longTerm, false},
		{"Allow Null false admits any session", `{"Null":{"aws:MultiFactorAuthPresent":"false"}}`, noMFA, true},
		{"Allow Null false refuses long-term keys", `{"Null":{"aws:MultiFactorAuthPresent":"false"}}`, longTerm, false},
	}
	for _, tt := range allowTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condHolds(t, tt.cond, tt.ctx); got != tt.want {
				t.Errorf("Condition(%s, %v) = %v, want %v (%s)", tt.cond, tt.ctx, got, tt.want, docConditionKeys)
			}
		})
	}
}
