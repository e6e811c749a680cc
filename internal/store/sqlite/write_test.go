package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/sqlite"
)

var (
	errBoom  = errors.New("boom")
	auditKey = []byte("sqlite group commit test key 32B")
	t0       = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
)

func mustWrite(t testing.TB, db store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := db.Write(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Write() = %v, want nil", err)
	}
}

func mustRead(t testing.TB, db store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := db.Read(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Read() = %v, want nil", err)
	}
}

func mustInstance(t testing.TB, db store.Store) *org.Instance {
	t.Helper()
	in := &org.Instance{ID: "ssoins-0000000000007001", IdentityStoreID: "d-9000000001", Name: "test",
		OwnerAccountID: "100000000001", Status: org.InstanceActive, CreatedAt: t0}
	mustWrite(t, db, func(ctx context.Context, tx store.Tx) error { return tx.CreateInstance(ctx, in) })
	return in
}

func user(in *org.Instance, id string) *directory.User {
	return &directory.User{InstanceID: in.ID, IdentityStoreID: in.IdentityStoreID, UserID: id, UserName: "name-" + id, DisplayName: id}
}

// appendEvent appends an event named name to the audit chain.
func appendEvent(ctx context.Context, tx store.Tx, in *org.Instance, name string) (audit.Record, error) {
	data, err := json.Marshal(audit.Event{EventVersion: audit.EventVersion, EventName: name, EventTime: audit.FormatTime(t0), EventType: audit.TypeAPICall})
	if err != nil {
		return audit.Record{}, err
	}
	return tx.AppendAudit(ctx, auditKey, in.ID, t0, name, data)
}

// verifyChain reads the whole audit chain and verifies it.
func verifyChain(t *testing.T, db store.Store) ([]audit.Record, error) {
	t.Helper()
	var recs []audit.Record
	var verr error
	mustRead(t, db, func(ctx context.Context, tx store.Tx) error {
		head, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if recs, err = tx.ScanAudit(ctx, 0, 100000); err != nil {
			return err
		}
		v := audit.Verifier{Key: auditKey, Columns: true}
		for _, r := range recs {
			v.Add(r)
		}
		_, verr = v.Finish(head)
		return nil
	})
	return recs, verr
}

// metaKeys returns which of keys the store has.
func metaKeys(t *testing.T, db store.Store, keys ...string) []string {
	t.Helper()
	var out []string
	mustRead(t, db, func(ctx context.Context, tx store.Tx) error {
		for _, k := range keys {
			_, err := tx.GetMeta(ctx, k)
			switch {
			case err == nil:
				out = append(out, k)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		return nil
	})
	return out
}

// mustBlockWriter starts a Write whose function runs until release is
// called, so that the calls made meanwhile queue up; release returns that
// Write's error.
func mustBlockWriter(t *testing.T, db store.Store) (release func() error) {
	t.Helper()
	running, unblock := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.Write(t.Context(), func(tx store.Tx) error {
			close(running)
			<-unblock
			return tx.SetMeta(t.Context(), "blocker", "done")
		})
	}()
	select {
	case <-running:
	case err := <-errc:
		t.Fatalf("Write(blocking) = %v before its function ran", err)
	}
	return func() error {
		close(unblock)
		return <-errc
	}
}

// waitQueued waits until n Write calls wait for the writer.
func waitQueued(t *testing.T, db *sqlite.DB, n int) {
	t.Helper()
	for sqlite.Queued(db) < n {
		time.Sleep(time.Millisecond)
	}
}

// writeAsync starts db.Write(ctx, fn) and returns its error channel once the
// call is the queue's n-th.
func writeAsync(t *testing.T, db *sqlite.DB, ctx context.Context, n int, fn func(store.Tx) error) <-chan error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- db.Write(ctx, fn) }()
	waitQueued(t, db, n)
	return errc
}

