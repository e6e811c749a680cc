package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/atriumhq/atrium/bench/internal/harness"
)

// server is an `atrium serve` process this program started.
type server struct {
	base    string // http://127.0.0.1:port
	cmd     *exec.Cmd
	done    chan struct{}
	startup time.Duration // from process start to the first 200 from /healthz
}

// storeArgs are the flags that point atrium at the data dir and database.
func storeArgs(dataDir, databaseURL string) []string {
	args := []string{"--data-dir", dataDir}
	if databaseURL != "" {
		args = append(args, "--database-url", databaseURL)
	}
	return args
}

// startServer runs `atrium serve` on a free loopback port and waits, for at
// most timeout, until /healthz answers 200 (polled every 2 ms).
func startServer(ctx context.Context, bin, dataDir, databaseURL, logPath string, timeout time.Duration) (*server, error) {
	port, err := harness.FreePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--listen", addr, "--log-level", "warn"}, storeArgs(dataDir, databaseURL)...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &server{base: "http://" + addr, cmd: cmd, done: make(chan struct{})}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting atrium serve: %w", err)
	}
	go func() { _ = cmd.Wait(); logf.Close(); close(s.done) }()
	hc := &http.Client{Timeout: time.Second}
	deadline := t0.Add(timeout)
	for {
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			return nil, fmt.Errorf("atrium serve did not answer /healthz within %s (log: %s)", timeout, logPath)
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("atrium serve exited during start-up (log: %s)", logPath)
		default:
		}
		if resp, err := hc.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.startup = time.Since(t0)
				return s, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop sends SIGTERM to the server's pid and waits for it to exit (SIGKILL,
// to the same pid, after 30 s). It returns how long the exit took.
func (s *server) stop() time.Duration {
	if s == nil || s.cmd.Process == nil {
		return 0
	}
	select {
	case <-s.done:
		return 0
	default:
	}
	t0 := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return time.Since(t0)
}

// memory is a sample of /proc/<pid>/status.
type memory struct {
	rss, hwm int64 // VmRSS and VmHWM, bytes
}

func (s *server) memory() (memory, error) {
	var m memory
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return m, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = n << 10
		case "VmHWM:":
			m.hwm = n << 10
		}
	}
	return m, nil
}

// createToken runs `atrium scim token create` and returns the token.
func createToken(ctx context.Context, bin, dataDir, databaseURL string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"scim", "token", "create"}, storeArgs(dataDir, databaseURL)...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("atrium scim token create: %w", err)
	}
	var v struct{ Token string }
	if err := json.Unmarshal(out, &v); err != nil || v.Token == "" {
		return "", fmt.Errorf("atrium scim token create printed no token: %s", out)
	}
	return v.Token, nil
}

// freshDatabase creates a database with a random name on the PostgreSQL
// server of serverURL and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, serverURL string) (string, func(), error) {
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", nil, err
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := "atrium_bench_scim_" + hex.EncodeToString(rnd[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "dropping database %s: %v\n", name, err)
		}
		admin.Close()
	}
	return u.String(), drop, nil
}

// storeSize is the size of the store on disk: the SQLite files in the data
// dir, or pg_database_size.
func storeSize(ctx context.Context, dataDir, databaseURL string) (int64, error) {
	if databaseURL != "" {
		db, err := sql.Open("pgx", databaseURL)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		var n int64
		err = db.QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
		return n, err
	}
	var total int64
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "atrium.db") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return 0, err
		}
		total += fi.Size()
	}
	if total == 0 {
		return 0, errors.New("no atrium.db in the data dir")
	}
	return total, nil
}

// analyzeWhileAutovacuumOff stands in for autovacuum's autoanalyze when the
// PostgreSQL server runs without autovacuum (as test servers often do): it
// runs ANALYZE on the database every period until ctx ends, so that the
// planner has statistics as it would in production. It reports whether
// autovacuum is off.
func analyzeWhileAutovacuumOff(ctx context.Context, databaseURL string, period time.Duration) (bool, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return false, err
	}
	var setting string
	if err := db.QueryRowContext(ctx, "SHOW autovacuum").Scan(&setting); err != nil {
		db.Close()
		return false, err
	}
	if setting == "on" {
		db.Close()
		return false, nil
	}
	go func() {
		defer db.Close()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil && ctx.Err() == nil {
					fmt.Fprintln(os.Stderr, "ANALYZE:", err)
				}
			}
		}
	}()
	return true, nil
}
