package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/store"
)

// testAccess covers the AccessTx methods: permission sets and their
// policies, tags, assignments, provisions, operations and customer managed
// policies.
func testAccess(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("PermissionSets", func(t *testing.T) { t.Parallel(); testPermissionSets(t, open(t)) })
	t.Run("AttachedPolicies", func(t *testing.T) { t.Parallel(); testAttachedPolicies(t, open(t)) })
	t.Run("Tags", func(t *testing.T) { t.Parallel(); testAccessTags(t, open(t)) })
	t.Run("Assignments", func(t *testing.T) { t.Parallel(); testAssignments(t, open(t)) })
	t.Run("Provisions", func(t *testing.T) { t.Parallel(); testProvisions(t, open(t)) })
	t.Run("Operations", func(t *testing.T) { t.Parallel(); testOperations(t, open(t)) })
	t.Run("ClaimSkipsLocked", func(t *testing.T) { t.Parallel(); testClaimSkipsLocked(t, open(t)) })
	t.Run("CustomerManagedPolicies", func(t *testing.T) { t.Parallel(); testCustomerManagedPolicies(t, open(t)) })
	t.Run("PrincipalDeletion", func(t *testing.T) { t.Parallel(); testPrincipalDeletion(t, open(t)) })
}

// testPrincipalDeletion checks that deleting a user or a group removes its
// account assignments, and only its own.
func testPrincipalDeletion(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	mustPermissionSet(t, s, permissionSetFixture(in.ID, "ps-1", "ps-1"))
	mustCreateUser(t, s, userFixture(in, "u-1", "ada"))
	mustCreateUser(t, s, userFixture(in, "u-2", "bob"))
	mustCreateGroup(t, s, groupFixture(in, "g-1", "Admins"))
	mustCreateGroup(t, s, groupFixture(in, "g-2", "Devs"))
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, a := range []*access.Assignment{
			assignmentFixture(in.ID, "111111111111", "ps-1", "USER", "u-1"),
			assignmentFixture(in.ID, "ou-ab12-00000001", "ps-1", "USER", "u-1"),
			assignmentFixture(in.ID, "111111111111", "ps-1", "USER", "u-2"),
			assignmentFixture(in.ID, "111111111111", "ps-1", "GROUP", "g-1"),
			assignmentFixture(in.ID, "111111111111", "ps-1", "GROUP", "g-2"),
		} {
			if err := tx.CreateAssignment(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteUser(ctx, in.ID, "u-1"); err != nil {
			return err
		}
		return tx.DeleteGroup(ctx, in.ID, "g-1")
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.ListAssignments(ctx, in.ID, store.AssignmentQuery{})
		var principals []string
		for _, a := range got {
			principals = append(principals, a.PrincipalID)
		}
		slices.Sort(principals)
		if err != nil || !slices.Equal(principals, []string{"g-2", "u-2"}) {
			t.Errorf("assignments after deleting u-1 and g-1 are of %q, %v; want g-2 and u-2", principals, err)
		}
		return nil
	})
}

func permissionSetFixture(instanceID, id, name string) *access.PermissionSet {
	return &access.PermissionSet{
		InstanceID: instanceID, ID: id, Name: name, Description: "The " + name + " set ✓", SessionDuration: "PT8H",
		RelayState: "https://example.com/?a=1", InlinePolicy: `{"Version":"2012-10-17","Statement":[]}`,
		Boundary: &access.Boundary{CustomerPolicy: &access.CustomerPolicyRef{Name: "Bound", Path: "/b/"}},
		Version:  3, CreatedAt: t0, UpdatedAt: t0.Add(time.Second),
	}
}

func storedPermissionSet(ps *access.PermissionSet) access.PermissionSet {
	c := *ps
	c.CreatedAt, c.UpdatedAt = stored(ps.CreatedAt), stored(ps.UpdatedAt)
	return c
}

func mustPermissionSet(t *testing.T, s store.Store, ps *access.PermissionSet) {
	t.Helper()
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreatePermissionSet(ctx, ps) })
}

