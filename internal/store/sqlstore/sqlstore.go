// Package sqlstore implements store.Tx over database/sql for the engines
// that share one SQL text: SQLite and PostgreSQL both take $1-style
// parameters, ON CONFLICT and RETURNING. An engine supplies a Dialect for
// the few things that differ.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// Dialect is what an engine adds to the shared SQL.
type Dialect struct {
	// IsUniqueViolation reports whether err is a unique-constraint error.
	IsUniqueViolation func(error) bool
	// IsForeignKeyViolation reports whether err is a foreign-key error: a
	// row refers to one that does not exist.
	IsForeignKeyViolation func(error) bool
	// LockBootstrap is the statement that takes the bootstrap lock until the
	// transaction ends, or "" when transactions are already serialized.
	LockBootstrap string
	// ForUpdate is appended to the chain head select ("FOR UPDATE" or "").
	ForUpdate string
	// RelaxCommit, run first in a transaction, lets its COMMIT return before
	// it is durable; "" when the engine relaxes commits in another way.
	RelaxCommit string
	// NotifyChanges is run by a transaction that appends changes, to wake
	// the other processes that follow the feed when it commits; "" for none.
	NotifyChanges string
	// NotifyWork is run by Tx.NotifyWork; "" for none.
	NotifyWork string
	// StatementsUndoAlone: a statement that fails is undone alone and the
	// transaction goes on (SQLite), where PostgreSQL aborts the
	// transaction unless the statement ran under a savepoint.
	StatementsUndoAlone bool
}

// Tx is a store.Tx over a *sql.Tx.
type Tx struct {
	tx        *sql.Tx
	d         *Dialect
	s         *txState
	committed []func() // OnCommit's
}

// txState is what the Txs of one transaction share: on SQLite one
// transaction runs a batch of calls, each with a Tx of its own (Call).
type txState struct {
	// head is the audit chain's head as the transaction has made it,
	// once loaded; dirty when the audit_head row is behind it, until
	// Flush writes it. Each event's append then reads and writes no
	// row but the event's. (No method appends under a savepoint of its
	// own: only the engine's, around a call, need restore it, Undo.)
	head          audit.Head
	loaded, dirty bool
}

var _ store.Tx = (*Tx)(nil)

// NewTx wraps tx. The caller runs Flush before it commits tx.
func NewTx(tx *sql.Tx, d *Dialect) *Tx { return &Tx{tx: tx, d: d, s: &txState{}} }

// Call returns a Tx for another call in t's transaction: it shares the
// transaction's state, and has OnCommit functions of its own.
func (t *Tx) Call() *Tx { return &Tx{tx: t.tx, d: t.d, s: t.s} }

// A Mark is the transaction's state at a savepoint (Tx.Mark), to restore
// when the engine rolls back to it (Tx.Undo).
type Mark struct{ s txState }

// Mark returns the state of t's transaction, for Undo.
func (t *Tx) Mark() Mark { return Mark{*t.s} }

// Undo restores the state m marked, after a rollback to the savepoint
// taken with it.
func (t *Tx) Undo(m Mark) { *t.s = m.s }

// Flush writes what the transaction holds back (the audit chain's head)
// into it; the engine runs it before COMMIT.
func (t *Tx) Flush(ctx context.Context) error {
	if !t.s.dirty {
		return nil
	}
	h := t.s.head
	if err := t.execOne(ctx, `UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1`, h.Seq, blob(h.Hash), blob(h.MAC)); err != nil {
		return err
	}
	t.s.dirty = false
	return nil
}

// OnCommit implements store.Tx. The engine calls Committed once the
// transaction has committed.
func (t *Tx) OnCommit(f func()) { t.committed = append(t.committed, f) }

