package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The import rules of DESIGN.md: imports run one way, adapters → service →
// domain core, service → store, and only the storage engines touch a
// database driver.

const module = "github.com/atriumhq/atrium"

// pkg is what the rules need of a package from go list.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string // direct, without tests
	Deps       []string // transitive, without tests
}

func internal(name string) string { return module + "/internal/" + name }

// under reports whether path is the package prefix or one below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func underAny(path string, prefixes ...string) bool {
	for _, p := range prefixes {
		if under(path, p) {
			return true
		}
	}
	return false
}

// domainCore are the packages of plain types and rules.
var domainCore = []string{
	internal("directory"), internal("org"), internal("access"), internal("audit"), internal("policy"), internal("errs"),
	internal("arn"), internal("reqctx"), internal("credentials"), internal("keys"), internal("authz"),
}

// adapters translate a protocol into service calls.
var adapters = []string{internal("aws"), internal("scim"), internal("web"), internal("server")}

// engines may import database drivers; storetest creates the databases
// the conformance suite runs on.
var engines = []string{internal("store/sqlite"), internal("store/postgres"), internal("store/sqlstore"), internal("store/storetest")}

func isDriver(path string) bool {
	return underAny(path, "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/lib/pq", "github.com/mattn/go-sqlite3",
		"github.com/go-sql-driver/mysql", "github.com/glebarez/sqlite", "github.com/ncruces/go-sqlite3")
}

func isStore(path string) bool { return under(path, internal("store")) }

// rule forbids the packages it applies to some imports.
type rule struct {
	name       string
	applies    func(path string) bool
	transitive bool // check Deps rather than Imports
	forbidden  func(dep *pkg) bool
}

var rules = []rule{
	{
		name:       "the domain core does no HTTP, SQL or storage",
		applies:    func(p string) bool { return underAny(p, domainCore...) },
		transitive: true,
		forbidden: func(d *pkg) bool {
			return d.ImportPath == "net/http" || d.ImportPath == "database/sql" || isStore(d.ImportPath) || isDriver(d.ImportPath)
		},
	},
	{
		name:       "the domain core does not depend on the layers above it",
		applies:    func(p string) bool { return underAny(p, domainCore...) },
		transitive: true,
		forbidden: func(d *pkg) bool {
			return underAny(d.ImportPath, internal("service"), internal("app"), internal("cli"), internal("atriumtest")) ||
				underAny(d.ImportPath, adapters...)
		},
	},
	{
		name:      "the policy engine imports only the standard library",
		applies:   func(p string) bool { return under(p, internal("policy")) },
		forbidden: func(d *pkg) bool { return !d.Standard },
	},
	{
		name:      "adapters never import the store",
		applies:   func(p string) bool { return underAny(p, adapters...) },
		forbidden: func(d *pkg) bool { return isStore(d.ImportPath) },
	},
	{
		name:       "adapters never reach SQL or a database driver",
		applies:    func(p string) bool { return underAny(p, adapters...) },
		transitive: true,
		forbidden:  func(d *pkg) bool { return d.ImportPath == "database/sql" || isDriver(d.ImportPath) },
	},
	{
		name:       "the service speaks no protocol and knows no engine",
		applies:    func(p string) bool { return under(p, internal("service")) },
		transitive: true,
		forbidden: func(d *pkg) bool {
			return d.ImportPath == "net/http" || d.ImportPath == "database/sql" || isDriver(d.ImportPath) ||
				underAny(d.ImportPath, engines...) || underAny(d.ImportPath, adapters...) || under(d.ImportPath, internal("app"))
		},
	},
	{
		name:      "only the storage engines import a database driver",
		applies:   func(p string) bool { return !underAny(p, engines...) },
		forbidden: func(d *pkg) bool { return isDriver(d.ImportPath) },
	},
	{
		name: "only main, the CLI and the test harness import the composition root",
		applies: func(p string) bool {
			return !slices.Contains([]string{module + "/cmd/atrium", internal("cli"), internal("atriumtest")}, p)
		},
		forbidden: func(d *pkg) bool { return d.ImportPath == internal("app") },
	},
}

