package service_test

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/service"
)

// repeatingReader answers its first n reads of three bytes (a permission
// set id's random part) with zeros, and every other read from crypto/rand.
type repeatingReader struct{ n atomic.Int32 }

func (r *repeatingReader) Read(b []byte) (int, error) {
	if len(b) == 3 && r.n.Add(-1) >= 0 {
		clear(b)
		return len(b), nil
	}
	return rand.Read(b)
}

// TestPermissionSetIDCollision: two permission sets made in the same
// millisecond that draw the same id both get made, with ids of their
// own; a taken name is still refused.
func TestPermissionSetIDCollision(t *testing.T) {
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	at := time.UnixMilli(1_800_000_000_000)
	r := &repeatingReader{}
	ctx, svc, boot := startService(t, cfg, arn.Generator{Rand: r, Now: func() time.Time { return at }}, nil)
	instanceARN := arn.InstanceARN(boot.Instance.ID)

	r.n.Store(2) // the first two draws: the same id
	a, err := svc.CreatePermissionSet(ctx, instanceARN, service.NewPermissionSet{Name: "First"})
	if err != nil {
		t.Fatalf("CreatePermissionSet(First) = %v", err)
	}
	b, err := svc.CreatePermissionSet(ctx, instanceARN, service.NewPermissionSet{Name: "Second"})
	if err != nil {
		t.Fatalf("CreatePermissionSet(Second), whose first id was taken = %v", err)
	}
	if a.ID != "ps-"+"1a3185c5000"+"00000" || b.ID == a.ID || b.ID[:14] != a.ID[:14] {
		t.Errorf("ids %s and %s: want ps-1a3185c500000000 and another of the same millisecond", a.ID, b.ID)
	}
	for _, ps := range []string{a.ID, b.ID} {
		if _, err := svc.DescribePermissionSet(ctx, instanceARN, arn.PermissionSetARN(boot.Instance.ID, ps)); err != nil {
			t.Errorf("DescribePermissionSet(%s) = %v", ps, err)
		}
	}
	r.n.Store(1)
	if _, err := svc.CreatePermissionSet(ctx, instanceARN, service.NewPermissionSet{Name: "first"}); errs.KindOf(err) != errs.Conflict {
		t.Errorf("CreatePermissionSet of a taken name = %v, want a conflict", err)
	}
}
