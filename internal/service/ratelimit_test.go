package service_test

import (
	"context"
	"testing"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
)

// TestFailedAuthenticationsAreRateLimited: an address that keeps failing to
// authenticate is refused before its credentials are even checked; other
// addresses are not affected.
func TestFailedAuthenticationsAreRateLimited(t *testing.T) {
	s := atriumtest.Start(t)
	svc := s.App.Service
	from := func(ip string) context.Context {
		return reqctx.WithRequest(t.Context(), &reqctx.Request{ID: "r", SourceIP: ip})
	}
	bad := from("192.0.2.7")
	refused := 0
	for range 100 {
		if err := svc.CheckAuthRate(bad); err != nil {
			if errs.KindOf(err) != errs.Throttled {
				t.Fatalf("CheckAuthRate = %v, want throttled", err)
			}
			refused++
			continue
		}
		if _, err := svc.AuthenticateSCIM(bad, "", "atrium-scim-nope.nope"); err == nil {
			t.Fatal("a made-up token authenticated")
		} else {
			svc.RecordRejected(bad, "identitystore-scim.amazonaws.com", "ListUsers", true, err)
		}
	}
	if refused < 60 {
		t.Errorf("%d of 100 failing attempts were refused, want the ones past the budget (at least 60)", refused)
	}
	if err := svc.CheckAuthRate(from("192.0.2.8")); err != nil {
		t.Errorf("another address is refused: %v", err)
	}
}
