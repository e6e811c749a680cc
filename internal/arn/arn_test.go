package arn_test

import (
	"bytes"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/arn"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUIDVersions(t *testing.T) {
	var g arn.Generator
	for range 100 {
		if m := uuidRe.FindStringSubmatch(g.UUID()); m == nil || m[1] != "4" {
			t.Fatalf("UUID() = %q, want a version 4 UUID", g.UUID())
		}
		if m := uuidRe.FindStringSubmatch(g.TimeUUID()); m == nil || m[1] != "7" {
			t.Fatalf("TimeUUID() = %q, want a version 7 UUID", g.TimeUUID())
		}
	}
}

// TestTimeUUIDOrder: ids of later milliseconds sort after earlier ones,
// and carry the time in their first 48 bits.
func TestTimeUUIDOrder(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_123)
	g := arn.Generator{Now: func() time.Time { return at }}
	if got, want := g.TimeUUID()[:13], "018bcfe5-687b"; got != want {
		t.Fatalf("TimeUUID() at %v starts %q, want %q", at, got, want)
	}
	var ids []string
	for i := range 1000 {
		at = at.Add(time.Duration(i%3) * time.Millisecond) // some ids share a millisecond
		ids = append(ids, g.TimeUUID())
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1][:13] > ids[i][:13] {
			t.Fatalf("id %d %q sorts before id %d %q", i, ids[i], i-1, ids[i-1])
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		t.Fatal("TimeUUID repeated an id")
	}
}

// TestPermissionSetIDOrder: permission set ids are 16 hex digits, those
// of later milliseconds sort after earlier ones, and they carry the time
// in their first 44 bits.
func TestPermissionSetIDOrder(t *testing.T) {
	at := time.UnixMilli(0x0123456789a)
	g := arn.Generator{Rand: bytes.NewReader(bytes.Repeat([]byte{0xff}, 3)), Now: func() time.Time { return at }}
	if got, want := g.PermissionSetID(), "ps-0123456789afffff"; got != want {
		t.Fatalf("PermissionSetID() at %v = %q, want %q", at, got, want)
	}
	at = time.UnixMilli(1_700_000_000_123)
	g.Rand = nil
	idRe := regexp.MustCompile(`^ps-[0-9a-f]{16}$`)
	var ids []string
	for i := range 1000 {
		at = at.Add(time.Duration(i%3) * time.Millisecond) // some ids share a millisecond
		id := g.PermissionSetID()
		if !idRe.MatchString(id) {
			t.Fatalf("PermissionSetID() = %q, want ps- and 16 hex digits", id)
		}
		ids = append(ids, id)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1][:14] > ids[i][:14] {
			t.Fatalf("id %d %q sorts before id %d %q", i, ids[i], i-1, ids[i-1])
		}
	}
	if _, id, ok := arn.ParsePermissionSetARN(arn.PermissionSetARN("ssoins-0123456789abcdef", ids[0])); !ok || id != ids[0] {
		t.Fatalf("the ARN of %s parses to %q, %v", ids[0], id, ok)
	}
}

func TestResourceID(t *testing.T) {
	g := arn.Generator{Rand: bytes.NewReader(bytes.Repeat([]byte{0xff}, 32)), Now: func() time.Time { return time.UnixMilli(0x0123456789ab) }}
	id := g.ResourceID("d-906722b2be")
	if want := "906722b2be-01234567-89ab-7fff-bfff-ffffffffffff"; id != want {
		t.Fatalf("ResourceID = %q, want %q", id, want)
	}
	if !arn.ValidResourceID(id) {
		t.Fatalf("ResourceID %q does not match the identitystore pattern", id)
	}
	if id := (arn.Generator{}).ResourceID("not-a-store"); !uuidRe.MatchString(id) {
		t.Fatalf("ResourceID of an odd store id = %q, want a bare UUID", id)
	}
}
