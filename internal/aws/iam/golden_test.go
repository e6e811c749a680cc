package iam_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/atriumhq/atrium/internal/atriumtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// variable are the parts of a response that differ between runs.
var variable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`<RequestId>[^<]*</RequestId>`), "<RequestId>REQUEST-ID</RequestId>"},
	{regexp.MustCompile(`\d{12}`), "ACCOUNT-ID"},
	{regexp.MustCompile(`AIDA[A-Z2-7]{17}`), "PRINCIPAL-ID"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`), "TIMESTAMP"},
}

// post sends a signed Query request and returns the status and the body
// with its variable parts replaced.
func post(t *testing.T, s *atriumtest.Server, signingName string, form url.Values) (int, []byte) {
	t.Helper()
	body := form.Encode()
	r, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), s.Credentials, r, hex.EncodeToString(sum[:]), signingName, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
		t.Errorf("Content-Type = %q, want text/xml", ct)
	}
	for _, v := range variable {
		b = v.re.ReplaceAll(b, []byte(v.with))
	}
	return resp.StatusCode, b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

// TestGoldenResponses pins the XML of the Query responses as clients
// receive them.
func TestGoldenResponses(t *testing.T) {
	s := atriumtest.Start(t)
	tests := []struct {
		name        string
		signingName string
		form        url.Values
		status      int
	}{
		{"simulate_custom_policy.xml", "iam", url.Values{"Action": {"SimulateCustomPolicy"}, "Version": {"2010-05-08"},
			"PolicyInputList.member.1": {allowIfMFA}, "PermissionsBoundaryPolicyInputList.member.1": {allowS3},
			"ActionNames.member.1": {"s3:PutObject"}, "ActionNames.member.2": {"s3:GetObject"}, "ResourceArns.member.1": {"arn:aws:s3:::b/k"},
			"ContextEntries.member.1.ContextKeyName": {"aws:MultiFactorAuthPresent"}, "ContextEntries.member.1.ContextKeyValues.member.1": {"true"},
			"ContextEntries.member.1.ContextKeyType": {"boolean"}, "MaxItems": {"1"}}, 200},
		{"simulate_custom_policy_missing.xml", "iam", url.Values{"Action": {"SimulateCustomPolicy"}, "Version": {"2010-05-08"},
			"PolicyInputList.member.1": {allowIfMFA}, "ActionNames.member.1": {"s3:PutObject"}}, 200},
		{"get_context_keys_for_custom_policy.xml", "iam", url.Values{"Action": {"GetContextKeysForCustomPolicy"}, "Version": {"2010-05-08"},
			"PolicyInputList.member.1": {allowIfMFA}}, 200},
		{"simulate_principal_policy_no_such_entity.xml", "iam", url.Values{"Action": {"SimulatePrincipalPolicy"}, "Version": {"2010-05-08"},
			"PolicySourceArn": {"arn:aws:iam::" + s.App.Bootstrap.Organization.ManagementAccountID + ":user/bob"}, "ActionNames.member.1": {"s3:GetObject"}}, 404},
		{"simulate_custom_policy_malformed.xml", "iam", url.Values{"Action": {"SimulateCustomPolicy"}, "Version": {"2010-05-08"},
			"PolicyInputList.member.1": {`{"Statement":{"Effect":"Allow","Action":"s3:*"}}`}, "ActionNames.member.1": {"s3:GetObject"}}, 400},
		{"get_policy.xml", "iam", url.Values{"Action": {"GetPolicy"}, "Version": {"2010-05-08"},
			"PolicyArn": {"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}}, 200},
		{"get_policy_version.xml", "iam", url.Values{"Action": {"GetPolicyVersion"}, "Version": {"2010-05-08"},
			"PolicyArn": {"arn:aws:iam::aws:policy/AdministratorAccess"}, "VersionId": {"v1"}}, 200},
		{"get_policy_no_such_entity.xml", "iam", url.Values{"Action": {"GetPolicy"}, "Version": {"2010-05-08"},
			"PolicyArn": {"arn:aws:iam::aws:policy/NoSuchPolicy"}}, 404},
		{"create_policy_malformed.xml", "iam", url.Values{"Action": {"CreatePolicy"}, "Version": {"2010-05-08"},
			"PolicyName": {"Bad"}, "PolicyDocument": {`{"Version":"2012-10-17","Statement":{"Effect":"Allow"}}`}}, 400},
		{"list_policies_job_functions.xml", "iam", url.Values{"Action": {"ListPolicies"}, "Version": {"2010-05-08"},
			"PathPrefix": {"/job-function/"}, "MaxItems": {"2"}}, 200},
		{"get_caller_identity.xml", "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, 200},
		{"invalid_action.xml", "sts", url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, s, tt.signingName, tt.form)
			if status != tt.status {
				t.Errorf("status = %d, want %d: %s", status, tt.status, body)
			}
			golden(t, tt.name, body)
		})
	}
}
