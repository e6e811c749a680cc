// Package sqlite is the embedded SQLite engine of the store: WAL mode,
// foreign keys on, one writer and many readers, pure Go.
//
// Writes are committed in groups: concurrent Write calls queue for one
// writer goroutine, which runs the functions waiting, in order, each under a
// savepoint of one transaction, and commits them together, so that one sync
// of the disk serves them all (see write.go).
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
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options are the settings of a SQLite store.
type Options struct {
	// Synchronous is SQLite's synchronous setting. "FULL", the default,
	// syncs the disk at every commit: a write that Write acknowledged
	// survives a power loss. "NORMAL" syncs only at checkpoints: faster, and
	// the database stays consistent, but the writes acknowledged since the
	// last checkpoint may be lost on a power loss (not on a crash of Atrium).
	Synchronous string
	// PreallocateWAL writes the WAL file out to the size it is kept at
	// (walSizeLimit) with zeros at Open, as PostgreSQL does its WAL
	// segments: a commit then overwrites blocks the file system has
	// already allocated, and its sync writes no metadata, where a commit
	// that grows the file makes the file system allocate blocks and journal
	// them first; on ext4 that made a commit's sync take about twice as
	// long. The WAL is deleted when the store closes, so every Open writes
	// it out again (64 MiB: about 0.15 s on a virtual disk).
	PreallocateWAL bool
}

func (o Options) synchronous() (string, error) {
	switch s := strings.ToUpper(o.Synchronous); s {
	case "":
		return "FULL", nil
	case "FULL", "NORMAL":
		return s, nil
	}
	return "", fmt.Errorf("sqlite: synchronous must be FULL or NORMAL, not %q", o.Synchronous)
}

// writerCacheKiB is the size of the writer connection's page cache.
const writerCacheKiB = 64 << 10

// checkpointEvery is how often the checkpointer copies the WAL's new
// frames into the database; walSizeLimit is the size the WAL file is cut
// back to once it has been copied and rewound.
const (
	checkpointEvery = 200 * time.Millisecond
	walSizeLimit    = 64 << 20
)

// restartFrames is the length of the WAL, in frames, past which the writer
// rewinds it once the checkpointer has copied it all (a RESTART checkpoint,
// see restartWAL), and restartWait how long it then waits for the readers
// still reading it. SQLite rewinds the WAL on its own only when a write
// begins while no reader reads from it: under steady reads that never
// happens, and the WAL grew by every page written (gigabytes while a
// directory was provisioned), while each reader searched ever more of its
// index.
const (
	restartFrames = walSizeLimit / 4096
	restartWait   = 50 * time.Millisecond
)

// busyTimeout is how long a connection waits for a lock another holds.
const busyTimeout = 10 * time.Second

// maxBatch bounds the number of Write functions committed together.
const maxBatch = 256

// flushDelay is how long relaxed commits may wait for a sync while the
// store is idle.
const flushDelay = 500 * time.Millisecond

