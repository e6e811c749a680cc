package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func runPolicyText(t *testing.T, args []string, stdin string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	rc := runPolicy(t.Context(), args, strings.NewReader(stdin), &stdout, &stderr)
	return rc, stdout.String(), stderr.String()
}

func TestPolicyEval(t *testing.T) {
	const identity = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Read","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::bucket/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Sid":"NoSecrets","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::bucket/secret/*"}]}`
	tests := []struct {
		name    string
		in      string
		want    string
		matched []evalMatch
	}{
		{
			name:    "allow",
			in:      `{"policies":{"identity":[` + identity + `]},"request":{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key","context":{"aws:SourceIp":"10.1.2.3"}}}`,
			want:    "allow",
			matched: []evalMatch{{Policy: "identity[0]", Statement: 0, Sid: "Read", Effect: "Allow"}},
		},
		{
			name:    "explicit deny",
			in:      `{"policies":{"identity":[` + identity + `]},"request":{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/secret/k","context":{"aws:SourceIp":"10.1.2.3"}}}`,
			want:    "explicitDeny",
			matched: []evalMatch{{Policy: "identity[0]", Statement: 1, Sid: "NoSecrets", Effect: "Deny"}},
		},
		{
			name:    "implicit deny without the context key",
			in:      `{"policies":{"identity":[` + identity + `]},"request":{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key"}}`,
			want:    "implicitDeny",
			matched: []evalMatch{},
		},
		{
			name: "document as a JSON string, boundary, session and SCP levels",
			in:   `{"policies":{"identity":[` + strings.ReplaceAll(string(mustJSON(t, identity)), "\n", "") + `],"boundary":{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}},"session":{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}},"scps":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}},[{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]]},"request":{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key","context":{"aws:SourceIp":["10.1.2.3"],"aws:TagKeys":[]}}}`,
			want: "allow",
			matched: []evalMatch{
				{Policy: "scps[0][0]", Statement: 0, Effect: "Allow"},
				{Policy: "scps[1][0]", Statement: 0, Effect: "Allow"},
				{Policy: "identity[0]", Statement: 0, Sid: "Read", Effect: "Allow"},
				{Policy: "boundary", Statement: 0, Effect: "Allow"},
				{Policy: "session", Statement: 0, Effect: "Allow"},
			},
		},
		{
			name:    "SCP level without allow",
			in:      `{"policies":{"identity":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],"scps":[[{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}]]},"request":{"action":"s3:GetObject","resource":"*"}}`,
			want:    "implicitDeny",
			matched: []evalMatch{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, stdout, stderr := runPolicyText(t, []string{"eval"}, tt.in)
			if rc != 0 {
				t.Fatalf("runPolicy(eval) = %d, want 0; stderr %s", rc, stderr)
			}
			var out evalOutput
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatalf("runPolicy(eval) output %q: %v", stdout, err)
			}
			if out.Decision != tt.want || !reflect.DeepEqual(out.Matched, tt.matched) {
				t.Errorf("runPolicy(eval) = %s %+v, want %s %+v", out.Decision, out.Matched, tt.want, tt.matched)
			}
		})
	}
}

func mustJSON(t *testing.T, s string) []byte {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPolicyEvalMalformed(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantStderr string
	}{
		{"not JSON", `{`, "input"},
		{"unknown field", `{"polices":{},"request":{"action":"s3:GetObject","resource":"*"}}`, "polices"},
		{"no request", `{"policies":{}}`, "request"},
		{"no action", `{"request":{"resource":"*"}}`, "request.action"},
		{"malformed policy", `{"policies":{"identity":[{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}]},"request":{"action":"s3:GetObject","resource":"*"}}`, "identity[0]: policy: $.Statement.Effect"},
		{"malformed SCP", `{"policies":{"scps":[[{"Statement":[]}]]},"request":{"action":"s3:GetObject","resource":"*"}}`, "scps[0][0]"},
		{"bad context value", `{"request":{"action":"s3:GetObject","resource":"*","context":{"k":{"a":1}}}}`, `request.context["k"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, stdout, stderr := runPolicyText(t, []string{"eval"}, tt.in)
			if rc == 0 || stdout != "" || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("runPolicy(eval, %s) = %d, stdout %q, stderr %q; want non-zero, no output, stderr naming %q", tt.in, rc, stdout, stderr, tt.wantStderr)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		in       string
		wantRC   int
		wantCode string
		wantLoc  string
	}{
		{"clean", nil, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, 0, "", ""},
		{"warning only", nil, `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, 0, "MISSING_VERSION", "$"},
		{"invalid effect", nil, `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}]}`, 1, "INVALID_EFFECT", "$.Statement[0].Effect"},
		{"malformed JSON", nil, `{"Version":`, 1, "JSON_SYNTAX_ERROR", "$.Version"},
		{"SCP with principal", []string{"--policy-type", "SERVICE_CONTROL_POLICY"}, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`, 1, "SCP_SYNTAX_ERROR_PRINCIPAL", "$.Statement[0].Principal"},
		{"resource policy", []string{"--policy-type=RESOURCE_POLICY"}, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, stdout, stderr := runPolicyText(t, append([]string{"validate"}, tt.args...), tt.in)
			if rc != tt.wantRC {
				t.Errorf("runPolicy(validate) = %d, want %d; stderr %s", rc, tt.wantRC, stderr)
			}
			var out validateOutput
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatalf("runPolicy(validate) output %q: %v", stdout, err)
			}
			if tt.wantCode == "" {
				if len(out.Findings) != 0 {
					t.Errorf("runPolicy(validate) findings = %+v, want none", out.Findings)
				}
				return
			}
			for _, f := range out.Findings {
				if f.IssueCode == tt.wantCode {
					if len(f.Locations) == 0 || f.Locations[0] != tt.wantLoc || f.FindingType == "" || f.Message == "" {
						t.Errorf("runPolicy(validate) finding = %+v, want location %s", f, tt.wantLoc)
					}
					return
				}
			}
			t.Errorf("runPolicy(validate) findings = %+v, want %s", out.Findings, tt.wantCode)
		})
	}
}

func TestPolicyUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"bad policy type", []string{"validate", "--policy-type", "ROLE"}, 2},
		{"help", []string{"help"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rc, _, _ := runPolicyText(t, tt.args, "{}"); rc != tt.want {
				t.Errorf("runPolicy(%v) = %d, want %d", tt.args, rc, tt.want)
			}
		})
	}
}
