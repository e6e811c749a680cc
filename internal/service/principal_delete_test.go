package service_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/atriumhq/atrium/internal/atriumtest"
)

// TestDeletingPrincipalDeprovisions: deleting a user (identitystore) or a
// group (SCIM) takes its account assignments with it, and, as
// DeleteAccountAssignment does for the last assignment of a permission set
// in a target, the permission set's provisioning and role there: a
// permission set another principal still holds stays provisioned, and one
// nobody holds any more can be deleted.
func TestDeletingPrincipalDeprovisions(t *testing.T) {
	atriumtest.OnEngines(t, testDeletingPrincipalDeprovisions)
}

func testDeletingPrincipalDeprovisions(t *testing.T, s *atriumtest.Server) {
	w := newWorld(t, s)
	ctx := t.Context()
	mgmt := s.App.Bootstrap.Organization.ManagementAccountID
	alice, bob, devs := w.user(t, "alice"), w.user(t, "bob"), w.group(t, "Developers")
	onlyAlice, _ := w.permissionSet(t, "OnlyAlice")
	shared, _ := w.permissionSet(t, "Shared")
	group, _ := w.permissionSet(t, "ByGroup")
	work := w.ou(t, "Workloads")
	sandbox := w.account(t, "Sandbox")
	w.move(t, sandbox, w.root, work)
	w.assign(t, false, onlyAlice, "AWS_ACCOUNT", mgmt, "USER", alice)
	w.assign(t, false, shared, "AWS_ACCOUNT", mgmt, "USER", alice)
	w.assign(t, false, shared, "AWS_ACCOUNT", mgmt, "USER", bob)
	w.assign(t, false, group, "ORGANIZATIONAL_UNIT", work, "GROUP", devs)

	provisioned := func(account string) []string {
		t.Helper()
		out, err := w.sso.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: aws.String(s.InstanceARN), AccountId: aws.String(account)})
		if err != nil {
			t.Fatalf("ListPermissionSetsProvisionedToAccount(%s): %v", account, err)
		}
		return out.PermissionSets
	}
	roles := func() []string {
		t.Helper()
		out, err := iam.NewFromConfig(s.AWSConfig()).ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-reserved/sso.amazonaws.com/")})
		if err != nil {
			t.Fatalf("ListRoles: %v", err)
		}
		var names []string
		for _, r := range out.Roles {
			names = append(names, strings.Join(strings.Split(aws.ToString(r.RoleName), "_")[:2], "_"))
		}
		slices.Sort(names)
		return names
	}
	deleteSet := func(ps string) error {
		_, err := w.sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), PermissionSetArn: aws.String(ps)})
		return err
	}
	if got := provisioned(mgmt); !slices.Contains(got, onlyAlice) || !slices.Contains(got, shared) {
		t.Fatalf("before: provisioned to the management account = %q", got)
	}
	if got := provisioned(sandbox); !slices.Equal(got, []string{group}) {
		t.Fatalf("before: provisioned to the account under the OU = %q", got)
	}
	if got := roles(); !slices.Equal(got, []string{"AWSReservedSSO_OnlyAlice", "AWSReservedSSO_Shared"}) {
		t.Fatalf("before: roles of the management account = %q", got)
	}

	if _, err := w.ids.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(s.StoreID), UserId: aws.String(alice)}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if got := provisioned(mgmt); !slices.Equal(got, []string{shared}) {
		t.Errorf("after deleting alice: provisioned = %q, want only the set bob still holds", got)
	}
	if got := roles(); !slices.Equal(got, []string{"AWSReservedSSO_Shared"}) {
		t.Errorf("after deleting alice: roles = %q, want only Shared", got)
	}
	if err := deleteSet(onlyAlice); err != nil {
		t.Errorf("DeletePermissionSet of a set nobody holds: %v", err)
	}
	var conflict *ssotypes.ConflictException
	if err := deleteSet(shared); !errors.As(err, &conflict) {
		t.Errorf("DeletePermissionSet of a set bob holds = %v, want ConflictException", err)
	}

	// The group, by SCIM.
	if code, _ := w.scim(t, "DELETE", "Groups/"+devs, nil); code != 204 {
		t.Fatalf("DELETE /Groups = %d", code)
	}
	if got := provisioned(sandbox); len(got) != 0 {
		t.Errorf("after deleting the group: provisioned under the OU = %q, want none", got)
	}
	if err := deleteSet(group); err != nil {
		t.Errorf("DeletePermissionSet of the deleted group's set: %v", err)
	}
}