func testPermissionSets(t *testing.T, s store.Store) {
	in, other := mustInstance(t, s, 1), mustInstance(t, s, 2)
	for i, id := range unsortedIDs {
		mustPermissionSet(t, s, permissionSetFixture(in.ID, id, fmt.Sprintf("name%d", i)))
	}
	ps := permissionSetFixture(in.ID, "ps-1", "Admin")
	mustPermissionSet(t, s, ps)
	// The same id and name in another instance.
	mustPermissionSet(t, s, permissionSetFixture(other.ID, "ps-1", "Admin"))

	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetPermissionSet(ctx, in.ID, "ps-1")
		if err != nil {
			t.Fatalf("GetPermissionSet = %v", err)
		}
		if d := diff(*got, storedPermissionSet(ps)); d != "" {
			t.Errorf("GetPermissionSet differs from what was created:\n%s", d)
		}
		if n, err := tx.CountPermissionSets(ctx, in.ID); n != len(unsortedIDs)+1 || err != nil {
			t.Errorf("CountPermissionSets = %d, %v, want %d", n, err, len(unsortedIDs)+1)
		}
		// Several at once: those that exist, of this instance only.
		many, err := tx.GetPermissionSets(ctx, in.ID, []string{unsortedIDs[0], "ps-missing", "ps-1"})
		if err != nil || len(many) != 2 {
			t.Fatalf("GetPermissionSets = %d sets, %v, want 2", len(many), err)
		}
		if i := slices.IndexFunc(many, func(p access.PermissionSet) bool { return p.ID == "ps-1" }); i < 0 || diff(many[i], storedPermissionSet(ps)) != "" {
			t.Errorf("GetPermissionSets = %+v, want ps-1 as created among them", many)
		}
		if i := slices.IndexFunc(many, func(p access.PermissionSet) bool { return p.ID == unsortedIDs[0] }); i < 0 || many[i].InstanceID != in.ID {
			t.Errorf("GetPermissionSets = %+v, want %s of instance %s among them", many, unsortedIDs[0], in.ID)
		}
		if none, err := tx.GetPermissionSets(ctx, in.ID, nil); len(none) != 0 || err != nil {
			t.Errorf("GetPermissionSets(none) = %v, %v, want none", none, err)
		}
		return nil
	})
	wantErr(t, "CreatePermissionSet(same name, other case)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CreatePermissionSet(ctx, permissionSetFixture(in.ID, "ps-2", "ADMIN"))
	}), store.ErrConflict)
	wantErr(t, "CreatePermissionSet(same id)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CreatePermissionSet(ctx, permissionSetFixture(in.ID, "ps-1", "Other"))
	}), store.ErrConflict)

	// Listing pages by id, in byte order.
	sorted := append(slices.Clone(unsortedIDs), "ps-1")
	slices.Sort(sorted)
	var got []string
	after := ""
	for {
		var page []access.PermissionSet
		mustRead(t, s, func(ctx context.Context, tx store.Tx) (err error) {
			page, err = tx.ListPermissionSets(ctx, in.ID, store.Page{After: after, Limit: 3})
			return err
		})
		for _, p := range page {
			got = append(got, p.ID)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(got, sorted) {
		t.Errorf("ListPermissionSets pages = %q, want %q", got, sorted)
	}

	// Update replaces every field; without a boundary, or with a managed one.
	ps.Name, ps.Description, ps.SessionDuration, ps.RelayState, ps.InlinePolicy = "Renamed", "", "PT1H", "", ""
	ps.Boundary, ps.Version, ps.UpdatedAt = nil, 4, t0.Add(time.Hour)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdatePermissionSet(ctx, ps) })
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetPermissionSet(ctx, in.ID, "ps-1")
		if err != nil || diff(*got, storedPermissionSet(ps)) != "" {
			t.Errorf("after UpdatePermissionSet: %v\n%s", err, diff(*got, storedPermissionSet(ps)))
		}
		return nil
	})
	ps.Boundary = &access.Boundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/PowerUserAccess"}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdatePermissionSet(ctx, ps) })
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, _ := tx.GetPermissionSet(ctx, in.ID, "ps-1")
		if d := diff(*got, storedPermissionSet(ps)); d != "" {
			t.Errorf("after UpdatePermissionSet with a managed boundary:\n%s", d)
		}
		return nil
	})
	// The old name is free, the new one taken.
	mustPermissionSet(t, s, permissionSetFixture(in.ID, "ps-3", "Admin"))
	wantErr(t, "CreatePermissionSet(renamed's name)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CreatePermissionSet(ctx, permissionSetFixture(in.ID, "ps-4", "renamed"))
	}), store.ErrConflict)

	wantErr(t, "UpdatePermissionSet(missing)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.UpdatePermissionSet(ctx, permissionSetFixture(in.ID, "ps-missing", "x"))
	}), store.ErrNotFound)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeletePermissionSet(ctx, in.ID, "ps-1") })
	wantErr(t, "DeletePermissionSet(deleted)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeletePermissionSet(ctx, in.ID, "ps-1")
	}), store.ErrNotFound)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.GetPermissionSet(ctx, in.ID, "ps-1")
		wantErr(t, "GetPermissionSet(deleted)", err, store.ErrNotFound)
		if _, err := tx.GetPermissionSet(ctx, other.ID, "ps-1"); err != nil {
			t.Errorf("the other instance's ps-1 = %v, want it kept", err)
		}
		// Created: the fixtures, ps-1 and ps-3; refused: two conflicts;
		// deleted: ps-1 (twice, the second refused).
		want := map[string]int{in.ID: len(unsortedIDs) + 1, other.ID: 1, "ssoins-missing": 0}
		for id, n := range want {
			if got, err := tx.CountPermissionSets(ctx, id); got != n || err != nil {
				t.Errorf("CountPermissionSets(%s) = %d, %v, want %d", id, got, err, n)
			}
		}
		return nil
	})

	// UpdateInstanceName.
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateInstanceName(ctx, in.ID, "Renamed ✓") })
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetInstance(ctx, in.ID)
		if err != nil || got.Name != "Renamed ✓" {
			t.Errorf("GetInstance after UpdateInstanceName = %+v, %v", got, err)
		}
		o, _ := tx.GetInstance(ctx, other.ID)
		if o.Name == "Renamed ✓" {
			t.Errorf("UpdateInstanceName renamed another instance")
		}
		return nil
	})
	wantErr(t, "UpdateInstanceName(missing)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.UpdateInstanceName(ctx, "ssoins-missing", "x")
	}), store.ErrNotFound)
}

