// Command directory benchmarks Atrium's identitystore API, and moto_server
// (the Python AWS mock) side by side with the same client script.
//
// It builds atrium from the repository, starts every server it measures on
// a free loopback port (and stops it, by pid, when done), and prints
// Markdown tables:
//
//   - compare: for each server and client concurrency, a fresh server;
//     CreateUser of -n users, then -n calls each of GetUserId, ListUsers
//     with a UserName filter, and ListUsers of a page of 100.
//   - scale: -users users loaded straight into the store (batched write
//     transactions, each user with its CreateUser audit event); then the
//     start-up time of `atrium serve` on that data until /healthz answers
//     200, the latency of GetUserId, ListUsers and CreateUser at that size,
//     and the resident memory of the server process afterwards.
//
// Run it from bench/:
//
//	go run ./directory                                  # compare and scale, SQLite
//	go run ./directory -database-url postgres://…       # also on PostgreSQL
//	go run ./directory -mode compare -clients 1,8 -n 2000
//
// With -database-url it creates a fresh database on that server for each
// run and drops it afterwards.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/atriumhq/atrium/bench/internal/harness"
)

type options struct {
	mode        string
	targets     []string
	clients     []int
	n           int
	users       int
	ops         int
	starts      int
	warmup      int
	limit       time.Duration
	repo        string
	atriumBin   string
	moto        string
	databaseURL string
}

