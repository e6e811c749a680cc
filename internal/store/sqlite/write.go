package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/sqlstore"
)

// Group commit.
//
// Write queues its call and waits. One writer goroutine takes every call
// waiting (up to maxBatch, without waiting for more: an idle store adds no
// latency), begins one transaction, and hands it to the calls in queue order,
// each under the savepoint atrium_write (sqlstore's methods nest their own,
// atrium_call, inside it). A call's function runs in the caller's own
// goroutine while the writer waits, so a panic or a runtime.Goexit unwinds
// the caller as before and never the writer. A function that fails, panics
// or exits is rolled back to its savepoint; the others stay. Then one COMMIT,
// one sync of the disk, answers them all: each call gets its own function's
// error, or, when the COMMIT fails, the COMMIT's error. A call alone in its
// batch needs no savepoint (its failure rolls the batch back), and a bulk
// call (WriteBulk) is always alone: see runOne. The OnCommit functions of
// the calls that succeeded run after the COMMIT, before any call returns.
//
// Each function sees the effects of those before it, exactly as if the calls
// had run one after the other: the writes stay serializable.
//
// Relaxed writes (WriteRelaxed). A batch made only of relaxed calls commits
// with synchronous=NORMAL: its frames reach the WAL, but the writer does not
// wait for the disk. The WAL is a sequence, so the next batch that commits
// with synchronous=FULL syncs them too; when none comes, the writer, once
// idle, checkpoints the WAL within flushDelay, which syncs it. A batch that
// holds one call that is not relaxed commits durably for all its calls.

// A request is one Write call.
type request struct {
	ctx     context.Context
	relaxed bool         // the caller need not wait for the disk
	alone   bool         // in a batch of its own (WriteBulk)
	state   atomic.Int32 // queued, then started (by the writer) or abandoned
	reply   chan reply   // writer to caller: the turn, then the verdict
	ran     chan error   // caller to writer: how the function ended
}

const (
	queued int32 = iota
	started
	abandoned // the caller's context ended first; its function never runs
)

// reply is the writer's message to a caller: the transaction when its turn
// comes (tx != nil), or the verdict.
type reply struct {
	tx  *sqlstore.Tx
	err error
}

// errAborted tells the writer that a function panicked or called
// runtime.Goexit; no caller sees it.
var errAborted = errors.New("sqlite: the write function panicked or exited")

var errClosed = errors.New("sqlite: the store is closed")

// start reports whether the writer may run r, and then marks it started.
func (r *request) start() bool {
	if r.ctx.Err() != nil {
		r.state.CompareAndSwap(queued, abandoned)
	}
	return r.state.CompareAndSwap(queued, started)
}

// Write implements store.Store. A call whose ctx ends before its function
// starts returns ctx.Err(), and its function never runs. Once started, the
// function runs with its own ctx (ended, its next statement fails), and the
// call returns when its batch is committed or rolled back.
func (db *DB) Write(ctx context.Context, fn func(store.Tx) error) error {
	return db.write(ctx, false, false, fn)
}

// WriteBulk implements store.Store: fn runs like Write's, in a batch of its
// own and without a savepoint around it (see runOne).
func (db *DB) WriteBulk(ctx context.Context, fn func(store.Tx) error) error {
	return db.write(ctx, false, true, fn)
}

// WriteRelaxed implements store.Store: see the comment at the top of the
// file.
func (db *DB) WriteRelaxed(ctx context.Context, fn func(store.Tx) error) error {
	return db.write(ctx, true, false, fn)
}

func (db *DB) write(ctx context.Context, relaxed, alone bool, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, relaxed: relaxed, alone: alone, reply: make(chan reply, 1), ran: make(chan error, 1)}
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return errClosed
	}
	db.queue = append(db.queue, r)
	db.wake.Signal()
	db.mu.Unlock()

	var turn reply
	select {
	case turn = <-r.reply:
	case <-ctx.Done():
		r.state.CompareAndSwap(queued, abandoned)
		if r.state.Load() == abandoned {
			return ctx.Err()
		}
		turn = <-r.reply // the writer started it first
	}
	if turn.tx == nil {
		return turn.err // the transaction could not begin
	}
	if err := ctx.Err(); err != nil {
		r.ran <- err
		return err
	}
	returned := false
	defer func() {
		if !returned {
			// fn panicked or called runtime.Goexit: the writer undoes it,
			// and the panic or the exit goes on here.
			r.ran <- errAborted
		}
	}()
	err := fn(turn.tx)
	returned = true
	r.ran <- err
	return (<-r.reply).err
}

