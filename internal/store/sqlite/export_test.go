package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/atriumhq/atrium/internal/store/sqlstore"
)

// Commits returns the number of batches db has committed.
func Commits(db *DB) int64 { return db.commits.Load() }

// Queued returns the number of Write calls waiting for the writer.
func Queued(db *DB) int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return len(db.queue)
}

// Closing reports whether Close has been called.
func Closing(db *DB) bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.closed
}

// SetMaxBatch sets the most Write calls committed together; 1 commits each
// alone, as a store without group commit does.
func SetMaxBatch(db *DB, n int) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.maxBatch = n
}

// DeferForeignKeys makes every later batch check its foreign keys only at
// its COMMIT, so that a test can make a COMMIT fail.
func DeferForeignKeys(db *DB) {
	db.mu.Lock() // Write takes mu too, so the writer sees testBegin
	defer db.mu.Unlock()
	db.testBegin = func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`)
		return err
	}
}

// Synchronous returns the writer's synchronous setting: 1 NORMAL, 2 FULL.
// No Write may run meanwhile.
func Synchronous(ctx context.Context, db *DB) (int, error) {
	var v int
	err := db.w.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&v)
	return v, err
}

// RelaxedCommits returns the number of batches db committed without waiting
// for the disk, and Flushes the number of checkpoints that synced them.
func RelaxedCommits(db *DB) int64 { return db.relaxedCommits.Load() }

func Flushes(db *DB) int64 { return db.flushes.Load() }

// SetFlushDelay sets how long relaxed commits wait for a sync while db is
// idle. Call it before any write.
func SetFlushDelay(db *DB, d time.Duration) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.flushDelay = d
}

// Checkpoints returns the number of checkpoints the checkpointer made that
// copied frames.
func Checkpoints(db *DB) int64 { return db.checkpoints.Load() }

// AutoCheckpoint returns the writer's wal_autocheckpoint setting. No Write
// may run meanwhile.
func AutoCheckpoint(ctx context.Context, db *DB) (int, error) {
	var v int
	err := db.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&v)
	return v, err
}

// Restarts returns the number of times the writer rewound the WAL.
func Restarts(db *DB) int64 { return db.restarts.Load() }

// SetRestartFrames sets the WAL length past which the writer rewinds it.
func SetRestartFrames(db *DB, n int64) {
	db.restartFrames.Store(n)
	db.restartAt.Store(n)
}

// RestartFailures returns the number of rewinds a reader outlasted.
func RestartFailures(db *DB) int64 { return db.restartFailures.Load() }

// WALFrames returns the number of frames in db's WAL.
func WALFrames(ctx context.Context, db *DB) (int, error) {
	var busy, logged, copied int
	err := db.c.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied)
	return logged, err
}

// MigrateTo creates the database at path with the schema of the first n
// migrations only, as an older Atrium left it.
func MigrateTo(ctx context.Context, path string, n int) error {
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer raw.Close()
	return sqlstore.Migrate(ctx, raw, &dialect, "", ms[:n])
}

// WALSizeLimit is the size the WAL is written out to and cut back to.
const WALSizeLimit = walSizeLimit

// IntegrityCheck runs PRAGMA integrity_check on a reader.
func IntegrityCheck(ctx context.Context, db *DB) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&v)
	return v, err
}
