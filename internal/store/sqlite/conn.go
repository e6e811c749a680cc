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

// writerConnector opens the writer's connection, a conn.
type writerConnector struct {
	drv driver.Driver
	dsn string
}

func (c *writerConnector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(driverConn)
	if !ok {
		dc.Close()
		return nil, errors.New("sqlite: the driver's connection lacks a method the writer needs")
	}
	w := &conn{inner: inner}
	inner.RegisterRollbackHook(func() { w.rolledBack.Store(true) })
	return w, nil
}

func (c *writerConnector) Driver() driver.Driver { return c.drv }

// conn is the writer's connection. Several callers' functions share its
// transactions, so it differs from the driver's in two ways that keep one
// caller from undoing the work of the others:
//
//   - Statements run without the cancellation of the caller's context: SQLite
//     answers an interrupted INSERT, UPDATE or DELETE by rolling back the
//     whole transaction. database/sql still checks the context before each
//     statement, so a cancelled caller's function fails at its next one, and
//     only its own work is undone.
//   - Once SQLite has rolled back a transaction on its own (an interrupt, a
//     full disk, an I/O error), the connection refuses every statement until
//     the next BEGIN, instead of running them outside any transaction, each
//     committed on its own. The writer sees the refusal when it releases the
//     function's savepoint, and fails the whole batch.
type conn struct {
	inner      driverConn
	rolledBack atomic.Bool // set by SQLite's rollback hook, cleared by BeginTx
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
	return c.inner.BeginTx(context.WithoutCancel(ctx), opts)
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.inner.ExecContext(context.WithoutCancel(ctx), query, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.inner.QueryContext(context.WithoutCancel(ctx), query, args)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	s, err := c.inner.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil, err
	}
	ds, ok := s.(driverStmt)
	if !ok {
		s.Close()
		return nil, errors.New("sqlite: the driver's statement lacks a method the writer needs")
	}
	return &stmt{inner: ds, c: c}, nil
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) Close() error                           { return c.inner.Close() }
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
	return s.inner.ExecContext(context.WithoutCancel(ctx), args)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.usable(); err != nil {
		return nil, err
	}
	return s.inner.QueryContext(context.WithoutCancel(ctx), args)
}

// Exec and Query are never called: database/sql prefers the Context forms.
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return nil, errors.New("sqlite: Stmt.Exec without a context is not supported")
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return nil, errors.New("sqlite: Stmt.Query without a context is not supported")
}
