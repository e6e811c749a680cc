// Package app is the composition root: it opens the store, loads the master
// key, builds the service and the protocol adapters, bootstraps the first
// instance and serves HTTP. It is the only package that wires everything.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/atriumhq/atrium/internal/authz"
	"github.com/atriumhq/atrium/internal/aws/accessanalyzer"
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/aws/iam"
	"github.com/atriumhq/atrium/internal/aws/identitystore"
	"github.com/atriumhq/atrium/internal/aws/organizations"
	"github.com/atriumhq/atrium/internal/aws/ssoadmin"
	"github.com/atriumhq/atrium/internal/aws/sts"
	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/keys"
	"github.com/atriumhq/atrium/internal/scim"
	"github.com/atriumhq/atrium/internal/server"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/postgres"
	"github.com/atriumhq/atrium/internal/store/sqlite"
)

// App is a running Atrium.
type App struct {
	Config    config.Config
	Store     store.Store
	Service   *service.Service
	Bootstrap *service.Bootstrapped
	Handler   http.Handler
	// Background runs, on the node elected to lead it, the work that must
	// run once: the workers that complete sso-admin's and organizations'
	// asynchronous operations.
	Background *service.Background
	log        *slog.Logger
	// stopBackground stops the background work (and the campaign for its
	// lead), and waits for it.
	stopBackground func()
	// stopIndex stops the follower of the change feed that keeps the
	// effective-access index up to date, and waits for it.
	stopIndex func()
}

// OpenStore opens the store the config names, creating the data dir.
func OpenStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data dir: %w", err)
	}
	if cfg.DatabaseURL != "" {
		return postgres.Open(ctx, cfg.DatabaseURL)
	}
	return sqlite.Open(ctx, cfg.SQLitePath(), sqlite.Options{Synchronous: cfg.SQLiteSynchronous, PreallocateWAL: cfg.SQLitePreallocateWAL})
}

// OpenKeys loads (or on first start creates) the master key.
func OpenKeys(cfg *config.Config) (*keys.Keyring, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data dir: %w", err)
	}
	master, err := keys.Load(cfg.MasterKey, cfg.MasterKeyPath())
	if err != nil {
		return nil, err
	}
	return keys.New(master)
}

// New builds an App: store, keys, service, bootstrap, HTTP handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	kr, err := OpenKeys(&cfg)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	svc, err := service.New(service.Config{Store: st, Keys: kr, Authorizer: authz.NewPolicyAuthorizer(), Logger: log, Region: cfg.Region, DurableAudit: cfg.AuditDurability == "all"})
	if err != nil {
		st.Close()
		return nil, err
	}
	boot, err := svc.Bootstrap(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := svc.SeedAWSManagedPolicies(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := writeCredentials(cfg.CredentialsPath(), boot); err != nil {
		st.Close()
		return nil, fmt.Errorf("writing the administrator credentials: %w", err)
	}
	if boot.Created {
		log.InfoContext(ctx, "bootstrapped a new instance", "instance_arn", "arn:aws:sso:::instance/"+boot.Instance.ID,
			"identity_store_id", boot.Instance.IdentityStoreID, "organization_id", boot.Organization.ID,
			"management_account_id", boot.Organization.ManagementAccountID, "administrator", boot.AdminARN)
	}
	log.InfoContext(ctx, "administrator credentials", "file", cfg.CredentialsPath(), "access_key_id", boot.AccessKeyID)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := server.NewMetrics(reg)
	hooks := awsproto.Hooks{
		Lookup:   svc.LookupAccessKey,
		AuthRate: svc.CheckAuthRate,
		Reject:   svc.RecordRejected,
		Observe:  metrics.Observe,
		Logger:   log,
	}
	aws := awsproto.NewJSONHandler(hooks, identitystore.New(svc), ssoadmin.New(svc), organizations.New(svc))
	// The Query (iam, sts) and REST-JSON (access-analyzer) services.
	query := awsproto.NewQueryHandler(hooks, iam.New(svc), sts.New(svc))
	rest := awsproto.NewRESTHandler(hooks, accessanalyzer.New(svc))
	h := server.Handler(server.Config{Logger: log, Region: cfg.Region, AWS: aws, Ready: st.Ping, Registry: reg, Metrics: metrics,
		Query: query, REST: rest, SCIM: scim.New(svc, log)})
	a := &App{Config: cfg, Store: st, Service: svc, Bootstrap: boot, Handler: h, log: log,
		Background: service.NewBackground(svc, service.BackgroundConfig{})}
	a.stopIndex = startIndexFollower(ctx, svc)
	a.stopBackground = startBackground(ctx, a.Background)
	return a, nil
}

// startIndexFollower runs the follower of the change feed, which first
// builds the effective-access index, until ctx ends or the returned
// function is called.
func startIndexFollower(ctx context.Context, svc *service.Service) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		service.NewIndexFollower(svc, service.IndexFollowerConfig{}).Run(ctx)
	}()
	return func() { cancel(); <-done }
}

// startBackground runs the background work, which campaigns for its lead
// and, while this node leads, runs the workers, until ctx ends or the
// returned function is called.
func startBackground(ctx context.Context, b *service.Background) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Run(ctx)
	}()
	return func() { cancel(); <-done }
}

// writeCredentials writes the administrator's access key as an AWS shared
// credentials file (mode 0600), atomically, unless it already holds it.
func writeCredentials(path string, b *service.Bootstrapped) error {
	content := "[default]\naws_access_key_id = " + b.AccessKeyID + "\naws_secret_access_key = " + b.Secret.Reveal() + "\n"
	if cur, err := os.ReadFile(path); err == nil && string(cur) == content {
		return os.Chmod(path, 0o600)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".admin-credentials-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Serve serves on ln until ctx is done, then drains in-flight requests
// (up to drain) and returns nil.
func (a *App) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Shutdown waits for connections that have not begun a request yet
	// (StateNew) as if they were in flight, for up to five seconds: a
	// client's spare connection then held up every shutdown, and one with
	// a shorter drain failed. Once the listener is closed, they are closed
	// too, as idle keep-alive connections are.
	var mu sync.Mutex
	fresh := map[net.Conn]bool{}
	closing := false
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case st == http.StateNew && closing: // accepted as the listener closed
			_ = c.Close()
		case st == http.StateNew:
			fresh[c] = true
		default:
			delete(fresh, c)
		}
	}
	srv.RegisterOnShutdown(func() {
		mu.Lock()
		defer mu.Unlock()
		closing = true
		for c := range fresh {
			_ = c.Close()
		}
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.InfoContext(ctx, "serving", "address", "http://"+ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("draining: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops the background workers and releases the store.
func (a *App) Close() error {
	if a.stopBackground != nil {
		a.stopBackground()
	}
	if a.stopIndex != nil {
		a.stopIndex()
	}
	return a.Store.Close()
}