// Committed calls the functions given to OnCommit, in order.
func (t *Tx) Committed() {
	for _, f := range t.committed {
		f()
	}
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// listCap is the most rows collectInto makes room for before it reads them.
const listCap = 1000

// collectInto is collect for rows that scan in place, into a slice made
// with room for the page the query asked for: limit rows, or one when it
// selects by a unique key. No row gives nil.
func collectInto[T any](rows *sql.Rows, err error, limit int, unique bool, scan func(row interface{ Scan(...any) error }, v *T) error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if unique {
		limit = min(limit, 1)
	}
	out := make([]T, 0, min(max(limit, 0), listCap))
	for rows.Next() {
		out = append(out, *new(T))
		if err := scan(rows, &out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return out, rows.Err()
}

// collect reads every row of a query with scan; err is the query's own.
func collect[T any](rows *sql.Rows, err error, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := t.tx.ExecContext(ctx, q, args...)
	if err != nil {
		switch {
		case t.d.IsUniqueViolation(err):
			return nil, fmt.Errorf("%w: %v", store.ErrConflict, err)
		case t.d.IsForeignKeyViolation(err):
			return nil, fmt.Errorf("%w: a referenced row does not exist: %v", store.ErrNotFound, err)
		}
		return nil, err
	}
	return r, nil
}

// RelaxCommit runs the dialect's RelaxCommit statement, if it has one.
func (t *Tx) RelaxCommit(ctx context.Context) error {
	if t.d.RelaxCommit == "" {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, t.d.RelaxCommit)
	return err
}

// atomic runs fn, the statements of one method, under a savepoint: when fn
// fails, none of its statements take effect and the transaction stays
// usable, so that the caller may still record the failure. (PostgreSQL
// refuses every later statement of a transaction in which one failed, and
// SQLite keeps the statements that ran before the one that failed.)
func (t *Tx) atomic(ctx context.Context, fn func() error) error {
	if _, err := t.tx.ExecContext(ctx, `SAVEPOINT atrium_call`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := t.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT atrium_call`); rerr != nil {
			return fmt.Errorf("%w (undoing it: %v)", err, rerr)
		}
		if _, rerr := t.tx.ExecContext(ctx, `RELEASE SAVEPOINT atrium_call`); rerr != nil {
			return fmt.Errorf("%w (undoing it: %v)", err, rerr)
		}
		return err
	}
	_, err := t.tx.ExecContext(ctx, `RELEASE SAVEPOINT atrium_call`)
	return err
}

// statement runs fn, which runs one statement, so that its failure leaves
// the transaction usable, as atomic does: under a savepoint only where the
// engine needs one (see Dialect.StatementsUndoAlone).
func (t *Tx) statement(ctx context.Context, fn func() error) error {
	if t.d.StatementsUndoAlone {
		return fn()
	}
	return t.atomic(ctx, fn)
}

// blob returns b, or an empty slice for nil: drivers bind a nil []byte as
// NULL, and read an empty BLOB back as nil.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// execOne runs q and reports ErrNotFound when it changed no row.
func (t *Tx) execOne(ctx context.Context, q string, args ...any) error {
	r, err := t.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

func limit(p store.Page) int {
	if p.Limit <= 0 || p.Limit > 10000 {
		return 10000
	}
	return p.Limit
}

// NotifyWork implements store.Tx.
func (t *Tx) NotifyWork(ctx context.Context) error {
	if t.d.NotifyWork == "" {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, t.d.NotifyWork)
	return err
}

// LockBootstrap implements store.Tx.
func (t *Tx) LockBootstrap(ctx context.Context) error {
	if t.d.LockBootstrap == "" {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, t.d.LockBootstrap)
	return err
}

// GetMeta implements store.Tx.
func (t *Tx) GetMeta(ctx context.Context, key string) (string, error) {
	var v string
	err := t.tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	return v, notFound(err)
}

// SetMeta implements store.Tx.
func (t *Tx) SetMeta(ctx context.Context, key, value string) error {
	_, err := t.exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

const instanceCols = `id, identity_store_id, name, owner_account_id, status, created_at`

func scanInstance(row interface{ Scan(...any) error }) (*org.Instance, error) {
	var in org.Instance
	var created int64
	if err := row.Scan(&in.ID, &in.IdentityStoreID, &in.Name, &in.OwnerAccountID, &in.Status, &created); err != nil {
		return nil, notFound(err)
	}
	in.CreatedAt = fromMicros(created)
	return &in, nil
}

// CreateInstance implements store.Tx.
func (t *Tx) CreateInstance(ctx context.Context, in *org.Instance) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO instances (`+instanceCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			in.ID, in.IdentityStoreID, in.Name, in.OwnerAccountID, in.Status, micros(in.CreatedAt))
		return err
	})
}

// GetInstance implements store.Tx.
func (t *Tx) GetInstance(ctx context.Context, id string) (*org.Instance, error) {
	return scanInstance(t.tx.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM instances WHERE id = $1`, id))
}

// GetInstanceByStore implements store.Tx.
func (t *Tx) GetInstanceByStore(ctx context.Context, storeID string) (*org.Instance, error) {
	return scanInstance(t.tx.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM instances WHERE identity_store_id = $1`, storeID))
}

