// Package harness starts the servers the side-by-side benchmarks compare
// (atrium serve, moto_server), configures their SDK clients, and measures
// a phase of calls.
package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Server is a server process this program started.
type Server struct {
	Name     string
	Endpoint string // http://127.0.0.1:port
	Creds    aws.Credentials
	cmd      *exec.Cmd
	done     chan struct{}
	Startup  time.Duration // from process start to the first good health answer
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// BuildAtrium builds cmd/atrium of the repository at root into dir.
func BuildAtrium(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "atrium")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/atrium")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building atrium: %w", err)
	}
	return bin, nil
}

// start runs name with args, logging to logPath, and waits until health
// answers 200 (polled every 2 ms, for at most timeout).
func start(ctx context.Context, name, logPath, health string, timeout time.Duration, bin string, args ...string) (*Server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &Server{Name: name, cmd: cmd, done: make(chan struct{})}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() { _ = cmd.Wait(); logf.Close(); close(s.done) }()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.Stop()
			return nil, fmt.Errorf("%s did not answer %s within %s (log: %s)", name, health, timeout, logPath)
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited during start-up (log: %s)", name, logPath)
		default:
		}
		if resp, err := hc.Get(health); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.Startup = time.Since(t0)
				return s, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// StartAtrium runs `atrium serve` on dataDir (and databaseURL when set).
func StartAtrium(ctx context.Context, bin, dataDir, databaseURL, logPath string) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"serve", "--data-dir", dataDir, "--listen", addr, "--log-level", "warn"}
	if databaseURL != "" {
		args = append(args, "--database-url", databaseURL)
	}
	name := "atrium"
	s, err := start(ctx, name, logPath, "http://"+addr+"/healthz", time.Minute, bin, args...)
	if err != nil {
		return nil, err
	}
	s.Endpoint = "http://" + addr
	s.Creds, err = ReadCredentials(filepath.Join(dataDir, "admin-credentials"))
	if err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// StartMoto runs moto_server.
func StartMoto(ctx context.Context, bin, logPath string) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s, err := start(ctx, "moto", logPath, "http://"+addr+"/moto-api/", time.Minute, bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if err != nil {
		return nil, err
	}
	s.Endpoint = "http://" + addr
	s.Creds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Source: "bench"}
	return s, nil
}

// ReadCredentials reads the administrator's shared-credentials file.
func ReadCredentials(path string) (aws.Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return aws.Credentials{}, err
	}
	defer f.Close()
	c := aws.Credentials{Source: "bench"}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.AccessKeyID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.SecretAccessKey = strings.TrimSpace(v)
		}
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, errors.New("no access key in " + path)
	}
	return c, sc.Err()
}

// RSS returns the resident set size and its peak (VmRSS, VmHWM) of the
// server process, in bytes.
func (s *Server) RSS() (cur, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = n << 10
		case "VmHWM:":
			peak = n << 10
		}
	}
	return cur, peak, nil
}

// Stop ends the process this program started: SIGTERM, then SIGKILL after
// 10 s, both sent to its pid only.
func (s *Server) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }
