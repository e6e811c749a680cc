package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"sync"
)

// stmtCacheSize bounds the prepared statements each connection keeps.
const stmtCacheSize = 256

// stmtCache keeps a connection's prepared statements by their SQL text, so
// that a query run again is not parsed and planned again: parsing is a
// fifth of the CPU time of a small call otherwise. The least recently used
// statement is closed when the cache is full. A statement whose rows are
// still open is busy: the same SQL run meanwhile (a query nested in the
// loop over another's rows) is prepared afresh, used once and closed.
//
// SQLite recompiles a prepared statement on its own when the schema changes
// under it (sqlite3_prepare_v2), so a cached statement never goes stale.
type stmtCache struct {
	prepare func(ctx context.Context, query string) (driver.Stmt, error)

	mu  sync.Mutex // database/sql serializes a conn's calls; this is for safety
	m   map[string]*list.Element
	lru list.List // of *cachedStmt, most recently used first
}

type cachedStmt struct {
	query string
	s     cacheableStmt
	busy  bool // rows of it are open
}

// cacheableStmt is what the cache needs of a driver's statement.
type cacheableStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

func newStmtCache(prepare func(ctx context.Context, query string) (driver.Stmt, error)) *stmtCache {
	return &stmtCache{prepare: prepare, m: make(map[string]*list.Element)}
}

// take returns query's statement, marked busy, preparing it if need be. It
// returns cached false when the statement is not kept: the caller closes it
// after use.
func (c *stmtCache) take(ctx context.Context, query string) (cs *cachedStmt, cached bool, err error) {
	c.mu.Lock()
	if e, ok := c.m[query]; ok {
		cs := e.Value.(*cachedStmt)
		if !cs.busy {
			cs.busy = true
			c.lru.MoveToFront(e)
			c.mu.Unlock()
			return cs, true, nil
		}
		c.mu.Unlock()
		s, err := c.prepareOne(ctx, query)
		if err != nil {
			return nil, false, err
		}
		return &cachedStmt{query: query, s: s, busy: true}, false, nil
	}
	c.mu.Unlock()
	s, err := c.prepareOne(ctx, query)
	if err != nil {
		return nil, false, err
	}
	cs = &cachedStmt{query: query, s: s, busy: true}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[query]; ok { // cannot happen while calls are serialized
		return cs, false, nil
	}
	c.m[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		e := c.lru.Back()
		old := e.Value.(*cachedStmt)
		if old.busy {
			break // closed when its rows are
		}
		c.lru.Remove(e)
		delete(c.m, old.query)
		old.s.Close()
	}
	return cs, true, nil
}

func (c *stmtCache) prepareOne(ctx context.Context, query string) (cacheableStmt, error) {
	s, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	cs, ok := s.(cacheableStmt)
	if !ok {
		s.Close()
		return nil, errNoContextStmt
	}
	return cs, nil
}

// give returns a statement taken with take.
func (c *stmtCache) give(cs *cachedStmt, cached bool) error {
	if !cached {
		return cs.s.Close()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cs.busy = false
	if _, ok := c.m[cs.query]; !ok { // evicted while busy
		return cs.s.Close()
	}
	return nil
}

// exec runs query with args on its cached statement.
func (c *stmtCache) exec(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, cached, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	r, err := cs.s.ExecContext(ctx, args)
	if gerr := c.give(cs, cached); err == nil && gerr != nil {
		return nil, gerr
	}
	return r, err
}

// query runs query with args on its cached statement; the statement stays
// busy until the rows are closed.
func (c *stmtCache) query(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, cached, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	r, err := cs.s.QueryContext(ctx, args)
	if err != nil {
		c.give(cs, cached)
		return nil, err
	}
	return &cachedRows{Rows: r, c: c, cs: cs, cached: cached}, nil
}

// close closes every statement; the connection is closing.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).s.Close()
	}
	c.lru.Init()
	clear(c.m)
}

// cachedRows gives its statement back to the cache when closed.
type cachedRows struct {
	driver.Rows
	c      *stmtCache
	cs     *cachedStmt
	cached bool
	closed bool
}

func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	if gerr := r.c.give(r.cs, r.cached); err == nil {
		err = gerr
	}
	return err
}