// ListInstances implements store.Tx.
func (t *Tx) ListInstances(ctx context.Context, p store.Page) ([]org.Instance, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+instanceCols+` FROM instances WHERE id > $1 ORDER BY id LIMIT $2`, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Instance
	for rows.Next() {
		in, err := scanInstance(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
	return out, rows.Err()
}

// CreateOrganization implements store.Tx.
func (t *Tx) CreateOrganization(ctx context.Context, o *org.Organization) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO organizations (instance_id, id, root_id, management_account_id, management_email, feature_set, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			o.InstanceID, o.ID, o.RootID, o.ManagementAccountID, o.ManagementEmail, o.FeatureSet, micros(o.CreatedAt))
		return err
	})
}

// GetOrganization implements store.Tx.
func (t *Tx) GetOrganization(ctx context.Context, instanceID string) (*org.Organization, error) {
	var o org.Organization
	var created int64
	err := t.tx.QueryRowContext(ctx, `SELECT instance_id, id, root_id, management_account_id, management_email, feature_set, created_at FROM organizations WHERE instance_id = $1`, instanceID).
		Scan(&o.InstanceID, &o.ID, &o.RootID, &o.ManagementAccountID, &o.ManagementEmail, &o.FeatureSet, &created)
	if err != nil {
		return nil, notFound(err)
	}
	o.CreatedAt = fromMicros(created)
	return &o, nil
}

// CreateAccount implements store.Tx.
func (t *Tx) CreateAccount(ctx context.Context, a *org.Account) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO accounts (id, instance_id, name, email, status, parent_id, joined_at, join_method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.ID, a.InstanceID, a.Name, a.Email, a.Status, a.ParentID, micros(a.JoinedAt), a.JoinMethod)
		return err
	})
}

// GetAccount implements store.Tx.
func (t *Tx) GetAccount(ctx context.Context, instanceID, id string) (*org.Account, error) {
	var a org.Account
	var joined int64
	err := t.tx.QueryRowContext(ctx, `SELECT id, instance_id, name, email, status, parent_id, joined_at, join_method FROM accounts WHERE instance_id = $1 AND id = $2`, instanceID, id).
		Scan(&a.ID, &a.InstanceID, &a.Name, &a.Email, &a.Status, &a.ParentID, &joined, &a.JoinMethod)
	if err != nil {
		return nil, notFound(err)
	}
	a.JoinedAt = fromMicros(joined)
	return &a, nil
}

// CreatePrincipal implements store.Tx.
func (t *Tx) CreatePrincipal(ctx context.Context, p *credentials.Principal) error {
	pol, err := json.Marshal(p.Policies)
	if err != nil {
		return err
	}
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO principals (id, instance_id, account_id, name, arn, policies, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			p.ID, p.InstanceID, p.AccountID, p.Name, p.ARN, string(pol), micros(p.CreatedAt))
		return err
	})
}

// GetPrincipal implements store.Tx.
func (t *Tx) GetPrincipal(ctx context.Context, id string) (*credentials.Principal, error) {
	return t.principalWhere(ctx, "id", id)
}

// GetPrincipalByARN returns the principal with an ARN (a capability the
// service finds by type assertion, for IAM's SimulatePrincipalPolicy).
func (t *Tx) GetPrincipalByARN(ctx context.Context, arn string) (*credentials.Principal, error) {
	return t.principalWhere(ctx, "arn", arn)
}

