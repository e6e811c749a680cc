package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

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
// error, or, when the COMMIT fails, the COMMIT's error.
//
// Each function sees the effects of those before it, exactly as if the calls
// had run one after the other: the writes stay serializable.

// A request is one Write call.
type request struct {
	ctx   context.Context
	state atomic.Int32 // queued, then started (by the writer) or abandoned
	reply chan reply   // writer to caller: the turn, then the verdict
	ran   chan error   // caller to writer: how the function ended
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
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, reply: make(chan reply, 1), ran: make(chan error, 1)}
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

// writeLoop runs batches until the store is closed and its queue empty.
func (db *DB) writeLoop() {
	defer close(db.stopped)
	var carry []*request
	for {
		batch := db.next(carry)
		if len(batch) == 0 {
			return
		}
		carry = db.runBatch(batch)
	}
}

// next returns carry and the calls queued after it, up to maxBatch in all,
// waiting for one if there is none; it returns none once the store is closed
// and nothing is left.
func (db *DB) next(carry []*request) []*request {
	db.mu.Lock()
	defer db.mu.Unlock()
	for len(carry) == 0 && len(db.queue) == 0 && !db.closed {
		db.wake.Wait()
	}
	n := min(len(db.queue), max(db.maxBatch-len(carry), 0))
	batch := make([]*request, 0, len(carry)+n)
	batch = append(append(batch, carry...), db.queue[:n]...)
	rest := copy(db.queue, db.queue[n:])
	clear(db.queue[rest:])
	db.queue = db.queue[:rest]
	return batch
}

// runBatch runs batch in one transaction. When SQLite rolls the transaction
// back on its own, the calls that ran fail, and those that did not are
// returned, to run in the next batch.
func (db *DB) runBatch(batch []*request) (rest []*request) {
	ctx := context.Background() // the calls' own contexts end only their own calls
	tx, err := db.w.BeginTx(ctx, nil)
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
		err error // the function's
	}
	var done []ran
	ok := 0 // functions that succeeded
	var lost error
	for i, r := range batch {
		if !r.start() {
			continue
		}
		ferr, err := db.runOne(ctx, tx, r)
		done = append(done, ran{r, ferr})
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
		// On failure, the driver rolls back what the COMMIT left open.
		if err := tx.Commit(); err != nil {
			err = fmt.Errorf("sqlite: commit: %w", err)
			for _, d := range done {
				d.r.reply <- reply{err: err}
			}
			return nil
		}
		db.commits.Add(1)
	}
	for _, d := range done {
		d.r.reply <- reply{err: d.err}
	}
	return nil
}

// runOne hands tx to r under a savepoint and waits for its function. It
// returns the function's error, and an error if the transaction is lost.
func (db *DB) runOne(ctx context.Context, tx *sql.Tx, r *request) (ferr, err error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT atrium_write`); err != nil {
		return err, err
	}
	r.reply <- reply{tx: sqlstore.NewTx(tx, &dialect)}
	if ferr = <-r.ran; ferr == nil {
		_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT atrium_write`)
		return nil, err
	}
	if _, err = tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT atrium_write`); err == nil {
		_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT atrium_write`)
	}
	return ferr, err
}
