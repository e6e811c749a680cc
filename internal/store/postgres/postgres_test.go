package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

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
