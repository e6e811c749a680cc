package service_test

import (
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// TestRolesReconciledAtStart checks that the leader, when it starts,
// restores the role of a provisioned permission set that has none (as
// permission sets provisioned before roles were recorded had), removes a
// role no provisioning explains, and leaves matching roles alone.
func TestRolesReconciledAtStart(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testRolesReconciledAtStart(t, atriumtest.Options{DataDir: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testRolesReconciledAtStart(t, atriumtest.Options{DataDir: t.TempDir(), DatabaseURL: storetest.NewPostgresDatabase(t)})
	})
}

func testRolesReconciledAtStart(t *testing.T, opts atriumtest.Options) {
	s := atriumtest.Start(t, opts)
	w := newWorld(t, s)
	devs := w.group(t, "Developers")
	psARN, psID := w.permissionSet(t, "Dev")
	_, otherID := w.permissionSet(t, "Other")
	acct, kept := w.account(t, "Sandbox"), w.account(t, "Kept")
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
	w.assign(t, false, psARN, "AWS_ACCOUNT", kept, "GROUP", devs)
	roles := func(s *atriumtest.Server, acct string) []access.Role {
		t.Helper()
		var rs []access.Role
		if err := s.App.Store.Read(t.Context(), func(tx store.Tx) (err error) {
			rs, err = tx.ListRoles(t.Context(), w.instance, acct, store.Page{Limit: 100})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	before, keptBefore := roles(s, acct), roles(s, kept)
	if len(before) != 1 || before[0].PermissionSetID != psID || len(keptBefore) != 1 {
		t.Fatalf("roles after the assignments = %+v, %+v; want one of %s in each account", before, keptBefore, psID)
	}
	// The role is lost, and a role no provisioning explains appears.
	err := s.App.Store.Write(t.Context(), func(tx store.Tx) error {
		if err := tx.DeleteRole(t.Context(), w.instance, acct, psID); err != nil {
			return err
		}
		return tx.PutRole(t.Context(), &access.Role{InstanceID: w.instance, AccountID: acct, PermissionSetID: otherID,
			Name: "AWSReservedSSO_Other_0123456789abcdef", RoleID: "AROAEXAMPLEEXAMPLE01", Path: before[0].Path, CreatedAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()

	for restart := range 2 {
		s = atriumtest.Start(t, opts)
		var got []access.Role
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			got = roles(s, acct)
			if len(got) == 1 && got[0].PermissionSetID == psID {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("restart %d: roles of the account = %+v, want the role of %s alone", restart, got, psID)
			}
		}
		if got[0].Name != before[0].Name || got[0].Path != before[0].Path {
			t.Errorf("restart %d: restored role = %s%s, want %s%s", restart, got[0].Path, got[0].Name, before[0].Path, before[0].Name)
		}
		if restart == 0 {
			before = got
		} else if got[0].RoleID != before[0].RoleID {
			t.Errorf("a second start rewrote the restored role: id %s, was %s", got[0].RoleID, before[0].RoleID)
		}
		if k := roles(s, kept); len(k) != 1 || k[0] != keptBefore[0] {
			t.Errorf("restart %d: the matching role became %+v, was %+v", restart, k, keptBefore)
		}
		s.Stop()
	}
}