func testAttachedPolicies(t *testing.T, s store.Store) {
	in, other := mustInstance(t, s, 1), mustInstance(t, s, 2)
	mustPermissionSet(t, s, permissionSetFixture(in.ID, "ps-1", "A"))
	mustPermissionSet(t, s, permissionSetFixture(other.ID, "ps-1", "A"))
	mp := []access.ManagedPolicy{
		{ARN: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", Name: "ViewOnlyAccess"},
		{ARN: "arn:aws:iam::aws:policy/AdministratorAccess", Name: "AdministratorAccess"},
	}
	refs := []access.CustomerPolicyRef{{Name: "P", Path: "/z/"}, {Name: "P", Path: "/"}, {Name: "A", Path: "/"}}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, p := range mp {
			if err := tx.AddManagedPolicy(ctx, in.ID, "ps-1", p); err != nil {
				return err
			}
		}
		for _, r := range refs {
			if err := tx.AddCustomerPolicyRef(ctx, in.ID, "ps-1", r); err != nil {
				return err
			}
		}
		return nil
	})
	wantErr(t, "AddManagedPolicy(again)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.AddManagedPolicy(ctx, in.ID, "ps-1", mp[0])
	}), store.ErrConflict)
	wantErr(t, "AddCustomerPolicyRef(again)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.AddCustomerPolicyRef(ctx, in.ID, "ps-1", refs[1])
	}), store.ErrConflict)
	wantErr(t, "AddManagedPolicy(missing permission set)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.AddManagedPolicy(ctx, in.ID, "ps-missing", mp[0])
	}), store.ErrNotFound)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		gotMP, err := tx.ListManagedPolicies(ctx, in.ID, "ps-1")
		if want := []access.ManagedPolicy{mp[1], mp[0]}; err != nil || !slices.Equal(gotMP, want) {
			t.Errorf("ListManagedPolicies = %v, %v, want %v", gotMP, err, want)
		}
		gotRefs, err := tx.ListCustomerPolicyRefs(ctx, in.ID, "ps-1")
		if want := []access.CustomerPolicyRef{refs[2], refs[1], refs[0]}; err != nil || !slices.Equal(gotRefs, want) {
			t.Errorf("ListCustomerPolicyRefs = %v, %v, want %v", gotRefs, err, want)
		}
		byID, err := tx.ListCustomerPolicyRefsOf(ctx, in.ID, []string{"ps-missing", "ps-1"})
		if want := []access.CustomerPolicyRef{refs[2], refs[1], refs[0]}; err != nil || len(byID) != 1 || !slices.Equal(byID["ps-1"], want) {
			t.Errorf("ListCustomerPolicyRefsOf = %v, %v, want only ps-1's %v", byID, err, want)
		}
		if o, err := tx.ListCustomerPolicyRefsOf(ctx, other.ID, []string{"ps-1"}); len(o) != 0 || err != nil {
			t.Errorf("ListCustomerPolicyRefsOf(the other instance) = %v, %v, want none", o, err)
		}
		if o, _ := tx.ListManagedPolicies(ctx, other.ID, "ps-1"); len(o) != 0 {
			t.Errorf("the other instance's permission set has policies %v", o)
		}
		return nil
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.RemoveManagedPolicy(ctx, in.ID, "ps-1", mp[0].ARN); err != nil {
			return err
		}
		return tx.RemoveCustomerPolicyRef(ctx, in.ID, "ps-1", refs[0])
	})
	wantErr(t, "RemoveManagedPolicy(removed)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.RemoveManagedPolicy(ctx, in.ID, "ps-1", mp[0].ARN)
	}), store.ErrNotFound)
	wantErr(t, "RemoveCustomerPolicyRef(removed)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.RemoveCustomerPolicyRef(ctx, in.ID, "ps-1", refs[0])
	}), store.ErrNotFound)
	// Deleting the permission set takes its policies with it.
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeletePermissionSet(ctx, in.ID, "ps-1") })
	mustPermissionSet(t, s, permissionSetFixture(in.ID, "ps-1", "A"))
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		m, _ := tx.ListManagedPolicies(ctx, in.ID, "ps-1")
		r, _ := tx.ListCustomerPolicyRefs(ctx, in.ID, "ps-1")
		if len(m) != 0 || len(r) != 0 {
			t.Errorf("a recreated permission set has the old one's policies: %v %v", m, r)
		}
		return nil
	})
}