func main() {
	var o options
	var targets, clients string
	flag.StringVar(&o.mode, "mode", "all", "compare, scale or all")
	flag.StringVar(&targets, "target", "atrium,moto", "servers to compare: atrium, moto or both (comma-separated)")
	flag.StringVar(&clients, "clients", "1,8", "client goroutines, comma-separated; each value is one run")
	flag.IntVar(&o.n, "n", 2000, "compare: users created, and calls of each read operation")
	flag.IntVar(&o.users, "users", 100000, "scale: users loaded before measuring")
	flag.IntVar(&o.ops, "ops", 5000, "scale: calls of each read operation (CreateUser: a fifth of it)")
	flag.IntVar(&o.starts, "starts", 5, "scale: start-ups of atrium serve measured")
	flag.IntVar(&o.warmup, "warmup", 2000, "scale: GetUserId calls made, not measured, before measuring")
	flag.DurationVar(&o.limit, "limit", 3*time.Minute, "time limit of each measured phase")
	flag.StringVar(&o.repo, "repo", "..", "the atrium repository (for go build ./cmd/atrium)")
	flag.StringVar(&o.atriumBin, "atrium", "", "a prebuilt atrium binary (default: build it from -repo)")
	flag.StringVar(&o.moto, "moto", "moto_server", "the moto_server command")
	flag.StringVar(&o.databaseURL, "database-url", os.Getenv("ATRIUM_TEST_DATABASE_URL"), "PostgreSQL server (postgres://…) to also run Atrium on; empty: SQLite only")
	flag.Parse()
	o.targets = strings.Split(targets, ",")
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 || n > 64 {
			fmt.Fprintln(os.Stderr, "directory: -clients must be numbers from 1 to 64")
			os.Exit(2)
		}
		o.clients = append(o.clients, n)
	}
	if o.n < 1 || o.users < 1 || o.ops < 5 || o.starts < 1 {
		fmt.Fprintln(os.Stderr, "directory: -n, -users, -ops and -starts must be positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "directory:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	work, err := os.MkdirTemp("", "atrium-bench-directory-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := o.atriumBin
	if bin == "" {
		if bin, err = buildAtrium(ctx, o.repo, work); err != nil {
			return err
		}
	}
	engines := []string{"sqlite"}
	if o.databaseURL != "" {
		engines = append(engines, "postgres")
	}
	fmt.Printf("Run of %s; %d CPUs; clients %v\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), numCPU(), o.clients)
	if o.mode == "compare" || o.mode == "all" {
		if err := compare(ctx, o, bin, work, engines); err != nil {
			return err
		}
	}
	if o.mode == "scale" || o.mode == "all" {
		for _, e := range engines {
			if err := scale(ctx, o, bin, work, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// row is one line of a results table.
type row = harness.Row

// compare runs the client script against each target.
func compare(ctx context.Context, o options, bin, work string, engines []string) error {
	var rows []row
	for _, c := range o.clients {
		for _, t := range o.targets {
			var names []string
			switch t {
			case "atrium":
				for _, e := range engines {
					names = append(names, "atrium/"+e)
				}
			case "moto":
				names = append(names, "moto")
			default:
				return fmt.Errorf("unknown target %q", t)
			}
			for _, name := range names {
				rs, err := compareOne(ctx, o, bin, work, name, c)
				if err != nil {
					return err
				}
				rows = append(rows, rs...)
			}
		}
	}
	fmt.Printf("### Side by side: %d users created, %d calls of each read\n\n", o.n, o.n)
	harness.PrintRows(rows)
	harness.PrintRatios(rows, "moto")
	return nil
}

// compareOne starts a fresh server and runs the script at c clients.
func compareOne(ctx context.Context, o options, bin, work, name string, c int) ([]row, error) {
	dir, err := os.MkdirTemp(work, "compare-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var s *server
	storeID := "d-" + randomHex(5) // moto makes a store on first use
	switch name {
	case "moto":
		s, err = startMoto(ctx, o.moto, filepath.Join(work, "moto.log"))
	default:
		dbURL := ""
		if name == "atrium/postgres" {
			var drop func()
			if dbURL, drop, err = newDatabase(ctx, o.databaseURL); err != nil {
				return nil, err
			}
			defer drop()
		}
		if s, err = startAtrium(ctx, bin, dir, dbURL, filepath.Join(work, "atrium.log")); err == nil {
			storeID, err = atriumStoreID(ctx, s)
		}
	}
	if err != nil {
		s.Stop()
		return nil, err
	}
	defer s.Stop()
	fmt.Fprintf(os.Stderr, "compare: %s (pid %d), %d clients\n", name, s.Pid(), c)
	sc := script{c: newClient(s), storeID: storeID, limit: o.limit}
	rows := []row{{Call: "CreateUser", Target: name, Clients: c, R: sc.createUsers(ctx, 0, o.n, c)}}
	pop := rows[0].R.Ops
	if pop == 0 {
		return rows, nil
	}
	rows = append(rows,
		row{Call: "GetUserId", Target: name, Clients: c, R: sc.getUserID(ctx, o.n, c, pop)},
		row{Call: "ListUsers UserName filter", Target: name, Clients: c, R: sc.listUsersByName(ctx, o.n, c, pop)},
		row{Call: "ListUsers page of 100", Target: name, Clients: c, R: sc.listUsersPage(ctx, o.n, c)},
	)
	return rows, ctx.Err()
}

// scale loads o.users users and measures start-up, latency and memory.
func scale(ctx context.Context, o options, bin, work, engine string) error {
	dir, err := os.MkdirTemp(work, "scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbURL := ""
	if engine == "postgres" {
		var drop func()
		if dbURL, drop, err = newDatabase(ctx, o.databaseURL); err != nil {
			return err
		}
		defer drop()
	}
	fmt.Fprintf(os.Stderr, "scale: loading %d users on %s\n", o.users, engine)
	storeID, took, err := loadUsers(ctx, dir, dbURL, o.users, 30*time.Minute)
	if err != nil {
		return err
	}
	fmt.Printf("### At %d users on %s\n\n", o.users, engine)
	fmt.Printf("Loaded %d users (each with its CreateUser audit event) in %.1f s: %.0f users/s, %d per write transaction.\n\n",
		o.users, took.Seconds(), float64(o.users)/took.Seconds(), loadBatch)

	// Start-up: the process, the store and migrations check, bootstrap
	// lookup, listening, until /healthz answers 200.
	var startups []time.Duration
	var s *server
	for i := range o.starts {
		s, err = startAtrium(ctx, bin, dir, dbURL, filepath.Join(work, "atrium-scale.log"))
		if err != nil {
			return err
		}
		startups = append(startups, s.Startup)
		if i < o.starts-1 {
			s.Stop()
		}
	}
	defer s.Stop()
	sorted := slices.Sorted(slices.Values(startups))
	var list []string
	for _, d := range startups {
		list = append(list, fmt.Sprintf("%.0f", harness.Millis(d)))
	}
	fmt.Printf("Start-up of `atrium serve` on the loaded data until /healthz answers 200, %d starts: median %.0f ms, max %.0f ms (each: %s ms).\n\n",
		o.starts, harness.Millis(sorted[len(sorted)/2]), harness.Millis(sorted[len(sorted)-1]), strings.Join(list, ", "))

	fmt.Fprintf(os.Stderr, "scale: %s (pid %d), measuring\n", engine, s.Pid())
	if got, err := atriumStoreID(ctx, s); err != nil || got != storeID {
		return fmt.Errorf("the server's identity store is %s (%v), the loaded one %s", got, err, storeID)
	}
	sc := script{c: newClient(s), storeID: storeID, limit: o.limit}
	if o.warmup > 0 {
		// The server just started: its page caches are empty. A server in
		// service is warm, so the first measured phase should not pay it.
		sc.getUserID(ctx, o.warmup, 1, o.users)
		fmt.Printf("Warm-up before measuring: %d GetUserId calls, not counted.\n\n", o.warmup)
	}
	var rows []row
	created := o.users
	for _, c := range o.clients {
		rows = append(rows,
			row{Call: "GetUserId", Target: "atrium/" + engine, Clients: c, R: sc.getUserID(ctx, o.ops, c, o.users)},
			row{Call: "ListUsers UserName filter", Target: "atrium/" + engine, Clients: c, R: sc.listUsersByName(ctx, o.ops, c, o.users)},
			row{Call: "ListUsers page of 100", Target: "atrium/" + engine, Clients: c, R: sc.listUsersPage(ctx, o.ops/5, c)},
		)
		r := sc.createUsers(ctx, created, o.ops/5, c)
		created += r.Ops
		rows = append(rows, row{Call: "CreateUser", Target: "atrium/" + engine, Clients: c, R: r})
	}
	harness.PrintRows(rows)
	cur, peak, err := s.RSS()
	if err != nil {
		return err
	}
	fmt.Printf("Server process memory after these calls: RSS %.0f MB, peak RSS %.0f MB.\n\n", float64(cur)/1e6, float64(peak)/1e6)
	return ctx.Err()
}

// atriumStoreID asks Atrium for the identity store of its instance.
func atriumStoreID(ctx context.Context, s *server) (string, error) {
	ids, err := listInstanceStores(ctx, s)
	if err != nil {
		return "", err
	}
	if len(ids) != 1 {
		return "", fmt.Errorf("atrium has %d instances, want 1", len(ids))
	}
	return ids[0], nil
}

// newDatabase creates an empty database on the server of admin and
// returns its URL and a func that drops it.
func newDatabase(ctx context.Context, admin string) (string, func(), error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("-database-url must be a postgres:// URL")
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return "", nil, errors.New("-database-url must name a loopback server")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	name := "atrium_bench_" + randomHex(6)
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("creating a database: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			fmt.Fprintf(os.Stderr, "dropping database %s: %v\n", name, err)
		}
		db.Close()
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
