package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		floor, live, scan uint64
		base, want        int
	}{
		{64 * mib, 8 * mib, 8 * mib, 100, 700},
		{64 * mib, 8 * mib, 10 * mib, 100, 560}, // stacks and globals: 2 MiB
		{64 * mib, 16 * mib, 16 * mib, 200, 300},
		{64 * mib, 40 * mib, 40 * mib, 100, 100}, // 60 would be below GOGC
		{64 * mib, 64 * mib, 64 * mib, 100, 100},
		{64 * mib, 1 << 30, 1 << 30, 100, 100},
		{64 * mib, 0, 0, 100, 100}, // no collection yet
		// The runtime's minimum goal, 4 MiB at 100%, grows with the
		// percentage: 64 MiB at 1,600%.
		{64 * mib, 1, 1, 100, 1600},
		{64 * mib, 2 * mib, 3 * mib, 100, 1600},
		{64 * mib, 4 * mib, 4 * mib, 5000, 5000},
	} {
		if got := percentFor(c.floor, c.live, c.scan, c.base); got != c.want {
			t.Errorf("percentFor(%d, %d, %d, %d) = %d, want %d", c.floor, c.live, c.scan, c.base, got, c.want)
		}
	}
}

func read(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// waitFor collects until ok holds (each collection runs the floor's
// finalizer), for at most five seconds.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: heap goal %d, GC percent %d, live heap %d", what, read("/gc/heap/goal:bytes"), read("/gc/gogc:percent"), read("/gc/heap/live:bytes"))
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// restoreGC puts the GC percentage back as the test found it.
func restoreGC(t *testing.T) {
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	t.Cleanup(func() { debug.SetGCPercent(base) })
}

// TestFloorFollowsTheLiveHeap: with a small live heap the goal rises to the
// floor; when the live heap outgrows the floor, the percentage goes back to
// GOGC after the next collection; Stop restores it.
func TestFloorFollowsTheLiveHeap(t *testing.T) {
	restoreGC(t)
	debug.SetGCPercent(100)
	runtime.GC()
	const floor = 256 << 20
	f := Start(floor)
	if f == nil {
		t.Fatal("Start returned nil with the collector on")
	}
	defer f.Stop()
	atFloor := func() bool { return read("/gc/gogc:percent") > 100 && read("/gc/heap/goal:bytes") >= floor*95/100 }
	waitFor(t, "the goal should reach the floor", atFloor)
	if g := read("/gc/heap/goal:bytes"); g > floor*105/100 {
		t.Errorf("heap goal %d, over the floor of %d", g, floor)
	}

	// A live heap above the floor: GOGC's own pace again.
	big := make([]byte, 2*floor) // live once allocated, touched or not
	waitFor(t, "the percentage should fall back to 100", func() bool { return read("/gc/gogc:percent") == 100 })
	runtime.KeepAlive(big)
	big = nil

	// The live heap small again: the floor again.
	waitFor(t, "the goal should reach the floor again", atFloor)

	f.Stop()
	if p := read("/gc/gogc:percent"); p != 100 {
		t.Fatalf("after Stop the GC percent is %d, want 100", p)
	}
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	runtime.GC()
	if p := read("/gc/gogc:percent"); p != 100 {
		t.Fatalf("collections after Stop set the GC percent to %d", p)
	}
}

// TestFloorKeepsGOGC: a GOGC above what the floor needs stays, and
// GOGC=off turns the floor off.
func TestFloorKeepsGOGC(t *testing.T) {
	restoreGC(t)
	debug.SetGCPercent(5000)
	f := Start(1 << 20)
	runtime.GC()
	runtime.GC()
	if p := read("/gc/gogc:percent"); p != 5000 {
		t.Errorf("GC percent %d with GOGC=5000 and a floor of 1 MiB, want 5000", p)
	}
	f.Stop()

	debug.SetGCPercent(-1)
	if f := Start(256 << 20); f != nil {
		f.Stop()
		t.Fatal("Start set a floor with the collector off")
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("Start changed GOGC=off to %d", p)
	}
	var nilFloor *Floor
	nilFloor.Stop()
}