// violations checks every package of the module in pkgs against rules.
func violations(pkgs map[string]*pkg, rules []rule) []string {
	var out []string
	for _, p := range pkgs {
		if !under(p.ImportPath, module) {
			continue
		}
		for _, r := range rules {
			if !r.applies(p.ImportPath) {
				continue
			}
			deps := p.Imports
			if r.transitive {
				deps = p.Deps
			}
			for _, d := range deps {
				dp, ok := pkgs[d]
				if !ok {
					dp = &pkg{ImportPath: d}
				}
				if r.forbidden(dp) {
					out = append(out, r.name+": "+p.ImportPath+" imports "+d)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// mustPackages lists the module's packages and everything they depend on.
func mustPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list packages: %v", err)
	}
	gomod, err := exec.Command(gobin, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	cmd := exec.Command(gobin, "list", "-e", "-deps", "-json=ImportPath,Standard,Imports,Deps", "./...")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	d := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := d.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	pkgs := mustPackages(t)
	for _, must := range []string{module + "/cmd/atrium", internal("policy"), internal("service"), internal("aws/awsproto"), internal("store/sqlite")} {
		if _, ok := pkgs[must]; !ok {
			t.Fatalf("go list did not list %s", must)
		}
	}
	for _, v := range violations(pkgs, rules) {
		t.Error(v)
	}
}

// TestImportRulesCatch checks that each rule catches what it forbids, on a
// made-up module.
func TestImportRulesCatch(t *testing.T) {
	std := func(path string) *pkg { return &pkg{ImportPath: path, Standard: true} }
	tests := []struct {
		name    string
		pkg     *pkg
		deps    []*pkg
		wantAny string // a part of the expected violation; "" for none
	}{
		{name: "core using net/http", pkg: &pkg{ImportPath: internal("directory"), Deps: []string{"net/http"}}, deps: []*pkg{std("net/http")}, wantAny: "does no HTTP"},
		{name: "core reaching the store", pkg: &pkg{ImportPath: internal("authz"), Deps: []string{internal("store")}}, wantAny: "does no HTTP"},
		{name: "core reaching the service", pkg: &pkg{ImportPath: internal("audit"), Deps: []string{internal("service")}}, wantAny: "layers above"},
		{name: "policy using a module", pkg: &pkg{ImportPath: internal("policy"), Imports: []string{"golang.org/x/text/cases"}}, wantAny: "only the standard library"},
		{name: "policy using the standard library", pkg: &pkg{ImportPath: internal("policy"), Imports: []string{"encoding/json"}}, deps: []*pkg{std("encoding/json")}},
		{name: "adapter importing the store", pkg: &pkg{ImportPath: internal("aws/identitystore"), Imports: []string{internal("store")}}, wantAny: "adapters never import the store"},
		{name: "adapter reaching a driver", pkg: &pkg{ImportPath: internal("scim"), Deps: []string{"modernc.org/sqlite"}}, wantAny: "never reach SQL"},
		{name: "service importing an engine", pkg: &pkg{ImportPath: internal("service"), Deps: []string{internal("store/sqlite")}}, wantAny: "knows no engine"},
		{name: "service importing the store interface", pkg: &pkg{ImportPath: internal("service"), Imports: []string{internal("store")}, Deps: []string{internal("store")}}},
		{name: "config importing a driver", pkg: &pkg{ImportPath: internal("config"), Imports: []string{"github.com/jackc/pgx/v5/stdlib"}}, wantAny: "only the storage engines"},
		{name: "engine importing a driver", pkg: &pkg{ImportPath: internal("store/postgres"), Imports: []string{"github.com/jackc/pgx/v5/stdlib"}}},
		{name: "server importing the app", pkg: &pkg{ImportPath: internal("server"), Imports: []string{internal("app")}}, wantAny: "composition root"},
		{name: "cli importing the app", pkg: &pkg{ImportPath: internal("cli"), Imports: []string{internal("app")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs := map[string]*pkg{tt.pkg.ImportPath: tt.pkg}
			for _, d := range tt.deps {
				pkgs[d.ImportPath] = d
			}
			got := violations(pkgs, rules)
			if tt.wantAny == "" {
				if len(got) != 0 {
					t.Errorf("violations(%s) = %q, want none", tt.pkg.ImportPath, got)
				}
				return
			}
			if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, tt.wantAny) }) {
				t.Errorf("violations(%s) = %q, want one containing %q", tt.pkg.ImportPath, got, tt.wantAny)
			}
		})
	}
}