func testAccessTags(t *testing.T, s store.Store) {
	in, other := mustInstance(t, s, 1), mustInstance(t, s, 2)
	mustPermissionSet(t, s, permissionSetFixture(in.ID, "ps-1", "A"))
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutTags(ctx, in.ID, "ps-1", []access.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}, {Key: "B", Value: ""}}); err != nil {
			return err
		}
		if err := tx.PutTags(ctx, in.ID, "ps-1", []access.Tag{{Key: "a", Value: "one ✓"}}); err != nil {
			return err
		}
		return tx.PutTags(ctx, other.ID, "ps-1", []access.Tag{{Key: "x", Value: "y"}})
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.ListTags(ctx, in.ID, "ps-1")
		want := []access.Tag{{Key: "B", Value: ""}, {Key: "a", Value: "one ✓"}, {Key: "b", Value: "2"}}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ListTags = %v, %v, want %v", got, err, want)
		}
		return nil
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.RemoveTags(ctx, in.ID, "ps-1", []string{"a", "absent"})
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, _ := tx.ListTags(ctx, in.ID, "ps-1")
		if want := []access.Tag{{Key: "B", Value: ""}, {Key: "b", Value: "2"}}; !slices.Equal(got, want) {
			t.Errorf("ListTags after RemoveTags = %v, want %v", got, want)
		}
		return nil
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeletePermissionSet(ctx, in.ID, "ps-1") })
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		if got, _ := tx.ListTags(ctx, in.ID, "ps-1"); len(got) != 0 {
			t.Errorf("a deleted permission set keeps tags %v", got)
		}
		if got, _ := tx.ListTags(ctx, other.ID, "ps-1"); len(got) != 1 {
			t.Errorf("the other instance's tags = %v, want kept", got)
		}
		return nil
	})
}

func assignmentFixture(instanceID, target, ps, ptype, pid string) *access.Assignment {
	typ := access.TargetAccount
	if target[0] == 'o' {
		typ = access.TargetOrganizationalUnit
	}
	return &access.Assignment{InstanceID: instanceID, TargetID: target, TargetType: typ, PermissionSetID: ps, PrincipalType: ptype, PrincipalID: pid, CreatedAt: t0}
}

func assignmentKeys(as []access.Assignment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Key())
	}
	return out
}

