package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/service"
)

const policiesUsage = `usage: atrium policies import DIR [--path-map FILE] [--data-dir DIR | --database-url URL]

Imports AWS managed policy documents into the catalog: every DIR/<PolicyName>.json
holds the document of the policy of that name. A policy's path comes from
--path-map, else from DIR/_index.json when there is one, else from the
built-in catalog, else it is "/". A path map is a JSON object from policy
name to its path ("/job-function/"), to its ARN, or to an object with an
"arn" member. Files whose names start with "_" are not policies.
`

// indexFile is the path map read from DIR when --path-map is not given.
const indexFile = "_index.json"

func runPolicies(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(env.Stderr, policiesUsage)
		return 2
	}
	fs := flag.NewFlagSet("atrium policies import", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfg := config.Flags(fs, env.Getenv)
	pathMap := fs.String("path-map", "", "JSON file mapping policy names to paths or ARNs (default: DIR/"+indexFile+" if present)")
	// Flags may come before or after DIR.
	var dirs []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(dirs) != 1 {
		fmt.Fprint(env.Stderr, policiesUsage)
		return 2
	}
	dir := dirs[0]
	policies, err := readPolicyDir(dir, *pathMap, env.Stderr)
	if err != nil {
		fmt.Fprintln(env.Stderr, "atrium policies import:", err)
		return 1
	}
	svc, closeFn, err := localService(ctx, cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "atrium policies import:", err)
		return 1
	}
	defer closeFn()
	fmt.Fprintf(env.Stderr, "importing %d policy documents from %s\n", len(policies), dir)
	res, err := svc.ImportAWSManagedPolicies(ctx, policies)
	if err != nil {
		fmt.Fprintln(env.Stderr, "atrium policies import:", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "imported %d AWS managed policies: %d added, %d updated, %d unchanged\n",
		len(policies), res.Added, res.Updated, res.Unchanged)
	return 0
}

// readPolicyDir reads the policy documents of dir, with their paths from
// the path map (mapFile, or dir's index file when mapFile is "").
func readPolicyDir(dir, mapFile string, progress io.Writer) ([]service.ImportedPolicy, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	explicit := mapFile != ""
	if !explicit {
		mapFile = filepath.Join(dir, indexFile)
	}
	paths, err := readPathMap(mapFile)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		paths, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the path map %s: %w", mapFile, err)
	}
	var out []service.ImportedPolicy
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || strings.HasPrefix(name, "_") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, service.ImportedPolicy{Name: name, Path: paths[name], Document: string(b)})
		if len(out)%500 == 0 {
			fmt.Fprintf(progress, "read %d documents\n", len(out))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no <PolicyName>.json documents", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// readPathMap reads a JSON object from policy name to path, ARN, or an
// object with an "arn" member. Entries it cannot read are ignored: their
// policies take the default path.
func readPathMap(file string) (map[string]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	out := make(map[string]string, len(raw))
	for name, v := range raw {
		var s string
		if json.Unmarshal(v, &s) != nil {
			var obj struct {
				ARN string `json:"arn"`
			}
			if json.Unmarshal(v, &obj) != nil {
				continue
			}
			s = obj.ARN
		}
		if p := pathOf(name, s); p != "" {
			out[name] = p
		}
	}
	return out, nil
}

// pathOf returns the path that v gives the policy name: v itself when it is
// a path, the path part of v when it is the policy's ARN, else "".
func pathOf(name, v string) string {
	if strings.HasPrefix(v, "/") {
		return v
	}
	_, rest, ok := strings.Cut(v, ":policy/")
	if !ok || !strings.HasPrefix(v, "arn:") {
		return ""
	}
	p, ok := strings.CutSuffix("/"+rest, "/"+name)
	if !ok {
		return ""
	}
	return p + "/"
}
