package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir is the directory of AWS managed policy documents, beside the
// repository: ../shared/aws-managed-policies from its root.
var corpusDir = filepath.Join("..", "..", "..", "shared", "aws-managed-policies")

// corpus returns the managed policy documents by name. It fails the test
// when CI is set and the directory is absent, and skips it otherwise.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("managed policy corpus %s: %v", corpusDir, err)
		}
		t.Skipf("managed policy corpus not found at %s (../shared/aws-managed-policies from the repository root): %v", corpusDir, err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, "_") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(name, ".json")] = data
	}
	if len(out) < 1000 {
		t.Fatalf("corpus %s holds %d documents, want the full set (1,600+)", corpusDir, len(out))
	}
	return out
}

// TestManagedPolicies checks that every AWS managed policy parses,
// validates without ERROR findings, survives a serialize–parse round trip,
// and evaluates: an unconditional Allow statement of a policy without Deny
// statements allows a request built from its own first action and resource.
func TestManagedPolicies(t *testing.T) {
	docs := corpus(t)
	for name, data := range docs {
		doc, err := Parse(data)
		if err != nil {
			t.Errorf("%s: Parse() error = %v", name, err)
			continue
		}
		for _, f := range Validate(data, IdentityPolicy) {
			if f.Type == FindingError {
				t.Errorf("%s: Validate() finding %s %s at %v: %s", name, f.Type, f.IssueCode, f.Locations, f.Message)
			}
		}
		canon := doc.String()
		doc2, err := ParseString(canon)
		if err != nil {
			t.Errorf("%s: Parse(canonical) error = %v", name, err)
			continue
		}
		if got := doc2.String(); got != canon {
			t.Errorf("%s: round trip changed the document:\n got %s\nwant %s", name, got, canon)
		}
		p, err := Compile(name, doc)
		if err != nil {
			t.Errorf("%s: Compile() error = %v", name, err)
			continue
		}
		set := &Set{Identity: []*Policy{p}}
		hasDeny := false
		for _, s := range doc.Statements {
			hasDeny = hasDeny || s.Effect == Deny
		}
		for i, s := range doc.Statements {
			if len(s.Action) == 0 || len(s.Resource) == 0 {
				continue
			}
			req := &Request{Action: concrete(s.Action[0]), Resource: concrete(s.Resource[0]), Context: NewContext()}
			d := set.Decide(req)
			if res := set.Evaluate(req); res.Decision != d {
				t.Errorf("%s: Evaluate(%+v).Decision = %v, Decide = %v", name, req, res.Decision, d)
			}
			plain := s.Effect == Allow && !s.NotAction && !s.NotResource && len(s.Condition) == 0 && !strings.Contains(s.Resource[0], "${")
			if plain && !hasDeny && d != Allowed {
				t.Errorf("%s: statement %d: Decide(%s on %s) = %v, want allow", name, i, req.Action, req.Resource, d)
			}
		}
	}
}

// concrete turns a pattern into a string it matches.
func concrete(p string) string {
	return strings.NewReplacer("*", "x", "?", "q").Replace(p)
}
