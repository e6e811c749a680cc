package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"modernc.org/sqlite"
)

// cacheConn opens a reader conn on a new database whose prepares are
// counted.
func cacheConn(t *testing.T) (*conn, *int) {
	t.Helper()
	c := &connector{drv: &sqlite.Driver{}, dsn: dsn(filepath.Join(t.TempDir(), "c.db"), false, "FULL")}
	dc, err := c.Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cn := dc.(*conn)
	t.Cleanup(func() { cn.Close() })
	prepares := new(int)
	prepare := cn.stmts.prepare
	cn.stmts.prepare = func(ctx context.Context, q string) (driver.Stmt, error) {
		*prepares++
		return prepare(ctx, q)
	}
	return cn, prepares
}

func queryInts(t *testing.T, rows driver.Rows) []int64 {
	t.Helper()
	var out []int64
	v := make([]driver.Value, 1)
	for {
		err := rows.Next(v)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v[0].(int64))
	}
}

func TestStmtCache(t *testing.T) {
	ctx := t.Context()
	c, prepares := cacheConn(t)
	if _, err := c.ExecContext(ctx, `CREATE TABLE n (v INTEGER)`, nil); err != nil {
		t.Fatal(err)
	}
	ins := `INSERT INTO n (v) VALUES (?)`
	for i := range 5 {
		if _, err := c.ExecContext(ctx, ins, []driver.NamedValue{{Ordinal: 1, Value: int64(i)}}); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if *prepares != 2 {
		t.Errorf("prepares after 1 CREATE and 5 INSERTs = %d, want 2: the INSERT is prepared once", *prepares)
	}

	// A query run again while its rows are open is prepared afresh; both
	// give the right rows, and the cached statement serves the next call.
	sel := `SELECT v FROM n WHERE v >= ? ORDER BY v`
	outer, err := c.QueryContext(ctx, sel, []driver.NamedValue{{Ordinal: 1, Value: int64(3)}})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := c.QueryContext(ctx, sel, []driver.NamedValue{{Ordinal: 1, Value: int64(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := queryInts(t, inner); len(got) != 4 || got[0] != 1 {
		t.Errorf("nested query = %v, want [1 2 3 4]", got)
	}
	inner.Close()
	if got := queryInts(t, outer); len(got) != 2 || got[0] != 3 {
		t.Errorf("outer query = %v, want [3 4]", got)
	}
	outer.Close()
	before := *prepares
	for range 3 {
		rows, err := c.QueryContext(ctx, sel, []driver.NamedValue{{Ordinal: 1, Value: int64(4)}})
		if err != nil {
			t.Fatal(err)
		}
		if got := queryInts(t, rows); len(got) != 1 || got[0] != 4 {
			t.Errorf("query = %v, want [4]", got)
		}
		rows.Close()
	}
	if *prepares != before {
		t.Errorf("prepares of a cached query = %d, want 0", *prepares-before)
	}

	// A failing statement leaves its cached statement usable.
	uniq := `CREATE UNIQUE INDEX n_v ON n (v)`
	if _, err := c.ExecContext(ctx, uniq, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, ins, []driver.NamedValue{{Ordinal: 1, Value: int64(1)}}); err == nil {
		t.Error("duplicate insert = nil, want a constraint error")
	}
	if _, err := c.ExecContext(ctx, ins, []driver.NamedValue{{Ordinal: 1, Value: int64(9)}}); err != nil {
		t.Errorf("insert after a failed one = %v, want nil", err)
	}

	// The cache stays bounded.
	for i := range stmtCacheSize + 10 {
		q := fmt.Sprintf(`SELECT %d + ?`, i)
		rows, err := c.QueryContext(ctx, q, []driver.NamedValue{{Ordinal: 1, Value: int64(1)}})
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if n := c.stmts.lru.Len(); n > stmtCacheSize {
		t.Errorf("cached statements = %d, want at most %d", n, stmtCacheSize)
	}
}
