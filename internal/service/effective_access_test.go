package service_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
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
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/entitlement"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/policy"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// world is a server with SDK clients and the ids the tests use.
type world struct {
	s        *atriumtest.Server
	ids      *identitystore.Client
	sso      *ssoadmin.Client
	orgs     *organizations.Client
	instance string // id
	root     string
	// scimToken is the SCIM token of the instance, once made (world.scim).
	scimToken string
}

func newWorld(t *testing.T, s *atriumtest.Server) *world {
	t.Helper()
	w := &world{s: s, ids: s.IdentityStore(), sso: s.SSOAdmin(), orgs: organizations.NewFromConfig(s.AWSConfig()),
		instance: strings.TrimPrefix(s.InstanceARN, "arn:aws:sso:::instance/")}
	roots, err := w.orgs.ListRoots(t.Context(), &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots = %v, %v", roots, err)
	}
	w.root = aws.ToString(roots.Roots[0].Id)
	return w
}

// scim sends a SCIM request with a token of the instance (made on first
// use) and returns its status and decoded body.
func (w *world) scim(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	if w.scimToken == "" {
		token, _, err := w.s.App.Service.CreateSCIMToken(t.Context(), "", 0)
		if err != nil {
			t.Fatalf("CreateSCIMToken: %v", err)
		}
		w.scimToken = token
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, w.s.URL+"/scim/v2/"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.scimToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// patchGroup sends a SCIM PATCH of a group's members and returns its status.
func (w *world) patchGroup(t *testing.T, group string, ops ...any) int {
	t.Helper()
	code, _ := w.scim(t, "PATCH", "Groups/"+group, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops})
	return code
}

// scimMembers is a SCIM members value of user ids.
func scimMembers(ids ...string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"value": id}
	}
	return out
}

func (w *world) view() interface {
	Can(user, account, ps string) bool
} {
	return service.AccessView(w.s.App.Service, w.instance)
}

func (w *world) user(t *testing.T, name string) string {
	t.Helper()
	out, err := w.ids.CreateUser(t.Context(), &identitystore.CreateUserInput{IdentityStoreId: aws.String(w.s.StoreID), UserName: aws.String(name), DisplayName: aws.String(name),
		Name: &idtypes.Name{GivenName: aws.String(name), FamilyName: aws.String("Example")}})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return aws.ToString(out.UserId)
}

func (w *world) group(t *testing.T, name string) string {
	t.Helper()
	out, err := w.ids.CreateGroup(t.Context(), &identitystore.CreateGroupInput{IdentityStoreId: aws.String(w.s.StoreID), DisplayName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return aws.ToString(out.GroupId)
}

func (w *world) join(t *testing.T, group, user string) string {
	t.Helper()
	out, err := w.ids.CreateGroupMembership(t.Context(), &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(w.s.StoreID),
		GroupId: aws.String(group), MemberId: &idtypes.MemberIdMemberUserId{Value: user}})
	if err != nil {
		t.Fatalf("CreateGroupMembership: %v", err)
	}
	return aws.ToString(out.MembershipId)
}

func (w *world) leave(t *testing.T, membership string) {
	t.Helper()
	if _, err := w.ids.DeleteGroupMembership(t.Context(), &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(w.s.StoreID),
		MembershipId: aws.String(membership)}); err != nil {
		t.Fatalf("DeleteGroupMembership: %v", err)
	}
}