func (t *Tx) principalWhere(ctx context.Context, col, v string) (*credentials.Principal, error) {
	var p credentials.Principal
	var pol string
	var created int64
	err := t.tx.QueryRowContext(ctx, `SELECT id, instance_id, account_id, name, arn, policies, created_at FROM principals WHERE `+col+` = $1`, v).
		Scan(&p.ID, &p.InstanceID, &p.AccountID, &p.Name, &p.ARN, &pol, &created)
	if err != nil {
		return nil, notFound(err)
	}
	if err := json.Unmarshal([]byte(pol), &p.Policies); err != nil {
		return nil, err
	}
	p.CreatedAt = fromMicros(created)
	return &p, nil
}

// CreateAccessKey implements store.Tx.
func (t *Tx) CreateAccessKey(ctx context.Context, k *store.SealedAccessKey) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO access_keys (id, principal_id, sealed_secret, status, created_at) VALUES ($1, $2, $3, $4, $5)`,
			k.ID, k.PrincipalID, blob(k.SealedSecret), k.Status, micros(k.CreatedAt))
		return err
	})
}

// GetAccessKey implements store.Tx.
func (t *Tx) GetAccessKey(ctx context.Context, id string) (*store.SealedAccessKey, error) {
	var k store.SealedAccessKey
	var created int64
	err := t.tx.QueryRowContext(ctx, `SELECT id, principal_id, sealed_secret, status, created_at FROM access_keys WHERE id = $1`, id).
		Scan(&k.ID, &k.PrincipalID, &k.SealedSecret, &k.Status, &created)
	if err != nil {
		return nil, notFound(err)
	}
	k.CreatedAt = fromMicros(created)
	return &k, nil
}

// AppendAudit implements store.Tx.
// The head is read (and, on PostgreSQL, locked) at the transaction's first
// append, and written back once, by Flush.
func (t *Tx) AppendAudit(ctx context.Context, key []byte, instanceID string, ts time.Time, name string, data []byte) (audit.Record, error) {
	if !t.s.loaded {
		head, err := t.head(ctx, t.d.ForUpdate)
		if err != nil {
			return audit.Record{}, err
		}
		t.s.head, t.s.loaded = head, true
	}
	rec, next := audit.Next(key, t.s.head, instanceID, ts, name, data)
	if _, err := t.exec(ctx, `INSERT INTO audit_events (seq, instance_id, event_time, event_name, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		rec.Seq, rec.InstanceID, micros(rec.Time), rec.EventName, string(rec.Data), blob(rec.PrevHash), blob(rec.Hash)); err != nil {
		return audit.Record{}, err
	}
	t.s.head, t.s.dirty = next, true
	return rec, nil
}

func (t *Tx) head(ctx context.Context, suffix string) (audit.Head, error) {
	var h audit.Head
	err := t.tx.QueryRowContext(ctx, `SELECT seq, hash, mac FROM audit_head WHERE id = 1 `+suffix).Scan(&h.Seq, &h.Hash, &h.MAC)
	h.Hash, h.MAC = blob(h.Hash), blob(h.MAC) // the empty chain's
	return h, err
}

// AuditHead implements store.Tx.
func (t *Tx) AuditHead(ctx context.Context) (audit.Head, error) {
	if t.s.loaded {
		return t.s.head, nil
	}
	return t.head(ctx, "")
}

// ScanAudit implements store.Tx.
func (t *Tx) ScanAudit(ctx context.Context, after int64, n int) ([]audit.Record, error) {
	if n <= 0 {
		n = 1000
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT seq, instance_id, event_time, event_name, data, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		var r audit.Record
		var ts int64
		var data string
		if err := rows.Scan(&r.Seq, &r.InstanceID, &ts, &r.EventName, &data, &r.PrevHash, &r.Hash); err != nil {
			return nil, err
		}
		r.Time = fromMicros(ts)
		r.Data = []byte(data)
		out = append(out, r)
	}
	return out, rows.Err()
}

func lower(s string) string { return strings.ToLower(s) }