func TestWriteGroupsCalls(t *testing.T) {
	// Calls that queue while the writer is busy are committed together, in
	// one batch in which some fail, some panic and some exit their
	// goroutine: each gets its own outcome, and exactly the successful ones
	// stay, each having seen those before it.
	db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
	ctx := t.Context()
	in := mustInstance(t, db)
	release := mustBlockWriter(t, db)

	type callPanic int
	const (
		succeeds = iota
		fails
		panics
		exits
	)
	const n = 200
	type outcome struct {
		err      error
		returned bool
		panicked any
		rec      audit.Record
	}
	out := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if !out[i].returned {
					out[i].panicked = recover() // nil after runtime.Goexit
				}
			}()
			out[i].err = db.Write(ctx, func(tx store.Tx) error {
				// A read-modify-write: the count ends right only if each call
				// sees the calls committed before it and none of the undone.
				v, err := tx.GetMeta(ctx, "count")
				if errors.Is(err, store.ErrNotFound) {
					v, err = "0", nil
				}
				if err != nil {
					return err
				}
				var c int
				fmt.Sscan(v, &c)
				if err := tx.SetMeta(ctx, "count", fmt.Sprint(c+1)); err != nil {
					return err
				}
				if err := tx.CreateUser(ctx, user(in, fmt.Sprintf("u-%03d", i))); err != nil {
					return err
				}
				if out[i].rec, err = appendEvent(ctx, tx, in, fmt.Sprintf("Call%03d", i)); err != nil {
					return err
				}
				switch i % 4 {
				case fails:
					return fmt.Errorf("call %d: %w", i, errBoom)
				case panics:
					panic(callPanic(i))
				case exits:
					runtime.Goexit()
				}
				return nil
			})
			out[i].returned = true
		}()
	}
	waitQueued(t, db, n)
	before := sqlite.Commits(db)
	if err := release(); err != nil {
		t.Fatalf("Write(blocking) = %v, want nil", err)
	}
	wg.Wait()
	if got := sqlite.Commits(db) - before; got != 2 {
		t.Errorf("commits of one call and %d calls queued behind it = %d, want 2", n, got)
	}

	var wantUsers []string
	for i, o := range out {
		switch i % 4 {
		case succeeds:
			wantUsers = append(wantUsers, fmt.Sprintf("u-%03d", i))
			if !o.returned || o.err != nil {
				t.Errorf("call %d: Write() = %v (returned %v, panic %v), want nil", i, o.err, o.returned, o.panicked)
			}
		case fails:
			if !errors.Is(o.err, errBoom) || !strings.HasPrefix(o.err.Error(), fmt.Sprintf("call %d:", i)) {
				t.Errorf("call %d: Write() = %v, want its own error", i, o.err)
			}
		case panics:
			if o.returned || o.panicked != callPanic(i) {
				t.Errorf("call %d: Write() returned %v, panicked with %v, want a panic with %v", i, o.err, o.panicked, callPanic(i))
			}
		case exits:
			if o.returned || o.panicked != nil {
				t.Errorf("call %d: Write() returned %v, panicked with %v, want its goroutine to exit", i, o.err, o.panicked)
			}
		}
	}
	mustRead(t, db, func(ctx context.Context, tx store.Tx) error {
		us, err := tx.ListUsers(ctx, in.ID, store.UserQuery{})
		if err != nil {
			return err
		}
		var got []string
		for _, u := range us {
			got = append(got, u.UserID)
		}
		if !slices.Equal(got, wantUsers) {
			t.Errorf("ListUsers() = %q, want %q", got, wantUsers)
		}
		if v, err := tx.GetMeta(ctx, "count"); v != fmt.Sprint(len(wantUsers)) || err != nil {
			t.Errorf("GetMeta(count) = %q, %v, want %d, nil", v, err, len(wantUsers))
		}
		return nil
	})
	recs, err := verifyChain(t, db)
	if len(recs) != len(wantUsers) || err != nil {
		t.Fatalf("verifying the audit chain = %d events, %v, want %d, nil", len(recs), err, len(wantUsers))
	}
	// Each successful call's event is in the chain as the call made it.
	for i, o := range out {
		if i%4 != succeeds {
			continue
		}
		if s := o.rec.Seq; s < 1 || s > int64(len(recs)) || !slices.Equal(recs[s-1].Hash, o.rec.Hash) {
			t.Errorf("call %d: AppendAudit() = event %d, not the one stored", i, s)
		}
	}
}

