package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/atriumhq/atrium/internal/store/storetest"
)

// startTimeout bounds how long a server may take to start or stop; it only
// turns a hang into a failure.
const startTimeout = 2 * time.Minute

// mustBuild builds the atrium binary into a temp dir.
func mustBuild(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build atrium: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "atrium")
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer is a bytes.Buffer safe for a process to write while the test
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is an atrium serve process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	logs   *lockedBuffer
	exited chan struct{}
	err    error // of Wait, once exited is closed
}

// env is this process's environment without ATRIUM_ settings.
func env() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ATRIUM_") {
			out = append(out, kv)
		}
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func dbArgs(dbURL string) []string {
	if dbURL == "" {
		return nil
	}
	return []string{"--database-url", dbURL}
}

// mustStart starts atrium serve on dataDir, with the flags extra, and
// waits for /healthz.
func mustStart(t *testing.T, bin, dataDir, dbURL string, extra ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), logs: &lockedBuffer{}, exited: make(chan struct{})}
	args := append([]string{"serve", "--data-dir", dataDir, "--listen", s.addr}, dbArgs(dbURL)...)
	args = append(args, extra...)
	s.cmd = exec.Command(bin, args...)
	s.cmd.Env = env()
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting atrium serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("atrium serve (pid %d) logs:\n%s", s.cmd.Process.Pid, s.logs.String())
		}
	})
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("atrium serve exited while starting: %v\n%s", s.err, s.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("atrium serve did not answer /healthz within %s:\n%s", startTimeout, s.logs.String())
		}
	}
}

// wait waits for the process to exit and returns its error.
func (s *server) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-s.exited:
		return s.err
	case <-time.After(startTimeout):
		t.Fatalf("atrium serve did not exit within %s", startTimeout)
		return nil
	}
}

// mustCredentials reads the administrator's key from the data dir.
func mustCredentials(t *testing.T, dataDir string) aws.Credentials {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "admin-credentials"))
	if err != nil {
		t.Fatal(err)
	}
	var c aws.Credentials
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
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
		t.Fatalf("admin-credentials holds no key:\n%s", b)
	}
	return c
}

func (s *server) awsConfig(creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.StaticCredentialsProvider{Value: creds},
		BaseEndpoint: aws.String("http://" + s.addr),
		Retryer:      func() aws.Retryer { return retry.AddWithMaxAttempts(retry.NewStandard(), 1) },
	}
}

func mustStoreID(t *testing.T, s *server, creds aws.Credentials) string {
	t.Helper()
	out, err := ssoadmin.NewFromConfig(s.awsConfig(creds)).ListInstances(t.Context(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) != 1 {
		t.Fatalf("ListInstances = %v, %v; want one instance", out, err)
	}
	return *out.Instances[0].IdentityStoreId
}

func mustVerifyAudit(t *testing.T, bin, dataDir, dbURL string) {
	t.Helper()
	args := append([]string{"audit", "verify", "--data-dir", dataDir}, dbArgs(dbURL)...)
	cmd := exec.Command(bin, args...)
	cmd.Env = env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("atrium audit verify: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "audit trail intact") {
		t.Errorf("atrium audit verify printed %q, want it to report an intact trail", out)
	}
}

func TestKillDuringWrites(t *testing.T) {
	bin := mustBuild(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dbURL := ""
			if engine == "postgres" {
				dbURL = storetest.NewPostgresDatabase(t)
			}
			testKillDuringWrites(t, bin, dbURL)
		})
	}
}

