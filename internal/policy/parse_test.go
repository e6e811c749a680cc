package policy

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseForms(t *testing.T) {
	tests := []struct {
		name string
		ref  string
		in   string
		want Document
	}{
		{
			name: "statement as object, strings as bare values",
			ref:  docStatement,
			in:   `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
			want: Document{Version: Version2012, Statements: []Statement{{Effect: Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"}}}},
		},
		{
			name: "statement array, lists, Sid and Id",
			ref:  docGrammar,
			in:   `{"Id":"pol1","Version":"2008-10-17","Statement":[{"Sid":"A1","Effect":"Deny","NotAction":["s3:A","s3:B"],"NotResource":["arn:aws:s3:::b","arn:aws:s3:::c"]}]}`,
			want: Document{Version: Version2008, ID: "pol1", Statements: []Statement{{Sid: "A1", Effect: Deny, Action: []string{"s3:A", "s3:B"}, NotAction: true, Resource: []string{"arn:aws:s3:::b", "arn:aws:s3:::c"}, NotResource: true}}},
		},
		{
			name: "missing Version",
			ref:  docVersion,
			in:   `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			want: Document{Statements: []Statement{{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}}}},
		},
		{
			name: "empty arrays are kept",
			ref:  docGrammar,
			in:   `{"Statement":[{"Effect":"Allow","Action":[],"Resource":[]}]}`,
			want: Document{Statements: []Statement{{Effect: Allow, Action: []string{}, Resource: []string{}}}},
		},
		{
			name: "condition values: strings, booleans, numbers, arrays",
			ref:  docCondition,
			in:   `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10.5},"StringEquals":{"a:b":["x",1,false],"a:c":[]}}}]}`,
			want: Document{Statements: []Statement{{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}, Condition: []Condition{
				{Operator: "Bool", Key: "aws:SecureTransport", Values: []Value{{"true", BoolValue}}},
				{Operator: "NumericLessThan", Key: "s3:max-keys", Values: []Value{{"10.5", NumberValue}}},
				{Operator: "StringEquals", Key: "a:b", Values: []Value{{"x", StringValue}, {"1", NumberValue}, {"false", BoolValue}}},
				{Operator: "StringEquals", Key: "a:c", Values: []Value{}},
			}}}},
		},
		{
			name: "principal forms",
			ref:  docPrincipal,
			in:   `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","NotPrincipal":"*","Action":"*","Resource":"*"}]}`,
			want: Document{Statements: []Statement{
				{Effect: Allow, Principal: &Principal{Entries: []PrincipalEntry{{"AWS", []string{"arn:aws:iam::111122223333:root"}}, {"Service", []string{"ec2.amazonaws.com"}}}}, Action: []string{"sts:AssumeRole"}},
				{Effect: Deny, Principal: &Principal{Any: true}, NotPrincipal: true, Action: []string{"*"}, Resource: []string{"*"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseString(tt.in)
			if err != nil {
				t.Fatalf("Parse(%s) error = %v (%s)", tt.in, err, tt.ref)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Parse(%s) = %+v, want %+v (%s)", tt.in, *got, tt.want, tt.ref)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		ref      string
		in       string
		wantPath string
		wantCode string
	}{
		{"invalid JSON", docGrammar, `{"Statement": [`, "$.Statement", "JSON_SYNTAX_ERROR"},
		{"trailing data", docGrammar, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} x`, "$", "JSON_SYNTAX_ERROR"},
		{"duplicate key", docGrammar, `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}`, "$.Statement.Effect", "JSON_SYNTAX_ERROR"},
		{"not an object", docGrammar, `["x"]`, "$", "DATA_TYPE_MISMATCH"},
		{"empty input", docGrammar, ``, "$", "JSON_SYNTAX_ERROR"},
		{"invalid version", docVersion, `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "$.Version", "INVALID_VERSION"},
		{"version not a string", docVersion, `{"Version":2012,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "$.Version", "DATA_TYPE_MISMATCH"},
		{"unknown top-level element", docGrammar, `{"Statements":[]}`, "$.Statements", "INVALID_POLICY_ELEMENT"},
		{"missing statement", docStatement, `{"Version":"2012-10-17"}`, "$", "MISSING_STATEMENT"},
		{"empty statement array", docStatement, `{"Statement":[]}`, "$.Statement", "MISSING_STATEMENT"},
		{"statement not an object", docStatement, `{"Statement":["x"]}`, "$.Statement[0]", "DATA_TYPE_MISMATCH"},
		{"lowercase effect", docEffect, `{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`, "$.Statement[0].Effect", "INVALID_EFFECT"},
		{"missing effect", docEffect, `{"Statement":[{"Action":"*","Resource":"*"}]}`, "$.Statement[0]", "MISSING_EFFECT"},
		{"missing action", docAction, `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "$.Statement[0]", "MISSING_ACTION"},
		{"action and notaction", docNotAction, `{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}`, "$.Statement[0]", "UNSUPPORTED_ELEMENT_COMBINATION"},
		{"missing resource", docResource, `{"Statement":[{"Effect":"Allow","Action":"*"}]}`, "$.Statement[0]", "MISSING_RESOURCE"},
		{"resource and notresource", docNotResource, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}]}`, "$.Statement[0]", "UNSUPPORTED_ELEMENT_COMBINATION"},
		{"action without service", docAction, `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","GetObject"],"Resource":"*"}]}`, "$.Statement[0].Action[1]", "INVALID_ACTION"},
		{"empty action", docAction, `{"Statement":[{"Effect":"Allow","Action":"","Resource":"*"}]}`, "$.Statement[0].Action", "INVALID_ACTION"},
		{"action is a number", docAction, `{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}`, "$.Statement[0].Action[0]", "DATA_TYPE_MISMATCH"},
		{"resource not an ARN", docResource, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"bucket"}]}`, "$.Statement[0].Resource", "INVALID_ARN_PREFIX"},
		{"unknown statement element", docGrammar, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Conditions":{}}]}`, "$.Statement[0].Conditions", "INVALID_POLICY_ELEMENT"},
		{"unknown operator", docOperators, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}]}`, "$.Statement[0].Condition.StringEqualz", "INVALID_CONDITION_OPERATOR"},
		{"operator is case-sensitive", docOperators, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"stringequals":{"a:b":"c"}}}]}`, "$.Statement[0].Condition.stringequals", "INVALID_CONDITION_OPERATOR"},
		{"condition value null", docCondition, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":null}}}]}`, `$.Statement[0].Condition.StringEquals["a:b"]`, "DATA_TYPE_MISMATCH"},
		{"condition value object in array", docCondition, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":["x",{}]}}}]}`, `$.Statement[0].Condition.StringEquals["a:b"][1]`, "DATA_TYPE_MISMATCH"},
		{"condition not an object", docCondition, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":"x"}]}`, "$.Statement[0].Condition", "DATA_TYPE_MISMATCH"},
		{"principal string other than *", docPrincipal, `{"Statement":[{"Effect":"Allow","Principal":"me","Action":"*","Resource":"*"}]}`, "$.Statement[0].Principal", "INVALID_PRINCIPAL_FORMAT"},
		{"nesting too deep", docGrammar, `{"Id":` + deep(40) + `}`, "$.Id[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]", "JSON_SYNTAX_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseString(tt.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%s) error = %v, want a *ParseError (%s)", tt.in, err, tt.ref)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(%s) error does not wrap ErrMalformed", tt.in)
			}
			if got := pe.Path.String(); got != tt.wantPath || pe.Code != tt.wantCode {
				t.Errorf("Parse(%s) error at %s (%s), want %s (%s); %v (%s)", tt.in, got, pe.Code, tt.wantPath, tt.wantCode, err, tt.ref)
			}
		})
	}
}

