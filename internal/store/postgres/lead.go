package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
)

// How leadership is held: the leader holds a session-level advisory lock on
// a connection of its own. PostgreSQL releases the lock when that session
// ends, so when the leader's process dies (or its connection drops) another
// process takes the lead at its next attempt.
const (
	// leadRetry is how often a process that does not lead tries to.
	leadRetry = time.Second
	// leadCheck is how often the leader checks its connection, and
	// leadCheckTimeout how long it waits for the answer.
	leadCheck        = time.Second
	leadCheckTimeout = 3 * time.Second
)

// The lock's key is a hash of the name and of the schema, so that several
// Atrium databases kept as schemas of one PostgreSQL database elect their
// leaders apart.
const (
	leadLockKey   = `hashtextextended(coalesce(current_schema(), '') || '/atrium-lead/' || $1, 0)`
	tryLeadSQL    = `SELECT pg_try_advisory_lock(` + leadLockKey + `)`
	unlockLeadSQL = `SELECT pg_advisory_unlock(` + leadLockKey + `)`
)

// Lead implements store.Store.
func (db *DB) Lead(ctx context.Context, name string) (<-chan struct{}, func(), error) {
	for {
		conn, err := db.tryLead(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			return nil, nil, fmt.Errorf("postgres: taking the lead of %s: %w", name, err)
		}
		if conn != nil {
			return db.hold(conn, name)
		}
		t := time.NewTimer(db.leadRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		case <-t.C:
		}
	}
}

// tryLead takes the lock on a connection of its own and returns it, or
// returns nil when another session holds the lock.
func (db *DB) tryLead(ctx context.Context, name string) (*sql.Conn, error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRowContext(ctx, tryLeadSQL, name).Scan(&got); err != nil {
		discard(conn) // it may hold the lock after all
		return nil, err
	}
	if !got {
		conn.Close()
		return nil, nil
	}
	return conn, nil
}

// hold keeps the lock of the leader: it checks the connection every
// leadCheck and closes lost when the check fails; release unlocks.
func (db *DB) hold(conn *sql.Conn, name string) (<-chan struct{}, func(), error) {
	lost, stop, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(db.leadCheck)
		defer t.Stop()
		for {
			select {
			case <-stop:
				ctx, cancel := context.WithTimeout(context.Background(), leadCheckTimeout)
				_, err := conn.ExecContext(ctx, unlockLeadSQL, name)
				cancel()
				if err != nil {
					discard(conn) // closing the session releases the lock
				} else {
					conn.Close()
				}
				select {
				case <-lost:
				default:
					close(lost)
				}
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), leadCheckTimeout)
				err := conn.PingContext(ctx)
				cancel()
				if err != nil {
					discard(conn)
					close(lost)
					<-stop
					return
				}
			}
		}
	}()
	release := sync.OnceFunc(func() { close(stop); <-done })
	return lost, release, nil
}

// discard closes a connection for good rather than return it to the pool,
// so that a session that may hold a lock ends.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
