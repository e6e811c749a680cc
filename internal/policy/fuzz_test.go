package policy

import (
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	benchPolicy,
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`,
	`{"Statement":[{"Sid":"a","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:iam::*:role/x","Condition":{"ForAllValues:StringNotLike":{"aws:TagKeys":["k1*"]},"NumericLessThan":{"k:n":1.5},"Bool":{"aws:SecureTransport":false}}}]}`,
	`{"Version":"2008-10-17","Id":"x","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":"sts:AssumeRole"}]}`,
	`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00+01:00"},"IpAddress":{"aws:SourceIp":["10.0.0.1/8","::1/128"]},"Null":{"a:b":"true"},"BinaryEquals":{"k:b":"QUJD"},"ArnLike":{"aws:SourceArn":"arn:aws:*:${aws:x, 'y'}:*"}}}]}`,
	`{"Statement":[]}`,
	`[`,
}

// FuzzParse checks that Parse and Validate never panic, and that a parsed
// document's canonical serialization parses back to the same serialization.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		Validate(data, IdentityPolicy)
		Validate(data, ServiceControlPolicy)
		doc, err := Parse(data)
		if err != nil {
			return
		}
		canon := doc.String()
		again, err := ParseString(canon)
		if err != nil {
			t.Fatalf("Parse(%q) = error %v for the canonical form of %q", canon, err, data)
		}
		if got := again.String(); got != canon {
			t.Fatalf("round trip of %q = %q, want %q", data, got, canon)
		}
		if _, err := Compile("fuzz", doc); err != nil {
			t.Fatalf("Compile(Parse(%q)) error = %v", data, err)
		}
	})
}

// FuzzEval checks that evaluation never panics and that Decide and
// Evaluate agree, for any parsable policy and any request.
func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "s3:GetObject", "arn:aws:s3:::b/bob/k", "aws:username", "bob", "aws:SourceIp", "10.1.2.3")
	}
	f.Fuzz(func(t *testing.T, text, action, resource, k1, v1, k2, v2 string) {
		doc, err := ParseString(text)
		if err != nil {
			return
		}
		p, err := Compile("fuzz", doc)
		if err != nil {
			t.Fatalf("Compile(Parse(%q)) error = %v", text, err)
		}
		ctx := NewContext().Set(k1, v1).Set(k2, strings.Split(v2, ",")...)
		req := &Request{Action: action, Resource: resource, Context: ctx}
		for _, set := range []*Set{
			{Identity: []*Policy{p}},
			{Identity: []*Policy{p}, Boundary: p, Session: []*Policy{p}, SCPs: [][]*Policy{{p}, {p}}},
		} {
			d := set.Decide(req)
			if res := set.Evaluate(req); res.Decision != d {
				t.Fatalf("Evaluate(%q, %+v) = %v, Decide = %v", text, req, res.Decision, d)
			}
		}
	})
}
