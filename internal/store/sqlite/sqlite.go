// Package sqlite is the embedded SQLite engine of the store: WAL mode,
// foreign keys on, one writer and many readers, pure Go.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a SQLite store.
type DB struct {
	w, r *sql.DB // one writer connection, a pool of readers
}

var _ store.Store = (*DB)(nil)

var dialect = sqlstore.Dialect{IsUniqueViolation: isUnique, IsForeignKeyViolation: isForeignKey}

func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := code(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isForeignKey(err error) bool { return code(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY }

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: the database path must not contain ? or #")
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		w.Close()
		return nil, err
	}
	if err := sqlstore.Migrate(ctx, w, &dialect, "", ms); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// The database holds sealed secrets and the audit trail: owner only.
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.Close()
			return nil, err
		}
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{w: w, r: r}, nil
}

// Engine implements store.Store.
func (db *DB) Engine() string { return "sqlite" }

// Read implements store.Store.
func (db *DB) Read(ctx context.Context, fn func(store.Tx) error) error {
	return sqlstore.Run(ctx, db.r, &sql.TxOptions{ReadOnly: true}, &dialect, func(tx *sqlstore.Tx) error { return fn(tx) })
}

// Write implements store.Store.
func (db *DB) Write(ctx context.Context, fn func(store.Tx) error) error {
	return sqlstore.Run(ctx, db.w, nil, &dialect, func(tx *sqlstore.Tx) error { return fn(tx) })
}

// Ping implements store.Store.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Close implements store.Store.
func (db *DB) Close() error {
	return errors.Join(db.r.Close(), db.w.Close())
}