func TestWriteContext(t *testing.T) {
	t.Run("cancelled before the call", func(t *testing.T) {
		db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		ran := false
		err := db.Write(ctx, func(tx store.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Errorf("Write(cancelled ctx) = %v, ran %v, want %v, not run", err, ran, context.Canceled)
		}
	})

	t.Run("cancelled while queued", func(t *testing.T) {
		db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
		release := mustBlockWriter(t, db)
		ctx, cancel := context.WithCancel(t.Context())
		var ran atomic.Bool
		errc := writeAsync(t, db, ctx, 1, func(tx store.Tx) error {
			ran.Store(true)
			return tx.SetMeta(ctx, "cancelled", "written")
		})
		cancel()
		// The call returns while the writer is still busy.
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("Write(ctx cancelled while queued) = %v, want %v", err, context.Canceled)
		}
		if err := release(); err != nil {
			t.Fatalf("Write(blocking) = %v, want nil", err)
		}
		// The writer has passed the cancelled call once a later one is done.
		mustWrite(t, db, func(ctx context.Context, tx store.Tx) error { return tx.SetMeta(ctx, "later", "written") })
		if ran.Load() {
			t.Errorf("the function of a call cancelled while queued ran")
		}
		if got := metaKeys(t, db, "cancelled", "later"); !slices.Equal(got, []string{"later"}) {
			t.Errorf("keys written = %q, want [later]", got)
		}
	})

	t.Run("cancelled while running", func(t *testing.T) {
		// A call that cancels its own ctx fails at its next statement, and
		// only its own work is undone.
		db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
		release := mustBlockWriter(t, db)
		a := writeAsync(t, db, t.Context(), 1, func(tx store.Tx) error { return tx.SetMeta(t.Context(), "a", "written") })
		ctx, cancel := context.WithCancel(t.Context())
		b := writeAsync(t, db, ctx, 2, func(tx store.Tx) error {
			if err := tx.SetMeta(ctx, "b", "written"); err != nil {
				return err
			}
			cancel()
			return tx.SetMeta(ctx, "b2", "written")
		})
		c := writeAsync(t, db, t.Context(), 3, func(tx store.Tx) error { return tx.SetMeta(t.Context(), "c", "written") })
		if err := release(); err != nil {
			t.Fatalf("Write(blocking) = %v, want nil", err)
		}
		if errA, errB, errC := <-a, <-b, <-c; errA != nil || !errors.Is(errB, context.Canceled) || errC != nil {
			t.Errorf("Write() = %v, %v, %v, want nil, %v, nil", errA, errB, errC, context.Canceled)
		}
		if got := metaKeys(t, db, "a", "b", "b2", "c"); !slices.Equal(got, []string{"a", "c"}) {
			t.Errorf("keys written = %q, want [a c]", got)
		}
	})
}

// TestWriteCommitHooks: the OnCommit functions of a batch's calls run
// once the batch has committed, before any of its calls returns, except
// those of a call that failed; when the COMMIT fails, none runs.
func TestWriteCommitHooks(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
	ctx := t.Context()
	var mu sync.Mutex
	var ran []string
	hook := func(tx store.Tx, name string) {
		tx.OnCommit(func() {
			if name == "c" {
				time.Sleep(20 * time.Millisecond) // a returns after, not before
			}
			mu.Lock()
			defer mu.Unlock()
			ran = append(ran, name)
		})
	}
	ranNow := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(ran)
	}
	release := mustBlockWriter(t, db)
	a := writeAsync(t, db, ctx, 1, func(tx store.Tx) error {
		hook(tx, "a")
		return tx.SetMeta(ctx, "a", "written")
	})
	b := writeAsync(t, db, ctx, 2, func(tx store.Tx) error {
		hook(tx, "b")
		return errBoom
	})
	c := writeAsync(t, db, ctx, 3, func(tx store.Tx) error {
		hook(tx, "c")
		return tx.SetMeta(ctx, "c", "written")
	})
	if err := release(); err != nil {
		t.Fatalf("Write(blocking) = %v, want nil", err)
	}
	if err := <-a; err != nil {
		t.Fatalf("Write(a) = %v", err)
	}
	if got := ranNow(); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("OnCommit functions run when the batch's first call returns = %q, want [a c]", got)
	}
	if err := <-b; !errors.Is(err, errBoom) {
		t.Errorf("Write(b) = %v, want %v", err, errBoom)
	}
	if err := <-c; err != nil {
		t.Errorf("Write(c) = %v", err)
	}

	ran = nil
	in := mustInstance(t, db)
	sqlite.DeferForeignKeys(db)
	release = mustBlockWriter(t, db)
	d := writeAsync(t, db, ctx, 1, func(tx store.Tx) error {
		hook(tx, "d")
		return tx.SetMeta(ctx, "d", "written")
	})
	e := writeAsync(t, db, ctx, 2, func(tx store.Tx) error {
		hook(tx, "e")
		missing := &org.Instance{ID: "ssoins-ffffffffffffffff", IdentityStoreID: in.IdentityStoreID}
		return tx.CreateUser(ctx, user(missing, "u-e")) // fails only at COMMIT
	})
	if err := release(); err != nil {
		t.Fatalf("Write(blocking) = %v, want nil", err)
	}
	if errD, errE := <-d, <-e; errD == nil || errE == nil {
		t.Fatalf("Writes of a batch whose COMMIT fails = %v, %v; want both to fail", errD, errE)
	}
	if got := ranNow(); len(got) != 0 {
		t.Errorf("OnCommit functions of a batch whose COMMIT failed ran: %q", got)
	}
}

