package policy

import "testing"

// benchPolicy is the 10-statement policy of the engine comparison: 7 Allow
// and 3 Deny statements with prefix, infix and trailing wildcards in actions
// and ARNs, a StringLike, an IpAddress and a Bool condition. bench/ runs the
// same policy and requests through peer engines.
const benchPolicy = `{
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

type benchRequest struct {
	action, resource string
	ctx              kv
	want             Decision
}

// benchRequests is the mix of 8 requests: 4 allow, 3 explicit deny, 1
// implicit deny.
var benchRequests = []benchRequest{
	{"s3:GetObject", "arn:aws:s3:::data-bucket/reports/q1.csv", kv{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"10.1.2.3"}}, Allowed},
	{"s3:ListBucket", "arn:aws:s3:::data-bucket", kv{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"10.1.2.3"}, "s3:prefix": {"home/alice/"}}, Allowed},
	{"s3:PutObject", "arn:aws:s3:::data-bucket/uploads/file.bin", kv{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"10.2.3.4"}}, Allowed},
	{"s3:GetObjectTagging", "arn:aws:s3:::data-bucket/2024/tags/x.json", kv{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"10.1.2.3"}}, Allowed},
	{"s3:GetObject", "arn:aws:s3:::data-bucket/reports/q1.csv", kv{"aws:SecureTransport": {"false"}, "aws:SourceIp": {"10.1.2.3"}}, ExplicitDeny},
	{"s3:GetObject", "arn:aws:s3:::data-bucket/secret/key", kv{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"10.1.2.3"}}, ExplicitDeny},
	{"s3:DeleteObject", "arn:aws:s3:::data-bucket/uploads/file.bin", kv{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"10.1.2.3"}}, ExplicitDeny},
	{"s3:PutObject", "arn:aws:s3:::data-bucket/uploads/file.bin", kv{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"192.168.1.1"}}, ImplicitDeny},
}

func benchSet(tb testing.TB) (*Set, []Request) {
	set := &Set{Identity: []*Policy{mustPolicy(tb, "bench", benchPolicy)}}
	reqs := make([]Request, len(benchRequests))
	for i, r := range benchRequests {
		reqs[i] = Request{Action: r.action, Resource: r.resource, Context: r.ctx.context()}
	}
	return set, reqs
}

func TestBenchPolicyDecisions(t *testing.T) {
	set, reqs := benchSet(t)
	for i := range reqs {
		if got := set.Decide(&reqs[i]); got != benchRequests[i].want {
			t.Errorf("Decide(%s on %s) = %v, want %v", reqs[i].Action, reqs[i].Resource, got, benchRequests[i].want)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		for i := range reqs {
			set.Decide(&reqs[i])
		}
	})
	if allocs != 0 {
		t.Errorf("Decide allocates %v times per mix, want 0", allocs)
	}
}

// BenchmarkEval measures one decision, averaged over the mix of 8 requests.
func BenchmarkEval(b *testing.B) {
	set, reqs := benchSet(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		set.Decide(&reqs[i%len(reqs)])
		i++
	}
}

func BenchmarkEvaluateExplain(b *testing.B) {
	set, reqs := benchSet(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		set.Evaluate(&reqs[i%len(reqs)])
		i++
	}
}

func BenchmarkParseCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		doc, err := ParseString(benchPolicy)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile("bench", doc); err != nil {
			b.Fatal(err)
		}
	}
}
