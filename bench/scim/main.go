// Command scim benchmarks Atrium's SCIM 2.0 endpoint the way an identity
// provider uses it: it provisions a directory through POST /Users, POST
// /Groups and PATCH of members with concurrent plain net/http clients,
// then measures filtered lookups, a full membership diff, the server's
// memory, and a cold start on the loaded store.
//
// It builds atrium from the repository, runs `atrium serve` on a free
// loopback port with a fresh data dir (and, for PostgreSQL, a fresh
// database, dropped afterwards), makes a SCIM token with `atrium scim token
// create`, and stops the server with SIGTERM to its pid when done. It
// prints Markdown.
//
// Run it from bench/:
//
//	go run ./scim                                    # full size, SQLite
//	go run ./scim -db sqlite,postgres -database-url postgres://…
//	go run ./scim -users 1000 -groups 100 -memberships 5000   # 1/100 scale
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/atriumhq/atrium/bench/internal/harness"
)

type options struct {
	users, groups, memberships int
	clients, batch             int
	lookups, diff, repeat      int
	lookupLimit, analyzeEvery  time.Duration
	lookupClients              []int
	engines                    []string
	databaseURL                string
	repo, atriumBin            string
	timeout                    time.Duration
	keep                       bool
}

func main() {
	var o options
	var engines, lookupClients string
	flag.IntVar(&o.users, "users", 100000, "users provisioned")
	flag.IntVar(&o.groups, "groups", 10000, "groups provisioned")
	flag.IntVar(&o.memberships, "memberships", 500000, "memberships added by PATCH")
	flag.IntVar(&o.clients, "clients", 8, "concurrent SCIM clients")
	flag.IntVar(&o.batch, "batch", 100, "members added per PATCH (AWS allows 100)")
	flag.IntVar(&o.lookups, "lookups", 2000, "requests of each filtered lookup")
	flag.StringVar(&lookupClients, "lookup-clients", "1,8", "concurrent clients of the lookups: one run of each lookup per count")
	flag.DurationVar(&o.lookupLimit, "lookup-limit", 3*time.Minute, "time limit of each lookup phase (a slower one is reported as truncated)")
	flag.DurationVar(&o.analyzeEvery, "analyze-every", 15*time.Second, "PostgreSQL without autovacuum: run ANALYZE this often, as autovacuum would")
	flag.IntVar(&o.diff, "diff", 200, "users and groups of the membership-diff directory (every user in every group)")
	flag.IntVar(&o.repeat, "repeat", 10, "runs of each membership-diff request")
	flag.StringVar(&engines, "db", "sqlite", "stores to run on: sqlite, postgres or sqlite,postgres")
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("ATRIUM_TEST_DATABASE_URL"), "PostgreSQL server (postgres://…) in which a fresh database is made for each run")
	flag.StringVar(&o.repo, "repo", "..", "the atrium repository (for go build ./cmd/atrium)")
	flag.StringVar(&o.atriumBin, "atrium", "", "a prebuilt atrium binary (default: build it from -repo)")
	flag.DurationVar(&o.timeout, "timeout", 45*time.Minute, "time limit of the whole run")
	flag.BoolVar(&o.keep, "keep", false, "keep the data dir and its server log")
	flag.Parse()
	o.engines = strings.Split(engines, ",")
	for _, e := range o.engines {
		if e != "sqlite" && e != "postgres" {
			fatalf("-db: unknown store %q", e)
		}
		if e == "postgres" && o.databaseURL == "" {
			fatalf("-db postgres needs -database-url (or ATRIUM_TEST_DATABASE_URL)")
		}
	}
	for _, f := range strings.Split(lookupClients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fatalf("-lookup-clients: %q is not a positive number", f)
		}
		o.lookupClients = append(o.lookupClients, n)
	}
	if o.clients < 1 || o.batch < 1 || o.lookups < 1 || o.repeat < 1 || o.diff < 1 {
		fatalf("-clients, -batch, -lookups, -repeat and -diff must be positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	tmp, err := os.MkdirTemp("", "atrium-bench-scim-")
	if err != nil {
		fatalf("%v", err)
	}
	if !o.keep {
		defer os.RemoveAll(tmp)
	}
	bin := o.atriumBin
	if bin == "" {
		logf("building atrium")
		if bin, err = harness.BuildAtrium(ctx, o.repo, tmp); err != nil {
			fatalf("%v", err)
		}
	}
	fmt.Printf("SCIM benchmark, %s: %d users, %d groups, %d memberships (PATCH add of %d members), %d clients\n\n",
		time.Now().UTC().Format("2006-01-02"), o.users, o.groups, o.memberships, o.batch, o.clients)
	failed := false
	for _, e := range o.engines {
		r, err := runEngine(ctx, &o, e, bin, filepath.Join(tmp, e))
		if r != nil {
			r.print(os.Stdout, &o)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", e, err)
			failed = true
		}
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "kept", tmp)
	}
	if failed {
		cancel()
		if !o.keep {
			os.RemoveAll(tmp)
		}
		os.Exit(1)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "scim bench: "+format+"\n", args...)
	os.Exit(2)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

// result holds the figures of one store.
type result struct {
	engine                  string
	firstStart, coldStart   time.Duration
	stopTime                time.Duration
	firstLookup             time.Duration // the first filtered GET after the cold start
	provision               []*phase      // users, groups, memberships
	lookups                 []*phase
	diffSetup               *phase
	diff                    []diffRequest
	afterLoad, afterQueries memory
	afterRestart            memory
	storeBytes              int64
	analyzed                bool // PostgreSQL without autovacuum: ANALYZE run by this program
}

type diffRequest struct {
	label    string
	requests []string // the requests of one diff
	phase    *phase   // each latency is one whole diff (all its requests)
	summary  string
}

func runEngine(ctx context.Context, o *options, engine, bin, dir string) (*result, error) {
	r := &result{engine: engine}
	dataDir := filepath.Join(dir, "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	databaseURL := ""
	if engine == "postgres" {
		u, drop, err := freshDatabase(ctx, o.databaseURL)
		if err != nil {
			return nil, err
		}
		defer drop()
		databaseURL = u
		actx, stopAnalyze := context.WithCancel(ctx)
		defer stopAnalyze()
		if r.analyzed, err = analyzeWhileAutovacuumOff(actx, databaseURL, o.analyzeEvery); err != nil {
			return nil, err
		}
	}
	logPath := filepath.Join(dir, "server.log")
	logf("%s: starting atrium serve", engine)
	srv, err := startServer(ctx, bin, dataDir, databaseURL, logPath, time.Minute)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	r.firstStart = srv.startup
	token, err := createToken(ctx, bin, dataDir, databaseURL)
	if err != nil {
		return nil, err
	}
	c := newClient(srv.base, token, o.clients)

	d, err := newDirectory("", o.users, o.groups, o.memberships)
	if err != nil {
		return nil, err
	}
	userIDs, groupIDs, phases, err := provision(ctx, c, o, d, engine)
	r.provision = phases
	if err != nil {
		return r, err
	}
	if r.afterLoad, err = srv.memory(); err != nil {
		return r, err
	}
	if r.lookups, err = lookups(ctx, c, o, d, userIDs, groupIDs); err != nil {
		return r, err
	}
	if r.diffSetup, r.diff, err = membershipDiff(ctx, c, o, engine); err != nil {
		return r, err
	}
	if r.afterQueries, err = srv.memory(); err != nil {
		return r, err
	}

	logf("%s: restarting atrium serve on the loaded store", engine)
	r.stopTime = srv.stop()
	if r.storeBytes, err = storeSize(ctx, dataDir, databaseURL); err != nil {
		return r, err
	}
	srv, err = startServer(ctx, bin, dataDir, databaseURL, logPath, 5*time.Minute)
	if err != nil {
		return r, err
	}
	defer srv.stop()
	r.coldStart = srv.startup
	c = newClient(srv.base, token, o.clients)
	t0 := time.Now()
	if _, err := c.do(ctx, "GET", filterPath("Users", `userName eq "`+d.userName(o.users/2)+`"`), nil, 200); err != nil {
		return r, err
	}
	r.firstLookup = time.Since(t0)
	if r.afterRestart, err = srv.memory(); err != nil {
		return r, err
	}
	srv.stop()
	return r, nil
}

// provision creates the users, then the groups, then adds the members,
// each step with o.clients clients. A group's PATCHes are sent one after
// another by one client, as an identity provider syncs one group at a time.
func provision(ctx context.Context, c *client, o *options, d *directory, label string) (userIDs, groupIDs []string, phases []*phase, err error) {
	userIDs = make([]string, d.users)
	groupIDs = make([]string, d.groups)
	logf("%s: POST /Users × %d", label, d.users)
	p, err := run(ctx, "POST /Users", d.users, o.clients, 0, func(ctx context.Context, t *timer, i int) error {
		raw, err := t.call(ctx, c, "POST", "/Users", d.userBody(i), 201)
		if err != nil {
			return err
		}
		userIDs[i], err = idOf(raw)
		return err
	})
	phases = append(phases, p)
	if err != nil {
		return nil, nil, phases, err
	}
	logf("%s: POST /Groups × %d", label, d.groups)
	p, err = run(ctx, "POST /Groups", d.groups, o.clients, 0, func(ctx context.Context, t *timer, g int) error {
		raw, err := t.call(ctx, c, "POST", "/Groups", d.groupBody(g), 201)
		if err != nil {
			return err
		}
		groupIDs[g], err = idOf(raw)
		return err
	})
	phases = append(phases, p)
	if err != nil {
		return nil, nil, phases, err
	}
	logf("%s: PATCH /Groups/{id} × %d (%d memberships)", label, d.patches(o.batch), d.memberships())
	p, err = run(ctx, fmt.Sprintf("PATCH /Groups/{id} (add ≤ %d members)", o.batch), d.groups, o.clients, 0, func(ctx context.Context, t *timer, g int) error {
		ids := make([]string, 0, o.batch)
		for j := 0; j < d.sizes[g]; j += o.batch {
			ids = ids[:0]
			for k := j; k < min(j+o.batch, d.sizes[g]); k++ {
				ids = append(ids, userIDs[d.member(g, k)])
			}
			if _, err := t.call(ctx, c, "PATCH", "/Groups/"+groupIDs[g], addMembers(ids), 204); err != nil {
				return err
			}
		}
		return nil
	})
	phases = append(phases, p)
	return userIDs, groupIDs, phases, err
}

func idOf(raw []byte) (string, error) {
	var v struct{ ID string }
	if err := jsonUnmarshal(raw, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("a created resource has no id: %.200s", raw)
	}
	return v.ID, nil
}

// lookups runs the filtered GETs on the loaded directory, each o.lookups
// times from each number of clients of o.lookupClients, on indexes drawn
// from a fixed seed.
func lookups(ctx context.Context, c *client, o *options, d *directory, userIDs, groupIDs []string) ([]*phase, error) {
	pick := func(i, n int) int { return rand.New(rand.NewPCG(uint64(i), 42)).IntN(n) }
	checks := []struct {
		name string
		path func(i int) (string, int) // the request and its totalResults
	}{
		{`GET /Users?filter=userName eq "…"`, func(i int) (string, int) {
			return filterPath("Users", `userName eq "`+d.userName(pick(i, d.users))+`"`), 1
		}},
		{`GET /Users?filter=externalId eq "…"`, func(i int) (string, int) {
			return filterPath("Users", `externalId eq "`+d.externalID(pick(i, d.users))+`"`), 1
		}},
		{`GET /Users?filter=groups.value eq "…"`, func(i int) (string, int) {
			g := pick(i, d.groups)
			return filterPath("Users", `groups.value eq "`+groupIDs[g]+`"`), d.sizes[g]
		}},
	}
	var out []*phase
	for _, clients := range o.lookupClients {
		for _, ch := range checks {
			logf("%s × %d, %d clients", ch.name, o.lookups, clients)
			p, err := run(ctx, ch.name, o.lookups, clients, o.lookupLimit, func(ctx context.Context, t *timer, i int) error {
				path, want := ch.path(i)
				raw, err := t.call(ctx, c, "GET", path, nil, 200)
				if err != nil {
					return err
				}
				l, err := decodeList(raw)
				if err != nil {
					return err
				}
				if l.TotalResults != want || len(l.Resources) != min(want, 100) {
					return fmt.Errorf("%s: totalResults %d with %d resources, want %d", path, l.TotalResults, len(l.Resources), want)
				}
				return nil
			})
			// A failed lookup is reported, and the run goes on.
			p.err, p.clients = err, clients
			out = append(out, p)
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
		}
	}
	return out, nil
}

// membershipDiff provisions a second directory of o.diff users, each in
// every one of o.diff groups, next to the loaded one, and times the
// requests an identity provider needs to read all its memberships back and
// diff them against its own.
func membershipDiff(ctx context.Context, c *client, o *options, label string) (*phase, []diffRequest, error) {
	n := o.diff
	d, err := newDirectory("diff-", n, n, n*n)
	if err != nil {
		return nil, nil, err
	}
	setupOpts := *o
	userIDs, groupIDs, phases, err := provision(ctx, c, &setupOpts, d, label+" diff directory")
	setup := &phase{name: "diff directory"}
	for _, p := range phases {
		setup.requests += p.requests
		setup.elapsed += p.elapsed
	}
	if err != nil {
		return setup, nil, err
	}
	want := make(map[string]map[string]bool, n) // group name → member ids
	for g := range n {
		m := make(map[string]bool, d.sizes[g])
		for j := range d.sizes[g] {
			m[userIDs[d.member(g, j)]] = true
		}
		want[d.groupName(g)] = m
	}
	userOf := make(map[string]string, n)
	for i, id := range userIDs {
		userOf[id] = d.userName(i)
	}
	_ = groupIDs

	groupsFilter := `displayName sw "diff-"`
	usersFilter := `userName sw "diff-"`
	oneRequest := filterPath("Groups", groupsFilter, "attributes", "displayName,members", "count", "1000")
	usersRequest := filterPath("Users", usersFilter, "attributes", "userName", "count", "1000")
	pageSize := strconv.Itoa(max(1, (n+1)/2))

	// diff reads the memberships with the requests of fetch and compares
	// them with want; it returns the requests sent.
	diff := func(ctx context.Context, t *timer, fetch func(ctx context.Context, t *timer) ([]*listResponse, []string, error)) (string, error) {
		lists, sent, err := fetch(ctx, t)
		if err != nil {
			return "", err
		}
		groups, pairs, missing, extra := 0, 0, 0, 0
		for _, l := range lists {
			for _, g := range l.Resources {
				if g.DisplayName == "" {
					continue // a users page
				}
				groups++
				m := want[g.DisplayName]
				seen := make(map[string]bool, len(g.Members))
				for _, mem := range g.Members {
					pairs++
					if !m[mem.Value] {
						extra++
					}
					seen[mem.Value] = true
				}
				for id := range m {
					if !seen[id] {
						missing++
					}
				}
			}
		}
		if groups != n || missing != 0 || extra != 0 {
			return "", fmt.Errorf("diff read %d groups, %d memberships: %d missing, %d extra, want %d groups and no difference", groups, pairs, missing, extra, n)
		}
		return fmt.Sprintf("%s; %d groups, %d memberships read, 0 missing, 0 extra", strings.Join(sent, " + "), groups, pairs), nil
	}
	get := func(ctx context.Context, t *timer, path string) (*listResponse, error) {
		raw, err := t.call(ctx, c, "GET", path, nil, 200)
		if err != nil {
			return nil, err
		}
		return decodeList(raw)
	}
	variants := []struct {
		label    string
		requests []string
		fetch    func(ctx context.Context, t *timer) ([]*listResponse, []string, error)
	}{
		{"groups with members, one page", []string{"GET /Groups?" + unescape(oneRequest[len("/Groups?"):])},
			func(ctx context.Context, t *timer) ([]*listResponse, []string, error) {
				l, err := get(ctx, t, oneRequest)
				return []*listResponse{l}, []string{"1 × GET /Groups"}, err
			}},
		{"groups with members, cursor pages of " + pageSize, []string{
			"GET /Groups?" + unescape(filterPath("Groups", groupsFilter, "attributes", "displayName,members", "count", pageSize, "cursor", "")[len("/Groups?"):]),
			"GET /Groups?…&cursor=<nextCursor>"},
			func(ctx context.Context, t *timer) ([]*listResponse, []string, error) {
				var out []*listResponse
				cursor := ""
				for range 2 * n { // bounded: n groups, at least one per page
					l, err := get(ctx, t, filterPath("Groups", groupsFilter, "attributes", "displayName,members", "count", pageSize, "cursor", cursor))
					if err != nil {
						return nil, nil, err
					}
					out = append(out, l)
					if cursor = l.NextCursor; cursor == "" {
						break
					}
				}
				return out, []string{fmt.Sprintf("%d × GET /Groups (cursor)", len(out))}, nil
			}},
		{"groups with members + the users' userNames", []string{"GET /Groups?" + unescape(oneRequest[len("/Groups?"):]),
			"GET /Users?" + unescape(usersRequest[len("/Users?"):])},
			func(ctx context.Context, t *timer) ([]*listResponse, []string, error) {
				l, err := get(ctx, t, oneRequest)
				if err != nil {
					return nil, nil, err
				}
				u, err := get(ctx, t, usersRequest)
				if err != nil {
					return nil, nil, err
				}
				if len(u.Resources) != n {
					return nil, nil, fmt.Errorf("users of the diff directory: %d, want %d", len(u.Resources), n)
				}
				for _, r := range u.Resources {
					if userOf[r.ID] != r.UserName {
						return nil, nil, fmt.Errorf("user %s is %q, want %q", r.ID, r.UserName, userOf[r.ID])
					}
				}
				return []*listResponse{l, u}, []string{"1 × GET /Groups", "1 × GET /Users"}, nil
			}},
	}
	var out []diffRequest
	for _, v := range variants {
		logf("membership diff: %s × %d", v.label, o.repeat)
		dr := diffRequest{label: v.label, requests: v.requests}
		// One client, one diff at a time; each latency is a whole diff.
		wt := &timer{}
		p, err := run(ctx, v.label, o.repeat, 1, 0, func(ctx context.Context, t *timer, i int) error {
			t0 := time.Now()
			s, err := diff(ctx, wt, v.fetch)
			if err != nil {
				return err
			}
			t.mu.Lock()
			t.lat = append(t.lat, time.Since(t0))
			t.mu.Unlock()
			t.size.Add(wt.size.Swap(0))
			dr.summary = s
			return nil
		})
		p.requests = wt.reqs.Load()
		dr.phase = p
		out = append(out, dr)
		if err != nil {
			return setup, out, err
		}
	}
	return setup, out, nil
}
