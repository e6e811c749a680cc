package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"

	"modernc.org/sqlite"
)

// errRolledBack answers a statement of a transaction that SQLite has already
// rolled back on its own.
var errRolledBack = errors.New("sqlite: the transaction was rolled back (interrupted, or an I/O error); nothing of it was written")

// driverConn is what the writer needs of a modernc.org/sqlite connection.
type driverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	RegisterRollbackHook(sqlite.RollbackHookFn)
}

var errNoContextStmt = errors.New("sqlite: the driver's statement lacks a method the store needs")

// connector opens connections, each a conn: the writer's, or a reader's.
type connector struct {
	drv    driver.Driver
	dsn    string
	writer bool
}

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(driverConn)
	if !ok {
		dc.Close()
		return nil, errors.New("sqlite: the driver's connection lacks a method the store needs")
	}
	w := &conn{inner: inner, writer: c.writer}
	w.stmts = newStmtCache(func(ctx context.Context, q string) (driver.Stmt, error) { return inner.PrepareContext(w.ctx(ctx), q) })
	if c.writer {
		inner.RegisterRollbackHook(func() { w.rolledBack.Store(true) })
	}
	return w, nil
}

func (c *connector) Driver() driver.Driver { return c.drv }

// conn is a connection that keeps its prepared statements (stmtCache).
//
// The writer's conn differs from the driver's in two more ways. Several
// callers' functions share its transactions, so it keeps one caller from
// undoing the work of the others:
//
//   - Statements run without the cancellation of the caller's context: SQLite
//     answers an interrupted INSERT, UPDATE or DELETE by rolling back the
//     whole transaction. database/sql still checks the context before each
//     statement, so a cancelled caller's function fails at its next one, and
//     only its own work is undone.
//   - Once SQLite has rolled back a transaction on its own (an interrupt, a
//     full disk, an I/O error), the connection refuses every statement until
//     the transaction ends, instead of running them outside any transaction, each
//     committed on its own. The writer sees the refusal when it releases the
//     function's savepoint, and fails the whole batch.
type conn struct {
	inner      driverConn
	writer     bool
	stmts      *stmtCache
	rolledBack atomic.Bool // writer only: set by SQLite's rollback hook, cleared when the transaction ends
}

// ctx is the context statements run with: the writer's run to the end.
func (c *conn) ctx(ctx context.Context) context.Context {
	if c.writer {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
)

func (c *conn) usable() error {
	if c.rolledBack.Load() {
		return errRolledBack
	}
	return nil
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.rolledBack.Store(false)
	t, err := c.inner.BeginTx(c.ctx(ctx), opts)
	if err != nil {
		return nil, err
	}
	return &connTx{inner: t, c: c}, nil
}

// connTx ends a transaction of a conn: once it has, the conn takes
// statements again (a rollback by SQLite refuses them only until then).
type connTx struct {
	inner driver.Tx
	c     *conn
}

func (t *connTx) Commit() error {
	defer t.c.rolledBack.Store(false)
	return t.inner.Commit()
}

func (t *connTx) Rollback() error {
	defer t.c.rolledBack.Store(false)
	return t.inner.Rollback()
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.stmts.exec(c.ctx(ctx), query, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.stmts.query(c.ctx(ctx), query, args)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	s, err := c.inner.PrepareContext(c.ctx(ctx), query)
	if err != nil {
		return nil, err
	}
	ds, ok := s.(driverStmt)
	if !ok {
		s.Close()
		return nil, errNoContextStmt
	}
	return &stmt{inner: ds, c: c}, nil
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) Close() error {
	c.stmts.close()
	return c.inner.Close()
}

func (c *conn) Ping(ctx context.Context) error         { return c.inner.Ping(ctx) }
func (c *conn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }
func (c *conn) IsValid() bool                          { return c.inner.IsValid() }

// driverStmt is what the writer needs of a modernc.org/sqlite statement.
type driverStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// stmt is a prepared statement of a conn, run like the conn's own.
type stmt struct {
	inner driverStmt
	c     *conn
}

func (s *stmt) Close() error  { return s.inner.Close() }
func (s *stmt) NumInput() int { return s.inner.NumInput() }

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.c.usable(); err != nil {
		return nil, err
	}
	return s.inner.ExecContext(s.c.ctx(ctx), args)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.usable(); err != nil {
		return nil, err
	}
	return s.inner.QueryContext(s.c.ctx(ctx), args)
}

// Exec and Query are never called: database/sql prefers the Context forms.
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return nil, errors.New("sqlite: Stmt.Exec without a context is not supported")
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return nil, errors.New("sqlite: Stmt.Query without a context is not supported")
}
