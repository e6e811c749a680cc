// Command controlplane benchmarks Atrium's sso-admin control plane and
// moto_server (the Python AWS mock) side by side with the same client
// script.
//
// It builds atrium from the repository, starts a fresh server for each
// server and client concurrency on a free loopback port (and stops it, by
// pid, when done), and prints Markdown tables. The script:
//
//   - reads the instance (ARN, identity store, owner account) through
//     ListInstances and creates one user in its identity store;
//   - CreatePermissionSet × -n, with unique names;
//   - CreateAccountAssignment × -n: each permission set to the instance's
//     owner (management) account, for that user;
//   - then waits until every assignment has left IN_PROGRESS. On Atrium
//     the assignments are completed by a background worker: it polls
//     ListAccountAssignmentCreationStatus (IN_PROGRESS, one result) every
//     5 ms, then counts the FAILED ones. moto_server completes them in the
//     request (it answers SUCCEEDED): they are done when the last answer
//     comes; each is then checked with DescribeAccountAssignmentCreationStatus.
//
// Run it from bench/:
//
//	go run ./controlplane -n 1000 -clients 1,8
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/atriumhq/atrium/bench/internal/harness"
)

type options struct {
	targets   []string
	clients   []int
	n         int
	limit     time.Duration
	repo      string
	atriumBin string
	moto      string
}

func main() {
	var o options
	var targets, clients string
	flag.StringVar(&targets, "target", "atrium,moto", "servers to compare: atrium, moto or both (comma-separated)")
	flag.StringVar(&clients, "clients", "1,8", "client goroutines, comma-separated; each value is one run")
	flag.IntVar(&o.n, "n", 1000, "permission sets created, and assignments created")
	flag.DurationVar(&o.limit, "limit", 3*time.Minute, "time limit of each measured phase")
	flag.StringVar(&o.repo, "repo", "..", "the atrium repository (for go build ./cmd/atrium)")
	flag.StringVar(&o.atriumBin, "atrium", "", "a prebuilt atrium binary (default: build it from -repo)")
	flag.StringVar(&o.moto, "moto", "moto_server", "the moto_server command")
	flag.Parse()
	o.targets = strings.Split(targets, ",")
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 || n > 64 {
			fmt.Fprintln(os.Stderr, "controlplane: -clients must be numbers from 1 to 64")
			os.Exit(2)
		}
		o.clients = append(o.clients, n)
	}
	if o.n < 1 {
		fmt.Fprintln(os.Stderr, "controlplane: -n must be positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "controlplane:", err)
		os.Exit(1)
	}
}

// row is one line of a results table.
type row = harness.Row

// completion is how one run's assignments completed.
type completion struct {
	target     string
	clients    int
	requested  int           // assignments accepted
	inProgress int           // of them, answered IN_PROGRESS
	succeeded  int           // of them, answered SUCCEEDED
	elapsed    time.Duration // from the first request until all are SUCCEEDED or FAILED
	failed     int
	cut        bool
}

func run(ctx context.Context, o options) error {
	work, err := os.MkdirTemp("", "atrium-bench-controlplane-")
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
	fmt.Printf("Run of %s; %d CPUs; clients %v; n = %d\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), numCPU(), o.clients, o.n)
	var rows []row
	var done []completion
	for _, c := range o.clients {
		for _, t := range o.targets {
			if t != "atrium" && t != "moto" {
				return fmt.Errorf("unknown target %q", t)
			}
			rs, cp, err := runOne(ctx, o, bin, work, t, c)
			if err != nil {
				return err
			}
			rows = append(rows, rs...)
			done = append(done, cp)
		}
	}
	harness.PrintRows(rows)
	harness.PrintRatios(rows, "moto")
	fmt.Println("Assignments completed (from the first CreateAccountAssignment until all are SUCCEEDED or FAILED; moto: until the last answer):")
	fmt.Println()
	fmt.Println("| clients | server | requested | answered IN_PROGRESS | answered SUCCEEDED | all done after s | completed/s | not SUCCEEDED |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|")
	for _, d := range done {
		note := ""
		if d.cut {
			note = " (time limit)"
		}
		fmt.Printf("| %d | %s | %d | %d | %d | %.2f%s | %.0f | %d |\n", d.clients, d.target, d.requested, d.inProgress, d.succeeded,
			d.elapsed.Seconds(), note, float64(d.requested)/d.elapsed.Seconds(), d.failed)
	}
	fmt.Println()
	return nil
}

// runOne starts a fresh server and runs the script at c clients.
func runOne(ctx context.Context, o options, bin, work, name string, c int) ([]row, completion, error) {
	cp := completion{target: name, clients: c}
	dir, err := os.MkdirTemp(work, "run-")
	if err != nil {
		return nil, cp, err
	}
	defer os.RemoveAll(dir)
	var s *server
	if name == "moto" {
		s, err = startMoto(ctx, o.moto, filepath.Join(work, "moto.log"))
	} else {
		s, err = startAtrium(ctx, bin, dir, "", filepath.Join(work, "atrium.log"))
	}
	if err != nil {
		return nil, cp, err
	}
	defer s.Stop()
	fmt.Fprintf(os.Stderr, "controlplane: %s (pid %d), %d clients\n", name, s.Pid(), c)
	sc, err := newScript(ctx, s, o.limit)
	if err != nil {
		return nil, cp, err
	}
	sets := make([]string, o.n)
	rows := []row{{Call: "CreatePermissionSet", Target: name, Clients: c, R: sc.createPermissionSets(ctx, sets, c)}}
	var made []string
	for _, a := range sets {
		if a != "" {
			made = append(made, a)
		}
	}
	if len(made) == 0 {
		return rows, cp, nil
	}
	reqs := make([]assignmentRequest, len(made))
	t0 := time.Now()
	r := sc.createAssignments(ctx, made, reqs, c)
	rows = append(rows, row{Call: "CreateAccountAssignment", Target: name, Clients: c, R: r})
	for _, q := range reqs {
		if q.id != "" {
			cp.requested++
			switch q.status {
			case types.StatusValuesInProgress:
				cp.inProgress++
			case types.StatusValuesSucceeded:
				cp.succeeded++
			}
		}
	}
	if name == "moto" {
		// Completed in the request: done when the last answer came; each
		// is checked afterwards, outside the time.
		cp.elapsed = time.Since(t0)
		cp.failed, err = sc.checkEach(ctx, reqs)
		return rows, cp, err
	}
	cp.cut, err = sc.waitDone(ctx, o.limit)
	cp.elapsed = time.Since(t0)
	if err == nil {
		cp.failed, err = sc.countFailed(ctx)
	}
	return rows, cp, err
}
