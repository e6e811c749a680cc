// Package postgres is the PostgreSQL engine of the store, for deployments of
// many Atrium nodes on one database. It uses pgx.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Advisory lock keys. Each is held for one transaction.
const (
	lockMigrate   = 0x61747269756d01 // "atrium" 01
	lockBootstrap = 0x61747269756d02
)

// DB is a PostgreSQL store.
type DB struct {
	db *sql.DB
	// leadRetry and leadCheck time the election (see lead.go).
	leadRetry, leadCheck time.Duration
}

var (
	_ store.Store          = (*DB)(nil)
	_ store.ChangeListener = (*DB)(nil)
	_ store.WorkListener   = (*DB)(nil)
)

var dialect = sqlstore.Dialect{
	IsUniqueViolation:     func(err error) bool { return sqlState(err) == "23505" },
	IsForeignKeyViolation: func(err error) bool { return sqlState(err) == "23503" },
	LockBootstrap:         fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", lockBootstrap),
	ForUpdate:             "FOR UPDATE",
	RelaxCommit:           "SET LOCAL synchronous_commit TO OFF",
	NotifyChanges:         "SELECT pg_notify('" + changesChannel + "', " + notifyPayload + ")",
	NotifyWork:            "SELECT pg_notify('" + workChannel + "', " + notifyPayload + ")",
}

// notifyPayload names the schema of the notifying transaction: channels
// span the whole PostgreSQL database, which may keep several Atrium
// databases as schemas, and a listener ignores the others' notifications.
const notifyPayload = "coalesce(current_schema(), '')"

// The LISTEN/NOTIFY channels: of the change feed, and of the work queued
// for the background workers.
const (
	changesChannel = "atrium_changes"
	workChannel    = "atrium_work"
)

func sqlState(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Open connects to the database at url (postgres://…) and brings its schema
// up to date. Several nodes may open the same database at once.
func Open(ctx context.Context, url string) (*DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := sqlstore.Migrate(ctx, db, &dialect, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", lockMigrate), ms); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &DB{db: db, leadRetry: leadRetry, leadCheck: leadCheck}, nil
}

var _ = stdlib.GetDefaultDriver // registers the "pgx" database/sql driver

// Engine implements store.Store.
func (db *DB) Engine() string { return "postgres" }

// readTx makes a Read see one snapshot, as SQLite's do: under READ
// COMMITTED each statement would see the commits made since the one before
// (an audit head, then events appended after it).
var readTx = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}

// SerialWrites implements store.Store: writes run side by side, under
// READ COMMITTED.
func (db *DB) SerialWrites() bool { return false }

// Read implements store.Store.
func (db *DB) Read(ctx context.Context, fn func(store.Tx) error) error {
	return sqlstore.Run(ctx, db.db, readTx, &dialect, func(tx *sqlstore.Tx) error { return fn(tx) })
}

// Write implements store.Store.
func (db *DB) Write(ctx context.Context, fn func(store.Tx) error) error {
	return sqlstore.Run(ctx, db.db, nil, &dialect, func(tx *sqlstore.Tx) error { return fn(tx) })
}

// WriteBulk implements store.Store: as Write, each write being a
// transaction of its own here.
func (db *DB) WriteBulk(ctx context.Context, fn func(store.Tx) error) error {
	return db.Write(ctx, fn)
}

// WriteRelaxed implements store.Store: the transaction commits with
// synchronous_commit off, so COMMIT does not wait for its WAL to reach the
// disk. PostgreSQL's WAL writer flushes it within three wal_writer_delay
// (600 ms by default), and any later synchronous commit flushes it first.
func (db *DB) WriteRelaxed(ctx context.Context, fn func(store.Tx) error) error {
	return sqlstore.Run(ctx, db.db, nil, &dialect, func(tx *sqlstore.Tx) error {
		if err := tx.RelaxCommit(ctx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// Ping implements store.Store.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// Close implements store.Store.
func (db *DB) Close() error { return db.db.Close() }

// ListenChanges implements store.ChangeListener: it holds one connection of
// the pool that LISTENs to the change feed's channel, on which every
// transaction that appends changes NOTIFYs when it commits.
func (db *DB) ListenChanges(ctx context.Context, notify func()) error {
	if err := db.listen(ctx, changesChannel, notify); err != nil {
		return fmt.Errorf("postgres: listening for changes: %w", err)
	}
	return nil
}

// ListenWork implements store.WorkListener like ListenChanges, on the
// channel Tx.NotifyWork notifies.
func (db *DB) ListenWork(ctx context.Context, notify func()) error {
	if err := db.listen(ctx, workChannel, notify); err != nil {
		return fmt.Errorf("postgres: listening for work: %w", err)
	}
	return nil
}

// listen holds one connection of the pool that LISTENs to channel and calls
// notify on each notification, until ctx ends (it returns ctx.Err()
// unwrapped) or the connection fails.
func (db *DB) listen(ctx context.Context, channel string, notify func()) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	defer conn.Close()
	var waitErr error
	err = conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		var schema string
		if err := c.QueryRow(ctx, "SELECT "+notifyPayload).Scan(&schema); err != nil {
			return err
		}
		if _, err := c.Exec(ctx, "LISTEN "+channel); err != nil {
			return err
		}
		for {
			n, err := c.WaitForNotification(ctx)
			if err != nil {
				waitErr = err
				// The connection still LISTENs: the pool must not reuse it.
				return driver.ErrBadConn
			}
			if n.Payload == schema {
				notify()
			}
		}
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if waitErr != nil {
		err = waitErr
	}
	return err
}
