package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// corpusDir returns the directory of AWS's managed policy documents that
// lies beside the repository (../shared/aws-managed-policies from the
// directory of go.mod), or skips the test when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "aws-managed-policies")
	if _, err := os.Stat(corpus); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the AWS managed policy documents (../shared/aws-managed-policies from the repository root): %v", err)
		}
		t.Skipf("the AWS managed policy documents are not at ../shared/aws-managed-policies from the repository root (%s); CI has them", corpus)
	}
	return corpus
}

var importedRe = regexp.MustCompile(`^imported (\d+) AWS managed policies: (\d+) added, (\d+) updated, (\d+) unchanged\n$`)

// TestPoliciesImport imports AWS's documents into a stopped server's
// database, twice, and checks the catalog and a permission set that
// attaches an imported policy.
func TestPoliciesImport(t *testing.T) {
	corpus := corpusDir(t)
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testPoliciesImport(t, corpus, atriumtest.Options{DataDir: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testPoliciesImport(t, corpus, atriumtest.Options{DataDir: t.TempDir(), DatabaseURL: storetest.NewPostgresDatabase(t)})
	})
}

func testPoliciesImport(t *testing.T, corpus string, opts atriumtest.Options) {
	atriumtest.Start(t, opts).Stop() // bootstraps the database and seeds the built-in catalog
	args := []string{"policies", "import", corpus, "--data-dir", opts.DataDir}
	if opts.DatabaseURL != "" {
		args = append(args, "--database-url", opts.DatabaseURL)
	}
	rc, stdout, stderr := runAtrium(t, args...)
	if rc != 0 {
		t.Fatalf("atrium %s = %d, stderr:\n%s", strings.Join(args, " "), rc, stderr)
	}
	m := importedRe.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("import printed %q", stdout)
	}
	n, added, updated, unchanged := atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3]), atoi(t, m[4])
	builtIn := len(access.BuiltInAWSManagedPolicies())
	if n < 1000 || added != n-builtIn || updated != builtIn || unchanged != 0 {
		t.Errorf("first import: %d documents, %d added, %d updated, %d unchanged; want every built-in one updated and the rest added", n, added, updated, unchanged)
	}

	// Again: nothing changes.
	rc, stdout, stderr = runAtrium(t, args...)
	if rc != 0 {
		t.Fatalf("second import = %d, stderr:\n%s", rc, stderr)
	}
	if want := "imported " + m[1] + " AWS managed policies: 0 added, 0 updated, " + m[1] + " unchanged\n"; stdout != want {
		t.Errorf("second import printed %q, want %q", stdout, want)
	}

	s := atriumtest.Start(t, opts)
	ctx := t.Context()
	ro := readFile(t, filepath.Join(corpus, "ReadOnlyAccess.json"))
	checks := []struct {
		arn, version, source, document string
	}{
		// A built-in policy takes AWS's document and its next version.
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", "v2", access.SourceImported, ro},
		// Paths come from the index beside the documents.
		{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "v2", access.SourceImported, ""},
		{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "v1", access.SourceImported, ""},
		{"arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy", "v1", access.SourceImported, ""},
	}
	err := s.App.Store.Read(ctx, func(tx store.Tx) error {
		for _, c := range checks {
			p, err := tx.GetAWSManagedPolicy(ctx, c.arn)
			if err != nil {
				t.Errorf("GetAWSManagedPolicy(%s): %v", c.arn, err)
				continue
			}
			if p.DefaultVersionID != c.version || p.Source != c.source || c.document != "" && p.Document != c.document {
				t.Errorf("%s: version %s, source %s, document of %d bytes; want %s, %s", c.arn, p.DefaultVersionID, p.Source, len(p.Document), c.version, c.source)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A restart seeds the catalog again, and leaves imported documents be.
	err = s.App.Store.Read(ctx, func(tx store.Tx) error {
		p, err := tx.GetAWSManagedPolicy(ctx, "arn:aws:iam::aws:policy/ReadOnlyAccess")
		if err == nil && (p.Document != ro || p.Source != access.SourceImported) {
			t.Errorf("after a restart ReadOnlyAccess is %s at %s", p.Source, p.DefaultVersionID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// sso-admin attaches an imported policy at its path.
	c := s.SSOAdmin()
	ps, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String("Lambda")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: aws.String(s.InstanceARN),
		PermissionSetArn: ps.PermissionSet.PermissionSetArn, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}); err != nil {
		t.Errorf("attaching an imported policy: %v", err)
	}

	// Each import is one audit event of the operator.
	var imports []audit.Event
	if err := s.App.Service.AuditEvents(ctx, service.AuditFilter{EventName: "ImportAWSManagedPolicies"}, func(b json.RawMessage) error {
		var e audit.Event
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		imports = append(imports, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(imports) != 2 || imports[0].UserIdentity.Type != "Operator" || imports[0].EventSource != "iam.amazonaws.com" {
		t.Errorf("import audit events = %+v, want two by the operator", imports)
	}
}

func TestPoliciesImportRefusesInvalid(t *testing.T) {
	s := atriumtest.Start(t)
	s.Stop()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Good.json"), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	writeFile(t, filepath.Join(dir, "Bad.json"), `{"Version":"2012-10-17","Statement":[{"Effect":"Sometimes","Action":"s3:GetObject","Resource":"*"}]}`)
	writeFile(t, filepath.Join(dir, "_meta.json"), `not a policy`)
	rc, _, stderr := runAtrium(t, "policies", "import", "--data-dir", s.Config.DataDir, dir)
	if rc != 1 || !strings.Contains(stderr, "Bad: ") || !strings.Contains(stderr, "nothing was imported") || strings.Contains(stderr, "_meta") {
		t.Errorf("importing an invalid document = %d, stderr %q; want 1 naming Bad only", rc, stderr)
	}
	rc, _, _ = runAtrium(t, "policies", "import")
	if rc != 2 {
		t.Errorf("import without a directory = %d, want 2", rc)
	}
	rc, _, stderr = runAtrium(t, "policies", "import", "--data-dir", s.Config.DataDir, filepath.Join(dir, "absent"))
	if rc != 1 || stderr == "" {
		t.Errorf("import of a missing directory = %d, %q", rc, stderr)
	}
}

func TestPathOf(t *testing.T) {
	for _, tc := range []struct{ name, v, want string }{
		{"ViewOnlyAccess", "/job-function/", "/job-function/"},
		{"ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "/job-function/"},
		{"ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "/"},
		{"ReadOnlyAccess", "arn:aws:iam::aws:policy/Other", ""},
		{"ReadOnlyAccess", "", ""},
		{"ReadOnlyAccess", "ReadOnlyAccess", ""},
	} {
		if got := pathOf(tc.name, tc.v); got != tc.want {
			t.Errorf("pathOf(%q, %q) = %q, want %q", tc.name, tc.v, got, tc.want)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
