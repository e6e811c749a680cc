package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// tenant is what one instance holds in the isolation test.
type tenant struct {
	in      *org.Instance
	acct    *org.Account
	user    *directory.User
	group   *directory.Group
	member  *directory.Membership
	ownExt  directory.ExternalID // held only by this tenant
	shared  directory.ExternalID // held by both tenants
	userIDs []string
}

func mustTenant(t *testing.T, s store.Store, n int, tag string) *tenant {
	t.Helper()
	in := mustInstance(t, s, n)
	tn := &tenant{
		in:     in,
		acct:   &org.Account{ID: fmt.Sprintf("%012d", 555000000000+n), InstanceID: in.ID, Name: "acct", Email: "a@example.com", Status: "ACTIVE", ParentID: "r-ab12", JoinedAt: t0, JoinMethod: "CREATED"},
		ownExt: directory.ExternalID{Issuer: "https://idp.example.com", ID: "own-" + tag},
		shared: directory.ExternalID{Issuer: "https://idp.example.com", ID: "shared"},
	}
	// The same user names, display names and external ids in both tenants.
	tn.user = userFixture(in, "u-"+tag, "ada")
	tn.user.ExternalIDs = []directory.ExternalID{tn.ownExt, tn.shared}
	tn.group = groupFixture(in, "g-"+tag, "Engineers")
	tn.group.ExternalIDs = []directory.ExternalID{tn.ownExt, tn.shared}
	tn.member = membershipFixture(in, "m-"+tag, tn.group.GroupID, tn.user.UserID)
	second := userFixture(in, "u-"+tag+"-2", "bob")
	second.ExternalIDs = nil
	tn.userIDs = []string{tn.user.UserID, second.UserID}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		o := &org.Organization{ID: fmt.Sprintf("o-%010d", n), InstanceID: in.ID, RootID: "r-ab12", ManagementAccountID: tn.acct.ID, ManagementEmail: "m@example.com", FeatureSet: "ALL", CreatedAt: t0}
		for _, f := range []func() error{
			func() error { return tx.CreateOrganization(ctx, o) },
			func() error { return tx.CreateAccount(ctx, tn.acct) },
			func() error { return tx.CreateUser(ctx, tn.user) },
			func() error { return tx.CreateUser(ctx, second) },
			func() error { return tx.CreateGroup(ctx, tn.group) },
			func() error { return tx.CreateMembership(ctx, tn.member) },
		} {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	})
	return tn
}