func testKillDuringWrites(t *testing.T, bin, dbURL string) {
	const workers, each, killAfter = 8, 50, 200
	dataDir := t.TempDir()
	s := mustStart(t, bin, dataDir, dbURL)
	creds := mustCredentials(t, dataDir)
	storeID := mustStoreID(t, s, creds)
	c := identitystore.NewFromConfig(s.awsConfig(creds))

	var mu sync.Mutex
	var acked []string
	kill := make(chan struct{})
	var killOnce sync.Once
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				name := fmt.Sprintf("burst-%d-%d", w, i)
				out, err := c.CreateUser(context.Background(), &identitystore.CreateUserInput{
					IdentityStoreId: aws.String(storeID), UserName: aws.String(name), DisplayName: aws.String(name),
					Name: &idtypes.Name{GivenName: aws.String("Burst"), FamilyName: aws.String(name)},
				})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked = append(acked, *out.UserId)
				n := len(acked)
				mu.Unlock()
				if n >= killAfter {
					killOnce.Do(func() { close(kill) })
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-kill:
		if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("kill -9: %v", err)
		}
	case <-done:
		t.Fatalf("the burst ended with %d acknowledged users before the kill, want at least %d", len(acked), killAfter)
	}
	<-done
	if err := s.wait(t); err == nil {
		t.Fatalf("atrium serve exited cleanly after kill -9, want a killed process")
	}
	mu.Lock()
	ids := append([]string(nil), acked...)
	mu.Unlock()
	if len(ids) >= workers*each {
		t.Fatalf("all %d users were acknowledged: the kill came after the burst", len(ids))
	}
	t.Logf("%d users acknowledged before kill -9", len(ids))

	s = mustStart(t, bin, dataDir, dbURL)
	c = identitystore.NewFromConfig(s.awsConfig(creds))
	missing := 0
	for _, id := range ids {
		if _, err := c.DescribeUser(t.Context(), &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id)}); err != nil {
			missing++
			t.Errorf("DescribeUser(%s) after the restart: %v", id, err)
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged users are missing after kill -9", missing, len(ids))
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.wait(t); err != nil {
		t.Fatalf("atrium serve after SIGTERM: %v", err)
	}
	mustVerifyAudit(t, bin, dataDir, dbURL)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// waitForLog waits until the server has logged want.
func waitForLog(t *testing.T, s *server, want string) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for !strings.Contains(s.logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("atrium serve did not log %q:\n%s", want, s.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSIGTERMDrains starts a request, sends SIGTERM while the server is in
// its handler, and checks that the request completes and the process exits
// with status 0.
func TestSIGTERMDrains(t *testing.T) {
	bin := mustBuild(t)
	dataDir := t.TempDir()
	s := mustStart(t, bin, dataDir, "")
	creds := mustCredentials(t, dataDir)
	storeID := mustStoreID(t, s, creds)

	body := []byte(`{"IdentityStoreId":"` + storeID + `","UserName":"in-flight","DisplayName":"In Flight","Name":{"GivenName":"In","FamilyName":"Flight"}}`)
	req, err := http.NewRequest(http.MethodPost, "http://"+s.addr+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSIdentityStore.CreateUser")
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, sha256Hex(body), "identitystore", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}

	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The headers, with Expect: 100-continue: the server answers 100 once
	// the handler starts reading the body, so the request is in flight.
	var head strings.Builder
	fmt.Fprintf(&head, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n", s.addr, len(body))
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	cont, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("reading the 100 Continue: %v", err)
	}
	if cont.StatusCode != http.StatusContinue {
		t.Fatalf("status before the body = %d, want 100", cont.StatusCode)
	}

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, s, "shutting down")
	select {
	case <-s.exited:
		t.Fatalf("atrium serve exited with a request in flight: %v", s.err)
	default:
	}

	if _, err := conn.Write(body); err != nil {
		t.Fatalf("sending the body after SIGTERM: %v", err)
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("reading the response after SIGTERM: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(got, []byte(`"UserId"`)) {
		t.Fatalf("in-flight CreateUser = %d %s, want 200 with a UserId", resp.StatusCode, got)
	}
	if err := s.wait(t); err != nil {
		t.Fatalf("atrium serve after SIGTERM exited with %v, want status 0", err)
	}

	// The drained request's user is there after a restart.
	s = mustStart(t, bin, dataDir, "")
	out, err := identitystore.NewFromConfig(s.awsConfig(creds)).GetUserId(t.Context(), &identitystore.GetUserIdInput{
		IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("in-flight")}},
	})
	if err != nil || out.UserId == nil {
		t.Fatalf("GetUserId(in-flight) after the restart = %v, %v", out, err)
	}
}
