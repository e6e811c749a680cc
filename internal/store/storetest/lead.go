package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/store"
)

// testLead checks what every engine's election does for one process: it
// leads at once when nobody else does, holds the lead until it releases
// it, and may lead again after.
func testLead(t *testing.T, s store.Store) {
	for range 2 {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		lost, release, err := s.Lead(ctx, "conformance")
		cancel()
		if err != nil {
			t.Fatalf("Lead() with nobody leading = %v, want nil", err)
		}
		select {
		case <-lost:
			t.Fatal("lost is closed while leading")
		case <-time.After(50 * time.Millisecond):
		}
		release()
		release() // twice is harmless
		select {
		case <-lost:
		case <-time.After(5 * time.Second):
			t.Fatal("lost is still open after release")
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := s.Lead(ctx, "conformance"); err == nil {
		t.Error("Lead() with an ended context = nil, want its error")
	}
}