// testInstanceIsolation proves that every instance-scoped call made with
// instance A's id neither sees nor changes instance B's rows.
func testInstanceIsolation(t *testing.T, s store.Store) {
	a := mustTenant(t, s, 1, "a")
	b := mustTenant(t, s, 2, "b")
	A := a.in.ID

	// Reads with A's id and B's keys find nothing.
	reads := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"GetAccount", func(ctx context.Context, tx store.Tx) error { _, err := tx.GetAccount(ctx, A, b.acct.ID); return err }},
		{"GetUser", func(ctx context.Context, tx store.Tx) error { _, err := tx.GetUser(ctx, A, b.user.UserID); return err }},
		{"GetGroup", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetGroup(ctx, A, b.group.GroupID)
			return err
		}},
		{"GetMembership", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetMembership(ctx, A, b.member.MembershipID)
			return err
		}},
		{"FindMembership", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.FindMembership(ctx, A, b.group.GroupID, b.user.UserID)
			return err
		}},
		{"FindByExternalID user", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.FindByExternalID(ctx, A, "USER", b.ownExt)
			return err
		}},
		{"FindByExternalID group", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.FindByExternalID(ctx, A, "GROUP", b.ownExt)
			return err
		}},
	}
	for _, tc := range reads {
		t.Run("read/"+tc.name, func(t *testing.T) {
			mustNotFound(t, tc.name+"(A, B's key)", read(t, s, tc.fn))
		})
	}

	t.Run("read/lists", func(t *testing.T) {
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			tests := []struct {
				name string
				q    store.UserQuery
				want []string
			}{
				{name: "all", q: store.UserQuery{}, want: a.userIDs},
				{name: "by user name", q: store.UserQuery{UserName: "ADA"}, want: []string{a.user.UserID}},
				{name: "by email", q: store.UserQuery{Email: "ada@example.com"}, want: []string{a.user.UserID}},
				{name: "after A's last id", q: store.UserQuery{Page: store.Page{After: a.userIDs[len(a.userIDs)-1]}}, want: nil},
			}
			for _, tc := range tests {
				if got := userIDs(mustListUsers(t, tx, A, tc.q)); !slices.Equal(got, tc.want) {
					t.Errorf("ListUsers(A, %s) = %q, want %q", tc.name, got, tc.want)
				}
			}
			if n, err := tx.CountUsers(ctx, A); n != len(a.userIDs) || err != nil {
				t.Errorf("CountUsers(A) = %d, %v, want %d, nil", n, err, len(a.userIDs))
			}
			for _, q := range []store.GroupQuery{{}, {DisplayName: "engineers"}} {
				if got := groupIDs(mustListGroups(t, tx, A, q)); !slices.Equal(got, []string{a.group.GroupID}) {
					t.Errorf("ListGroups(A, %+v) = %q, want [%s]", q, got, a.group.GroupID)
				}
			}
			for name, list := range map[string]func() ([]directory.Membership, error){
				"ListMembershipsOfGroup(A, B's group)": func() ([]directory.Membership, error) {
					return tx.ListMembershipsOfGroup(ctx, A, b.group.GroupID, store.Page{})
				},
				"ListMembershipsOfUser(A, B's user)": func() ([]directory.Membership, error) {
					return tx.ListMembershipsOfUser(ctx, A, b.user.UserID, store.Page{})
				},
			} {
				if ms, err := list(); len(ms) != 0 || err != nil {
					t.Errorf("%s = %d memberships, %v, want none, nil", name, len(ms), err)
				}
			}
			for _, kind := range []string{"USER", "GROUP"} {
				want := a.user.UserID
				if kind == "GROUP" {
					want = a.group.GroupID
				}
				if got, err := tx.FindByExternalID(ctx, A, kind, a.shared); got != want || err != nil {
					t.Errorf("FindByExternalID(A, %s, shared) = %q, %v, want %q, nil", kind, got, err, want)
				}
			}
			if o, err := tx.GetOrganization(ctx, A); err != nil || o.InstanceID != A {
				t.Errorf("GetOrganization(A) = %v, want A's organization", err)
			}
			return nil
		})
	})

	// Writes with A's id and B's keys report ErrNotFound. Each runs in a
	// transaction that commits whatever the call did, so a call that touched
	// B's rows before failing would show below.
	bUserAsA := *b.user
	bUserAsA.InstanceID, bUserAsA.IdentityStoreID = A, a.in.IdentityStoreID
	bUserAsA.UserName, bUserAsA.ExternalIDs = "mallory", []directory.ExternalID{{Issuer: "x", ID: "y"}}
	bGroupAsA := *b.group
	bGroupAsA.InstanceID, bGroupAsA.IdentityStoreID = A, a.in.IdentityStoreID
	bGroupAsA.DisplayName, bGroupAsA.ExternalIDs = "Mallory", nil
	writes := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"UpdateUser", func(ctx context.Context, tx store.Tx) error { return tx.UpdateUser(ctx, &bUserAsA) }},
		{"DeleteUser", func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, A, b.user.UserID) }},
		{"UpdateGroup", func(ctx context.Context, tx store.Tx) error { return tx.UpdateGroup(ctx, &bGroupAsA) }},
		{"DeleteGroup", func(ctx context.Context, tx store.Tx) error { return tx.DeleteGroup(ctx, A, b.group.GroupID) }},
		{"DeleteMembership", func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteMembership(ctx, A, b.member.MembershipID)
		}},
		{"CreateMembership of B's group and user", func(ctx context.Context, tx store.Tx) error {
			return tx.CreateMembership(ctx, membershipFixture(a.in, "m-x1", b.group.GroupID, b.user.UserID))
		}},
		{"CreateMembership of A's group and B's user", func(ctx context.Context, tx store.Tx) error {
			return tx.CreateMembership(ctx, membershipFixture(a.in, "m-x2", a.group.GroupID, b.user.UserID))
		}},
		{"CreateMembership of B's group and A's user", func(ctx context.Context, tx store.Tx) error {
			return tx.CreateMembership(ctx, membershipFixture(a.in, "m-x3", b.group.GroupID, a.user.UserID))
		}},
	}
	for _, tc := range writes {
		t.Run("write/"+tc.name, func(t *testing.T) {
			var callErr error
			mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
				callErr = tc.fn(ctx, tx)
				return nil
			})
			mustNotFound(t, tc.name+"(A, B's key)", callErr)
		})
	}

	// B is as it was.
	t.Run("B unchanged", func(t *testing.T) {
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			u, err := tx.GetUser(ctx, b.in.ID, b.user.UserID)
			if err != nil {
				t.Fatalf("GetUser(B, B's user) = %v, want nil", err)
			}
			if d := diff(*u, storedUser(b.user)); d != "" {
				t.Errorf("GetUser(B, B's user) changed:\n%s", d)
			}
			g, err := tx.GetGroup(ctx, b.in.ID, b.group.GroupID)
			if err != nil {
				t.Fatalf("GetGroup(B, B's group) = %v, want nil", err)
			}
			if d := diff(*g, storedGroup(b.group)); d != "" {
				t.Errorf("GetGroup(B, B's group) changed:\n%s", d)
			}
			if _, err := tx.GetMembership(ctx, b.in.ID, b.member.MembershipID); err != nil {
				t.Errorf("GetMembership(B, B's membership) = %v, want nil", err)
			}
			for _, kind := range []string{"USER", "GROUP"} {
				for _, x := range []directory.ExternalID{b.ownExt, b.shared} {
					if _, err := tx.FindByExternalID(ctx, b.in.ID, kind, x); err != nil {
						t.Errorf("FindByExternalID(B, %s, %+v) = %v, want nil", kind, x, err)
					}
				}
			}
			if ids := userIDs(mustListUsers(t, tx, b.in.ID, store.UserQuery{})); !slices.Equal(ids, b.userIDs) {
				t.Errorf("ListUsers(B) = %q, want %q", ids, b.userIDs)
			}
			for _, m := range []string{"m-x1", "m-x2", "m-x3"} {
				for _, in := range []string{A, b.in.ID} {
					_, err := tx.GetMembership(ctx, in, m)
					wantErr(t, fmt.Sprintf("GetMembership(%s, %s)", in, m), err, store.ErrNotFound)
				}
			}
			if ms, err := tx.ListMembershipsOfUser(ctx, b.in.ID, b.user.UserID, store.Page{}); len(ms) != 1 || err != nil {
				t.Errorf("ListMembershipsOfUser(B, B's user) = %d, %v, want 1, nil", len(ms), err)
			}
			return nil
		})
	})
}
