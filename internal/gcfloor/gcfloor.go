// Package gcfloor keeps the garbage collector's heap goal at or above a
// floor.
//
// Go runs a collection each time the heap has grown by GOGC percent (100 by
// default) of what the last one left live. A server whose live heap is a
// few MiB, as Atrium's is until its directory grows, then collects every
// few MiB it allocates: dozens of times a second under load, each time
// with fixed costs (its stacks and globals scanned, its goroutines made to
// assist) that dwarf the garbage. A floor of tens of MiB makes those
// collections rare and costs at most the floor in memory; once the live
// heap is half the floor or more, GOGC alone sets the pace, as without it.
//
// After every collection the floor raises the GC percentage so that the
// next goal is the floor, and never lowers it below the percentage the
// process started with (GOGC, or 100). GOGC=off turns it off. A memory
// limit (GOMEMLIMIT) still bounds the heap: Go collects as the limit
// nears whatever the percentage says.
package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// goMinHeap is the runtime's minimum heap goal at GOGC=100; it scales
// with the percentage (4 MiB·percent/100).
const goMinHeap = 4 << 20

// A Floor is a heap floor in force; Stop lifts it.
type Floor struct {
	floor  uint64
	base   int // the GC percentage the process started with
	sample []metrics.Sample

	mu      sync.Mutex // guards what follows: adjust and Stop
	stopped bool
	cur     int // the percentage set last
}

// Start sets a heap floor of floor bytes until Stop. It returns nil, and
// changes nothing, when floor is 0 or the collector is off (GOGC=off).
func Start(floor uint64) *Floor {
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	if floor == 0 || base < 0 {
		return nil
	}
	f := &Floor{floor: floor, base: base, cur: base,
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}}
	f.adjust()
	f.arm()
	return f
}

// Stop lifts the floor: the GC percentage is the one the process started
// with again. Stop on a nil Floor does nothing.
func (f *Floor) Stop() {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.stopped {
		f.stopped = true
		debug.SetGCPercent(f.base)
	}
}

// sentinel is garbage whose finalizer runs after each collection. It holds
// a pointer so that the tiny allocator, whose blocks may outlive their
// objects, never takes it.
type sentinel struct{ _ *byte }

// arm allocates a sentinel whose finalizer adjusts the percentage after
// the collection that finds it unreachable, and arms the next.
func (f *Floor) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		if f.adjust() {
			f.arm()
		}
	})
}

// adjust sets the percentage whose goal, from the last collection, is the
// floor, and at least the starting percentage. It reports false once the
// floor is stopped.
func (f *Floor) adjust() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return false
	}
	metrics.Read(f.sample)
	var v [3]uint64
	for i, s := range f.sample {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	p := percentFor(f.floor, v[0], v[0]+v[1]+v[2], f.base)
	// Small moves of the live heap are not worth a new setting.
	if p != f.cur && (p == f.base || (max(p, f.cur)-min(p, f.cur))*20 > f.cur) {
		debug.SetGCPercent(p)
		f.cur = p
	}
	return true
}

// percentFor is the GC percentage whose goal is floor, and at least base.
// Go's goal is live + scan·percent/100, where live is the heap the last
// collection found live and scan what the next must scan (that heap, the
// goroutine stacks and the globals), and at least goMinHeap·percent/100.
func percentFor(floor, live, scan uint64, base int) int {
	if live == 0 || live >= floor || scan < live {
		return base
	}
	p := min((floor-live)*100/scan, floor*100/goMinHeap)
	return max(int(p), base)
}