// TestWriteBulk: a bulk call queued among others is committed in a batch
// of its own, and when it fails only its own work is undone.
func TestWriteBulk(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
	ctx := t.Context()
	set := func(key string) func(store.Tx) error {
		return func(tx store.Tx) error { return tx.SetMeta(ctx, key, "written") }
	}
	release := mustBlockWriter(t, db)
	a := writeAsync(t, db, ctx, 1, set("a"))
	bulk := make(chan error, 1)
	go func() {
		bulk <- db.WriteBulk(ctx, func(tx store.Tx) error {
			for i := range 50 {
				if err := tx.SetMeta(ctx, fmt.Sprintf("bulk-%02d", i), "written"); err != nil {
					return err
				}
			}
			return errBoom
		})
	}()
	waitQueued(t, db, 2)
	c := writeAsync(t, db, ctx, 3, set("c"))
	d := writeAsync(t, db, ctx, 4, set("d"))
	before := sqlite.Commits(db)
	if err := release(); err != nil {
		t.Fatalf("Write(blocking) = %v, want nil", err)
	}
	for name, ch := range map[string]<-chan error{"a": a, "c": c, "d": d} {
		if err := <-ch; err != nil {
			t.Errorf("Write(%s) = %v", name, err)
		}
	}
	if err := <-bulk; !errors.Is(err, errBoom) {
		t.Errorf("WriteBulk(failing) = %v, want %v", err, errBoom)
	}
	// The blocker; a; the bulk call, rolled back; c and d together.
	if got := sqlite.Commits(db) - before; got != 3 {
		t.Errorf("commits = %d, want 3 (the blocker's, a's, then c's and d's; the bulk call's rolled back)", got)
	}
	if got := metaKeys(t, db, "a", "bulk-00", "bulk-49", "c", "d"); !slices.Equal(got, []string{"a", "c", "d"}) {
		t.Errorf("keys written = %q, want [a c d]", got)
	}
}

func TestWriteCommitFails(t *testing.T) {
	// A batch whose COMMIT fails (here on a foreign key checked only at
	// COMMIT) fails every call of it: none was acknowledged, none stays.
	db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
	in := mustInstance(t, db)
	sqlite.DeferForeignKeys(db)
	release := mustBlockWriter(t, db)
	ctx := t.Context()
	a := writeAsync(t, db, ctx, 1, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, user(in, "u-a")); err != nil {
			return err
		}
		_, err := appendEvent(ctx, tx, in, "A")
		return err
	})
	b := writeAsync(t, db, ctx, 2, func(tx store.Tx) error {
		missing := &org.Instance{ID: "ssoins-ffffffffffffffff", IdentityStoreID: "d-ffffffffff"}
		return tx.CreateUser(ctx, user(missing, "u-b")) // fails only at COMMIT
	})
	c := writeAsync(t, db, ctx, 3, func(tx store.Tx) error {
		if err := tx.SetMeta(ctx, "c", "written"); err != nil {
			return err
		}
		_, err := appendEvent(ctx, tx, in, "C")
		return err
	})
	before := sqlite.Commits(db)
	if err := release(); err != nil {
		t.Fatalf("Write(blocking) = %v, want nil", err)
	}
	errs := []error{<-a, <-b, <-c}
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") || err.Error() != errs[0].Error() {
			t.Errorf("Write(#%d of a batch whose COMMIT fails) = %v, want the COMMIT's error", i, err)
		}
	}
	if got := sqlite.Commits(db) - before; got != 1 {
		t.Errorf("commits = %d, want 1 (the blocking call's)", got)
	}
	mustRead(t, db, func(ctx context.Context, tx store.Tx) error {
		if n, err := tx.CountUsers(ctx, in.ID); n != 0 || err != nil {
			t.Errorf("CountUsers() = %d, %v, want 0, nil", n, err)
		}
		return nil
	})
	if got := metaKeys(t, db, "blocker", "c"); !slices.Equal(got, []string{"blocker"}) {
		t.Errorf("keys written = %q, want [blocker]", got)
	}
	// The store goes on, and its chain has no gap.
	mustWrite(t, db, func(ctx context.Context, tx store.Tx) error {
		_, err := appendEvent(ctx, tx, in, "After")
		return err
	})
	if recs, err := verifyChain(t, db); len(recs) != 1 || err != nil {
		t.Errorf("verifying the audit chain = %d events, %v, want 1, nil", len(recs), err)
	}
}