// permissionSet makes a permission set whose inline policy allows s3 and ec2.
func (w *world) permissionSet(t *testing.T, name string) (arn, id string) {
	t.Helper()
	out, err := w.sso.CreatePermissionSet(t.Context(), &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(w.s.InstanceARN), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreatePermissionSet: %v", err)
	}
	arn = aws.ToString(out.PermissionSet.PermissionSetArn)
	if _, err := w.sso.PutInlinePolicyToPermissionSet(t.Context(), &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: aws.String(w.s.InstanceARN),
		PermissionSetArn: aws.String(arn), InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"*"}]}`)}); err != nil {
		t.Fatalf("PutInlinePolicyToPermissionSet: %v", err)
	}
	return arn, arn[strings.LastIndex(arn, "/")+1:]
}

func (w *world) account(t *testing.T, name string) string {
	t.Helper()
	out, err := w.orgs.CreateAccount(t.Context(), &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		st, err := w.orgs.DescribeCreateAccountStatus(t.Context(), &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			t.Fatalf("DescribeCreateAccountStatus: %v", err)
		}
		switch st.CreateAccountStatus.State {
		case orgtypes.CreateAccountStateSucceeded:
			return aws.ToString(st.CreateAccountStatus.AccountId)
		case orgtypes.CreateAccountStateFailed:
			t.Fatalf("CreateAccount failed: %s", st.CreateAccountStatus.FailureReason)
		}
	}
	t.Fatal("CreateAccount never completed")
	return ""
}

func (w *world) ou(t *testing.T, name string) string {
	t.Helper()
	out, err := w.orgs.CreateOrganizationalUnit(t.Context(), &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(w.root), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateOrganizationalUnit: %v", err)
	}
	return aws.ToString(out.OrganizationalUnit.Id)
}

func (w *world) move(t *testing.T, account, from, to string) {
	t.Helper()
	if _, err := w.orgs.MoveAccount(t.Context(), &organizations.MoveAccountInput{AccountId: aws.String(account),
		SourceParentId: aws.String(from), DestinationParentId: aws.String(to)}); err != nil {
		t.Fatalf("MoveAccount: %v", err)
	}
}

// assign creates (or with remove, deletes) an assignment and waits until the
// request SUCCEEDED.
func (w *world) assign(t *testing.T, remove bool, psARN, targetType, target, principalType, principal string) {
	t.Helper()
	w.awaitAssignment(t, remove, w.requestAssignment(t, remove, psARN, targetType, target, principalType, principal))
}

// requestAssignment asks for an assignment's creation (or deletion, with
// remove) and returns the request's id.
func (w *world) requestAssignment(t *testing.T, remove bool, psARN, targetType, target, principalType, principal string) *string {
	t.Helper()
	ctx := t.Context()
	var id *string
	if remove {
		out, err := w.sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: aws.String(w.s.InstanceARN), PermissionSetArn: aws.String(psARN),
			TargetType: ssotypes.TargetType(targetType), TargetId: aws.String(target), PrincipalType: ssotypes.PrincipalType(principalType), PrincipalId: aws.String(principal)})
		if err != nil {
			t.Fatalf("DeleteAccountAssignment: %v", err)
		}
		id = out.AccountAssignmentDeletionStatus.RequestId
	} else {
		out, err := w.sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(w.s.InstanceARN), PermissionSetArn: aws.String(psARN),
			TargetType: ssotypes.TargetType(targetType), TargetId: aws.String(target), PrincipalType: ssotypes.PrincipalType(principalType), PrincipalId: aws.String(principal)})
		if err != nil {
			t.Fatalf("CreateAccountAssignment: %v", err)
		}
		id = out.AccountAssignmentCreationStatus.RequestId
	}
	return id
}

// awaitAssignment waits for an assignment request to succeed.
func (w *world) awaitAssignment(t *testing.T, remove bool, id *string) {
	t.Helper()
	ctx := t.Context()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var st *ssotypes.AccountAssignmentOperationStatus
		if remove {
			out, err := w.sso.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(w.s.InstanceARN), AccountAssignmentDeletionRequestId: id})
			if err != nil {
				t.Fatalf("DescribeAccountAssignmentDeletionStatus: %v", err)
			}
			st = out.AccountAssignmentDeletionStatus
		} else {
			out, err := w.sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: aws.String(w.s.InstanceARN), AccountAssignmentCreationRequestId: id})
			if err != nil {
				t.Fatalf("DescribeAccountAssignmentCreationStatus: %v", err)
			}
			st = out.AccountAssignmentCreationStatus
		}
		switch st.Status {
		case ssotypes.StatusValuesSucceeded:
			return
		case ssotypes.StatusValuesFailed:
			t.Fatalf("assignment request failed: %s", aws.ToString(st.FailureReason))
		}
	}
	t.Fatal("assignment request never completed")
}

// effective lists a user's entitlements through the service's operation,
// as account/permission set name/via.
func (w *world) effective(t *testing.T, user string) []string {
	t.Helper()
	ens, err := w.s.App.Service.ListEffectiveAccess(callerCtx(t, w.s.App.Service, w.s.Credentials.AccessKeyID), w.s.InstanceARN, user)
	if err != nil {
		t.Fatalf("ListEffectiveAccess: %v", err)
	}
	var out []string
	for _, en := range ens {
		via := "user"
		if en.PrincipalType == "GROUP" {
			via = "group " + en.PrincipalName
		}
		if en.TargetType == "ORGANIZATIONAL_UNIT" {
			via += " in OU " + en.TargetName
		}
		out = append(out, en.AccountName+"/"+en.PermissionSetName+"/"+via)
	}
	return out
}

func wantEffective(t *testing.T, w *world, user string, want ...string) {
	t.Helper()
	if got := w.effective(t, user); !slices.Equal(got, want) {
		t.Errorf("ListEffectiveAccess(user) = %q, want %q", got, want)
	}
}

// wantCan checks the node's index as a caller inside the service reads it,
// right after the call that changed it returned.
func wantCan(t *testing.T, w *world, user, account, ps string, want bool) {
	t.Helper()
	if got := w.view().Can(user, account, ps); got != want {
		t.Errorf("index: Can(user, %s, %s) = %v, want %v", account, ps, got, want)
	}
}

// TestEffectiveAccessFollowsChanges drives assignments, memberships and
// account moves through the AWS APIs and checks the index after each.
func TestEffectiveAccessFollowsChanges(t *testing.T) {
	atriumtest.OnEngines(t, testEffectiveAccessFollowsChanges)
}

func testEffectiveAccessFollowsChanges(t *testing.T, s *atriumtest.Server) {
	w := newWorld(t, s)
	alice, devs := w.user(t, "alice"), w.group(t, "Developers")
	psARN, ps := w.permissionSet(t, "Dev")
	acct := w.account(t, "Sandbox")
	wantEffective(t, w, alice)

	// A direct assignment, created then deleted.
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "USER", alice)
	wantEffective(t, w, alice, "Sandbox/Dev/user")
	w.assign(t, true, psARN, "AWS_ACCOUNT", acct, "USER", alice)
	wantEffective(t, w, alice)

	// A group's assignment reaches its members, and only while they are.
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
	wantEffective(t, w, alice)
	m := w.join(t, devs, alice)
	wantCan(t, w, alice, acct, ps, true)
	wantEffective(t, w, alice, "Sandbox/Dev/group Developers")
	w.leave(t, m)
	wantCan(t, w, alice, acct, ps, false)
	wantEffective(t, w, alice)
	w.join(t, devs, alice)

	// An OU's assignment reaches the accounts moved into the OU.
	work := w.ou(t, "Workloads")
	w.assign(t, false, psARN, "ORGANIZATIONAL_UNIT", work, "GROUP", devs)
	wantEffective(t, w, alice, "Sandbox/Dev/group Developers")
	w.move(t, acct, w.root, work)
	wantEffective(t, w, alice, "Sandbox/Dev/group Developers", "Sandbox/Dev/group Developers in OU Workloads")
	w.assign(t, true, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
	wantCan(t, w, alice, acct, ps, true)
	w.move(t, acct, work, w.root)
	wantCan(t, w, alice, acct, ps, false)
	wantEffective(t, w, alice)
	w.move(t, acct, w.root, work)
	wantCan(t, w, alice, acct, ps, true)

	// A service control policy on the OU denies what the permission set
	// allows, in the accounts under it.
	decide := func(action string) policy.Decision {
		return service.AccessView(w.s.App.Service, w.instance).Decide(alice, acct, ps, &policy.Request{Action: action, Resource: "*"})
	}
	if got := decide("ec2:RunInstances"); got != policy.Allowed {
		t.Fatalf("Decide(ec2:RunInstances) before SCPs = %v, want allow", got)
	}
	if _, err := w.orgs.EnablePolicyType(t.Context(), &organizations.EnablePolicyTypeInput{RootId: aws.String(w.root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatalf("EnablePolicyType: %v", err)
	}
	pol, err := w.orgs.CreatePolicy(t.Context(), &organizations.CreatePolicyInput{Name: aws.String("DenyEC2"), Description: aws.String("no ec2"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if _, err := w.orgs.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: pol.Policy.PolicySummary.Id, TargetId: aws.String(work)}); err != nil {
		t.Fatalf("AttachPolicy: %v", err)
	}
	if got := decide("ec2:RunInstances"); got != policy.ExplicitDeny {
		t.Errorf("Decide(ec2:RunInstances) under a denying SCP = %v, want explicitDeny", got)
	}
	if got := decide("s3:GetObject"); got != policy.Allowed {
		t.Errorf("Decide(s3:GetObject) under a denying SCP = %v, want allow", got)
	}
	if _, err := w.orgs.DisablePolicyType(t.Context(), &organizations.DisablePolicyTypeInput{RootId: aws.String(w.root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatalf("DisablePolicyType: %v", err)
	}
	if got := decide("ec2:RunInstances"); got != policy.Allowed {
		t.Errorf("Decide(ec2:RunInstances) with SCPs disabled = %v, want allow", got)
	}

	// Closing the account takes it away.
	if _, err := w.orgs.CloseAccount(t.Context(), &organizations.CloseAccountInput{AccountId: aws.String(acct)}); err != nil {
		t.Fatalf("CloseAccount: %v", err)
	}
	wantCan(t, w, alice, acct, ps, false)
	wantEffective(t, w, alice)
}

// TestEffectiveAccessFollowsSCIMMembers changes a group's members by SCIM
// PATCH, which adds and removes many at once, and checks the index after
// each request.
func TestEffectiveAccessFollowsSCIMMembers(t *testing.T) {
	atriumtest.OnEngines(t, testEffectiveAccessFollowsSCIMMembers)
}

func testEffectiveAccessFollowsSCIMMembers(t *testing.T, s *atriumtest.Server) {
	w := newWorld(t, s)
	patch := func(group string, ops ...any) int { t.Helper(); return w.patchGroup(t, group, ops...) }
	members := scimMembers
	var users []string
	for _, name := range []string{"alice", "bob", "carol", "dan"} {
		users = append(users, w.user(t, name))
	}
	alice, bob, carol, dan := users[0], users[1], users[2], users[3]
	devs := w.group(t, "Developers")
	psARN, ps := w.permissionSet(t, "Dev")
	acct := w.account(t, "Sandbox")
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
	want := func(step string, can map[string]bool) {
		t.Helper()
		for i, u := range users {
			if got := w.view().Can(u, acct, ps); got != can[u] {
				t.Errorf("%s: index: Can(user %d) = %v, want %v", step, i, got, can[u])
			}
		}
	}

	if code := patch(devs, map[string]any{"op": "add", "path": "members", "value": members(alice, bob, carol)}); code != 204 {
		t.Fatalf("PATCH add = %d, want 204", code)
	}
	want("after add", map[string]bool{alice: true, bob: true, carol: true})
	// One unknown member fails the whole request: dan is not added.
	if code := patch(devs, map[string]any{"op": "add", "path": "members", "value": members(dan, "no-such-user")}); code != 400 {
		t.Fatalf("PATCH add of an unknown member = %d, want 400", code)
	}
	want("after a failed add", map[string]bool{alice: true, bob: true, carol: true})
	// Removals and additions in one request.
	if code := patch(devs,
		map[string]any{"op": "remove", "path": "members", "value": members(alice, bob)},
		map[string]any{"op": "add", "path": "members", "value": members(dan)},
	); code != 204 {
		t.Fatalf("PATCH remove and add = %d, want 204", code)
	}
	want("after remove and add", map[string]bool{carol: true, dan: true})
	if code := patch(devs, map[string]any{"op": "replace", "path": "members", "value": members(alice)}); code != 204 {
		t.Fatalf("PATCH replace = %d, want 204", code)
	}
	want("after replace", map[string]bool{alice: true})
	if code := patch(devs, map[string]any{"op": "remove", "path": "members"}); code != 204 {
		t.Fatalf("PATCH remove all = %d, want 204", code)
	}
	want("after remove all", nil)
	wantEffective(t, w, alice)
}

func TestListEffectiveAccessErrors(t *testing.T) {
	t.Parallel()
	s := atriumtest.Start(t)
	ctx := callerCtx(t, s.App.Service, s.Credentials.AccessKeyID)
	for _, tc := range []struct {
		name, instance, user string
		want                 errs.Kind
	}{
		{"bad user id", s.InstanceARN, "nope", errs.Invalid},
		{"unknown user", s.InstanceARN, "a1a1a1a1-0000-0000-0000-000000000001", errs.NotFound},
		{"bad instance", "arn:aws:sso:::instance/nope", "a1a1a1a1-0000-0000-0000-000000000001", errs.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.App.Service.ListEffectiveAccess(ctx, tc.instance, tc.user)
			if errs.KindOf(err) != tc.want {
				t.Errorf("ListEffectiveAccess(%s, %s) = %v, want %v", tc.instance, tc.user, err, tc.want)
			}
		})
	}
}

// TestIndexConvergesAcrossNodes runs two nodes on one PostgreSQL database:
// a change made through one is in the other's index within a second.
func TestIndexConvergesAcrossNodes(t *testing.T) {
	if os.Getenv(storetest.EnvDatabaseURL) == "" && os.Getenv(storetest.EnvRequirePostgres) != "1" {
		t.Skipf("TestIndexConvergesAcrossNodes needs PostgreSQL: set %s", storetest.EnvDatabaseURL)
	}
	t.Parallel()
	url := storetest.NewPostgresDatabase(t)
	dir := t.TempDir() // one master key for both nodes
	a := atriumtest.Start(t, atriumtest.Options{DataDir: dir, DatabaseURL: url})
	b := atriumtest.Start(t, atriumtest.Options{DataDir: dir, DatabaseURL: url})
	wa := newWorld(t, a)
	viewB := func() interface{ Can(u, a, p string) bool } { return service.AccessView(b.App.Service, wa.instance) }

	alice, devs := wa.user(t, "alice"), wa.group(t, "Developers")
	psARN, ps := wa.permissionSet(t, "Dev")
	acct := wa.account(t, "Sandbox")
	wa.assign(t, false, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)

	// converge waits until node B's index answers want, and fails unless
	// it did within a second of the start of the call that made the change
	// on node A.
	converge := func(what string, start time.Time, want bool) {
		t.Helper()
		for deadline := start.Add(5 * time.Second); !time.Now().After(deadline); time.Sleep(2 * time.Millisecond) {
			if viewB().Can(alice, acct, ps) == want {
				if d := time.Since(start); d > time.Second {
					t.Errorf("node B saw %s %v after the call began, want within 1s", what, d)
				} else {
					t.Logf("node B saw %s %v after the call began", what, d)
				}
				return
			}
		}
		t.Fatalf("node B never saw %s", what)
	}
	start := time.Now()
	m := wa.join(t, devs, alice)
	wantCan(t, wa, alice, acct, ps, true) // at once on node A
	converge("the membership", start, true)
	start = time.Now()
	wa.leave(t, m)
	converge("the membership's deletion", start, false)
	work := wa.ou(t, "Workloads")
	wa.join(t, devs, alice)
	converge("the membership again", start, true)
	start = time.Now()
	wa.assign(t, true, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
	converge("the assignment's deletion", start, false)
	wa.assign(t, false, psARN, "ORGANIZATIONAL_UNIT", work, "GROUP", devs)
	start = time.Now()
	wa.move(t, acct, wa.root, work)
	converge("the account's move into the OU", start, true)

	// Both nodes agree on the version.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ea, err1 := a.App.Service.ListEffectiveAccess(callerCtx(t, a.App.Service, a.Credentials.AccessKeyID), a.InstanceARN, alice)
		eb, err2 := b.App.Service.ListEffectiveAccess(callerCtx(t, b.App.Service, b.Credentials.AccessKeyID), b.InstanceARN, alice)
		if err1 != nil || err2 != nil {
			t.Fatalf("ListEffectiveAccess = %v, %v", err1, err2)
		}
		if slices.Equal(ea, eb) && len(ea) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the nodes disagree: %+v and %+v", ea, eb)
		}
	}
}

func TestEffectiveAccessUsesManagedPolicies(t *testing.T) {
	// A permission set that carries only an AWS managed policy allows what
	// the catalog's document allows, and follows the document when an
	// import changes it.
	s := atriumtest.Start(t)
	w := newWorld(t, s)
	alice := w.user(t, "alice")
	out, err := w.sso.CreatePermissionSet(t.Context(), &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String("ReadOnly")})
	if err != nil {
		t.Fatalf("CreatePermissionSet: %v", err)
	}
	psARN := aws.ToString(out.PermissionSet.PermissionSetArn)
	ps := psARN[strings.LastIndex(psARN, "/")+1:]
	const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	if _, err := w.sso.AttachManagedPolicyToPermissionSet(t.Context(), &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: aws.String(s.InstanceARN),
		PermissionSetArn: aws.String(psARN), ManagedPolicyArn: aws.String(readOnly)}); err != nil {
		t.Fatalf("AttachManagedPolicyToPermissionSet: %v", err)
	}
	acct := w.account(t, "Sandbox")
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "USER", alice)
	decide := func(action string) policy.Decision {
		return service.AccessView(s.App.Service, w.instance).Decide(alice, acct, ps, &policy.Request{Action: action, Resource: "*"})
	}
	if got := decide("s3:GetObject"); got != policy.Allowed {
		t.Errorf("Decide(s3:GetObject) with ReadOnlyAccess = %v, want allow", got)
	}
	if got := decide("s3:PutObject"); got == policy.Allowed {
		t.Errorf("Decide(s3:PutObject) with ReadOnlyAccess = %v, want a deny", got)
	}

	// An operator imports a document of ReadOnlyAccess that allows only
	// sqs reads: the index follows.
	if _, err := s.App.Service.ImportAWSManagedPolicies(t.Context(), []service.ImportedPolicy{{Name: "ReadOnlyAccess",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:Get*","Resource":"*"}]}`}}); err != nil {
		t.Fatalf("ImportAWSManagedPolicies: %v", err)
	}
	if got := decide("s3:GetObject"); got == policy.Allowed {
		t.Errorf("Decide(s3:GetObject) after the import = %v, want a deny", got)
	}
	if got := decide("sqs:GetQueueUrl"); got != policy.Allowed {
		t.Errorf("Decide(sqs:GetQueueUrl) after the import = %v, want allow", got)
	}
}

