package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	msqlite "modernc.org/sqlite"

	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/sqlite"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

func mustOpen(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open(%q) = %v, want nil", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
	})
}

func schemaVersions(t *testing.T, path string) []int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atrium.db")
	db := mustOpen(t, path)
	if err := db.Write(t.Context(), func(tx store.Tx) error { return tx.SetMeta(t.Context(), "k", "v") }); err != nil {
		t.Fatalf("Write() = %v, want nil", err)
	}
	db.Close()
	want := schemaVersions(t, path)

	db = mustOpen(t, path)
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
	if v := schemaVersions(t, path); len(v) == 0 || len(v) != len(want) {
		t.Errorf("schema versions after reopening = %v, want %v", v, want)
	}
}

func TestPermissionSetCountMigration(t *testing.T) {
	// A database of an Atrium without the count (8 migrations) gets it from
	// the permission sets it holds.
	path := filepath.Join(t.TempDir(), "atrium.db")
	if err := sqlite.MigrateTo(t.Context(), path, 8); err != nil {
		t.Fatalf("MigrateTo(8) = %v", err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO instances (id, identity_store_id, name, owner_account_id, status, created_at) VALUES ('ssoins-1', 'd-1', 'a', '111111111111', 'ACTIVE', 0), ('ssoins-2', 'd-2', 'b', '111111111111', 'ACTIVE', 0)`,
		`INSERT INTO permission_sets (instance_id, id, name, name_lower, description, session_duration, relay_state, inline_policy,
			boundary_managed_arn, boundary_policy_name, boundary_policy_path, version, created_at, updated_at)
			VALUES ('ssoins-1', 'ps-1', 'A', 'a', '', 'PT1H', '', '', '', '', '', 1, 0, 0), ('ssoins-1', 'ps-2', 'B', 'b', '', 'PT1H', '', '', '', '', '', 1, 0, 0)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	db := mustOpen(t, path)
	defer db.Close()
	for id, want := range map[string]int{"ssoins-1": 2, "ssoins-2": 0} {
		var n int
		err := db.Read(t.Context(), func(tx store.Tx) (err error) { n, err = tx.CountPermissionSets(t.Context(), id); return err })
		if n != want || err != nil {
			t.Errorf("CountPermissionSets(%s) after the migration = %d, %v, want %d", id, n, err, want)
		}
	}
}

func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atrium.db")
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open() #%d = %v, want nil", i, err)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atrium.db")
	mustOpen(t, path).Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err == nil {
		db.Close()
		t.Fatalf("Open(database of schema 9999) = nil, want an error")
	}
	if !strings.Contains(err.Error(), "9999") || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open(database of schema 9999) = %q, want an error naming version 9999 as newer", err)
	}
}

func TestOpenRejectsPath(t *testing.T) {
	tests := []struct {
		name string
		path string
	}{
		{name: "query", path: filepath.Join(t.TempDir(), "a.db?mode=ro")},
		{name: "fragment", path: filepath.Join(t.TempDir(), "a.db#x")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if db, err := sqlite.Open(t.Context(), tc.path, sqlite.Options{}); err == nil {
				db.Close()
				t.Errorf("Open(%q) = nil, want an error", tc.path)
			}
		})
	}
}

func TestCommitsWithFdatasync(t *testing.T) {
	// Where the platform has fdatasync, SQLite commits with it once a
	// store is open.
	mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
	if runtime.GOOS == "linux" && !msqlite.FdatasyncEnabled() {
		t.Error("SQLite syncs with fsync(2) on Linux, want fdatasync(2)")
	}
}