func testAssignments(t *testing.T, s store.Store) {
	in, other := mustInstance(t, s, 1), mustInstance(t, s, 2)
	for _, id := range []string{"ps-1", "ps-2"} {
		mustPermissionSet(t, s, permissionSetFixture(in.ID, id, id))
	}
	mustPermissionSet(t, s, permissionSetFixture(other.ID, "ps-1", "ps-1"))
	all := []*access.Assignment{
		assignmentFixture(in.ID, "111111111111", "ps-1", "USER", "u-1"),
		assignmentFixture(in.ID, "111111111111", "ps-1", "GROUP", "g-1"),
		assignmentFixture(in.ID, "111111111111", "ps-2", "USER", "u-1"),
		assignmentFixture(in.ID, "222222222222", "ps-1", "USER", "u-1"),
		assignmentFixture(in.ID, "ou-ab12-00000001", "ps-1", "USER", "u-2"),
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, a := range all {
			if err := tx.CreateAssignment(ctx, a); err != nil {
				return err
			}
		}
		return tx.CreateAssignment(ctx, assignmentFixture(other.ID, "111111111111", "ps-1", "USER", "u-1"))
	})
	wantErr(t, "CreateAssignment(again)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CreateAssignment(ctx, all[0])
	}), store.ErrConflict)
	wantErr(t, "CreateAssignment(missing permission set)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CreateAssignment(ctx, assignmentFixture(in.ID, "111111111111", "ps-missing", "USER", "u-1"))
	}), store.ErrNotFound)

	key := func(i int) string { return all[i].Key() }
	for _, tc := range []struct {
		name string
		q    store.AssignmentQuery
		want []string
	}{
		{"all", store.AssignmentQuery{}, []string{key(1), key(0), key(2), key(3), key(4)}},
		{"of a permission set", store.AssignmentQuery{PermissionSetID: "ps-2"}, []string{key(2)}},
		{"of targets", store.AssignmentQuery{TargetIDs: []string{"222222222222", "ou-ab12-00000001"}}, []string{key(3), key(4)}},
		{"of no targets", store.AssignmentQuery{TargetIDs: []string{}}, nil},
		{"of a principal", store.AssignmentQuery{PrincipalType: "USER", PrincipalID: "u-1"}, []string{key(0), key(2), key(3)}},
		{"of principals", store.AssignmentQuery{PrincipalType: "USER", PrincipalIDs: []string{"u-2", "u-1", "u-missing"}}, []string{key(0), key(2), key(3), key(4)}},
		{"of principals, next page", store.AssignmentQuery{PrincipalIDs: []string{"u-2", "g-1"}, Page: store.Page{After: key(1), Limit: 5}}, []string{key(4)}},
		{"of no principals", store.AssignmentQuery{PrincipalIDs: []string{}}, nil},
		{"of a principal and target", store.AssignmentQuery{PrincipalID: "u-1", TargetIDs: []string{"111111111111"}}, []string{key(0), key(2)}},
		{"first page", store.AssignmentQuery{Page: store.Page{Limit: 2}}, []string{key(1), key(0)}},
		{"next page", store.AssignmentQuery{Page: store.Page{After: key(0), Limit: 2}}, []string{key(2), key(3)}},
		{"last page", store.AssignmentQuery{Page: store.Page{After: key(3), Limit: 2}}, []string{key(4)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.ListAssignments(ctx, in.ID, tc.q)
				if err != nil || !slices.Equal(assignmentKeys(got), tc.want) {
					t.Errorf("ListAssignments(%+v) = %q, %v, want %q", tc.q, assignmentKeys(got), err, tc.want)
				}
				for _, a := range got {
					if a.InstanceID != in.ID || !a.CreatedAt.Equal(stored(t0)) || a.TargetType == "" {
						t.Errorf("ListAssignments item %+v lacks its fields", a)
					}
				}
				return nil
			})
		})
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteAssignment(ctx, all[0]) })
	wantErr(t, "DeleteAssignment(deleted)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteAssignment(ctx, all[0])
	}), store.ErrNotFound)
	wantErr(t, "DeletePermissionSet(assigned)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeletePermissionSet(ctx, in.ID, "ps-2")
	}), store.ErrNotFound) // the assignment's foreign key refuses it
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, _ := tx.ListAssignments(ctx, other.ID, store.AssignmentQuery{})
		if len(got) != 1 {
			t.Errorf("the other instance's assignments = %v, want its one", got)
		}
		return nil
	})
}

func testProvisions(t *testing.T, s store.Store) {
	in, other := mustInstance(t, s, 1), mustInstance(t, s, 2)
	for _, id := range []string{"ps-1", "ps-2"} {
		mustPermissionSet(t, s, permissionSetFixture(in.ID, id, id))
	}
	mustPermissionSet(t, s, permissionSetFixture(other.ID, "ps-1", "ps-1"))
	p := func(ps, target string, v int64) access.Provision {
		typ := access.TargetAccount
		if target[0] == 'o' {
			typ = access.TargetOrganizationalUnit
		}
		return access.Provision{InstanceID: in.ID, PermissionSetID: ps, TargetID: target, TargetType: typ, Version: v, UpdatedAt: stored(t0)}
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, pr := range []access.Provision{p("ps-2", "111111111111", 1), p("ps-1", "222222222222", 1), p("ps-1", "111111111111", 1), p("ps-1", "ou-ab12-00000001", 2)} {
			if err := tx.PutProvision(ctx, &pr); err != nil {
				return err
			}
		}
		// An upsert: a newer version.
		up := p("ps-1", "111111111111", 5)
		if err := tx.PutProvision(ctx, &up); err != nil {
			return err
		}
		op := p("ps-1", "111111111111", 1)
		op.InstanceID = other.ID
		return tx.PutProvision(ctx, &op)
	})
	for _, tc := range []struct {
		name string
		q    store.ProvisionQuery
		want []access.Provision
	}{
		{"all", store.ProvisionQuery{}, []access.Provision{p("ps-1", "111111111111", 5), p("ps-1", "222222222222", 1), p("ps-1", "ou-ab12-00000001", 2), p("ps-2", "111111111111", 1)}},
		{"of a permission set", store.ProvisionQuery{PermissionSetID: "ps-2"}, []access.Provision{p("ps-2", "111111111111", 1)}},
		{"of targets", store.ProvisionQuery{TargetIDs: []string{"111111111111", "ou-ab12-00000001"}}, []access.Provision{p("ps-1", "111111111111", 5), p("ps-1", "ou-ab12-00000001", 2), p("ps-2", "111111111111", 1)}},
		{"of both", store.ProvisionQuery{PermissionSetID: "ps-1", TargetIDs: []string{"222222222222"}}, []access.Provision{p("ps-1", "222222222222", 1)}},
		{"of no targets", store.ProvisionQuery{TargetIDs: []string{}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.ListProvisions(ctx, in.ID, tc.q)
				if err != nil || !slices.Equal(got, tc.want) {
					t.Errorf("ListProvisions(%+v) = %v, %v, want %v", tc.q, got, err, tc.want)
				}
				return nil
			})
		})
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteProvision(ctx, in.ID, "ps-2", "111111111111")
	})
	wantErr(t, "DeleteProvision(deleted)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteProvision(ctx, in.ID, "ps-2", "111111111111")
	}), store.ErrNotFound)
	// A provisioned permission set is kept by the provision's foreign key.
	wantErr(t, "DeletePermissionSet(provisioned)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeletePermissionSet(ctx, in.ID, "ps-1")
	}), store.ErrNotFound)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeletePermissionSet(ctx, in.ID, "ps-2") })
}