// exec runs a statement that returns no rows.
func exec(ctx context.Context, tx *sql.Tx, q string) error {
	_, err := tx.ExecContext(ctx, q)
	return err
}

// writeLoop runs batches until the store is closed and its queue empty.
func (db *DB) writeLoop() {
	defer close(db.stopped)
	var carry []*request
	for {
		if db.restartDue.Load() {
			db.restartWAL()
		}
		batch, flush := db.next(carry)
		if flush {
			db.flush()
			continue
		}
		if len(batch) == 0 {
			if db.unsynced {
				db.flush()
			}
			return
		}
		carry = db.runBatch(batch)
	}
}

// next returns carry and the calls queued after it, up to maxBatch in all,
// waiting for one if there is none; it returns none once the store is closed
// and nothing is left. While it waits with relaxed commits unsynced, it arms
// a timer, and reports flush when the timer fires first.
func (db *DB) next(carry []*request) (batch []*request, flush bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for len(carry) == 0 && len(db.queue) == 0 && !db.closed {
		if db.flushDue {
			db.flushDue = false
			if db.unsynced {
				return nil, true
			}
			continue // a FULL commit synced them first
		}
		if db.unsynced && !db.flushArmed {
			db.flushArmed = true
			time.AfterFunc(db.flushDelay, func() {
				db.mu.Lock()
				db.flushArmed, db.flushDue = false, true
				db.wake.Broadcast()
				db.mu.Unlock()
			})
		}
		db.wake.Wait()
	}
	n := min(len(db.queue), max(db.maxBatch-len(carry), 0))
	// A bulk call runs alone: the batch ends before it, or is it.
	for i, r := range db.queue[:n] {
		if r.alone {
			n = i
			if i == 0 && len(carry) == 0 {
				n = 1
			}
			break
		}
	}
	batch = make([]*request, 0, len(carry)+n)
	batch = append(append(batch, carry...), db.queue[:n]...)
	rest := copy(db.queue, db.queue[n:])
	clear(db.queue[rest:])
	db.queue = db.queue[:rest]
	return batch, false
}

// flush makes the relaxed commits durable: a checkpoint syncs the WAL
// before it copies pages into the database. A checkpoint that a reader kept
// from finishing is tried again at the next flush.
func (db *DB) flush() {
	var busy, logged, copied int
	err := db.w.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied)
	if err == nil && copied >= logged {
		db.unsynced = false
		db.flushes.Add(1)
	}
}

// restartWAL rewinds the WAL, between two batches, once the checkpointer
// has copied it all: a RESTART checkpoint copies what was written since,
// then waits up to restartWait for the readers still reading the WAL (those
// that begin meanwhile read the database file alone); the next commit then
// writes at the start of the WAL, and cuts the file back to walSizeLimit.
// Writes wait meanwhile. When a long read outlasts the wait, the WAL is
// rewound at a later try, once it has grown to twice its length.
func (db *DB) restartWAL() {
	ctx := context.Background()
	db.restartDue.Store(false)
	if _, err := db.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout=%d`, restartWait.Milliseconds())); err != nil {
		return
	}
	var busy, logged, copied int
	err := db.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &logged, &copied)
	_, _ = db.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout=%d`, busyTimeout.Milliseconds()))
	if err == nil && busy == 0 {
		db.restarts.Add(1)
		db.restartAt.Store(db.restartFrames.Load())
		db.unsynced = false // the checkpoint synced the WAL first
		return
	}
	db.restartFailures.Add(1)
	db.restartAt.Store(2 * max(int64(logged), db.restartFrames.Load()))
}

// setSynchronous sets the writer connection's synchronous level for the
// next transaction (SQLite refuses to change it inside one).
func (db *DB) setSynchronous(level string) error {
	if db.curSync == level {
		return nil
	}
	if _, err := db.w.ExecContext(context.Background(), `PRAGMA synchronous=`+level); err != nil {
		return err
	}
	db.curSync = level
	return nil
}

