package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gcPercent reads the server's GC percentage from /metrics.
func gcPercent(t *testing.T, s *server) int {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_gc_gogc_percent "); ok {
			p, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("go_gc_gogc_percent %q: %v", v, err)
			}
			return int(p)
		}
	}
	t.Fatalf("no go_gc_gogc_percent in /metrics (%v)", sc.Err())
	return 0
}

// TestServeHeapFloor: atrium serve raises the GC percentage above GOGC's
// 100 while its heap is small (the default floor of 32 MiB), and leaves it
// at 100 with --gc-heap-floor 0. Each scrape of /metrics allocates, so
// collections, after which the floor adjusts, come by themselves.
func TestServeHeapFloor(t *testing.T) {
	bin := mustBuild(t)
	s := mustStart(t, bin, t.TempDir(), "")
	var p int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if p = gcPercent(t, s); p > 100 {
			break
		}
	}
	if p <= 100 {
		t.Fatalf("GC percent %d with the default heap floor, want more than 100", p)
	}

	off := mustStart(t, bin, t.TempDir(), "", "--gc-heap-floor", "0")
	for range 50 {
		if p := gcPercent(t, off); p != 100 {
			t.Fatalf("GC percent %d with --gc-heap-floor 0, want 100", p)
		}
	}
}