func operationFixture(instanceID, id string, kind access.OperationKind, created time.Time) *access.Operation {
	o := access.NewOperation(kind, instanceID, id, created)
	o.TargetID, o.TargetType, o.PermissionSetID = "111111111111", access.TargetAccount, "ps-1"
	o.PrincipalType, o.PrincipalID = access.PrincipalUser, "u-1"
	return o
}

func storedOperation(o *access.Operation) access.Operation {
	c := *o
	c.CreatedAt, c.CompletedAt = stored(o.CreatedAt), stored(o.CompletedAt)
	return c
}

func operationIDs(ops []access.Operation) []string {
	var out []string
	for _, o := range ops {
		out = append(out, o.RequestID)
	}
	return out
}

func testOperations(t *testing.T, s store.Store) {
	in, other := mustInstance(t, s, 1), mustInstance(t, s, 2)
	// Created a second apart, in the order of their ids' numbers; two at
	// the same time.
	ops := []*access.Operation{
		operationFixture(in.ID, "op-3", access.CreateAssignment, t0),
		operationFixture(in.ID, "op-1", access.CreateAssignment, t0.Add(time.Second)),
		operationFixture(in.ID, "op-2", access.CreateAssignment, t0.Add(time.Second)),
		operationFixture(in.ID, "op-4", access.DeleteAssignment, t0.Add(2*time.Second)),
		operationFixture(in.ID, "op-5", access.ProvisionPermissionSet, t0.Add(3*time.Second)),
		operationFixture(other.ID, "op-6", access.CreateAssignment, t0.Add(4*time.Second)),
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, o := range ops {
			if err := tx.CreateOperation(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	wantErr(t, "CreateOperation(same id)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CreateOperation(ctx, ops[0])
	}), store.ErrConflict)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetOperation(ctx, in.ID, "op-4")
		if err != nil || diff(*got, storedOperation(ops[3])) != "" {
			t.Errorf("GetOperation = %v\n%s", err, diff(*got, storedOperation(ops[3])))
		}
		_, err = tx.GetOperation(ctx, other.ID, "op-4")
		wantErr(t, "GetOperation(other instance)", err, store.ErrNotFound)
		if n, err := tx.CountPendingOperations(ctx, in.ID, "ps-1"); n != 5 || err != nil {
			t.Errorf("CountPendingOperations = %d, %v, want 5", n, err)
		}
		return nil
	})

	// Claims are oldest first, across instances.
	var claimed []access.Operation
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		claimed, err = tx.ClaimOperations(ctx, 2)
		return err
	})
	if got := operationIDs(claimed); !slices.Equal(got, []string{"op-3", "op-1"}) {
		t.Errorf("ClaimOperations(2) = %q, want op-3 op-1", got)
	}
	done := t0.Add(time.Minute)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := ops[0].Succeed(done); err != nil {
			return err
		}
		if err := tx.CompleteOperation(ctx, ops[0]); err != nil {
			return err
		}
		if err := ops[1].Fail("No such user ✓", done); err != nil {
			return err
		}
		return tx.CompleteOperation(ctx, ops[1])
	})
	wantErr(t, "CompleteOperation(completed)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CompleteOperation(ctx, ops[0])
	}), store.ErrNotFound)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, _ := tx.GetOperation(ctx, in.ID, "op-1")
		if d := diff(*got, storedOperation(ops[1])); d != "" {
			t.Errorf("a failed operation differs:\n%s", d)
		}
		if n, _ := tx.CountPendingOperations(ctx, in.ID, "ps-1"); n != 3 {
			t.Errorf("CountPendingOperations after two completions = %d, want 3", n)
		}
		return nil
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		claimed, err = tx.ClaimOperations(ctx, 10)
		return err
	})
	if got := operationIDs(claimed); !slices.Equal(got, []string{"op-2", "op-4", "op-5", "op-6"}) {
		t.Errorf("ClaimOperations(10) = %q, want the four in progress", got)
	}

	key := func(i int) string { return ops[i].Key() }
	for _, tc := range []struct {
		name string
		q    store.OperationQuery
		want []string
	}{
		{"creations", store.OperationQuery{Kind: access.CreateAssignment}, []string{"op-3", "op-1", "op-2"}},
		{"creations in progress", store.OperationQuery{Kind: access.CreateAssignment, Status: access.InProgress}, []string{"op-2"}},
		{"failed creations", store.OperationQuery{Kind: access.CreateAssignment, Status: access.Failed}, []string{"op-1"}},
		{"deletions", store.OperationQuery{Kind: access.DeleteAssignment}, []string{"op-4"}},
		{"provisionings", store.OperationQuery{Kind: access.ProvisionPermissionSet}, []string{"op-5"}},
		{"first page", store.OperationQuery{Kind: access.CreateAssignment, Page: store.Page{Limit: 1}}, []string{"op-3"}},
		{"after the first", store.OperationQuery{Kind: access.CreateAssignment, Page: store.Page{After: key(0), Limit: 1}}, []string{"op-1"}},
		{"after one of the same time", store.OperationQuery{Kind: access.CreateAssignment, Page: store.Page{After: key(1)}}, []string{"op-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.ListOperations(ctx, in.ID, tc.q)
				if err != nil || !slices.Equal(operationIDs(got), tc.want) {
					t.Errorf("ListOperations(%+v) = %q, %v, want %q", tc.q, operationIDs(got), err, tc.want)
				}
				return nil
			})
		})
	}
}

