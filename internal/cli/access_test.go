package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/atriumhq/atrium/internal/atriumtest"
)

// mustAccessFixture is the data dir of a stopped server where alice may
// use the permission set Dev in the management account directly, and in
// the account Sandbox through the group Developers' assignment to the OU
// Workloads.
func mustAccessFixture(t *testing.T) (dir, management, sandbox string) {
	t.Helper()
	s := atriumtest.Start(t)
	ctx := t.Context()
	ids, sso, orgs := s.IdentityStore(), s.SSOAdmin(), organizations.NewFromConfig(s.AWSConfig())
	alice := mustCreateUser(t, ids, s.StoreID, "alice")
	mustCreateUser(t, ids, s.StoreID, "bob")
	g, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(s.StoreID), DisplayName: aws.String("Developers")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(s.StoreID), GroupId: g.GroupId,
		MemberId: &idtypes.MemberIdMemberUserId{Value: alice}}); err != nil {
		t.Fatal(err)
	}
	ps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String("Dev")})
	if err != nil {
		t.Fatal(err)
	}
	roots, err := orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	ou, err := orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: roots.Roots[0].Id, Name: aws.String("Workloads")})
	if err != nil {
		t.Fatal(err)
	}
	car, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Sandbox"), Email: aws.String("sandbox@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); sandbox == ""; time.Sleep(10 * time.Millisecond) {
		st, err := orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: car.CreateAccountStatus.Id})
		if err != nil || st.CreateAccountStatus.State == orgtypes.CreateAccountStateFailed || time.Now().After(deadline) {
			t.Fatalf("CreateAccount: %v %+v", err, st)
		}
		sandbox = aws.ToString(st.CreateAccountStatus.AccountId)
	}
	if _, err := orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(sandbox), SourceParentId: roots.Roots[0].Id,
		DestinationParentId: ou.OrganizationalUnit.Id}); err != nil {
		t.Fatal(err)
	}
	management = s.App.Bootstrap.Organization.ManagementAccountID
	for _, a := range []struct{ targetType, target, principalType, principal string }{
		{"AWS_ACCOUNT", management, "USER", alice},
		{"ORGANIZATIONAL_UNIT", aws.ToString(ou.OrganizationalUnit.Id), "GROUP", aws.ToString(g.GroupId)},
	} {
		out, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(s.InstanceARN),
			PermissionSetArn: ps.PermissionSet.PermissionSetArn, TargetType: ssotypes.TargetType(a.targetType), TargetId: aws.String(a.target),
			PrincipalType: ssotypes.PrincipalType(a.principalType), PrincipalId: aws.String(a.principal)})
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			st, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: aws.String(s.InstanceARN),
				AccountAssignmentCreationRequestId: out.AccountAssignmentCreationStatus.RequestId})
			if err != nil || st.AccountAssignmentCreationStatus.Status == ssotypes.StatusValuesFailed || time.Now().After(deadline) {
				t.Fatalf("assignment: %v %+v", err, st)
			}
			if st.AccountAssignmentCreationStatus.Status == ssotypes.StatusValuesSucceeded {
				break
			}
		}
	}
	s.Stop()
	return s.Config.DataDir, management, sandbox
}

func TestAccessList(t *testing.T) {
	dir, management, sandbox := mustAccessFixture(t)

	rc, out, errOut := runAtrium(t, "access", "list", "--user", "alice", "--data-dir", dir)
	if rc != 0 {
		t.Fatalf("atrium access list --user alice = %d, stderr %q", rc, errOut)
	}
	t.Logf("atrium access list --user alice:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	fields := func(i int) []string { return strings.Fields(lines[i]) }
	want := [][]string{
		{"ACCOUNT", "NAME", "PERMISSION", "SET", "VIA"},
		{management, "Management", "Dev", "user"},
		{sandbox, "Sandbox", "Dev", "group", "Developers,", "OU", "Workloads"},
	}
	if management > sandbox {
		want[1], want[2] = want[2], want[1]
	}
	if len(lines) != len(want) {
		t.Fatalf("atrium access list printed %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i := range want {
		if got := fields(i); strings.Join(got, " ") != strings.Join(want[i], " ") {
			t.Errorf("line %d = %q, want %q", i, got, want[i])
		}
	}

	rc, out, _ = runAtrium(t, "access", "list", "--user", "bob", "--data-dir", dir)
	if rc != 0 || strings.TrimSpace(out) != "bob may use no account." {
		t.Errorf("atrium access list --user bob = %d, %q", rc, out)
	}
	rc, _, errOut = runAtrium(t, "access", "list", "--user", "nobody", "--data-dir", dir)
	if rc != 1 || !strings.Contains(errOut, `No user named "nobody"`) {
		t.Errorf("atrium access list --user nobody = %d, %q, want 1 and a message", rc, errOut)
	}
	for _, args := range [][]string{{"access"}, {"access", "list"}, {"access", "show", "--user", "alice"}} {
		if rc, _, _ := runAtrium(t, append(args, "--data-dir", dir)...); rc != 2 {
			t.Errorf("atrium %q = %d, want 2 (usage)", args, rc)
		}
	}
}
