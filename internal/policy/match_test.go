package policy

import (
	"strconv"
	"testing"
)

func TestActionMatch(t *testing.T) {
	tests := []struct {
		name    string
		ref     string
		pattern string
		action  string
		want    bool
	}{
		{"exact", docAction, "s3:GetObject", "s3:GetObject", true},
		{"prefix and name case-insensitive", docAction, "iam:ListAccessKeys", "IAM:listaccesskeys", true},
		{"pattern case-insensitive", docAction, "S3:get*", "s3:GetObject", true},
		{"trailing star", docAction, "s3:Get*", "s3:GetObjectAcl", true},
		{"trailing star, other verb", docAction, "s3:Get*", "s3:PutObject", false},
		{"infix star", docAction, "iam:*AccessKey*", "iam:CreateAccessKey", true},
		{"infix star, plural", docAction, "iam:*AccessKey*", "iam:ListAccessKeys", true},
		{"leading star", docAction, "ec2:*Instances", "ec2:DescribeInstances", true},
		{"star matches empty", docAction, "s3:Get*Object", "s3:GetObject", true},
		{"question marks", docAction, "s3:Get??????", "s3:GetObject", true},
		{"question mark is one character", docAction, "s3:Get?????", "s3:GetObject", false},
		{"service star", docAction, "s3:*", "s3:DeleteBucket", true},
		{"other service", docAction, "s3:*", "ec2:RunInstances", false},
		{"all actions", docAction, "*", "ec2:RunInstances", true},
		{"service must match whole", docAction, "s3:*", "s3x:GetObject", false},
		{"no wildcard in service prefix", docChecks, "s*:GetObject", "s3:GetObject", false},
		{"name must match whole", docAction, "s3:Get", "s3:GetObject", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := stmtPolicy(Version2012, `{"Effect":"Allow","Action":"`+tt.pattern+`","Resource":"*"}`)
			if got := allows(t, doc, tt.action, "*", nil); got != tt.want {
				t.Errorf("match(%q, %q) = %v, want %v (%s)", tt.pattern, tt.action, got, tt.want, tt.ref)
			}
		})
	}
}

func TestResourceMatch(t *testing.T) {
	tests := []struct {
		name     string
		ref      string
		pattern  string
		resource string
		want     bool
	}{
		{"exact", docResource, "arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key", true},
		{"case-sensitive", docResource, "arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"no wildcard needs the whole ARN", docResource, "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", false},
		{"star crosses slash", docResource, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/2/test/3/object.jpg", true},
		{"star matches empty between slashes", docResource, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET//test/object.jpg", true},
		{"star at end matches empty", docResource, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/test/", true},
		{"slashes are required", docResource, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/test/object.jpg", false},
		{"test must be a segment", docResource, "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/2/test.jpg", false},
		{"question mark", docResource, "arn:aws:s3:::bucket/file?.txt", "arn:aws:s3:::bucket/file1.txt", true},
		{"question mark is one character", docResource, "arn:aws:s3:::bucket/file?.txt", "arn:aws:s3:::bucket/file12.txt", false},
		{"star in region and account", docResource, "arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", true},
		{"star in account does not cross colon", docResource, "arn:aws:ec2:us-east-1:*:instance/i-1", "arn:aws:ec2:us-east-1:1:2:instance/i-1", false},
		{"trailing star of last segment crosses colons", docResource, "arn:aws:lambda:us-east-1:123456789012:function:my-func*", "arn:aws:lambda:us-east-1:123456789012:function:my-func:PROD", true},
		{"trailing star of short pattern crosses colons", docResource, "arn:aws:lambda:*", "arn:aws:lambda:us-east-1:123456789012:function:f", true},
		{"short pattern without trailing star", docResource, "arn:aws:lambda:us-east-1", "arn:aws:lambda:us-east-1:123456789012:function:f", false},
		{"empty region and account", docResource, "arn:aws:s3:::*", "arn:aws:s3:::bucket/key", true},
		{"other service", docResource, "arn:aws:s3:::*", "arn:aws:sqs:us-east-1:123456789012:q", false},
		{"no wildcard in service segment", docResource, "arn:aws:s*:::bucket", "arn:aws:s3:::bucket", false},
		{"star matches everything", docResource, "*", "arn:aws:s3:::bucket", true},
		{"star matches non-ARN resource", docResource, "*", "*", true},
		{"ARN does not match resource *", docResource, "arn:aws:s3:::*", "*", false},
		{"partition wildcard", docResource, "arn:*:s3:::bucket", "arn:aws-cn:s3:::bucket", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := stmtPolicy(Version2012, `{"Effect":"Allow","Action":"*","Resource":`+strconv.Quote(tt.pattern)+`}`)
			if got := allows(t, doc, "s3:GetObject", tt.resource, nil); got != tt.want {
				t.Errorf("match(%q, %q) = %v, want %v (%s)", tt.pattern, tt.resource, got, tt.want, tt.ref)
			}
		})
	}
}

func TestNotActionNotResource(t *testing.T) {
	tests := []struct {
		name     string
		ref      string
		stmt     string
		action   string
		resource string
		want     bool
	}{
		{"NotAction allows other services", docNotAction, `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`, "s3:GetObject", "*", true},
		{"NotAction excludes listed", docNotAction, `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`, "IAM:CreateUser", "*", false},
		{"NotAction limited by Resource", docNotAction, `{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}`, "ec2:RunInstances", "arn:aws:ec2:us-east-1:1:instance/i", false},
		{"NotAction empty list is every action", docNotAction, `{"Effect":"Allow","NotAction":[],"Resource":"*"}`, "ec2:RunInstances", "*", true},
		{"NotResource allows others", docNotResource, `{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::HRBucket"}`, "s3:GetObject", "arn:aws:s3:::Other", true},
		{"NotResource excludes listed", docNotResource, `{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::HRBucket"}`, "s3:GetObject", "arn:aws:s3:::HRBucket", false},
		{"NotResource bucket does not exclude objects", docNotResource, `{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::HRBucket"}`, "s3:GetObject", "arn:aws:s3:::HRBucket/doc", true},
		{"empty action list matches nothing", docChecks, `{"Effect":"Allow","Action":[],"Resource":"*"}`, "s3:GetObject", "*", false},
		{"empty resource list matches nothing", docChecks, `{"Effect":"Allow","Action":"*","Resource":[]}`, "s3:GetObject", "*", false},
		{"action list is OR-ed", docAction, `{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*"}`, "s3:GetObject", "*", true},
		{"resource list is OR-ed", docResource, `{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::a","arn:aws:s3:::b"]}`, "s3:GetObject", "arn:aws:s3:::b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allows(t, stmtPolicy(Version2012, tt.stmt), tt.action, tt.resource, nil); got != tt.want {
				t.Errorf("allows(%s, %s on %s) = %v, want %v (%s)", tt.stmt, tt.action, tt.resource, got, tt.want, tt.ref)
			}
		})
	}
}