// TestIndexMatchesRebuild applies random directory changes through
// identitystore and SCIM — users created enabled and disabled, members
// added and removed one by one, by PATCH and by full replacement, groups
// deleted — and checks that the index the node kept up change by change
// answers every user exactly as an index built afresh from the store.
func TestIndexMatchesRebuild(t *testing.T) {
	atriumtest.OnEngines(t, testIndexMatchesRebuild)
}

func testIndexMatchesRebuild(t *testing.T, s *atriumtest.Server) {
	w := newWorld(t, s)
	ctx := t.Context()
	scim := func(method, path string, body any) map[string]any {
		t.Helper()
		code, out := w.scim(t, method, path, body)
		if code >= 300 {
			t.Fatalf("%s %s = %d", method, path, code)
		}
		return out
	}
	patch := func(group string, ops ...any) {
		t.Helper()
		if code := w.patchGroup(t, group, ops...); code >= 300 {
			t.Fatalf("PATCH /Groups/%s = %d", group, code)
		}
	}
	members := scimMembers

	r := rand.New(rand.NewPCG(11, 12))
	var users, groups []string
	for i := range 12 {
		if i%3 == 0 { // by SCIM, some disabled
			u := scim("POST", "Users", map[string]any{"userName": fmt.Sprintf("scim-%d", i), "active": i%2 == 0,
				"name": map[string]any{"givenName": "S", "familyName": "U"}, "displayName": "S U"})
			users = append(users, u["id"].(string))
		} else {
			users = append(users, w.user(t, fmt.Sprintf("user-%d", i)))
		}
	}
	accts := []string{w.account(t, "A"), w.account(t, "B")}
	var sets []string
	for i := range 5 {
		g := w.group(t, fmt.Sprintf("group-%d", i))
		groups = append(groups, g)
		psARN, _ := w.permissionSet(t, fmt.Sprintf("set-%d", i))
		sets = append(sets, psARN)
		w.assign(t, false, psARN, "AWS_ACCOUNT", accts[i%2], "GROUP", g)
	}
	// assigned holds the assignments made, by permission set, account,
	// principal type and principal.
	assigned := map[[4]string]bool{}
	for i, g := range groups {
		assigned[[4]string{sets[i], accts[i%2], "GROUP", g}] = true
	}
	// toggle creates or deletes an assignment of one of two permission
	// sets to an account for a principal: created, then deleted, then
	// created again. Now and then it asks for three changes at once
	// (delete, create, delete, or the reverse), which the worker may
	// complete in one transaction.
	toggle := func(principalType, principal string) {
		k := [4]string{sets[r.IntN(2)], accts[r.IntN(len(accts))], principalType, principal}
		n := 1
		if r.IntN(3) == 0 {
			n = 3
		}
		var ids []*string
		for i := range n {
			ids = append(ids, w.requestAssignment(t, assigned[k] != (i%2 == 1), k[0], "AWS_ACCOUNT", k[1], principalType, principal))
		}
		for i, id := range ids {
			w.awaitAssignment(t, assigned[k] != (i%2 == 1), id)
		}
		assigned[k] = !assigned[k]
	}
	// The index is loaded whole from here: it leaves out the users with
	// neither groups nor assignments, and must load them when they get one.
	if err := service.RestartIndex(ctx, s.App.Service); err != nil {
		t.Fatal(err)
	}
	// membership is the id of u's membership in g, or "" when there is none.
	membership := func(g, u string) string {
		out, err := w.ids.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(s.StoreID),
			GroupId: aws.String(g), MemberId: &idtypes.MemberIdMemberUserId{Value: u}})
		if err != nil {
			return ""
		}
		return aws.ToString(out.MembershipId)
	}
	for step := range 84 {
		g, u := groups[r.IntN(len(groups))], users[r.IntN(len(users))]
		switch step % 7 {
		case 5:
			toggle("USER", u) // some users are in no group: the index may not hold them
		case 6:
			toggle("GROUP", g)
		case 0, 1:
			if membership(g, u) == "" {
				w.join(t, g, u)
			}
		case 2:
			if m := membership(g, u); m != "" {
				w.leave(t, m)
			}
		case 3:
			u2 := users[r.IntN(len(users))]
			patch(g, map[string]any{"op": "add", "path": "members", "value": members(u, u2)},
				map[string]any{"op": "remove", "path": fmt.Sprintf(`members[value eq "%s"]`, u2)})
		case 4:
			patch(g, map[string]any{"op": "replace", "path": "members", "value": members(users[r.IntN(len(users))], u)})
		}
	}
	scim("DELETE", "Groups/"+groups[0], nil)

	fresh, err := service.RebuildIndex(ctx, s.App.Service)
	if err != nil {
		t.Fatalf("RebuildIndex: %v", err)
	}
	kept := service.AccessView(s.App.Service, w.instance)
	some := 0
	for i, u := range users {
		got, want := kept.Entitlements(u), fresh.View(w.instance).Entitlements(u)
		if !slices.Equal(got, want) {
			t.Errorf("user %d: the index kept = %+v, rebuilt = %+v", i, got, want)
		}
		if gk, gf := kept.Groups(u), fresh.View(w.instance).Groups(u); !slices.Equal(gk, gf) {
			t.Errorf("user %d: groups kept = %q, rebuilt = %q", i, gk, gf)
		}
		some += len(want)
	}
	if some == 0 {
		t.Fatal("no user has any entitlement: the test checks nothing")
	}
	for _, a := range accts {
		if gk, gf := kept.AccountGrants(a), fresh.View(w.instance).AccountGrants(a); !sameGrantSet(gk, gf) {
			t.Errorf("account %s: assignments kept = %+v, rebuilt = %+v", a, gk, gf)
		}
	}
}

