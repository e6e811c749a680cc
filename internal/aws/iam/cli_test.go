package iam_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atriumhq/atrium/internal/atriumtest"
)

// awsCLI runs the AWS CLI against s with the administrator's credentials,
// from a credentials file of its own, and returns its standard output, its
// standard error and its exit code.
func awsCLI(t *testing.T, s *atriumtest.Server, args ...string) (string, string, int) {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH; install it to run this test")
	}
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	content := "[default]\naws_access_key_id = " + s.Credentials.AccessKeyID + "\naws_secret_access_key = " + s.Credentials.SecretAccessKey + "\n"
	if err := os.WriteFile(creds, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_SHARED_CREDENTIALS_FILE="+creds, "AWS_CONFIG_FILE="+os.DevNull, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	cmd := exec.CommandContext(t.Context(), bin, append(args, "--endpoint-url", s.URL, "--output", "json")...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running aws %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String(), stderr.String(), code
}

// TestAWSCLI runs the unmodified AWS CLI against the server.
func TestAWSCLI(t *testing.T) {
	s := atriumtest.Start(t)
	t.Run("simulate-custom-policy", func(t *testing.T) {
		stdout, stderr, code := awsCLI(t, s, "iam", "simulate-custom-policy", "--policy-input-list", allowGet, allowIfMFA,
			"--action-names", "s3:GetObject", "s3:PutObject",
			"--context-entries", "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean")
		if code != 0 {
			t.Fatalf("aws iam simulate-custom-policy exited %d: %s", code, stderr)
		}
		var out struct {
			EvaluationResults []struct {
				EvalActionName, EvalDecision string
				MatchedStatements            []struct {
					SourcePolicyId string
					StartPosition  struct{ Line, Column int }
				}
			}
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("aws iam simulate-custom-policy printed %q: %v", stdout, err)
		}
		rs := out.EvaluationResults
		if len(rs) != 2 || rs[0].EvalDecision != "implicitDeny" || rs[1].EvalDecision != "allowed" ||
			len(rs[1].MatchedStatements) != 1 || rs[1].MatchedStatements[0].SourcePolicyId != "PolicyInputList.2" || rs[1].MatchedStatements[0].StartPosition.Line != 4 {
			t.Errorf("aws iam simulate-custom-policy = %s", stdout)
		}
	})
	t.Run("simulate-principal-policy unknown user", func(t *testing.T) {
		_, stderr, code := awsCLI(t, s, "iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::"+s.App.Bootstrap.Organization.ManagementAccountID+":user/ghost",
			"--action-names", "s3:GetObject")
		if code == 0 || !strings.Contains(stderr, "(NoSuchEntity)") || !strings.Contains(stderr, "The user with name ghost cannot be found.") {
			t.Errorf("aws iam simulate-principal-policy for an unknown user exited %d: %s", code, stderr)
		}
	})
	t.Run("validate-policy", func(t *testing.T) {
		stdout, stderr, code := awsCLI(t, s, "accessanalyzer", "validate-policy", "--policy-type", "IDENTITY_POLICY",
			"--policy-document", `{"Statement":{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)
		if code != 0 {
			t.Fatalf("aws accessanalyzer validate-policy exited %d: %s", code, stderr)
		}
		var out struct {
			Findings []struct {
				IssueCode string
				Locations []struct {
					Path []map[string]any
					Span struct {
						Start, End struct{ Line, Column, Offset int }
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("aws accessanalyzer validate-policy printed %q: %v", stdout, err)
		}
		if len(out.Findings) != 2 || out.Findings[0].IssueCode != "MISSING_VERSION" || out.Findings[1].IssueCode != "EMPTY_SID_VALUE" {
			t.Fatalf("aws accessanalyzer validate-policy = %s", stdout)
		}
		sid := out.Findings[1].Locations[0]
		if len(sid.Path) != 2 || sid.Path[1]["value"] != "Sid" || sid.Span.Start.Offset != 20 || sid.Span.End.Offset != 22 {
			t.Errorf("EMPTY_SID_VALUE location = %+v, want .Statement.Sid at offsets 20 to 22", sid)
		}
	})
	t.Run("get-caller-identity", func(t *testing.T) {
		stdout, stderr, code := awsCLI(t, s, "sts", "get-caller-identity")
		if code != 0 {
			t.Fatalf("aws sts get-caller-identity exited %d: %s", code, stderr)
		}
		var out struct{ UserId, Account, Arn string }
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("aws sts get-caller-identity printed %q: %v", stdout, err)
		}
		if out.Arn != s.App.Bootstrap.AdminARN || out.Account != s.App.Bootstrap.Organization.ManagementAccountID || out.UserId == "" {
			t.Errorf("aws sts get-caller-identity = %+v, want %s", out, s.App.Bootstrap.AdminARN)
		}
	})
}
