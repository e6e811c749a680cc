package service_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/atriumhq/atrium/internal/app"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/authz"
	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
)

// startService opens the keys and the store of cfg and bootstraps a
// service on them, without the background work of an app: the store
// passed through wrap when it is given, identifiers made by ids. It
// returns the service, its bootstrap and a context of the bootstrap
// administrator's.
func startService(t *testing.T, cfg config.Config, ids arn.Generator, wrap func(store.Store) store.Store) (context.Context, *service.Service, *service.Bootstrapped) {
	t.Helper()
	ctx := t.Context()
	kr, err := app.OpenKeys(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := app.OpenStore(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if wrap != nil {
		st = wrap(st)
	}
	svc, err := service.New(service.Config{Store: st, Keys: kr, Authorizer: authz.NewPolicyAuthorizer(), Logger: slog.New(slog.DiscardHandler),
		Region: cfg.Region, IDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	boot, err := svc.Bootstrap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, err := svc.LookupAccessKey(ctx, boot.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	return reqctx.WithCaller(ctx, key.Caller), svc, boot
}