// sameGrantSet reports whether a and b hold the same assignments, in any
// order.
func sameGrantSet(a, b []entitlement.Grant) bool {
	key := func(g entitlement.Grant) string { return fmt.Sprint(g) }
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = key(a[i])
	}
	for i := range b {
		kb[i] = key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// groupAccessFixture starts a server holding alice, not yet in the group
// devs, whose assignment gives permission set ps in account acct; the
// index is built.
func groupAccessFixture(t *testing.T) (s *atriumtest.Server, w *world, alice, devs, ps, acct string) {
	t.Helper()
	s = atriumtest.Start(t)
	w = newWorld(t, s)
	alice, devs = w.user(t, "alice"), w.group(t, "Developers")
	psARN, ps := w.permissionSet(t, "Dev")
	acct = w.account(t, "Sandbox")
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
	w.effective(t, alice) // the index is built
	return s, w, alice, devs, ps, acct
}

// TestIndexSurvivesMalformedChange: a membership change this node cannot
// read (written by a newer or broken node) makes the index reload the
// instance instead of stopping at it.
func TestIndexSurvivesMalformedChange(t *testing.T) {
	s, w, alice, devs, ps, acct := groupAccessFixture(t)
	if err := s.App.Store.Write(t.Context(), func(tx store.Tx) error {
		_, err := tx.AppendChanges(t.Context(), []store.Change{{InstanceID: w.instance, Kind: "member_added", EntityID: "no-separator", At: time.Now()}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	w.join(t, devs, alice)
	if got := w.effective(t, alice); len(got) != 1 {
		t.Fatalf("after a malformed change and a membership: ListEffectiveAccess = %q, want the group's one entitlement", got)
	}
	wantCan(t, w, alice, acct, ps, true)
}

// TestOwnChangesApplyInOrder: the changes of a write apply to the index
// without reading the store only when the index stands just before them;
// a change another node committed in between is read from the feed first.
func TestOwnChangesApplyInOrder(t *testing.T) {
	s, w, alice, devs, ps, acct := groupAccessFixture(t)
	before := service.OwnApplied(s.App.Service)
	w.user(t, "bob") // a user created: applied as it is
	if got := service.OwnApplied(s.App.Service); got != before+1 {
		t.Fatalf("OwnApplied = %d after creating a user, want %d", got, before+1)
	}
	// Alice joins the group as another node would write it: in the store
	// and the feed, this node's index not told.
	ctx := t.Context()
	err := s.App.Store.Write(ctx, func(tx store.Tx) error {
		now := time.Now()
		if err := tx.CreateMembership(ctx, &directory.Membership{InstanceID: w.instance, MembershipID: s.StoreID + "-00000000-0000-7000-8000-000000000001",
			GroupID: devs, UserID: alice, CreatedAt: now, UpdatedAt: now, CreatedBy: "other-node", UpdatedBy: "other-node"}); err != nil {
			return err
		}
		_, err := tx.AppendChanges(ctx, []store.Change{{InstanceID: w.instance, Kind: "member_added", EntityID: devs + " " + alice, At: now}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.user(t, "carol") // this node's next write: the feed first, then its own
	wantCan(t, w, alice, acct, ps, true)
}

// TestAssignAfterIndexLoad: an index loaded whole leaves out users with
// neither groups nor assignments; an assignment made to such a user must
// give it access at once, and its deletion take it away.
func TestAssignAfterIndexLoad(t *testing.T) {
	testAssignGivesAccessAtOnce(t, func(t *testing.T, s *atriumtest.Server) {
		if err := service.RestartIndex(t.Context(), s.App.Service); err != nil {
			t.Fatal(err)
		}
	})
}

// TestViewCatchesUpWithOwnWrites: an assignment this node completed is in
// its index as soon as the operation reads SUCCEEDED, even when the
// worker's goroutine has yet to apply it (here: never does).
func TestViewCatchesUpWithOwnWrites(t *testing.T) {
	testAssignGivesAccessAtOnce(t, func(t *testing.T, s *atriumtest.Server) {
		service.SkipAfterWrite(s.App.Service, true)
		t.Cleanup(func() { service.SkipAfterWrite(s.App.Service, false) })
	})
}

// testAssignGivesAccessAtOnce assigns a permission set to a user after
// before, and checks the index the moment the assignment has SUCCEEDED,
// then again once it is deleted.
func testAssignGivesAccessAtOnce(t *testing.T, before func(t *testing.T, s *atriumtest.Server)) {
	s := atriumtest.Start(t)
	w := newWorld(t, s)
	alice := w.user(t, "alice")
	psARN, ps := w.permissionSet(t, "Dev")
	acct := w.account(t, "Sandbox")
	before(t, s)
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "USER", alice)
	wantCan(t, w, alice, acct, ps, true)
	if got := w.effective(t, alice); len(got) != 1 {
		t.Errorf("ListEffectiveAccess after the assignment = %q, want its one entitlement", got)
	}
	w.assign(t, true, psARN, "AWS_ACCOUNT", acct, "USER", alice)
	wantCan(t, w, alice, acct, ps, false)
}

// TestJoinAfterIndexLoad: an index loaded whole leaves out users with
// neither groups nor assignments; such a user joining a group afterwards
// must still gain the group's access, at once.
func TestJoinAfterIndexLoad(t *testing.T) {
	s := atriumtest.Start(t)
	w := newWorld(t, s)
	alice, bob, devs := w.user(t, "alice"), w.user(t, "bob"), w.group(t, "Developers")
	psARN, ps := w.permissionSet(t, "Dev")
	acct := w.account(t, "Sandbox")
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
	if err := service.RestartIndex(t.Context(), s.App.Service); err != nil {
		t.Fatal(err)
	}
	w.join(t, devs, alice)
	wantCan(t, w, alice, acct, ps, true)
	if code := w.patchGroup(t, devs, map[string]any{"op": "add", "path": "members", "value": scimMembers(bob)}); code >= 300 {
		t.Fatalf("PATCH = %d", code)
	}
	wantCan(t, w, bob, acct, ps, true)
}
