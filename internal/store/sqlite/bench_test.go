package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/sqlite"
)

// BenchmarkWrite measures Write calls per second from GOMAXPROCS concurrent
// callers (set it with -cpu), each call setting a key and appending an audit
// event, as an API call does. "alone" commits each call in a transaction of
// its own, as the store did before group commit; "grouped" commits the calls
// waiting together. Run it on the disk the database will live on (TMPDIR):
// the sync at each commit is what it measures.
func BenchmarkWrite(b *testing.B) {
	for _, synchronous := range []string{"FULL", "NORMAL"} {
		for _, mode := range []struct {
			name     string
			maxBatch int
		}{{"alone", 1}, {"grouped", 0}} {
			b.Run(fmt.Sprintf("sync=%s/%s", synchronous, mode.name), func(b *testing.B) {
				ctx := context.Background()
				db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "atrium.db"), sqlite.Options{Synchronous: synchronous})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				in := mustInstance(b, db)
				if mode.maxBatch > 0 {
					sqlite.SetMaxBatch(db, mode.maxBatch)
				}
				var n atomic.Int64
				commits := sqlite.Commits(db)
				b.ResetTimer()
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						err := db.Write(ctx, func(tx store.Tx) error {
							if err := tx.SetMeta(ctx, "last", fmt.Sprint(i)); err != nil {
								return err
							}
							_, err := appendEvent(ctx, tx, in, "Bench")
							return err
						})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
				elapsed := time.Since(start)
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
				b.ReportMetric(float64(b.N)/float64(sqlite.Commits(db)-commits), "writes/commit")
			})
		}
	}
}