// testClaimSkipsLocked checks that a claim skips the operations another
// transaction has claimed and not yet committed. Only engines with
// concurrent write transactions (PostgreSQL) can hold two at once.
func testClaimSkipsLocked(t *testing.T, s store.Store) {
	if s.Engine() == "sqlite" {
		t.Skip("SQLite runs one write transaction at a time")
	}
	in := mustInstance(t, s, 1)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for i := range 5 {
			if err := tx.CreateOperation(ctx, operationFixture(in.ID, fmt.Sprintf("op-%d", i), access.CreateAssignment, t0.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
	claimedFirst := make(chan []access.Operation, 1)
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := write(t, s, func(ctx context.Context, tx store.Tx) error {
			ops, err := tx.ClaimOperations(ctx, 2)
			claimedFirst <- ops
			if err != nil {
				return err
			}
			<-release
			return errors.New("roll back")
		})
		if err == nil {
			t.Error("the first claim committed")
		}
	}()
	first := <-claimedFirst
	var second []access.Operation
	err := write(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		second, err = tx.ClaimOperations(ctx, 10)
		return err
	})
	close(release)
	wg.Wait()
	if err != nil {
		t.Fatalf("the second claim = %v", err)
	}
	if got := operationIDs(first); !slices.Equal(got, []string{"op-0", "op-1"}) {
		t.Errorf("first claim = %q, want op-0 op-1", got)
	}
	if got := operationIDs(second); !slices.Equal(got, []string{"op-2", "op-3", "op-4"}) {
		t.Errorf("second claim while the first holds its rows = %q, want op-2 op-3 op-4", got)
	}
	// Once the first rolled back, its operations are claimable again.
	var again []access.Operation
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		again, err = tx.ClaimOperations(ctx, 10)
		return err
	})
	if len(again) != 5 {
		t.Errorf("claim after the rollback = %q, want all five", operationIDs(again))
	}
}