// DB is a SQLite store.
type DB struct {
	r *sql.DB // a pool of readers
	w *sql.DB // one connection, used by the writer goroutine only
	c *sql.DB // one connection, used by the checkpointer only

	ckptStop    chan struct{} // closed to stop the checkpointer
	ckptStopped chan struct{} // closed when it has stopped
	checkpoints atomic.Int64  // checkpoints that copied frames, for tests
	// restartDue asks the writer to rewind the WAL (set by the
	// checkpointer, cleared by the writer); restarts counts the rewinds,
	// restartFailures the tries a reader outlasted.
	restartDue      atomic.Bool
	restarts        atomic.Int64
	restartFailures atomic.Int64
	restartFrames   atomic.Int64 // restartFrames, or a test's
	// restartAt is the WAL length of the next try: restartFrames, doubled
	// after each try that failed, so that long reads cannot make writes
	// wait restartWait every checkpointEvery.
	restartAt atomic.Int64

	mu       sync.Mutex
	wake     sync.Cond  // signalled when queue grows or closed is set
	queue    []*request // Write calls waiting for the writer, in order
	closed   bool       // no more Write calls are taken
	maxBatch int
	stopped  chan struct{} // closed when the writer goroutine returns

	sync       string        // the configured synchronous level
	flushDelay time.Duration // see the const
	flushArmed bool          // a flush timer runs (guarded by mu)
	flushDue   bool          // the flush timer fired (guarded by mu)
	// Owned by the writer goroutine:
	curSync        string       // the writer connection's synchronous level now
	unsynced       bool         // relaxed commits may not be on the disk yet
	flushes        atomic.Int64 // checkpoints that synced relaxed commits, for tests
	relaxedCommits atomic.Int64 // batches committed without a sync, for tests

	closeOnce sync.Once
	closeErr  error

	commits   atomic.Int64                         // batches committed, for tests
	testBegin func(context.Context, *sql.Tx) error // run at the start of each batch, for tests
}

var _ store.Store = (*DB)(nil)

var dialect = sqlstore.Dialect{IsUniqueViolation: isUnique, IsForeignKeyViolation: isForeignKey, StatementsUndoAlone: true}

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

func dsn(path string, readOnly bool, synchronous string) string {
	q := url.Values{}
	// temp_store=MEMORY keeps statement journals in memory: every write
	// runs under savepoints (write.go, sqlstore's atomic), and SQLite copies
	// each page a statement changes to a statement journal, which otherwise
	// spills to a temporary file past 64 KiB.
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()), "synchronous(" + synchronous + ")", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// The writer's page cache holds a batch's dirty pages: with
		// SQLite's default of 2 MiB, a batch of membership inserts, which
		// change pages all over six B-trees, spills pages to the WAL
		// before its commit and writes them there again at the commit.
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -writerCacheKiB))
		// Checkpoints run on a connection of their own (checkpointLoop),
		// not inside the commit of whichever write fills the WAL past
		// SQLite's threshold: that commit's callers waited for the copy
		// and the sync of the database file.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: the database path must not contain ? or #")
	}
	synchronous, err := opts.synchronous()
	if err != nil {
		return nil, err
	}
	syncWithFdatasync()
	drv := &sqlite.Driver{}
	r := sql.OpenDB(&connector{drv: drv, dsn: dsn(path, true, synchronous)}) // connects on first use
	w := sql.OpenDB(&connector{drv: drv, dsn: dsn(path, false, synchronous), writer: true})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	fail := func(err error) (*DB, error) {
		return nil, errors.Join(err, w.Close(), r.Close())
	}
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return fail(err)
	}
	// Switching a new database to WAL takes an exclusive lock that SQLite's
	// busy handler does not wait for: when several processes open one new
	// database at once, the losers retry.
	for attempt := 0; ; attempt++ {
		err := sqlstore.Migrate(ctx, w, &dialect, "", ms)
		if err == nil {
			break
		}
		if !isBusy(err) || attempt == 100 || ctx.Err() != nil {
			return fail(fmt.Errorf("sqlite: %w", err))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The database holds sealed secrets and the audit trail: owner only.
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(err)
		}
	}
	if opts.PreallocateWAL {
		if err := preallocateWAL(ctx, w, path+"-wal", walSizeLimit); err != nil {
			return fail(fmt.Errorf("sqlite: writing out the WAL: %w", err))
		}
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	c := sql.OpenDB(&connector{drv: drv, dsn: dsn(path, false, "FULL")})
	c.SetMaxOpenConns(1)
	db := &DB{r: r, w: w, c: c, maxBatch: maxBatch, stopped: make(chan struct{}),
		sync: synchronous, curSync: synchronous, flushDelay: flushDelay,
		ckptStop: make(chan struct{}), ckptStopped: make(chan struct{})}
	db.wake.L = &db.mu
	db.restartFrames.Store(restartFrames)
	db.restartAt.Store(restartFrames)
	go db.writeLoop()
	go db.checkpointLoop()
	return db, nil
}

