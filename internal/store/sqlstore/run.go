package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Run runs fn in a transaction on db and commits it when fn returns nil.
func Run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, d *Dialect, fn func(*Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	t := NewTx(tx, d)
	if err = fn(t); err != nil {
		return err
	}
	if err = t.Flush(ctx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return err
	}
	t.Committed()
	return nil
}

// Migration is one numbered, forward-only schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads files named "NNNN_name.sql" from dir of fsys, in order.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.Name, i+1)
		}
	}
	return out, nil
}

// Migrate applies the migrations not yet applied, each in its own
// transaction that first runs lock (if any), so that several nodes may
// migrate one database at once. It refuses a database whose schema is newer
// than the migrations it knows.
func Migrate(ctx context.Context, db *sql.DB, d *Dialect, lock string, ms []Migration) error {
	for {
		done := false
		err := Run(ctx, db, nil, d, func(tx *Tx) error {
			if lock != "" {
				if _, err := tx.tx.ExecContext(ctx, lock); err != nil {
					return err
				}
			}
			// Under the lock: PostgreSQL fails concurrent CREATE TABLE IF NOT EXISTS.
			if _, err := tx.tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
				return fmt.Errorf("creating schema_migrations: %w", err)
			}
			var cur int
			if err := tx.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
				return err
			}
			switch {
			case cur > len(ms):
				return fmt.Errorf("the database schema is version %d, newer than this binary understands (%d): upgrade Atrium", cur, len(ms))
			case cur == len(ms):
				done = true
				return nil
			}
			m := ms[cur] // versions run 1…len(ms)
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil || done {
			return err
		}
	}
}
