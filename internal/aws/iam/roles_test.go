package iam_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/policy"
)

// admin drives sso-admin for a test.
type admin struct {
	t    *testing.T
	s    *atriumtest.Server
	sso  *ssoadmin.Client
	inst *string
	acct string
	user *string
}

func newAdmin(t *testing.T, s *atriumtest.Server) *admin {
	user, err := identitystore.NewFromConfig(s.AWSConfig()).CreateUser(t.Context(), &identitystore.CreateUserInput{IdentityStoreId: aws.String(s.StoreID),
		UserName: aws.String("rita"), DisplayName: aws.String("Rita"), Name: &istypes.Name{GivenName: aws.String("Rita"), FamilyName: aws.String("Role")}})
	if err != nil {
		t.Fatal(err)
	}
	return &admin{t: t, s: s, sso: ssoadmin.NewFromConfig(s.AWSConfig()), inst: aws.String(s.InstanceARN),
		acct: s.App.Bootstrap.Organization.ManagementAccountID, user: user.UserId}
}

func (a *admin) permissionSet(name, duration string) *string {
	out, err := a.sso.CreatePermissionSet(a.t.Context(), &ssoadmin.CreatePermissionSetInput{InstanceArn: a.inst, Name: aws.String(name), SessionDuration: aws.String(duration)})
	if err != nil {
		a.t.Fatalf("CreatePermissionSet(%s): %v", name, err)
	}
	return out.PermissionSet.PermissionSetArn
}

// assign creates (or deletes) an assignment of ps to the user in the
// management account and waits for it to succeed.
func (a *admin) assign(ps *string, remove bool) {
	ctx := a.t.Context()
	var id *string
	if remove {
		out, err := a.sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: a.inst, TargetId: aws.String(a.acct),
			TargetType: ssotypes.TargetTypeAwsAccount, PermissionSetArn: ps, PrincipalType: ssotypes.PrincipalTypeUser, PrincipalId: a.user})
		if err != nil {
			a.t.Fatal(err)
		}
		id = out.AccountAssignmentDeletionStatus.RequestId
	} else {
		out, err := a.sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: a.inst, TargetId: aws.String(a.acct),
			TargetType: ssotypes.TargetTypeAwsAccount, PermissionSetArn: ps, PrincipalType: ssotypes.PrincipalTypeUser, PrincipalId: a.user})
		if err != nil {
			a.t.Fatal(err)
		}
		id = out.AccountAssignmentCreationStatus.RequestId
	}
	for {
		var st *ssotypes.AccountAssignmentOperationStatus
		if remove {
			out, err := a.sso.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: a.inst, AccountAssignmentDeletionRequestId: id})
			if err != nil {
				a.t.Fatal(err)
			}
			st = out.AccountAssignmentDeletionStatus
		} else {
			out, err := a.sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: a.inst, AccountAssignmentCreationRequestId: id})
			if err != nil {
				a.t.Fatal(err)
			}
			st = out.AccountAssignmentCreationStatus
		}
		switch st.Status {
		case ssotypes.StatusValuesSucceeded:
			return
		case ssotypes.StatusValuesFailed:
			a.t.Fatalf("assignment (remove %v) failed: %s", remove, aws.ToString(st.FailureReason))
		}
		select {
		case <-ctx.Done():
			a.t.Fatal(ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

var roleNameRe = regexp.MustCompile(`^AWSReservedSSO_Ops_[0-9a-f]{16}$`)

func TestProvisionedRoles(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := newClient(s)
		a := newAdmin(t, s)
		ps := a.permissionSet("Ops", "PT8H")
		if _, err := a.sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: a.inst, PermissionSetArn: ps,
			ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: a.inst, PermissionSetArn: ps,
			InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","ec2:RunInstances"],"Resource":"*"}]}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.sso.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: a.inst, PermissionSetArn: ps,
			PermissionsBoundary: &ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}}); err != nil {
			t.Fatal(err)
		}
		other := a.permissionSet("Audit", "PT1H")

		// No role before provisioning.
		if roles := listRoleNames(t, c, &iam.ListRolesInput{}); len(roles) != 0 {
			t.Fatalf("ListRoles before provisioning = %q", roles)
		}
		a.assign(ps, false)
		a.assign(other, false)

		roles := listRoleNames(t, c, &iam.ListRolesInput{})
		if len(roles) != 2 || !roleNameRe.MatchString(roles[1]) || !regexp.MustCompile(`^AWSReservedSSO_Audit_[0-9a-f]{16}$`).MatchString(roles[0]) {
			t.Fatalf("ListRoles = %q, want the Audit and Ops roles by name", roles)
		}
		name := roles[1]
		g, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatalf("GetRole(%s): %v", name, err)
		}
		r := g.Role
		wantARN := "arn:aws:iam::" + a.acct + ":role/aws-reserved/sso.amazonaws.com/" + name
		if aws.ToString(r.Path) != "/aws-reserved/sso.amazonaws.com/" || aws.ToString(r.Arn) != wantARN || !regexp.MustCompile(`^AROA[A-Z2-7]{17}$`).MatchString(aws.ToString(r.RoleId)) ||
			aws.ToInt32(r.MaxSessionDuration) != 8*3600 || r.CreateDate == nil || time.Since(*r.CreateDate) > time.Minute {
			t.Errorf("GetRole = %+v", r)
		}
		if r.PermissionsBoundary == nil || aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::aws:policy/PowerUserAccess" ||
			r.PermissionsBoundary.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
			t.Errorf("GetRole boundary = %+v", r.PermissionsBoundary)
		}
		trust, err := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
		var doc struct {
			Statement []struct {
				Principal struct{ Federated string }
				Action    []string
			}
		}
		if err != nil || json.Unmarshal([]byte(trust), &doc) != nil || len(doc.Statement) != 1 ||
			!regexp.MustCompile(`^arn:aws:iam::`+a.acct+`:saml-provider/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$`).MatchString(doc.Statement[0].Principal.Federated) ||
			!slices.Contains(doc.Statement[0].Action, "sts:AssumeRoleWithSAML") {
			t.Errorf("AssumeRolePolicyDocument = %s", trust)
		}

		// ListRoles filters by path prefix and pages.
		if got := listRoleNames(t, c, &iam.ListRolesInput{PathPrefix: aws.String("/aws-reserved/")}); len(got) != 2 {
			t.Errorf("ListRoles(/aws-reserved/) = %q", got)
		}
		if got := listRoleNames(t, c, &iam.ListRolesInput{PathPrefix: aws.String("/other/")}); len(got) != 0 {
			t.Errorf("ListRoles(/other/) = %q", got)
		}
		var paged []string
		for pg := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(1)}); pg.HasMorePages(); {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Roles {
				paged = append(paged, aws.ToString(r.RoleName))
				if r.PermissionsBoundary != nil || r.RoleLastUsed != nil {
					t.Errorf("ListRoles returned the boundary or last use of %s", aws.ToString(r.RoleName))
				}
			}
		}
		if !slices.Equal(paged, roles) {
			t.Errorf("ListRoles in pages of 1 = %q, want %q", paged, roles)
		}
		_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSReservedSSO_Nope_0123456789abcdef")})
		wantCode(t, err, "NoSuchEntity", 404)
		_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bad name")})
		wantCode(t, err, "ValidationError", 400)
		_, err = c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("no-slash")})
		wantCode(t, err, "ValidationError", 400)

		// The role's policies, compiled, as the effective-access index and
		// credential issue take them.
		_, psID, _ := arn.ParsePermissionSetARN(aws.ToString(ps))
		rp, err := s.App.Service.RolePolicies(ctx, s.App.Bootstrap.Instance.ID, psID, a.acct)
		if err != nil {
			t.Fatalf("RolePolicies: %v", err)
		}
		if rp.RoleName != name || rp.RoleARN != wantARN || !rp.Provisioned || rp.Inline == nil || len(rp.Managed) != 1 || rp.Boundary == nil || len(rp.Missing) != 0 {
			t.Errorf("RolePolicies = %+v", rp)
		}
		set := rp.Set()
		for _, tc := range []struct {
			action string
			want   policy.Decision
		}{
			{"s3:GetObject", policy.Allowed},        // ReadOnlyAccess, within PowerUserAccess
			{"ec2:RunInstances", policy.Allowed},    // inline, within PowerUserAccess
			{"iam:CreateUser", policy.ImplicitDeny}, // inline allows it, the boundary does not
			{"s3:PutObject", policy.ImplicitDeny},   // the boundary allows it, no policy grants it
		} {
			if got := set.Decide(&policy.Request{Action: tc.action, Resource: "*", Context: policy.NewContext()}); got != tc.want {
				t.Errorf("the role's policies decide %s = %v, want %v", tc.action, got, tc.want)
			}
		}

		// Deprovisioning removes the role; provisioning again brings back
		// the same name.
		a.assign(ps, true)
		_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		wantCode(t, err, "NoSuchEntity", 404)
		if got := listRoleNames(t, c, &iam.ListRolesInput{}); !slices.Equal(got, roles[:1]) {
			t.Errorf("ListRoles after removing Ops = %q, want %q", got, roles[:1])
		}
		if rp, err := s.App.Service.RolePolicies(ctx, s.App.Bootstrap.Instance.ID, psID, a.acct); err != nil || rp.Provisioned {
			t.Errorf("RolePolicies of a removed assignment = %+v, %v; want not provisioned", rp, err)
		}
		a.assign(ps, false)
		if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); err != nil {
			t.Errorf("GetRole after provisioning again: %v", err)
		}
	})
}