func deep(n int) string {
	s := ""
	for range n {
		s += "["
	}
	for range n {
		s += "]"
	}
	return s
}

func TestCanonicalRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "object statement and bare strings",
			in:   `{ "Statement": {"Resource": ["*"], "Action": "s3:GetObject", "Effect": "Allow"}, "Version": "2012-10-17" }`,
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		},
		{
			name: "conditions keep types and order",
			in:   `{"Statement":[{"Sid":"x","Effect":"Deny","NotAction":["a:b","c:d"],"NotResource":[],"Condition":{"Bool":{"aws:SecureTransport":false},"NumericEquals":{"k:n":[1,"2"]}}}]}`,
			want: `{"Statement":[{"Sid":"x","Effect":"Deny","NotAction":["a:b","c:d"],"NotResource":[],"Condition":{"Bool":{"aws:SecureTransport":false},"NumericEquals":{"k:n":[1,"2"]}}}]}`,
		},
		{
			name: "escapes",
			in:   `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/<\"\u00e9\n>"}]}`,
			want: `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/<\"é\n>"}]}`,
		},
		{
			name: "principal",
			in:   `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["a","b"]},"Action":"sts:AssumeRole"}]}`,
			want: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["a","b"]},"Action":"sts:AssumeRole"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseString(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.String(); got != tt.want {
				t.Errorf("Parse(%s).String() = %s, want %s", tt.in, got, tt.want)
			}
			again, err := ParseString(doc.String())
			if err != nil {
				t.Fatalf("Parse(canonical) error = %v", err)
			}
			if !reflect.DeepEqual(again, doc) {
				t.Errorf("Parse(canonical) = %+v, want %+v", again, doc)
			}
		})
	}
}