func TestWriteTransactionRolledBackBySQLite(t *testing.T) {
	// When SQLite rolls a batch's transaction back on its own (here a
	// trigger's RAISE(ROLLBACK); also an interrupt, a full disk, an I/O
	// error), the calls that ran fail, a statement after it is refused
	// rather than run outside any transaction, and the calls that had not run
	// yet run in the next batch.
	path := filepath.Join(t.TempDir(), "atrium.db")
	db := mustOpen(t, path)
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.ExecContext(t.Context(), `CREATE TRIGGER rollback_all BEFORE INSERT ON meta WHEN NEW.key = 'rollback'
		BEGIN SELECT RAISE(ROLLBACK, 'rolled back by a trigger'); END`)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	release := mustBlockWriter(t, db)
	a := writeAsync(t, db, ctx, 1, func(tx store.Tx) error { return tx.SetMeta(ctx, "a", "written") })
	var after error
	b := writeAsync(t, db, ctx, 2, func(tx store.Tx) error {
		if err := tx.SetMeta(ctx, "rollback", "x"); err == nil {
			return errors.New("the trigger did not fire")
		}
		after = tx.SetMeta(ctx, "b-after", "written")
		return nil // ignoring both errors
	})
	c := writeAsync(t, db, ctx, 3, func(tx store.Tx) error { return tx.SetMeta(ctx, "c", "written") })
	before := sqlite.Commits(db)
	if err := release(); err != nil {
		t.Fatalf("Write(blocking) = %v, want nil", err)
	}
	if errA, errB, errC := <-a, <-b, <-c; errA == nil || errB == nil || errC != nil {
		t.Errorf("Write() = %v, %v, %v, want an error, an error, nil", errA, errB, errC)
	}
	if after == nil {
		t.Errorf("SetMeta() after SQLite rolled the transaction back = nil, want an error")
	}
	if got := metaKeys(t, db, "blocker", "a", "rollback", "b-after", "c"); !slices.Equal(got, []string{"blocker", "c"}) {
		t.Errorf("keys written = %q, want [blocker c]", got)
	}
	if got := sqlite.Commits(db) - before; got != 2 {
		t.Errorf("commits = %d, want 2", got)
	}
}

func TestCloseDrainsWrites(t *testing.T) {
	t.Run("queued", func(t *testing.T) {
		// Calls queued before Close run; calls after it are refused.
		path := filepath.Join(t.TempDir(), "atrium.db")
		db := mustOpen(t, path)
		release := mustBlockWriter(t, db)
		const n = 20
		var keys []string
		var errcs []<-chan error
		for i := range n {
			k := fmt.Sprintf("k-%02d", i)
			keys = append(keys, k)
			errcs = append(errcs, writeAsync(t, db, t.Context(), i+1, func(tx store.Tx) error { return tx.SetMeta(t.Context(), k, "written") }))
		}
		closed := make(chan error, 1)
		go func() { closed <- db.Close() }()
		for !sqlite.Closing(db) {
			time.Sleep(time.Millisecond)
		}
		ran := false
		if err := db.Write(t.Context(), func(tx store.Tx) error { ran = true; return nil }); err == nil || ran {
			t.Errorf("Write() while closing = %v, ran %v, want an error, not run", err, ran)
		}
		if err := release(); err != nil {
			t.Errorf("Write(blocking) = %v, want nil", err)
		}
		for i, errc := range errcs {
			if err := <-errc; err != nil {
				t.Errorf("Write(#%d, queued before Close) = %v, want nil", i, err)
			}
		}
		if err := <-closed; err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
		if err := db.Write(t.Context(), func(tx store.Tx) error { return nil }); err == nil {
			t.Errorf("Write() after Close = nil, want an error")
		}
		db = mustOpen(t, path)
		if got := metaKeys(t, db, append(keys, "blocker")...); len(got) != n+1 {
			t.Errorf("keys after reopening = %q, want all %d", got, n+1)
		}
	})

	t.Run("in flight", func(t *testing.T) {
		// Writers that go on while the store closes: exactly the calls
		// acknowledged are there after reopening.
		path := filepath.Join(t.TempDir(), "atrium.db")
		db := mustOpen(t, path)
		const writers = 8
		acked := make([][]string, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					k := fmt.Sprintf("w%d-%04d", w, i)
					if err := db.Write(t.Context(), func(tx store.Tx) error { return tx.SetMeta(t.Context(), k, "written") }); err != nil {
						if !strings.Contains(err.Error(), "closed") {
							t.Errorf("Write(%s) = %v, want nil or the store closed", k, err)
						}
						return
					}
					acked[w] = append(acked[w], k)
				}
			}()
		}
		for sqlite.Commits(db) < 3 {
			time.Sleep(time.Millisecond)
		}
		if err := db.Close(); err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
		wg.Wait()
		db = mustOpen(t, path)
		for w := range writers {
			// Each writer's keys up to its first refusal, and the next one.
			tried := append(slices.Clone(acked[w]), fmt.Sprintf("w%d-%04d", w, len(acked[w])))
			if got := metaKeys(t, db, tried...); !slices.Equal(got, acked[w]) {
				t.Errorf("writer %d: keys after reopening = %q, want those acknowledged, %q", w, got, acked[w])
			}
		}
	})
}