// syncWithFdatasync makes SQLite commit with fdatasync(2), where there is
// one, instead of fsync(2), for the whole process, as SQLite's own builds
// for Linux do (the library's transpiled build keeps fsync unless told).
// fdatasync writes a file's data and the metadata needed to read it back,
// its size included, but not its timestamps: just as durable, and it
// spares a commit the journaling of the WAL's modification time. With it,
// CreateAccountAssignment through the SDK ran 16% faster (four alternated
// pairs of runs of the side-by-side script). Where fdatasync is missing
// (macOS, Windows) SQLite keeps its own way.
var syncWithFdatasync = sync.OnceFunc(func() { _, _ = sqlite.Fdatasync(true) })

// preallocateWAL writes zeros from the end of the WAL file at path to size
// and syncs them (see Options.PreallocateWAL). It holds the write lock
// meanwhile, so that no connection, of this process or another, appends to
// the WAL or rewinds it. SQLite reads a WAL's frames from its start up to
// the first whose checksum fails: zeros past the last commit are never
// taken for frames, and each commit writes over them.
func preallocateWAL(ctx context.Context, w *sql.DB, path string, size int64) error {
	tx, err := w.BeginTx(ctx, nil) // BEGIN IMMEDIATE (the writer's _txlock)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no WAL yet: SQLite makes it at the first write
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() >= size {
		return err
	}
	zeros := make([]byte, 1<<20)
	for off := st.Size(); off < size; {
		n, err := f.WriteAt(zeros[:min(int64(len(zeros)), size-off)], off)
		if err != nil {
			return err
		}
		off += int64(n)
	}
	return f.Sync()
}

// Engine implements store.Store.
func (db *DB) Engine() string { return "sqlite" }

// SerialWrites implements store.Store: one writer runs the writes, in
// order.
func (db *DB) SerialWrites() bool { return true }

// Read implements store.Store.
func (db *DB) Read(ctx context.Context, fn func(store.Tx) error) error {
	return sqlstore.Run(ctx, db.r, &sql.TxOptions{ReadOnly: true}, &dialect, func(tx *sqlstore.Tx) error { return fn(tx) })
}

// Lead implements store.Store. A SQLite database serves one process, whose
// one writer serializes every write: that process leads at once, until it
// releases the lead.
func (db *DB) Lead(ctx context.Context, name string) (<-chan struct{}, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	lost := make(chan struct{})
	return lost, sync.OnceFunc(func() { close(lost) }), nil
}

// Ping implements store.Store.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Close implements store.Store. It waits for the Write calls already taken
// to finish, and refuses later ones.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.mu.Lock()
		db.closed = true
		db.wake.Broadcast()
		db.mu.Unlock()
		<-db.stopped
		close(db.ckptStop)
		<-db.ckptStopped
		db.closeErr = errors.Join(db.r.Close(), db.c.Close(), db.w.Close())
	})
	return db.closeErr
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// checkpointLoop copies the WAL's new frames into the database every
// checkpointEvery, on its own connection, beside the writer and the
// readers (PASSIVE: it neither waits for nor blocks them). A checkpoint
// syncs the WAL before it copies, so relaxed commits are durable within
// checkpointEvery under load too.
func (db *DB) checkpointLoop() {
	defer close(db.ckptStopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-db.ckptStop:
			return
		case <-t.C:
			var busy, logged, copied int
			err := db.c.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied)
			if err == nil && copied > 0 {
				db.checkpoints.Add(1)
			}
			if err == nil && busy == 0 && int64(logged) >= db.restartAt.Load() && copied >= logged {
				db.restartDue.Store(true) // the writer rewinds before its next batch
			}
		}
	}
}