func listRoleNames(t *testing.T, c *iam.Client, in *iam.ListRolesInput) []string {
	t.Helper()
	out, err := c.ListRoles(t.Context(), in)
	if err != nil {
		t.Fatalf("ListRoles: %v", err)
	}
	names := []string{}
	for _, r := range out.Roles {
		names = append(names, aws.ToString(r.RoleName))
	}
	return names
}

func TestRolePath(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "/aws-reserved/sso.amazonaws.com/",
		"eu-west-1": "/aws-reserved/sso.amazonaws.com/eu-west-1/",
		"us-east-2": "/aws-reserved/sso.amazonaws.com/us-east-2/",
	} {
		if got := access.RolePath(region); got != want {
			t.Errorf("RolePath(%s) = %s, want %s", region, got, want)
		}
	}
	a := access.RoleName([]byte("k"), "ssoins-1", "ps-1", "Admin", "111122223333")
	if a != access.RoleName([]byte("k"), "ssoins-1", "ps-1", "Admin", "111122223333") || !regexp.MustCompile(`^AWSReservedSSO_Admin_[0-9a-f]{16}$`).MatchString(a) {
		t.Errorf("RoleName = %s, not stable or not shaped as AWS's", a)
	}
	for _, b := range []string{
		access.RoleName([]byte("k"), "ssoins-2", "ps-1", "Admin", "111122223333"),
		access.RoleName([]byte("k"), "ssoins-1", "ps-2", "Admin", "111122223333"),
		access.RoleName([]byte("k"), "ssoins-1", "ps-1", "Admin", "111122224444"),
		access.RoleName([]byte("other key"), "ssoins-1", "ps-1", "Admin", "111122223333"),
	} {
		if b == a {
			t.Errorf("RoleName does not depend on every input: %s", b)
		}
	}
}