// syncLevel is the synchronous level batch commits with: the store's own,
// unless it is FULL and every call of the batch is relaxed.
func (db *DB) syncLevel(batch []*request) string {
	if db.sync != "FULL" {
		return db.sync
	}
	for _, r := range batch {
		if !r.relaxed {
			return "FULL"
		}
	}
	return "NORMAL"
}

// runBatch runs batch in one transaction. When SQLite rolls the transaction
// back on its own, the calls that ran fail, and those that did not are
// returned, to run in the next batch.
func (db *DB) runBatch(batch []*request) (rest []*request) {
	ctx := context.Background() // the calls' own contexts end only their own calls
	level := db.syncLevel(batch)
	err := db.setSynchronous(level)
	var tx *sql.Tx
	if err == nil {
		tx, err = db.w.BeginTx(ctx, nil)
	}
	if err == nil && db.testBegin != nil {
		if err = db.testBegin(ctx, tx); err != nil {
			_ = tx.Rollback()
		}
	}
	if err != nil {
		for _, r := range batch {
			if r.start() {
				r.reply <- reply{err: err}
			}
		}
		return nil
	}
	type ran struct {
		r   *request
		tx  *sqlstore.Tx
		err error // the function's
	}
	var done []ran
	ok := 0 // functions that succeeded
	var lost error
	base := sqlstore.NewTx(tx, &dialect)
	for i, r := range batch {
		if !r.start() {
			continue
		}
		stx, ferr, err := db.runOne(ctx, tx, base, r, len(batch) == 1)
		done = append(done, ran{r, stx, ferr})
		if err != nil {
			lost, rest = err, batch[i+1:]
			break
		}
		if ferr == nil {
			ok++
		}
	}
	switch {
	case lost != nil:
		_ = tx.Rollback()
		err := fmt.Errorf("sqlite: the write was not committed: %w", lost)
		for _, d := range done {
			d.r.reply <- reply{err: err}
		}
		return rest
	case ok == 0: // nothing to commit
		_ = tx.Rollback()
	default:
		err := base.Flush(ctx)
		if err != nil {
			_ = tx.Rollback()
		} else {
			// On failure, the driver rolls back what the COMMIT left open.
			err = tx.Commit()
		}
		if err != nil {
			err = fmt.Errorf("sqlite: commit: %w", err)
			for _, d := range done {
				d.r.reply <- reply{err: err}
			}
			return nil
		}
		db.commits.Add(1)
		// A FULL commit synced the whole WAL, relaxed commits before it too.
		db.unsynced = level != db.sync
		if db.unsynced {
			db.relaxedCommits.Add(1)
		}
	}
	if ok > 0 { // committed: its hooks run before any call returns
		for _, d := range done {
			if d.err == nil {
				d.tx.Committed()
			}
		}
	}
	for _, d := range done {
		d.r.reply <- reply{err: d.err}
	}
	return nil
}

// runOne hands tx to r under a savepoint and waits for its function. It
// returns the transaction r had, the function's error, and an error if the
// transaction is lost. A call alone in its batch (a bulk call always is)
// runs without a savepoint: when its function fails, the batch rolls back
// (runBatch).
// SQLite's in-memory statement journal keeps, under an open savepoint,
// every page the savepoint may have to restore, and each savepoint
// released inside it walks that journal from its start: a worker batch of
// hundreds of operations, each under savepoints of its own (sqlstore's),
// spent most of its time there.
func (db *DB) runOne(ctx context.Context, tx *sql.Tx, base *sqlstore.Tx, r *request, alone bool) (stx *sqlstore.Tx, ferr, err error) {
	stx = base.Call()
	if alone {
		r.reply <- reply{tx: stx}
		return stx, <-r.ran, nil
	}
	if err := exec(ctx, tx, `SAVEPOINT atrium_write`); err != nil {
		return nil, err, err
	}
	m := base.Mark()
	r.reply <- reply{tx: stx}
	if ferr = <-r.ran; ferr == nil {
		err = exec(ctx, tx, `RELEASE SAVEPOINT atrium_write`)
		return stx, nil, err
	}
	base.Undo(m)
	if err = exec(ctx, tx, `ROLLBACK TO SAVEPOINT atrium_write`); err == nil {
		err = exec(ctx, tx, `RELEASE SAVEPOINT atrium_write`)
	}
	return stx, ferr, err
}