func testCustomerManagedPolicies(t *testing.T, s store.Store) {
	in, other := mustInstance(t, s, 1), mustInstance(t, s, 2)
	p := &access.CustomerManagedPolicy{InstanceID: in.ID, AccountID: "111111111111", Path: "/team/", Name: "ReadS3", Document: `{"Version":"2012-10-17","Statement":[]}`,
		PolicyID: "ANPAABCDEFGHIJKLMNOPQ", Description: "Reads ✓ S3", DefaultVersionID: "v1", Tags: []access.Tag{{Key: "team", Value: "ops"}, {Key: "env", Value: ""}},
		CreatedAt: t0, UpdatedAt: t0.Add(time.Second)}
	want := func(p *access.CustomerManagedPolicy) access.CustomerManagedPolicy {
		c := *p
		c.CreatedAt, c.UpdatedAt = stored(p.CreatedAt), stored(p.UpdatedAt)
		return c
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutCustomerManagedPolicy(ctx, p) })
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetCustomerManagedPolicy(ctx, in.ID, "111111111111", "reads3") // names ignore case, as IAM's
		if err != nil {
			t.Fatalf("GetCustomerManagedPolicy: %v", err)
		}
		if d := diff(*got, want(p)); d != "" {
			t.Errorf("GetCustomerManagedPolicy: %s", d)
		}
		for _, q := range []struct{ instance, account, name string }{
			{other.ID, "111111111111", "ReadS3"}, {in.ID, "222222222222", "ReadS3"}, {in.ID, "111111111111", "Other"},
		} {
			_, err := tx.GetCustomerManagedPolicy(ctx, q.instance, q.account, q.name)
			wantErr(t, fmt.Sprintf("GetCustomerManagedPolicy(%v)", q), err, store.ErrNotFound)
		}
		return nil
	})
	// Replacing: one policy of a name per account, whatever its path.
	p2 := *p
	p2.Path, p2.Document, p2.Tags = "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, nil
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutCustomerManagedPolicy(ctx, &p2) })
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetCustomerManagedPolicy(ctx, in.ID, "111111111111", "ReadS3")
		if err != nil {
			t.Fatalf("GetCustomerManagedPolicy after a replacement: %v", err)
		}
		if d := diff(*got, want(&p2)); d != "" {
			t.Errorf("GetCustomerManagedPolicy after a replacement: %s", d)
		}
		return nil
	})

	// Creating refuses a name the account has, in any case and at any path.
	dup := p2
	dup.Name, dup.Path = "READS3", "/other/"
	err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateCustomerManagedPolicy(ctx, &dup) })
	wantErr(t, "CreateCustomerManagedPolicy of a taken name", err, store.ErrConflict)
	// Other accounts and instances have names of their own.
	for _, q := range []struct{ instance, account string }{{other.ID, "111111111111"}, {in.ID, "222222222222"}} {
		c := dup
		c.InstanceID, c.AccountID = q.instance, q.account
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateCustomerManagedPolicy(ctx, &c) })
	}

	// Listing is by ARN: path, then name, bytewise; an account's own only.
	for _, q := range []struct{ path, name string }{{"/", "Zeta"}, {"/", "alpha"}, {"/a/", "Beta"}, {"/team/", "A"}} {
		c := access.CustomerManagedPolicy{InstanceID: in.ID, AccountID: "111111111111", Path: q.path, Name: q.name, Document: "{}", DefaultVersionID: "v1", CreatedAt: t0, UpdatedAt: t0}
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateCustomerManagedPolicy(ctx, &c) })
	}
	wantKeys := []string{"/ReadS3", "/Zeta", "/a/Beta", "/alpha", "/team/A"} // "/" sorts before letters
	var got []string
	page := store.Page{Limit: 2}
	for range 10 {
		var ps []access.CustomerManagedPolicy
		mustRead(t, s, func(ctx context.Context, tx store.Tx) (err error) {
			ps, err = tx.ListCustomerManagedPolicies(ctx, in.ID, "111111111111", page)
			return err
		})
		for _, p := range ps {
			got = append(got, p.Path+p.Name)
		}
		if len(ps) < page.Limit {
			break
		}
		page.After = ps[len(ps)-1].Path + ps[len(ps)-1].Name
	}
	if !slices.Equal(got, wantKeys) {
		t.Errorf("ListCustomerManagedPolicies in pages of 2 = %q, want %q", got, wantKeys)
	}
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		if n, err := tx.CountCustomerManagedPolicies(ctx, in.ID, "111111111111"); n != len(wantKeys) || err != nil {
			t.Errorf("CountCustomerManagedPolicies = %d, %v, want %d", n, err, len(wantKeys))
		}
		return nil
	})

	// Deleting.
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteCustomerManagedPolicy(ctx, in.ID, "111111111111", "zeta")
	})
	err = write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteCustomerManagedPolicy(ctx, in.ID, "111111111111", "Zeta")
	})
	wantErr(t, "DeleteCustomerManagedPolicy of a deleted policy", err, store.ErrNotFound)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.GetCustomerManagedPolicy(ctx, in.ID, "111111111111", "Zeta")
		wantErr(t, "GetCustomerManagedPolicy of a deleted policy", err, store.ErrNotFound)
		_, err = tx.GetCustomerManagedPolicy(ctx, other.ID, "111111111111", "READS3")
		if err != nil {
			t.Errorf("another instance's policy went with it: %v", err)
		}
		return nil
	})
}
