package service_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

var errInjected = errors.New("injected store failure")

// faultStore fails, on demand, the user queries and the audit appends of
// the transactions it hands out.
type faultStore struct {
	store.Store
	failQuery, failAudit atomic.Bool
}

func (f *faultStore) wrap(fn func(store.Tx) error) func(store.Tx) error {
	return func(tx store.Tx) error { return fn(faultTx{tx, f}) }
}

func (f *faultStore) Read(ctx context.Context, fn func(store.Tx) error) error {
	return f.Store.Read(ctx, f.wrap(fn))
}

func (f *faultStore) Write(ctx context.Context, fn func(store.Tx) error) error {
	return f.Store.Write(ctx, f.wrap(fn))
}

func (f *faultStore) WriteRelaxed(ctx context.Context, fn func(store.Tx) error) error {
	return f.Store.WriteRelaxed(ctx, f.wrap(fn))
}

type faultTx struct {
	store.Tx
	f *faultStore
}

func (t faultTx) ListUsers(ctx context.Context, instanceID string, q store.UserQuery) ([]directory.User, error) {
	if t.f.failQuery.Load() {
		return nil, errInjected
	}
	return t.Tx.ListUsers(ctx, instanceID, q)
}

func (t faultTx) AppendAudit(ctx context.Context, key []byte, instanceID string, at time.Time, name string, data []byte) (audit.Record, error) {
	if t.f.failAudit.Load() {
		return audit.Record{}, errInjected
	}
	return t.Tx.AppendAudit(ctx, key, instanceID, at, name, data)
}

// TestLookupFailures: a lookup (a read of a few rows, run in the
// transaction of its audit event) that fails in the store is audited in a
// transaction of its own; one whose event cannot be written fails and
// leaves nothing; one that fails in the domain leaves one event.
func TestLookupFailures(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.DataDir = t.TempDir()
			if engine == "postgres" {
				cfg.DatabaseURL = storetest.NewPostgresDatabase(t)
			}
			testLookupFailures(t, cfg)
		})
	}
}

func testLookupFailures(t *testing.T, cfg config.Config) {
	fs := &faultStore{}
	ctx, svc, boot := startService(t, cfg, arn.Generator{}, func(st store.Store) store.Store { fs.Store = st; return fs })
	ctx = reqctx.WithRequest(ctx, &reqctx.Request{ID: "lookup-test"})
	storeID := boot.Instance.IdentityStoreID
	u, err := svc.CreateUser(ctx, storeID, &directory.User{UserName: "alice", DisplayName: "Alice", Name: &directory.Name{GivenName: "Alice", FamilyName: "Liddell"}})
	if err != nil {
		t.Fatal(err)
	}
	byName := service.AlternateIdentifier{AttributePath: "userName", AttributeValue: []byte(`"alice"`)}

	events := func() []audit.Event { return allEvents(t, svc) }
	check := func(name string, before []audit.Event, want []string) {
		t.Helper()
		after := events()
		var got []string
		for _, e := range after[len(before):] {
			if e.EventName != "GetUserId" || e.RequestID != "lookup-test" {
				t.Errorf("%s: event %s (request %s), want GetUserId of lookup-test", name, e.EventName, e.RequestID)
			}
			got = append(got, e.ErrorCode)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: events with error codes %q, want %q", name, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: event %d error code %q, want %q", name, i, got[i], want[i])
			}
		}
		if n, err := svc.VerifyAudit(ctx); err != nil || n != int64(len(after)) {
			t.Errorf("%s: audit verify = %d, %v; want %d events intact", name, n, err, len(after))
		}
	}

	before := events()
	if id, err := svc.GetUserID(ctx, storeID, byName); err != nil || id != u.UserID {
		t.Fatalf("GetUserID = %q, %v; want %s", id, err, u.UserID)
	}
	check("a lookup", before, []string{""})

	before = events()
	missing := service.AlternateIdentifier{AttributePath: "userName", AttributeValue: []byte(`"nobody"`)}
	if _, err := svc.GetUserID(ctx, storeID, missing); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("GetUserID of no user = %v, want not found", err)
	}
	check("a lookup of nothing", before, []string{"ResourceNotFoundException"})

	before = events()
	fs.failQuery.Store(true)
	_, err = svc.GetUserID(ctx, storeID, byName)
	fs.failQuery.Store(false)
	if errs.KindOf(err) != errs.Internal || !errors.Is(err, errInjected) {
		t.Fatalf("GetUserID with a failing store = %v, want the internal failure", err)
	}
	check("a lookup that fails in the store", before, []string{"InternalServerException"})

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := svc.GetUserID(cancelled, storeID, byName); errs.KindOf(err) != errs.Unavailable {
		t.Errorf("GetUserID of a cancelled call = %v (%s), want it cancelled", err, errs.KindOf(err))
	}

	before = events()
	fs.failAudit.Store(true)
	_, err = svc.GetUserID(ctx, storeID, byName)
	fs.failAudit.Store(false)
	if err == nil || !errors.Is(err, errInjected) {
		t.Fatalf("GetUserID whose event cannot be written = %v, want the failure", err)
	}
	check("a lookup whose event cannot be written", before, nil)
}
