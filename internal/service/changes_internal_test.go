package service

import (
	"slices"
	"testing"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/entitlement"
)

// TestChangeTxKeepsRepeatedDeltas: a transaction that adds, removes and
// adds one assignment again records all three, in order, for followers
// apply them in order; a reloaded entity is named once.
func TestChangeTxKeepsRepeatedDeltas(t *testing.T) {
	a := &access.Assignment{InstanceID: "ssoins-1", PrincipalType: access.PrincipalUser, PrincipalID: "u-1",
		TargetType: access.TargetAccount, TargetID: "111111111111", PermissionSetID: "ps-1"}
	var ct changeTx
	for _, kind := range []string{changeAssignmentAdded, changeAssignmentRemoved, changeAssignmentAdded} {
		ct.touch(a.InstanceID, kind, assignmentEntity(a))
	}
	ct.touch(a.InstanceID, changeGroup, "g-1")
	ct.touch(a.InstanceID, changeGroup, "g-1")
	var kinds []string
	for _, c := range ct.changes {
		kinds = append(kinds, c.Kind)
	}
	if want := []string{changeAssignmentAdded, changeAssignmentRemoved, changeAssignmentAdded, changeGroup}; !slices.Equal(kinds, want) {
		t.Errorf("changes = %q, want %q", kinds, want)
	}
}

func TestAssignmentEntity(t *testing.T) {
	a := &access.Assignment{PrincipalType: access.PrincipalGroup, PrincipalID: "g-1", TargetType: access.TargetOrganizationalUnit,
		TargetID: "ou-ab12-11111111", PermissionSetID: "ps-1"}
	g, ok := splitAssignment(assignmentEntity(a))
	want := entitlement.Grant{PermissionSetID: "ps-1", TargetType: access.TargetOrganizationalUnit, TargetID: "ou-ab12-11111111",
		PrincipalType: access.PrincipalGroup, PrincipalID: "g-1"}
	if !ok || g != want {
		t.Errorf("splitAssignment(assignmentEntity(a)) = %+v, %v, want %+v", g, ok, want)
	}
	for _, bad := range []string{"", "GROUP g-1 AWS_ACCOUNT 111111111111", "GROUP g-1  111111111111 ps-1", "GROUP g-1 AWS_ACCOUNT 111111111111 ps-1 extra"} {
		if _, ok := splitAssignment(bad); ok {
			t.Errorf("splitAssignment(%q) = ok, want malformed", bad)
		}
	}
}
