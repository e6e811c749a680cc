package entitlement_test

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/entitlement"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/policy"
)

const (
	inst       = "ssoins-0000000000000001"
	root       = "r-ab12"
	mgmt       = "111111111111"
	acctA      = "222222222222"
	acctB      = "333333333333"
	ouWork     = "ou-ab12-11111111"
	ouProd     = "ou-ab12-22222222" // under ouWork
	psAdmin    = "ps-0000000000000001"
	psReadOnly = "ps-0000000000000002"
	alice      = "a1a1a1a1-0000-0000-0000-000000000001"
	bob        = "b2b2b2b2-0000-0000-0000-000000000002"
	devs       = "d3d3d3d3-0000-0000-0000-000000000003"
	fullAccess = org.FullAWSAccessID
)

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// fixture is an organization: the root holds the management account and
// ouWork; ouWork holds ouProd and acctA; ouProd holds acctB. FullAWSAccess is
// attached everywhere and SCPs are enabled.
func fixture(t *testing.T) *entitlement.Index {
	t.Helper()
	e := entitlement.New(entitlement.Options{}).Edit()
	e.PutRoot(inst, entitlement.Root{ID: root, ManagementAccountID: mgmt, SCPEnabled: true, SCPs: []string{fullAccess}})
	e.PutSCP(inst, entitlement.SCP{ID: fullAccess, Name: "FullAWSAccess", Content: allowAll})
	e.PutOU(inst, entitlement.OU{ID: ouWork, Name: "Workloads", ParentID: root, SCPs: []string{fullAccess}})
	e.PutOU(inst, entitlement.OU{ID: ouProd, Name: "Prod", ParentID: ouWork, SCPs: []string{fullAccess}})
	e.PutAccount(inst, entitlement.Account{ID: mgmt, Name: "Management", Status: org.AccountActive, ParentID: root, SCPs: []string{fullAccess}})
	e.PutAccount(inst, entitlement.Account{ID: acctA, Name: "A", Status: org.AccountActive, ParentID: ouWork, SCPs: []string{fullAccess}})
	e.PutAccount(inst, entitlement.Account{ID: acctB, Name: "B", Status: org.AccountActive, ParentID: ouProd, SCPs: []string{fullAccess}})
	e.PutPermissionSet(inst, entitlement.PermissionSet{ID: psAdmin, Name: "Admin", InlinePolicy: allowAll})
	e.PutPermissionSet(inst, entitlement.PermissionSet{ID: psReadOnly, Name: "ReadOnly",
		InlinePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`})
	e.PutGroup(inst, entitlement.Group{ID: devs, Name: "Developers"})
	e.PutUser(inst, entitlement.User{ID: alice, Enabled: true})
	e.PutUser(inst, entitlement.User{ID: bob, Enabled: true})
	return e.Commit(1)
}

func grant(ps, targetType, target, principalType, principal string) entitlement.Grant {
	return entitlement.Grant{PermissionSetID: ps, TargetType: targetType, TargetID: target, PrincipalType: principalType, PrincipalID: principal}
}

// edit applies fn to x as the next version.
func edit(x *entitlement.Index, fn func(e *entitlement.Edit)) *entitlement.Index {
	e := x.Edit()
	fn(e)
	return e.Commit(x.Version() + 1)
}

// pairs lists a user's entitlements as account/permission set/via.
func pairs(x *entitlement.Index, user string) []string {
	var out []string
	for _, en := range x.View(inst).Entitlements(user) {
		out = append(out, en.AccountID+"/"+en.PermissionSetID+"/"+en.PrincipalID+"@"+en.TargetID)
	}
	return out
}

func wantPairs(t *testing.T, x *entitlement.Index, user string, want ...string) {
	t.Helper()
	if got := pairs(x, user); !slices.Equal(got, want) {
		t.Errorf("Entitlements(%s) = %q, want %q", user, got, want)
	}
}

func TestGroupExpansion(t *testing.T) {
	x := fixture(t)
	x = edit(x, func(e *entitlement.Edit) {
		e.PutGroup(inst, entitlement.Group{ID: devs, Name: "Developers", Grants: []entitlement.Grant{
			grant(psReadOnly, access.TargetAccount, acctA, access.PrincipalGroup, devs)}})
		e.PutUser(inst, entitlement.User{ID: alice, Enabled: true, Groups: []string{devs}})
	})
	wantPairs(t, x, alice, acctA+"/"+psReadOnly+"/"+devs+"@"+acctA)
	wantPairs(t, x, bob)

	// Bob joins; a direct assignment adds to the group's.
	before := x
	x = edit(x, func(e *entitlement.Edit) {
		e.PutUser(inst, entitlement.User{ID: bob, Enabled: true, Groups: []string{devs},
			Grants: []entitlement.Grant{grant(psAdmin, access.TargetAccount, acctB, access.PrincipalUser, bob)}})
	})
	wantPairs(t, x, bob, acctA+"/"+psReadOnly+"/"+devs+"@"+acctA, acctB+"/"+psAdmin+"/"+bob+"@"+acctB)
	wantPairs(t, before, bob) // an index never changes

	// The group gains an assignment: every member gets it.
	x = edit(x, func(e *entitlement.Edit) {
		e.PutGroup(inst, entitlement.Group{ID: devs, Name: "Developers", Grants: []entitlement.Grant{
			grant(psReadOnly, access.TargetAccount, acctA, access.PrincipalGroup, devs),
			grant(psAdmin, access.TargetAccount, acctA, access.PrincipalGroup, devs)}})
	})
	wantPairs(t, x, alice, acctA+"/"+psAdmin+"/"+devs+"@"+acctA, acctA+"/"+psReadOnly+"/"+devs+"@"+acctA)
	if !x.View(inst).Can(bob, acctA, psAdmin) || x.View(inst).Can(alice, acctB, psAdmin) {
		t.Errorf("Can disagrees with Entitlements")
	}

	// Alice leaves; the group is deleted with its assignments.
	x = edit(x, func(e *entitlement.Edit) { e.PutUser(inst, entitlement.User{ID: alice, Enabled: true}) })
	wantPairs(t, x, alice)
	x = edit(x, func(e *entitlement.Edit) { e.DeleteGroup(inst, devs) })
	wantPairs(t, x, bob, acctB+"/"+psAdmin+"/"+bob+"@"+acctB)
	if g := x.View(inst).Groups(bob); len(g) != 0 {
		t.Errorf("Groups(bob) after the group's deletion = %q, want none", g)
	}

	// A disabled or deleted user may use nothing.
	x = edit(x, func(e *entitlement.Edit) {
		e.PutUser(inst, entitlement.User{ID: bob, Grants: []entitlement.Grant{grant(psAdmin, access.TargetAccount, acctB, access.PrincipalUser, bob)}})
	})
	wantPairs(t, x, bob)
	x = edit(x, func(e *entitlement.Edit) { e.DeleteUser(inst, bob) })
	wantPairs(t, x, bob)
	if got := x.View(inst).AccountGrants(acctB); len(got) != 0 {
		t.Errorf("AccountGrants(B) after the user's deletion = %v, want none", got)
	}
}

func TestOUInheritance(t *testing.T) {
	x := edit(fixture(t), func(e *entitlement.Edit) {
		e.PutGroup(inst, entitlement.Group{ID: devs, Name: "Developers", Grants: []entitlement.Grant{
			grant(psReadOnly, access.TargetOrganizationalUnit, ouWork, access.PrincipalGroup, devs)}})
		e.PutUser(inst, entitlement.User{ID: alice, Enabled: true, Groups: []string{devs}})
	})
	via := "/" + psReadOnly + "/" + devs + "@" + ouWork
	wantPairs(t, x, alice, acctA+via, acctB+via) // at any depth
	if got := x.View(inst).AccountGrants(acctB); len(got) != 1 || got[0].TargetID != ouWork {
		t.Errorf("AccountGrants(B) = %v, want the OU assignment", got)
	}

	// acctB moves out of the OU to the root, then back into ouProd.
	x = edit(x, func(e *entitlement.Edit) {
		e.PutAccount(inst, entitlement.Account{ID: acctB, Name: "B", Status: org.AccountActive, ParentID: root, SCPs: []string{fullAccess}})
	})
	wantPairs(t, x, alice, acctA+via)
	if x.View(inst).Can(alice, acctB, psReadOnly) {
		t.Errorf("Can(alice, B) after B left the OU = true")
	}
	x = edit(x, func(e *entitlement.Edit) {
		e.PutAccount(inst, entitlement.Account{ID: acctB, Name: "B", Status: org.AccountActive, ParentID: ouProd, SCPs: []string{fullAccess}})
	})
	wantPairs(t, x, alice, acctA+via, acctB+via)

	// A new account created under the OU is reached at once.
	const acctC = "444444444444"
	x = edit(x, func(e *entitlement.Edit) {
		e.PutAccount(inst, entitlement.Account{ID: acctC, Name: "C", Status: org.AccountActive, ParentID: ouProd, SCPs: []string{fullAccess}})
	})
	wantPairs(t, x, alice, acctA+via, acctB+via, acctC+via)
}

func TestInactiveAccountsExcluded(t *testing.T) {
	x := edit(fixture(t), func(e *entitlement.Edit) {
		e.PutUser(inst, entitlement.User{ID: alice, Enabled: true, Grants: []entitlement.Grant{
			grant(psAdmin, access.TargetAccount, acctA, access.PrincipalUser, alice),
			grant(psReadOnly, access.TargetOrganizationalUnit, ouWork, access.PrincipalUser, alice)}})
	})
	wantPairs(t, x, alice, acctA+"/"+psAdmin+"/"+alice+"@"+acctA, acctA+"/"+psReadOnly+"/"+alice+"@"+ouWork, acctB+"/"+psReadOnly+"/"+alice+"@"+ouWork)
	for _, status := range []string{org.AccountSuspended, org.AccountPendingClosure} {
		y := edit(x, func(e *entitlement.Edit) {
			e.PutAccount(inst, entitlement.Account{ID: acctA, Name: "A", Status: status, ParentID: ouWork, SCPs: []string{fullAccess}})
		})
		wantPairs(t, y, alice, acctB+"/"+psReadOnly+"/"+alice+"@"+ouWork)
		if y.View(inst).Can(alice, acctA, psAdmin) {
			t.Errorf("Can(alice, %s account) = true", status)
		}
	}
	y := edit(x, func(e *entitlement.Edit) { e.DeleteAccount(inst, acctA) })
	wantPairs(t, y, alice, acctB+"/"+psReadOnly+"/"+alice+"@"+ouWork)
}

func decide(x *entitlement.Index, user, account, ps, action string) policy.Decision {
	return x.View(inst).Decide(user, account, ps, &policy.Request{Action: action, Resource: "*"})
}

func wantDecision(t *testing.T, x *entitlement.Index, account, ps, action string, want policy.Decision) {
	t.Helper()
	if got := decide(x, alice, account, ps, action); got != want {
		t.Errorf("Decide(alice, %s, %s, %s) = %v, want %v", account, ps, action, got, want)
	}
}

// adminEverywhere gives alice Admin in every account under the root.
func adminEverywhere(t *testing.T) *entitlement.Index {
	return edit(fixture(t), func(e *entitlement.Edit) {
		e.PutUser(inst, entitlement.User{ID: alice, Enabled: true, Grants: []entitlement.Grant{
			grant(psAdmin, access.TargetAccount, mgmt, access.PrincipalUser, alice),
			grant(psAdmin, access.TargetOrganizationalUnit, ouWork, access.PrincipalUser, alice)}})
	})
}

func TestSCPs(t *testing.T) {
	const denyEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`
	x := adminEverywhere(t)
	wantDecision(t, x, acctB, psAdmin, "ec2:RunInstances", policy.Allowed)
	wantDecision(t, x, acctB, psReadOnly, "s3:GetObject", policy.ImplicitDeny) // not assigned

	t.Run("deny on an OU", func(t *testing.T) {
		y := edit(x, func(e *entitlement.Edit) {
			e.PutSCP(inst, entitlement.SCP{ID: "p-denyec2", Name: "DenyEC2", Content: denyEC2})
			e.PutOU(inst, entitlement.OU{ID: ouProd, Name: "Prod", ParentID: ouWork, SCPs: []string{fullAccess, "p-denyec2"}})
		})
		wantDecision(t, y, acctB, psAdmin, "ec2:RunInstances", policy.ExplicitDeny)
		wantDecision(t, y, acctB, psAdmin, "s3:GetObject", policy.Allowed)
		wantDecision(t, y, acctA, psAdmin, "ec2:RunInstances", policy.Allowed) // not under ouProd
		// Moved out of the OU, the account escapes its SCP.
		z := edit(y, func(e *entitlement.Edit) {
			e.PutAccount(inst, entitlement.Account{ID: acctB, Name: "B", Status: org.AccountActive, ParentID: ouWork, SCPs: []string{fullAccess}})
		})
		wantDecision(t, z, acctB, psAdmin, "ec2:RunInstances", policy.Allowed)
		// The policy's text changes.
		z = edit(y, func(e *entitlement.Edit) {
			e.PutSCP(inst, entitlement.SCP{ID: "p-denyec2", Name: "DenyEC2", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`})
		})
		wantDecision(t, z, acctB, psAdmin, "ec2:RunInstances", policy.Allowed)
		wantDecision(t, z, acctB, psAdmin, "s3:GetObject", policy.ExplicitDeny)
	})

	t.Run("an allow-list replaces FullAWSAccess on an OU", func(t *testing.T) {
		y := edit(x, func(e *entitlement.Edit) {
			e.PutSCP(inst, entitlement.SCP{ID: "p-s3only", Name: "S3Only", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`})
			e.PutOU(inst, entitlement.OU{ID: ouWork, Name: "Workloads", ParentID: root, SCPs: []string{"p-s3only"}})
		})
		wantDecision(t, y, acctB, psAdmin, "s3:GetObject", policy.Allowed)
		wantDecision(t, y, acctB, psAdmin, "ec2:RunInstances", policy.ImplicitDeny) // one level fails to allow
	})

	t.Run("FullAWSAccess detached from the root", func(t *testing.T) {
		y := edit(x, func(e *entitlement.Edit) {
			e.PutRoot(inst, entitlement.Root{ID: root, ManagementAccountID: mgmt, SCPEnabled: true})
		})
		wantDecision(t, y, acctA, psAdmin, "s3:GetObject", policy.ImplicitDeny)
		wantDecision(t, y, acctB, psAdmin, "ec2:RunInstances", policy.ImplicitDeny)
		// SCPs never apply to the management account.
		wantDecision(t, y, mgmt, psAdmin, "ec2:RunInstances", policy.Allowed)
		// The user may still use the permission set; it just allows nothing.
		if !y.View(inst).Can(alice, acctA, psAdmin) {
			t.Errorf("Can(alice, A, Admin) = false")
		}
	})

	t.Run("policy type disabled", func(t *testing.T) {
		y := edit(x, func(e *entitlement.Edit) {
			e.PutSCP(inst, entitlement.SCP{ID: "p-denyec2", Name: "DenyEC2", Content: denyEC2})
			e.PutOU(inst, entitlement.OU{ID: ouProd, Name: "Prod", ParentID: ouWork, SCPs: []string{"p-denyec2"}})
			e.PutRoot(inst, entitlement.Root{ID: root, ManagementAccountID: mgmt, SCPEnabled: false})
		})
		wantDecision(t, y, acctB, psAdmin, "ec2:RunInstances", policy.Allowed)
		set, _ := y.View(inst).PolicySet(acctB, psAdmin)
		if set.SCPs != nil {
			t.Errorf("PolicySet(B).SCPs = %v with SCPs disabled, want none", set.SCPs)
		}
	})
}

func TestPermissionSetPolicies(t *testing.T) {
	const (
		managedRO = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		managedX  = "arn:aws:iam::aws:policy/Unknown"
	)
	catalog := map[string]string{managedRO: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","ec2:Describe*"],"Resource":"*"}]}`}
	x := entitlement.New(entitlement.Options{ManagedPolicy: func(arn string) (string, bool) { d, ok := catalog[arn]; return d, ok }})
	x = edit(x, func(e *entitlement.Edit) {
		e.PutRoot(inst, entitlement.Root{ID: root, ManagementAccountID: mgmt})
		e.PutAccount(inst, entitlement.Account{ID: acctA, Name: "A", Status: org.AccountActive, ParentID: root})
		e.PutAccount(inst, entitlement.Account{ID: acctB, Name: "B", Status: org.AccountActive, ParentID: root})
		e.PutUser(inst, entitlement.User{ID: alice, Enabled: true, Grants: []entitlement.Grant{
			grant(psAdmin, access.TargetAccount, acctA, access.PrincipalUser, alice),
			grant(psAdmin, access.TargetAccount, acctB, access.PrincipalUser, alice)}})
	})
	put := func(ps entitlement.PermissionSet) *entitlement.Index {
		ps.ID, ps.Name = psAdmin, "Admin"
		return edit(x, func(e *entitlement.Edit) { e.PutPermissionSet(inst, ps) })
	}

	y := put(entitlement.PermissionSet{ManagedPolicyARNs: []string{managedRO, managedX}})
	wantDecision(t, y, acctA, psAdmin, "ec2:DescribeInstances", policy.Allowed)
	wantDecision(t, y, acctA, psAdmin, "ec2:RunInstances", policy.ImplicitDeny) // the unknown policy grants nothing

	y = put(entitlement.PermissionSet{InlinePolicy: allowAll, Boundary: &access.Boundary{ManagedPolicyARN: managedRO}})
	wantDecision(t, y, acctA, psAdmin, "s3:GetObject", policy.Allowed)
	wantDecision(t, y, acctA, psAdmin, "s3:PutObject", policy.ImplicitDeny)
	y = put(entitlement.PermissionSet{InlinePolicy: allowAll, Boundary: &access.Boundary{ManagedPolicyARN: managedX}})
	wantDecision(t, y, acctA, psAdmin, "s3:GetObject", policy.ImplicitDeny) // an unknown boundary allows nothing

	// Customer managed policies resolve in each account, by name and path.
	ref := access.CustomerPolicyRef{Name: "Deploy", Path: "/team/"}
	y = put(entitlement.PermissionSet{CustomerPolicies: []access.CustomerPolicyRef{ref}})
	y = edit(y, func(e *entitlement.Edit) {
		e.SetCustomerPolicies(inst, acctA, []access.CustomerManagedPolicy{{Name: "deploy", Path: "/team/",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`}})
		e.SetCustomerPolicies(inst, acctB, []access.CustomerManagedPolicy{{Name: "Deploy", Path: "/other/", Document: allowAll}})
	})
	wantDecision(t, y, acctA, psAdmin, "lambda:InvokeFunction", policy.Allowed)
	wantDecision(t, y, acctB, psAdmin, "lambda:InvokeFunction", policy.ImplicitDeny) // another path

	y = put(entitlement.PermissionSet{InlinePolicy: allowAll, Boundary: &access.Boundary{CustomerPolicy: &ref}})
	y = edit(y, func(e *entitlement.Edit) {
		e.SetCustomerPolicies(inst, acctA, []access.CustomerManagedPolicy{{Name: "Deploy", Path: "/team/",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`}})
	})
	wantDecision(t, y, acctA, psAdmin, "lambda:InvokeFunction", policy.Allowed)
	wantDecision(t, y, acctA, psAdmin, "s3:GetObject", policy.ImplicitDeny)
	wantDecision(t, y, acctB, psAdmin, "lambda:InvokeFunction", policy.ImplicitDeny) // the boundary is missing there

	y = put(entitlement.PermissionSet{InlinePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`})
	wantDecision(t, y, acctA, psAdmin, "iam:CreateUser", policy.ExplicitDeny)
}

func TestInstancesAreSeparate(t *testing.T) {
	const other = "ssoins-0000000000000002"
	x := adminEverywhere(t)
	y := edit(x, func(e *entitlement.Edit) {
		e.PutUser(other, entitlement.User{ID: alice, Enabled: true})
	})
	if y.View(other).Can(alice, acctA, psAdmin) || !y.View(inst).Can(alice, acctA, psAdmin) {
		t.Errorf("one instance's index leaks into another's")
	}
	if got := y.Instances(); !slices.Equal(got, []string{inst, other}) {
		t.Errorf("Instances() = %q", got)
	}
	y = edit(y, func(e *entitlement.Edit) { e.Reset(inst) })
	if y.View(inst).Can(alice, acctA, psAdmin) || len(y.View(inst).Entitlements(alice)) != 0 {
		t.Errorf("Reset left the instance's entitlements")
	}
	if !x.View(inst).Can(alice, acctA, psAdmin) {
		t.Errorf("Reset changed the index it started from")
	}
	y = edit(y, func(e *entitlement.Edit) { e.Remove(other) })
	if got := y.Instances(); !slices.Equal(got, []string{inst}) {
		t.Errorf("Instances() after Remove = %q", got)
	}
}

func TestDecideDoesNotAllocate(t *testing.T) {
	x := adminEverywhere(t)
	v := x.View(inst)
	req := &policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key"}
	if n := testing.AllocsPerRun(100, func() {
		if v.Decide(alice, acctB, psAdmin, req) != policy.Allowed || !v.Can(alice, acctA, psAdmin) {
			t.Fatal("denied")
		}
	}); n != 0 {
		t.Errorf("Decide allocates %v times, want 0", n)
	}
}

// TestEntitlementsMatchReference compares Entitlements with a plain
// reference (every grant of the user and its groups, expanded through OUs,
// sorted by every field) on random organizations: both of its sorts (most
// accounts reached, and few of many), many entries per account, accounts
// that are suspended, and accounts added and moved after the grants.
func TestEntitlementsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 40 {
		accounts := 1 + r.IntN(60)
		ous := 1 + r.IntN(6)
		x := entitlement.New(entitlement.Options{}).Edit()
		x.PutRoot(inst, entitlement.Root{ID: root, ManagementAccountID: mgmt})
		parents := map[string]string{}
		for i := range ous {
			p := root
			if i > 0 && r.IntN(2) == 0 {
				p = testOU(r.IntN(i))
			}
			parents[testOU(i)] = p
			x.PutOU(inst, entitlement.OU{ID: testOU(i), ParentID: p})
		}
		status := map[string]string{}
		putAccount := func(e *entitlement.Edit, id string) {
			st := org.AccountActive
			if r.IntN(8) == 0 {
				st = org.AccountSuspended
			}
			status[id] = st
			p := root
			if r.IntN(4) > 0 {
				p = testOU(r.IntN(ous))
			}
			parents[id] = p
			e.PutAccount(inst, entitlement.Account{ID: id, Status: st, ParentID: p})
		}
		for i := range accounts {
			putAccount(x, testAccount(i))
		}
		randGrant := func(pt, pid string) entitlement.Grant {
			g := entitlement.Grant{PermissionSetID: testSet(r.IntN(4)), TargetType: access.TargetAccount,
				TargetID: testAccount(r.IntN(accounts + 5)), PrincipalType: pt, PrincipalID: pid}
			if r.IntN(5) == 0 {
				g.TargetType, g.TargetID = access.TargetOrganizationalUnit, testOU(r.IntN(ous))
			}
			return g
		}
		groups := map[string][]entitlement.Grant{}
		for i := range 8 {
			id := testGroup(i)
			for range r.IntN(30) {
				groups[id] = append(groups[id], randGrant(access.PrincipalGroup, id))
			}
			x.PutGroup(inst, entitlement.Group{ID: id, Grants: groups[id]})
		}
		u := entitlement.User{ID: alice, Enabled: true}
		for i := range 8 {
			if r.IntN(2) == 0 {
				u.Groups = append(u.Groups, testGroup(i))
			}
		}
		for range r.IntN(20) {
			u.Grants = append(u.Grants, randGrant(access.PrincipalUser, alice))
		}
		x.PutUser(inst, u)
		idx := x.Commit(1)
		// accounts added after the grants that name them, and one moved
		idx = edit(idx, func(e *entitlement.Edit) {
			for i := accounts; i < accounts+5; i++ {
				putAccount(e, testAccount(i))
			}
			putAccount(e, testAccount(r.IntN(accounts)))
		})

		under := func(acct, ou string) bool {
			for p := parents[acct]; p != ""; p = parents[p] {
				if p == ou {
					return true
				}
			}
			return false
		}
		var want []entitlement.Entitlement
		all := slices.Clone(u.Grants)
		for _, g := range u.Groups {
			all = append(all, groups[g]...)
		}
		for _, g := range all {
			for a, st := range status {
				if st != org.AccountActive {
					continue
				}
				if (g.TargetType == access.TargetAccount && g.TargetID == a) || (g.TargetType == access.TargetOrganizationalUnit && under(a, g.TargetID)) {
					want = append(want, entitlement.Entitlement{AccountID: a, Grant: g})
				}
			}
		}
		slices.SortFunc(want, func(a, b entitlement.Entitlement) int {
			return cmp.Or(strings.Compare(a.AccountID, b.AccountID), strings.Compare(a.PermissionSetID, b.PermissionSetID),
				strings.Compare(a.PrincipalType, b.PrincipalType), strings.Compare(a.PrincipalID, b.PrincipalID),
				strings.Compare(a.TargetType, b.TargetType), strings.Compare(a.TargetID, b.TargetID))
		})
		want = slices.Compact(want)
		if got := idx.View(inst).Entitlements(alice); !slices.Equal(got, want) {
			t.Fatalf("round %d (%d accounts): Entitlements =\n%v\nwant\n%v", round, accounts+5, got, want)
		}
		// Can agrees with the list, for every account and permission set.
		for i := range accounts + 5 {
			for ps := range 5 {
				a, set := testAccount(i), testSet(ps)
				listed := slices.ContainsFunc(want, func(e entitlement.Entitlement) bool { return e.AccountID == a && e.PermissionSetID == set })
				if got := idx.View(inst).Can(alice, a, set); got != listed {
					t.Fatalf("round %d: Can(%s, %s) = %v, the list says %v", round, a, set, got, listed)
				}
			}
		}
	}
}

func testOU(i int) string      { return fmt.Sprintf("ou-ab12-%08d", i) }
func testAccount(i int) string { return fmt.Sprintf("%012d", 500000000000+i*7919%1000) }
func testSet(i int) string     { return fmt.Sprintf("ps-%016d", i) }
func testGroup(i int) string   { return fmt.Sprintf("9%07d-0000-0000-0000-000000000000", i) }

// TestUserGroupEdits: a member added or removed changes the user's groups
// and what it reaches, twice is as once, and an unknown user is left alone.
func TestUserGroupEdits(t *testing.T) {
	x := edit(fixture(t), func(e *entitlement.Edit) {
		e.PutGroup(inst, entitlement.Group{ID: devs, Name: "Developers", Grants: []entitlement.Grant{grant(psAdmin, access.TargetAccount, acctA, access.PrincipalGroup, devs)}})
	})
	x = edit(x, func(e *entitlement.Edit) {
		if !e.AddUserGroup(inst, alice, devs) || !e.AddUserGroup(inst, alice, devs) {
			t.Error("AddUserGroup of a user the view holds reported it missing")
		}
		if e.AddUserGroup(inst, "no-such-user", devs) {
			t.Error("AddUserGroup of an unknown user reported it held")
		}
	})
	wantPairs(t, x, alice, acctA+"/"+psAdmin+"/"+devs+"@"+acctA)
	if g := x.View(inst).Groups(alice); !slices.Equal(g, []string{devs}) {
		t.Errorf("Groups(alice) = %q, want [devs]", g)
	}
	if x.View(inst).Groups("no-such-user") != nil {
		t.Error("an unknown user was added")
	}
	y := edit(x, func(e *entitlement.Edit) {
		e.RemoveUserGroup(inst, alice, devs)
		e.RemoveUserGroup(inst, alice, devs)
	})
	wantPairs(t, y, alice)
	wantPairs(t, x, alice, acctA+"/"+psAdmin+"/"+devs+"@"+acctA) // the older version is unchanged
}

// TestGrantEdits: assignments added and removed one at a time give what
// the same principals put whole give; adding twice or removing what is
// not there changes nothing; an unknown principal is reported; older
// versions stay as they were.
func TestGrantEdits(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	targets := []struct{ typ, id string }{
		{access.TargetAccount, mgmt}, {access.TargetAccount, acctA}, {access.TargetAccount, acctB},
		{access.TargetOrganizationalUnit, ouWork}, {access.TargetOrganizationalUnit, ouProd},
	}
	randGrant := func(pt, pid string) entitlement.Grant {
		tg := targets[r.IntN(len(targets))]
		return grant([]string{psAdmin, psReadOnly}[r.IntN(2)], tg.typ, tg.id, pt, pid)
	}
	users := []string{alice, bob}
	// held: the grants of each principal, as the store would hold them.
	held := map[string]map[entitlement.Grant]bool{alice: {}, bob: {}, devs: {}}
	whole := func() *entitlement.Index { // the principals put whole
		return edit(fixture(t), func(e *entitlement.Edit) {
			e.PutGroup(inst, entitlement.Group{ID: devs, Name: "Developers", Grants: slices.Collect(maps.Keys(held[devs]))})
			for _, u := range users {
				e.PutUser(inst, entitlement.User{ID: u, Enabled: true, Groups: []string{devs}, Grants: slices.Collect(maps.Keys(held[u]))})
			}
		})
	}
	x := edit(fixture(t), func(e *entitlement.Edit) {
		for _, u := range users {
			e.AddUserGroup(inst, u, devs)
		}
	})
	for round := range 30 {
		before := pairs(x, alice)
		prev := x
		x = edit(x, func(e *entitlement.Edit) {
			for range 1 + r.IntN(6) {
				p := []string{alice, bob, devs}[r.IntN(3)]
				pt := access.PrincipalUser
				if p == devs {
					pt = access.PrincipalGroup
				}
				g := randGrant(pt, p)
				if r.IntN(3) == 0 && len(held[p]) > 0 { // remove one it holds
					g = slices.SortedFunc(maps.Keys(held[p]), func(a, b entitlement.Grant) int {
						return cmp.Or(strings.Compare(a.PermissionSetID, b.PermissionSetID), strings.Compare(a.TargetID, b.TargetID))
					})[r.IntN(len(held[p]))]
				}
				add := !held[p][g]
				if r.IntN(8) == 0 {
					add = !add // add what it holds, or remove what it does not
				}
				var ok bool
				if add {
					ok = e.AddGrant(inst, g)
					held[p][g] = true
				} else {
					ok = e.RemoveGrant(inst, g)
					delete(held[p], g)
				}
				if !ok {
					t.Fatalf("round %d: the view does not hold principal %s", round, p)
				}
			}
		})
		want := whole()
		for _, u := range users {
			if got, w := pairs(x, u), pairs(want, u); !slices.Equal(got, w) {
				t.Fatalf("round %d: %s's entitlements after edits =\n%v\nwant (put whole)\n%v", round, u, got, w)
			}
			for _, tg := range targets[:3] {
				for _, ps := range []string{psAdmin, psReadOnly} {
					if got, w := x.View(inst).Can(u, tg.id, ps), want.View(inst).Can(u, tg.id, ps); got != w {
						t.Fatalf("round %d: Can(%s, %s, %s) = %v, want %v", round, u, tg.id, ps, got, w)
					}
				}
			}
		}
		// Who may use each account, as AccountGrants lists it.
		for _, tg := range targets[:3] {
			sorted := func(gs []entitlement.Grant) []string {
				var out []string
				for _, g := range gs {
					out = append(out, fmt.Sprint(g))
				}
				slices.Sort(out)
				return out
			}
			if got, w := sorted(x.View(inst).AccountGrants(tg.id)), sorted(want.View(inst).AccountGrants(tg.id)); !slices.Equal(got, w) {
				t.Fatalf("round %d: AccountGrants(%s) after edits =\n%v\nwant (put whole)\n%v", round, tg.id, got, w)
			}
		}
		if got := pairs(prev, alice); !slices.Equal(got, before) {
			t.Fatalf("round %d: the previous version changed: %v, was %v", round, got, before)
		}
	}
	y := edit(x, func(e *entitlement.Edit) {
		if e.AddGrant(inst, grant(psAdmin, access.TargetAccount, acctA, access.PrincipalUser, "no-such-user")) {
			t.Error("AddGrant to an unknown user reported it held")
		}
		if e.RemoveGrant(inst, grant(psAdmin, access.TargetAccount, acctA, access.PrincipalGroup, "no-such-group")) {
			t.Error("RemoveGrant from an unknown group reported it held")
		}
	})
	if y.View(inst).Groups("no-such-user") != nil {
		t.Error("an unknown user was added")
	}
}

// TestEditsLeaveOlderVersions: permission sets and groups added, renamed
// and removed in an edit, many at once so that every shard of them is
// changed, are seen in the new version only; the old one stays as it was.
func TestEditsLeaveOlderVersions(t *testing.T) {
	x := fixture(t)
	next := edit(x, func(e *entitlement.Edit) {
		for i := range 200 {
			e.PutPermissionSet(inst, entitlement.PermissionSet{ID: fmt.Sprintf("ps-%016x", i*7919), Name: fmt.Sprintf("Set%d", i)})
			e.PutGroup(inst, entitlement.Group{ID: fmt.Sprintf("%08x-0000-0000-0000-%012x", i, i*104729), Name: fmt.Sprintf("Group%d", i)})
		}
		e.PutPermissionSet(inst, entitlement.PermissionSet{ID: psAdmin, Name: "Renamed", InlinePolicy: allowAll})
		e.DeletePermissionSet(inst, psReadOnly)
		e.PutGroup(inst, entitlement.Group{ID: devs, Name: "Renamed"})
	})
	old, cur := x.View(inst), next.View(inst)
	for i := range 200 {
		ps, g := fmt.Sprintf("ps-%016x", i*7919), fmt.Sprintf("%08x-0000-0000-0000-%012x", i, i*104729)
		if old.PermissionSetName(ps) != "" || old.GroupName(g) != "" {
			t.Fatalf("the older version sees permission set %s (%q) or group %s (%q) added after it", ps, old.PermissionSetName(ps), g, old.GroupName(g))
		}
		if cur.PermissionSetName(ps) != fmt.Sprintf("Set%d", i) || cur.GroupName(g) != fmt.Sprintf("Group%d", i) {
			t.Fatalf("the new version names permission set %s %q and group %s %q", ps, cur.PermissionSetName(ps), g, cur.GroupName(g))
		}
	}
	if got := old.PermissionSetName(psAdmin) + "/" + old.PermissionSetName(psReadOnly) + "/" + old.GroupName(devs); got != "Admin/ReadOnly/Developers" {
		t.Errorf("the older version names %s, want Admin/ReadOnly/Developers", got)
	}
	if got := cur.PermissionSetName(psAdmin) + "/" + cur.PermissionSetName(psReadOnly) + "/" + cur.GroupName(devs); got != "Renamed//Renamed" {
		t.Errorf("the new version names %s, want Renamed//Renamed", got)
	}
	if st := cur.Stats(); st.PermissionSets != 201 || st.Groups != 201 {
		t.Errorf("Stats() = %+v, want 201 permission sets and 201 groups", st)
	}
}