func TestOpenSynchronous(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int // SQLite's number; 0: Open fails
	}{
		{name: "default", in: "", want: 2},
		{name: "full", in: "FULL", want: 2},
		{name: "normal", in: "normal", want: 1},
		{name: "off", in: "OFF"},
		{name: "junk", in: "FULL); PRAGMA x(1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "atrium.db"), sqlite.Options{Synchronous: tc.in})
			if tc.want == 0 {
				if err == nil {
					db.Close()
					t.Errorf("Open(Synchronous %q) = nil, want an error", tc.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(Synchronous %q) = %v, want nil", tc.in, err)
			}
			defer db.Close()
			if got, err := sqlite.Synchronous(t.Context(), db); got != tc.want || err != nil {
				t.Errorf("Open(Synchronous %q): PRAGMA synchronous = %d, %v, want %d, nil", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestWriteRelaxed(t *testing.T) {
	// A batch of relaxed calls commits without a sync (synchronous=NORMAL)
	// and is synced by a checkpoint once the writer is idle; a batch holding
	// one durable call commits with FULL for all; a durable write after
	// relaxed ones syncs them with it, so no flush is left to do.
	path := filepath.Join(t.TempDir(), "atrium.db")
	db := mustOpen(t, path)
	sqlite.SetFlushDelay(db, 20*time.Millisecond)
	ctx := t.Context()
	set := func(key string) func(store.Tx) error {
		return func(tx store.Tx) error { return tx.SetMeta(ctx, key, "v") }
	}
	level := func() int {
		t.Helper()
		v, err := sqlite.Synchronous(ctx, db)
		if err != nil {
			t.Fatalf("PRAGMA synchronous: %v", err)
		}
		return v
	}

	if err := db.WriteRelaxed(ctx, set("relaxed")); err != nil {
		t.Fatalf("WriteRelaxed = %v, want nil", err)
	}
	if got := sqlite.RelaxedCommits(db); got != 1 {
		t.Errorf("RelaxedCommits = %d after one relaxed write, want 1", got)
	}
	if got := level(); got != 1 {
		t.Errorf("synchronous = %d after a relaxed write, want 1 (NORMAL)", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for sqlite.Flushes(db) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the relaxed commit was never synced by a checkpoint")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// One batch: a relaxed call and a durable one. It commits FULL.
	release := mustBlockWriter(t, db)
	relaxed := make(chan error, 1)
	go func() { relaxed <- db.WriteRelaxed(ctx, set("mixed-relaxed")) }()
	waitQueued(t, db, 1)
	durable := writeAsync(t, db, ctx, 2, set("mixed-durable"))
	if err := release(); err != nil {
		t.Fatalf("blocking Write = %v", err)
	}
	for _, c := range []<-chan error{relaxed, durable} {
		if err := <-c; err != nil {
			t.Fatalf("write in the mixed batch = %v, want nil", err)
		}
	}
	if got := sqlite.RelaxedCommits(db); got != 1 {
		t.Errorf("RelaxedCommits = %d after a mixed batch, want still 1", got)
	}
	if got := level(); got != 2 {
		t.Errorf("synchronous = %d after a mixed batch, want 2 (FULL)", got)
	}

	// Relaxed, then durable before the flush is due: the durable commit
	// syncs both, and the flush finds nothing to do; the writer goes on.
	if err := db.WriteRelaxed(ctx, set("relaxed-1")); err != nil {
		t.Fatalf("WriteRelaxed = %v, want nil", err)
	}
	if err := db.Write(ctx, set("durable-1")); err != nil {
		t.Fatalf("Write = %v, want nil", err)
	}
	time.Sleep(100 * time.Millisecond) // the flush timer fires
	writeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Write(writeCtx, set("after-flush-timer")); err != nil {
		t.Fatalf("Write after the flush timer fired with nothing to sync = %v, want nil", err)
	}
	sqlite.SetFlushDelay(db, time.Hour)
	flushes := sqlite.Flushes(db)
	if err := db.WriteRelaxed(ctx, set("relaxed-2")); err != nil {
		t.Fatalf("WriteRelaxed = %v, want nil", err)
	}
	if err := db.Write(ctx, set("durable-2")); err != nil {
		t.Fatalf("Write = %v, want nil", err)
	}
	if got := level(); got != 2 {
		t.Errorf("synchronous = %d after a durable write, want 2 (FULL)", got)
	}
	if got := sqlite.RelaxedCommits(db); got != 3 {
		t.Errorf("RelaxedCommits = %d, want 3", got)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if got := sqlite.Flushes(db); got != flushes {
		t.Errorf("Flushes = %d after Close, want %d: the durable write left nothing to sync", got, flushes)
	}
	db2 := mustOpen(t, path)
	if got := metaKeys(t, db2, "relaxed", "mixed-relaxed", "mixed-durable", "relaxed-1", "durable-1", "after-flush-timer", "relaxed-2", "durable-2"); len(got) != 8 {
		t.Errorf("keys after reopening = %v, want all eight", got)
	}
}

func TestCheckpointer(t *testing.T) {
	// The writer never checkpoints inside a commit; the checkpointer copies
	// the WAL into the database beside it.
	db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
	ctx := t.Context()
	if v, err := sqlite.AutoCheckpoint(ctx, db); v != 0 || err != nil {
		t.Fatalf("writer wal_autocheckpoint = %d, %v; want 0", v, err)
	}
	big := strings.Repeat("x", 16<<10)
	for i := range 300 { // about 1,200 pages of the WAL
		if err := db.Write(ctx, func(tx store.Tx) error { return tx.SetMeta(ctx, fmt.Sprint("k", i), big) }); err != nil {
			t.Fatalf("Write %d = %v", i, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for sqlite.Checkpoints(db) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint copied the WAL within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := metaKeys(t, db, "k0", "k299"); len(got) != 2 {
		t.Errorf("keys after the checkpoint = %v, want k0 and k299", got)
	}
}

// TestWALRestart: under reads that never pause, the writer still rewinds
// the WAL once the checkpointer has copied it, so the WAL file stays near
// the length at which it is rewound instead of growing by every page
// written.
func TestWALRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atrium.db")
	db := mustOpen(t, path)
	ctx := t.Context()
	sqlite.SetRestartFrames(db, 256) // 1 MiB of 4 KiB pages
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = db.Read(ctx, func(tx store.Tx) error {
					_, err := tx.GetMeta(ctx, "k0")
					time.Sleep(time.Millisecond) // a read that holds its snapshot a while
					return err
				})
			}
		}()
	}
	big := strings.Repeat("x", 16<<10)
	// About 32 MiB written over 2 s or more: the checkpointer runs every
	// 200 ms. On a loaded machine the first rewinds may be outlasted by a
	// read; the writes go on until one succeeds, for at most a minute.
	const writes = 2000
	deadline := time.Now().Add(time.Minute)
	n := 0
	for ; n < writes || sqlite.Restarts(db) == 0 && time.Now().Before(deadline); n++ {
		if err := db.Write(ctx, func(tx store.Tx) error { return tx.SetMeta(ctx, fmt.Sprint("k", n%100), big) }); err != nil {
			t.Fatalf("Write %d = %v", n, err)
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	readers.Wait()
	if sqlite.Restarts(db) == 0 {
		t.Fatalf("the writer never rewound the WAL in %d writes (%d tries outlasted by a read)", n, sqlite.RestartFailures(db))
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 16<<20 {
		t.Errorf("WAL file is %d MiB after %d MiB written, with rewinds at 1 MiB", fi.Size()>>20, n*16>>10)
	}
	if got := metaKeys(t, db, "k0", "k99"); len(got) != 2 {
		t.Errorf("keys = %v, want k0 and k99", got)
	}
}

// TestWALRestartOutlasted: a read that outlasts the writer's wait makes the
// rewind fail without blocking writes for longer than the wait, and the WAL
// is rewound at a later try once the read is over.
func TestWALRestartOutlasted(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "atrium.db"))
	ctx := t.Context()
	sqlite.SetRestartFrames(db, 64)
	big := strings.Repeat("x", 16<<10)
	write := func(i int) {
		t.Helper()
		if err := db.Write(ctx, func(tx store.Tx) error { return tx.SetMeta(ctx, fmt.Sprint("k", i%50), big) }); err != nil {
			t.Fatalf("Write %d = %v", i, err)
		}
	}
	for i := range 40 { // about 160 pages of the WAL
		write(i)
	}
	// A read that holds its snapshot, taken at the end of the WAL, until
	// released.
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.Read(ctx, func(tx store.Tx) error {
			_, err := tx.GetMeta(ctx, "k0")
			close(started)
			<-release
			return err
		})
	}()
	<-started
	time.Sleep(3 * checkpointTicks) // the checkpointer copies the WAL and asks for a rewind
	t0 := time.Now()
	write(100) // the writer tries the rewind first, and waits for the read in vain
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("a write waited %v behind a rewind", d)
	}
	for wait := time.Now().Add(2 * time.Second); sqlite.RestartFailures(db) == 0 && time.Now().Before(wait); {
		time.Sleep(5 * time.Millisecond) // the try follows the write's batch
	}
	if f, r := sqlite.RestartFailures(db), sqlite.Restarts(db); f == 0 || r != 0 {
		t.Fatalf("with the read open: %d failed rewinds, %d rewinds; want some failed, none done", f, r)
	}
	t0 = time.Now()
	write(101)
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("a write after the failed rewind waited %v", d)
	}
	held, err := sqlite.WALFrames(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Read = %v", err)
	}
	// Once the read is over the WAL starts again from its beginning (by the
	// writer's rewind, or by SQLite itself when no reader is left).
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		n, err := sqlite.WALFrames(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if n < held/2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WAL still holds %d frames, %d when the read ended", n, held)
		}
		write(i)
		time.Sleep(5 * time.Millisecond)
	}
}

// checkpointTicks is the checkpointer's period.
const checkpointTicks = 200 * time.Millisecond

func TestPreallocateWAL(t *testing.T) {
	// Open writes the WAL out to its full size; the commits written over
	// its zeros are read back by a copy of the files taken while the store
	// is open (as after a crash: SQLite recovers the WAL), and by the store
	// opened again.
	dir := t.TempDir()
	path := filepath.Join(dir, "atrium.db")
	ctx := t.Context()
	db, err := sqlite.Open(ctx, path, sqlite.Options{PreallocateWAL: true})
	if err != nil {
		t.Fatalf("Open(PreallocateWAL) = %v", err)
	}
	defer db.Close()
	size := func() int64 {
		t.Helper()
		st, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	if got := size(); got != sqlite.WALSizeLimit {
		t.Fatalf("WAL size after Open = %d, want %d", got, sqlite.WALSizeLimit)
	}
	in := mustInstance(t, db)
	keys := make([]string, 50)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%02d", i)
		mustWrite(t, db, func(ctx context.Context, tx store.Tx) error {
			if err := tx.CreateUser(ctx, user(in, keys[i])); err != nil {
				return err
			}
			return tx.SetMeta(ctx, keys[i], "v")
		})
	}
	if got := size(); got != sqlite.WALSizeLimit {
		t.Errorf("WAL size after the writes = %d, want still %d", got, sqlite.WALSizeLimit)
	}

	crashed := filepath.Join(t.TempDir(), "atrium.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crashed+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{crashed, path} {
		if p == path {
			if err := db.Close(); err != nil {
				t.Fatalf("Close = %v", err)
			}
		}
		again, err := sqlite.Open(ctx, p, sqlite.Options{PreallocateWAL: true})
		if err != nil {
			t.Fatalf("Open(%s) = %v", p, err)
		}
		if got := metaKeys(t, again, keys...); len(got) != len(keys) {
			t.Errorf("%s: keys = %d of %d", p, len(got), len(keys))
		}
		var check string
		if err := again.Read(ctx, func(tx store.Tx) error {
			us, err := tx.ListUsers(ctx, in.ID, store.UserQuery{})
			if len(us) != len(keys) {
				t.Errorf("%s: %d users, want %d", p, len(us), len(keys))
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if check, err = sqlite.IntegrityCheck(ctx, again); check != "ok" || err != nil {
			t.Errorf("%s: integrity_check = %q, %v", p, check, err)
		}
		again.Close()
	}
}
