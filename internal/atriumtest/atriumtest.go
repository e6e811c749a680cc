// Package atriumtest runs a real Atrium for tests: the whole app on a
// random loopback port with its own data dir, and AWS SDK clients pointed
// at it.
package atriumtest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/atriumhq/atrium/internal/app"
	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// OnEngines runs fn as two parallel subtests, each with a server of its
// own: "sqlite" on the embedded default, and "postgres" on a fresh database
// of the server ATRIUM_TEST_DATABASE_URL names (see
// storetest.NewPostgresDatabase for when it skips).
func OnEngines(t *testing.T, fn func(t *testing.T, s *Server)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, Start(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Start(t, Options{DatabaseURL: storetest.NewPostgresDatabase(t)}))
	})
}

// Server is a running Atrium.
type Server struct {
	URL         string
	App         *app.App
	Config      config.Config
	Credentials aws.Credentials
	StoreID     string // the identity store of the bootstrap instance
	InstanceARN string
	cancel      context.CancelFunc
	done        chan error
}

// Options change how a test server starts.
type Options struct {
	DataDir     string // default: a new temp dir
	DatabaseURL string // default: SQLite in the data dir
	Logs        io.Writer
	// PreallocateWAL writes SQLite's WAL out at start, as atrium serve
	// does (config.Config.SQLitePreallocateWAL); off, tests start faster.
	PreallocateWAL bool
}

// Start starts a server and stops it when the test ends.
func Start(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	cfg := config.Defaults()
	cfg.DataDir = o.DataDir
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.DatabaseURL = o.DatabaseURL
	cfg.SQLitePreallocateWAL = o.PreallocateWAL
	cfg.Listen = "127.0.0.1:0"
	logs := o.Logs
	if logs == nil {
		logs = io.Discard
		if os.Getenv("ATRIUM_TEST_LOGS") != "" {
			logs = os.Stderr
		}
	}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("app.New: %v", err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		cancel()
		a.Close()
		t.Fatalf("listen: %v", err)
	}
	s := &Server{
		URL: "http://" + ln.Addr().String(), App: a, Config: cfg, cancel: cancel, done: make(chan error, 1),
		Credentials: aws.Credentials{AccessKeyID: a.Bootstrap.AccessKeyID, SecretAccessKey: a.Bootstrap.Secret.Reveal(), Source: "atriumtest"},
		StoreID:     a.Bootstrap.Instance.IdentityStoreID,
		InstanceARN: "arn:aws:sso:::instance/" + a.Bootstrap.Instance.ID,
	}
	go func() { s.done <- a.Serve(ctx, ln, 5*time.Second) }()
	t.Cleanup(s.Stop)
	return s
}

// Stop stops the server and closes its store. It is safe to call twice.
func (s *Server) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	if err := <-s.done; err != nil && !errors.Is(err, context.Canceled) {
		panic("atriumtest: serve: " + err.Error())
	}
	_ = s.App.Close()
}

// AWSConfig is an SDK config for the bootstrap administrator, with retries
// off so that tests see every error.
func (s *Server) AWSConfig() aws.Config {
	return s.AWSConfigFor(s.Credentials)
}

// AWSConfigFor is an SDK config signing with creds.
func (s *Server) AWSConfigFor(creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.StaticCredentialsProvider{Value: creds},
		BaseEndpoint: aws.String(s.URL),
		Retryer:      ConnectionRetryer,
	}
}

// ConnectionRetryer retries a call only when the client's own connection
// failed under it, so that a test sees every answer of the server, errors
// and throttling included, as it came. aws-sdk-go-v2 with Go's HTTP client
// now and then closes a connection while it reads a response from a fast
// server ("use of closed network connection" after a 200): the SDK's
// default retryer retries that, and so does this one.
func ConnectionRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.NoRetryCanceledError{}, retry.RetryableConnectionError{}}
		o.RateLimiter = ratelimit.None
	})
}

// IdentityStore is an identitystore client for the administrator.
func (s *Server) IdentityStore() *identitystore.Client {
	return identitystore.NewFromConfig(s.AWSConfig())
}

// SSOAdmin is an sso-admin client for the administrator.
func (s *Server) SSOAdmin() *ssoadmin.Client {
	return ssoadmin.NewFromConfig(s.AWSConfig())
}

// NewPrincipal makes an API principal with the given identity policies and
// returns its credentials.
func (s *Server) NewPrincipal(t testing.TB, name string, policies ...string) aws.Credentials {
	t.Helper()
	_, key, err := s.App.Service.CreatePrincipal(context.Background(), name, policies)
	if err != nil {
		t.Fatalf("CreatePrincipal(%s): %v", name, err)
	}
	return aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret.Reveal(), Source: "atriumtest"}
}
