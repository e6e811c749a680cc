package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/postgres"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

func mustOpen(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open() = %v, want nil", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.NewPostgresDatabase(t) // skips early without a server
	storetest.Run(t, func(t *testing.T) store.Store {
		return mustOpen(t, storetest.NewPostgresDatabase(t))
	})
}

func mustExec(t *testing.T, url, q string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func schemaVersions(t *testing.T, url string) int {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsIdempotent(t *testing.T) {
	url := storetest.NewPostgresDatabase(t)
	db := mustOpen(t, url)
	if err := db.Write(t.Context(), func(tx store.Tx) error { return tx.SetMeta(t.Context(), "k", "v") }); err != nil {
		t.Fatalf("Write() = %v, want nil", err)
	}
	db.Close()
	want := schemaVersions(t, url)

	db = mustOpen(t, url)
	var got string
	err := db.Read(t.Context(), func(tx store.Tx) error {
		var err error
		got, err = tx.GetMeta(t.Context(), "k")
		return err
	})
	if got != "v" || err != nil {
		t.Errorf("GetMeta(k) after reopening = %q, %v, want v, nil", got, err)
	}
	db.Close()
	if n := schemaVersions(t, url); n == 0 || n != want {
		t.Errorf("schema versions after reopening = %d, want %d", n, want)
	}
}

func TestConcurrentOpen(t *testing.T) {
	url := storetest.NewPostgresDatabase(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			db, err := postgres.Open(t.Context(), url)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open() #%d = %v, want nil", i, err)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	url := storetest.NewPostgresDatabase(t)
	mustOpen(t, url).Close()
	mustExec(t, url, `INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`)
	db, err := postgres.Open(t.Context(), url)
	if err == nil {
		db.Close()
		t.Fatalf("Open(database of schema 9999) = nil, want an error")
	}
	if !strings.Contains(err.Error(), "9999") || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open(database of schema 9999) = %q, want an error naming version 9999 as newer", err)
	}
}

// TestListenChanges checks that a transaction appending changes wakes the
// listeners of every connection when it commits, and only then.
func TestListenChanges(t *testing.T) {
	url := storetest.NewPostgresDatabase(t)
	db, other := mustOpen(t, url), mustOpen(t, url)
	ctx, cancel := context.WithCancel(t.Context())
	woken := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() { done <- other.ListenChanges(ctx, func() { woken <- struct{}{} }) }()
	appendOne := func(commit bool) {
		err := db.Write(t.Context(), func(tx store.Tx) error {
			if _, err := tx.AppendChanges(t.Context(), []store.Change{{InstanceID: "i", Kind: "user", EntityID: "u"}}); err != nil {
				return err
			}
			if !commit {
				return errRollback
			}
			return nil
		})
		if commit && err != nil {
			t.Fatalf("Write() = %v", err)
		}
	}
	// The listener may not be listening yet: append until it wakes.
	deadline := time.After(10 * time.Second)
	for woke := false; !woke; {
		appendOne(true)
		select {
		case <-woken:
			woke = true
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification within 10s of a committed append")
		}
	}
	for len(woken) > 0 {
		<-woken
	}
	appendOne(false)
	select {
	case <-woken:
		t.Errorf("a rolled-back append woke the listener")
	case <-time.After(300 * time.Millisecond):
	}
	// Another Atrium database, a schema of the same PostgreSQL database,
	// notifies the same channel: its listeners alone wake.
	elsewhere := mustOpen(t, storetest.NewPostgresDatabase(t))
	if err := elsewhere.Write(t.Context(), func(tx store.Tx) error {
		_, err := tx.AppendChanges(t.Context(), []store.Change{{InstanceID: "i", Kind: "user", EntityID: "u"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
		t.Errorf("an append to another schema woke the listener")
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("ListenChanges() after cancel = %v, want context.Canceled", err)
	}
	// The listening connection is not reused: the pool still works.
	appendOne(true)
}

var errRollback = errors.New("roll back")

// TestLead checks the election: one process leads at a time; another takes
// the lead when the leader releases it, or when the leader's session ends
// (its connection dropped), and the old leader then learns it lost.
func TestLead(t *testing.T) {
	url := storetest.NewPostgresDatabase(t)
	a, b := mustOpen(t, url), mustOpen(t, url)
	for _, db := range []*postgres.DB{a, b} {
		postgres.SetLeadTiming(db, 20*time.Millisecond, 50*time.Millisecond)
	}
	lead := func(db *postgres.DB, within time.Duration) (<-chan struct{}, func(), error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), within)
		defer cancel()
		return db.Lead(ctx, "workers")
	}
	lostA, releaseA, err := lead(a, 5*time.Second)
	if err != nil {
		t.Fatalf("Lead() with nobody leading = %v", err)
	}
	if _, _, err := lead(b, 300*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lead() while another process leads = %v, want it to wait until its context ends", err)
	}
	// Another name is another election.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	_, releaseOther, err := b.Lead(ctx, "other")
	cancel()
	if err != nil {
		t.Fatalf("Lead(another name) = %v", err)
	}
	releaseOther()

	// Released: b takes over.
	releaseA()
	<-lostA
	lostB, releaseB, err := lead(b, 5*time.Second)
	if err != nil {
		t.Fatalf("Lead() after the leader released = %v", err)
	}
	select {
	case <-lostB:
		t.Fatal("lost closed while leading")
	default:
	}

	// b's session is killed: b learns it lost, and a takes over.
	mustExec(t, url, `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(current_schema() || '/atrium-lead/workers', 0)`)
	select {
	case <-lostB:
	case <-time.After(5 * time.Second):
		t.Fatal("the leader did not learn within 5s that its session ended")
	}
	releaseB()
	_, releaseA, err = lead(a, 5*time.Second)
	if err != nil {
		t.Fatalf("Lead() after the leader's session ended = %v", err)
	}
	releaseA()
	// The pools still work.
	for _, db := range []*postgres.DB{a, b} {
		if err := db.Ping(t.Context()); err != nil {
			t.Errorf("Ping() after the election = %v", err)
		}
	}
}
