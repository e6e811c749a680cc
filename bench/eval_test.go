package bench

import (
	"context"
	"strings"
	"testing"

	"github.com/atriumhq/atrium/internal/policy"
	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	minio "github.com/minio/pkg/v3/policy"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// iamPolicy is the 10-statement policy: 7 Allow and 3 Deny statements with
// prefix, infix and trailing wildcards in actions and ARNs, a StringLike,
// an IpAddress and a Bool condition. It is the policy of BenchmarkEval in
// internal/policy.
const iamPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::data-bucket/*"},
    {"Sid": "ListHome", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::data-bucket",
     "Condition": {"StringLike": {"s3:prefix": ["home/*", "shared/*"]}}},
    {"Sid": "Upload", "Effect": "Allow", "Action": "s3:Put*", "Resource": "arn:aws:s3:::data-bucket/uploads/*",
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Sid": "Tags", "Effect": "Allow", "Action": "s3:Get*Tagging", "Resource": "arn:aws:s3:::data-bucket/*/tags/*"},
    {"Sid": "Multipart", "Effect": "Allow", "Action": "s3:*Multipart*", "Resource": "arn:aws:s3:::data-bucket/uploads/*"},
    {"Sid": "Buckets", "Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::*"},
    {"Sid": "Public", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-*/*"},
    {"Sid": "DenyInsecure", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenySecret", "Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::data-bucket/secret/*", "arn:aws:s3:::*-private/*"]},
    {"Sid": "DenyDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "arn:aws:s3:::*"}
  ]
}`

// The same policy in Cedar: action wildcards become action groups, ARN
// wildcards "like" patterns.
const cedarPolicy = `
permit (principal, action in [Action::"s3:GetObject", Action::"s3:GetObjectVersion"], resource)
  when { resource.arn like "arn:aws:s3:::data-bucket/*" };
permit (principal, action == Action::"s3:ListBucket", resource)
  when { resource.arn == "arn:aws:s3:::data-bucket" && context has prefix && (context.prefix like "home/*" || context.prefix like "shared/*") };
permit (principal, action in Action::"s3:Put*", resource)
  when { resource.arn like "arn:aws:s3:::data-bucket/uploads/*" && context.sourceIp.isInRange(ip("10.0.0.0/8")) };
permit (principal, action in Action::"s3:Get*Tagging", resource)
  when { resource.arn like "arn:aws:s3:::data-bucket/*/tags/*" };
permit (principal, action in Action::"s3:*Multipart*", resource)
  when { resource.arn like "arn:aws:s3:::data-bucket/uploads/*" };
permit (principal, action in [Action::"s3:ListAllMyBuckets", Action::"s3:GetBucketLocation"], resource)
  when { resource.arn like "arn:aws:s3:::*" };
permit (principal, action == Action::"s3:GetObject", resource)
  when { resource.arn like "arn:aws:s3:::public-*/*" };
forbid (principal, action in Action::"s3:*", resource)
  when { resource.arn like "arn:aws:s3:::*" && context.secureTransport == false };
forbid (principal, action in Action::"s3:*", resource)
  when { resource.arn like "arn:aws:s3:::data-bucket/secret/*" || resource.arn like "arn:aws:s3:::*-private/*" };
forbid (principal, action in Action::"s3:Delete*", resource)
  when { resource.arn like "arn:aws:s3:::*" };
`

// The same policy in Rego, one rule body per statement.
const regoPolicy = `package iam

import rego.v1

action := lower(input.action)

deny if {
	glob.match("s3:*", null, action)
	glob.match("arn:aws:s3:::*", null, input.resource)
	input.context.secureTransport == "false"
}

deny if {
	glob.match("s3:*", null, action)
	some p in ["arn:aws:s3:::data-bucket/secret/*", "arn:aws:s3:::*-private/*"]
	glob.match(p, null, input.resource)
}

deny if {
	glob.match("s3:delete*", null, action)
	glob.match("arn:aws:s3:::*", null, input.resource)
}

allow if {
	action in {"s3:getobject", "s3:getobjectversion"}
	glob.match("arn:aws:s3:::data-bucket/*", null, input.resource)
}

allow if {
	action == "s3:listbucket"
	input.resource == "arn:aws:s3:::data-bucket"
	some p in ["home/*", "shared/*"]
	glob.match(p, null, input.context.prefix)
}

allow if {
	glob.match("s3:put*", null, action)
	glob.match("arn:aws:s3:::data-bucket/uploads/*", null, input.resource)
	net.cidr_contains("10.0.0.0/8", input.context.sourceIp)
}

allow if {
	glob.match("s3:get*tagging", null, action)
	glob.match("arn:aws:s3:::data-bucket/*/tags/*", null, input.resource)
}

allow if {
	glob.match("s3:*multipart*", null, action)
	glob.match("arn:aws:s3:::data-bucket/uploads/*", null, input.resource)
}

allow if {
	action in {"s3:listallmybuckets", "s3:getbucketlocation"}
	glob.match("arn:aws:s3:::*", null, input.resource)
}

allow if {
	action == "s3:getobject"
	glob.match("arn:aws:s3:::public-*/*", null, input.resource)
}

default decision := "implicitDeny"

decision := "explicitDeny" if deny

decision := "allow" if {
	not deny
	allow
}
`

type request struct {
	action, resource string
	secure, sourceIP string
	prefix           string // "" when absent
	want             string
}

// requests is the mix of 8: 4 allow, 3 explicit deny, 1 implicit deny.
var requests = []request{
	{"s3:GetObject", "arn:aws:s3:::data-bucket/reports/q1.csv", "true", "10.1.2.3", "", "allow"},
	{"s3:ListBucket", "arn:aws:s3:::data-bucket", "true", "10.1.2.3", "home/alice/", "allow"},
	{"s3:PutObject", "arn:aws:s3:::data-bucket/uploads/file.bin", "true", "10.2.3.4", "", "allow"},
	{"s3:GetObjectTagging", "arn:aws:s3:::data-bucket/2024/tags/x.json", "true", "10.1.2.3", "", "allow"},
	{"s3:GetObject", "arn:aws:s3:::data-bucket/reports/q1.csv", "false", "10.1.2.3", "", "explicitDeny"},
	{"s3:GetObject", "arn:aws:s3:::data-bucket/secret/key", "true", "10.1.2.3", "", "explicitDeny"},
	{"s3:DeleteObject", "arn:aws:s3:::data-bucket/uploads/file.bin", "true", "10.1.2.3", "", "explicitDeny"},
	{"s3:PutObject", "arn:aws:s3:::data-bucket/uploads/file.bin", "true", "192.168.1.1", "", "implicitDeny"},
}

// engine decides one prepared request (an index into requests).
type engine struct {
	name   string
	decide func(i int) string
	// allowOnly: the engine reports allow or deny, not why.
	allowOnly bool
}

func atriumEngine(tb testing.TB) engine {
	set := &policy.Set{Identity: []*policy.Policy{policy.MustCompile("bench", iamPolicy)}}
	reqs := make([]policy.Request, len(requests))
	for i, r := range requests {
		c := policy.NewContext().Set("aws:SecureTransport", r.secure).Set("aws:SourceIp", r.sourceIP)
		if r.prefix != "" {
			c.Set("s3:prefix", r.prefix)
		}
		reqs[i] = policy.Request{Action: r.action, Resource: r.resource, Context: c}
	}
	return engine{name: "atrium", decide: func(i int) string { return set.Decide(&reqs[i]).String() }}
}

func minioEngine(tb testing.TB) engine {
	p, err := minio.ParseConfig(strings.NewReader(iamPolicy))
	if err != nil {
		tb.Fatalf("minio ParseConfig: %v", err)
	}
	args := make([]minio.Args, len(requests))
	for i, r := range requests {
		bucket, object, _ := strings.Cut(strings.TrimPrefix(r.resource, "arn:aws:s3:::"), "/")
		cv := map[string][]string{"SecureTransport": {r.secure}, "SourceIp": {r.sourceIP}}
		if r.prefix != "" {
			cv["prefix"] = []string{r.prefix}
		}
		args[i] = minio.Args{AccountName: "alice", Action: minio.Action(r.action), BucketName: bucket, ObjectName: object, ConditionValues: cv}
	}
	return engine{name: "minio", allowOnly: true, decide: func(i int) string {
		if p.IsAllowed(args[i]) {
			return "allow"
		}
		return "deny"
	}}
}

func cedarEngine(tb testing.TB) engine {
	ps, err := cedar.NewPolicySetFromBytes("bench.cedar", []byte(cedarPolicy))
	if err != nil {
		tb.Fatalf("cedar policy: %v", err)
	}
	act := func(id string) cedar.EntityUID { return cedar.NewEntityUID("Action", cedar.String(id)) }
	// Action groups stand for the action wildcards of the IAM policy.
	groups := map[string][]string{
		"s3:GetObject":        {"s3:*"},
		"s3:ListBucket":       {"s3:*"},
		"s3:PutObject":        {"s3:*", "s3:Put*"},
		"s3:GetObjectTagging": {"s3:*", "s3:Get*Tagging"},
		"s3:DeleteObject":     {"s3:*", "s3:Delete*"},
	}
	entities := cedar.EntityMap{}
	for a, parents := range groups {
		var ups []cedar.EntityUID
		for _, g := range parents {
			ups = append(ups, act(g))
		}
		entities[act(a)] = cedar.Entity{UID: act(a), Parents: cedar.NewEntityUIDSet(ups...)}
	}
	principal := cedar.NewEntityUID("User", "alice")
	entities[principal] = cedar.Entity{UID: principal}
	reqs := make([]cedar.Request, len(requests))
	for i, r := range requests {
		res := cedar.NewEntityUID("S3::Resource", cedar.String(r.resource))
		entities[res] = cedar.Entity{UID: res, Attributes: cedar.NewRecord(cedar.RecordMap{"arn": cedar.String(r.resource)})}
		ip, err := types.ParseIPAddr(r.sourceIP)
		if err != nil {
			tb.Fatal(err)
		}
		ctx := cedar.RecordMap{"secureTransport": cedar.Boolean(r.secure == "true"), "sourceIp": ip}
		if r.prefix != "" {
			ctx["prefix"] = cedar.String(r.prefix)
		}
		reqs[i] = cedar.Request{Principal: principal, Action: act(r.action), Resource: res, Context: cedar.NewRecord(ctx)}
	}
	return engine{name: "cedar", decide: func(i int) string {
		d, diag := cedar.Authorize(ps, entities, reqs[i])
		switch {
		case d == cedar.Allow:
			return "allow"
		case len(diag.Reasons) > 0:
			return "explicitDeny"
		}
		return "implicitDeny"
	}}
}

func regoInputs() []map[string]any {
	out := make([]map[string]any, len(requests))
	for i, r := range requests {
		ctx := map[string]any{"secureTransport": r.secure, "sourceIp": r.sourceIP}
		if r.prefix != "" {
			ctx["prefix"] = r.prefix
		}
		out[i] = map[string]any{"action": r.action, "resource": r.resource, "context": ctx}
	}
	return out
}

func opaQuery(tb testing.TB) rego.PreparedEvalQuery {
	pq, err := rego.New(rego.Query("data.iam.decision"), rego.Module("iam.rego", regoPolicy)).PrepareForEval(context.Background())
	if err != nil {
		tb.Fatalf("opa prepare: %v", err)
	}
	return pq
}

func opaResult(tb testing.TB, rs rego.ResultSet, err error) string {
	if err != nil || len(rs) != 1 || len(rs[0].Expressions) != 1 {
		tb.Fatalf("opa eval = %v, %v", rs, err)
	}
	s, _ := rs[0].Expressions[0].Value.(string)
	return s
}

// opaEngine evaluates the prepared query with the input as a Go map.
func opaEngine(tb testing.TB) engine {
	pq := opaQuery(tb)
	inputs := regoInputs()
	ctx := context.Background()
	return engine{name: "opa", decide: func(i int) string {
		rs, err := pq.Eval(ctx, rego.EvalInput(inputs[i]))
		return opaResult(tb, rs, err)
	}}
}

// opaParsedEngine evaluates the prepared query with inputs converted to
// ast.Value once, ahead of time.
func opaParsedEngine(tb testing.TB) engine {
	pq := opaQuery(tb)
	var inputs []ast.Value
	for _, in := range regoInputs() {
		v, err := ast.InterfaceToValue(in)
		if err != nil {
			tb.Fatal(err)
		}
		inputs = append(inputs, v)
	}
	ctx := context.Background()
	return engine{name: "opa-parsed", decide: func(i int) string {
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(inputs[i]))
		return opaResult(tb, rs, err)
	}}
}

func engines(tb testing.TB) []engine {
	return []engine{atriumEngine(tb), minioEngine(tb), cedarEngine(tb), opaEngine(tb), opaParsedEngine(tb)}
}

// TestEnginesAgree checks that every engine gives the expected decision on
// every request, so that the benchmark compares equal work.
func TestEnginesAgree(t *testing.T) {
	for _, e := range engines(t) {
		for i, r := range requests {
			want := r.want
			if e.allowOnly && want != "allow" {
				want = "deny"
			}
			if got := e.decide(i); got != want {
				t.Errorf("%s: decide(%s on %s) = %s, want %s", e.name, r.action, r.resource, got, want)
			}
		}
	}
}

// BenchmarkEval measures one decision per engine, averaged over the mix.
func BenchmarkEval(b *testing.B) {
	for _, e := range engines(b) {
		b.Run(e.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e.decide(i % len(requests))
				i++
			}
		})
	}
}
