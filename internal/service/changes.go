package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/entitlement"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// The kinds of entity the change feed names. A follower reloads the entity
// of a change from the store, or, for the kinds that say all there is to
// know (a user or a permission set created, a member or an assignment
// added or removed), applies the change as it is; a kind it does not know
// reloads the whole instance.
const (
	changeInstance             = "instance"               // everything of an instance
	changeOrganization         = "organization"           // the root, policy types, every OU, account and SCP
	changeUser                 = "user"                   // a user: status, groups, own assignments
	changeUserCreated          = "user_created"           // a new enabled user, in no group, without assignments
	changeMemberAdded          = "member_added"           // memberEntity(group, user): the user joined the group
	changeMemberRemoved        = "member_removed"         // memberEntity(group, user): the user left the group
	changeAssignmentAdded      = "assignment_added"       // assignmentEntity(a): a new assignment
	changeAssignmentRemoved    = "assignment_removed"     // assignmentEntity(a): an assignment deleted
	changeGroup                = "group"                  // a group: name, assignments
	changeAccount              = "account"                // an account: place, status, SCPs
	changeOU                   = "ou"                     // an OU: place, name, SCPs
	changeSCP                  = "scp"                    // a service control policy's document
	changePermissionSet        = "permission_set"         // a permission set's policies
	changePermissionSetCreated = "permission_set_created" // "id name": a new permission set without policies
	changeCustomerPolicies     = "customer_policies"      // an account's customer managed policies
	// changeAWSManagedPolicy is a document of the catalog of AWS managed
	// policies, which every instance shares: its instance id is "", and the
	// index rebuilds when it sees one (the catalog changes at start-up and
	// on an import, seldom).
	changeAWSManagedPolicy = "aws_managed_policy"
)

// feedStore is the store as the service sees it: every write transaction
// appends the entities it changed to the change feed before it commits, and
// once it has, the node's effective-access index advances past it, so a
// caller sees its own change in the index when its call returns. Recording
// the changes here, at the one door every write goes through, keeps the
// feed complete whatever the operation.
type feedStore struct {
	store.Store
	index *accessIndex
	now   func() time.Time
}

// Write implements store.Store.
func (f *feedStore) Write(ctx context.Context, fn func(store.Tx) error) error {
	return f.write(ctx, f.Store.Write, fn)
}

// WriteBulk implements store.Store.
func (f *feedStore) WriteBulk(ctx context.Context, fn func(store.Tx) error) error {
	return f.write(ctx, f.Store.WriteBulk, fn)
}

// write runs fn with w, records the changes fn made in the feed, in its
// transaction, and has the index apply them.
func (f *feedStore) write(ctx context.Context, w func(context.Context, func(store.Tx) error) error, fn func(store.Tx) error) error {
	var own []store.Change // the changes committed, numbered
	err := w(ctx, func(tx store.Tx) error {
		own = nil
		ct := &changeTx{Tx: tx}
		if err := fn(ct); err != nil {
			return err
		}
		if len(ct.changes) == 0 {
			return nil
		}
		now := f.now().UTC()
		for i := range ct.changes {
			ct.changes[i].At = now
		}
		last, err := tx.AppendChanges(ctx, ct.changes)
		if err != nil {
			return err
		}
		for i := range ct.changes {
			ct.changes[i].Seq = last - int64(len(ct.changes)-1-i)
		}
		own = ct.changes
		tx.OnCommit(func() { f.index.committed(last) })
		return nil
	})
	if err == nil && len(own) > 0 {
		f.index.afterWrite(ctx, own)
	}
	return err
}

// changeTx records the entities that a transaction's writes change.
type changeTx struct {
	store.Tx
	changes []store.Change
	seen    map[[3]string]bool
}

func (t *changeTx) touch(instanceID, kind, id string) {
	if isDelta(kind) {
		// Applied in order: each counts, repeated too (added, removed,
		// added again).
		t.changes = append(t.changes, store.Change{InstanceID: instanceID, Kind: kind, EntityID: id})
		return
	}
	k := [3]string{instanceID, kind, id}
	if t.seen[k] {
		return
	}
	if t.seen == nil {
		t.seen = map[[3]string]bool{}
	}
	t.seen[k] = true
	t.changes = append(t.changes, store.Change{InstanceID: instanceID, Kind: kind, EntityID: id})
}

// touchOn records a change when the write succeeded.
func (t *changeTx) touchOn(err error, instanceID, kind, id string) error {
	if err == nil {
		t.touch(instanceID, kind, id)
	}
	return err
}

// touchTarget records a change of a policy target: the root, an OU or an account.
func (t *changeTx) touchTarget(err error, instanceID, targetID string) error {
	switch org.TargetType(targetID) {
	case org.TypeOrganizationalUnit:
		return t.touchOn(err, instanceID, changeOU, targetID)
	case org.TypeAccount:
		return t.touchOn(err, instanceID, changeAccount, targetID)
	}
	return t.touchOn(err, instanceID, changeOrganization, "")
}

func principalKind(principalType string) string {
	if principalType == access.PrincipalGroup {
		return changeGroup
	}
	return changeUser
}

func (t *changeTx) CreateInstance(ctx context.Context, in *org.Instance) error {
	return t.touchOn(t.Tx.CreateInstance(ctx, in), in.ID, changeInstance, "")
}

func (t *changeTx) CreateOrganization(ctx context.Context, o *org.Organization) error {
	return t.touchOn(t.Tx.CreateOrganization(ctx, o), o.InstanceID, changeOrganization, "")
}

func (t *changeTx) CreateAccount(ctx context.Context, a *org.Account) error {
	return t.touchOn(t.Tx.CreateAccount(ctx, a), a.InstanceID, changeAccount, a.ID)
}

func (t *changeTx) UpdateAccount(ctx context.Context, a *org.Account) error {
	return t.touchOn(t.Tx.UpdateAccount(ctx, a), a.InstanceID, changeAccount, a.ID)
}

func (t *changeTx) DeleteAccount(ctx context.Context, instanceID, accountID string) error {
	return t.touchOn(t.Tx.DeleteAccount(ctx, instanceID, accountID), instanceID, changeAccount, accountID)
}

func (t *changeTx) CreateUser(ctx context.Context, u *directory.User) error {
	kind := changeUserCreated
	if u.Status == directory.UserDisabled {
		kind = changeUser
	}
	return t.touchOn(t.Tx.CreateUser(ctx, u), u.InstanceID, kind, u.UserID)
}

func (t *changeTx) UpdateUser(ctx context.Context, u *directory.User) error {
	return t.touchOn(t.Tx.UpdateUser(ctx, u), u.InstanceID, changeUser, u.UserID)
}

func (t *changeTx) DeleteUser(ctx context.Context, instanceID, userID string) error {
	return t.touchOn(t.Tx.DeleteUser(ctx, instanceID, userID), instanceID, changeUser, userID)
}

func (t *changeTx) CreateGroup(ctx context.Context, g *directory.Group) error {
	return t.touchOn(t.Tx.CreateGroup(ctx, g), g.InstanceID, changeGroup, g.GroupID)
}

func (t *changeTx) UpdateGroup(ctx context.Context, g *directory.Group) error {
	return t.touchOn(t.Tx.UpdateGroup(ctx, g), g.InstanceID, changeGroup, g.GroupID)
}

func (t *changeTx) DeleteGroup(ctx context.Context, instanceID, groupID string) error {
	return t.touchOn(t.Tx.DeleteGroup(ctx, instanceID, groupID), instanceID, changeGroup, groupID)
}

func (t *changeTx) CreateMembership(ctx context.Context, m *directory.Membership) error {
	return t.touchOn(t.Tx.CreateMembership(ctx, m), m.InstanceID, changeMemberAdded, memberEntity(m.GroupID, m.UserID))
}

func (t *changeTx) CreateMemberships(ctx context.Context, ms []directory.Membership) error {
	if err := t.Tx.CreateMemberships(ctx, ms); err != nil {
		return err
	}
	for i := range ms {
		t.touch(ms[i].InstanceID, changeMemberAdded, memberEntity(ms[i].GroupID, ms[i].UserID))
	}
	return nil
}

func (t *changeTx) DeleteGroupMembers(ctx context.Context, instanceID, groupID string, userIDs []string) error {
	if err := t.Tx.DeleteGroupMembers(ctx, instanceID, groupID, userIDs); err != nil {
		return err
	}
	for _, id := range userIDs {
		t.touch(instanceID, changeMemberRemoved, memberEntity(groupID, id))
	}
	return nil
}

func (t *changeTx) DeleteMembership(ctx context.Context, instanceID, membershipID string) error {
	m, err := t.Tx.GetMembership(ctx, instanceID, membershipID)
	if err != nil {
		return err
	}
	return t.touchOn(t.Tx.DeleteMembership(ctx, instanceID, membershipID), instanceID, changeMemberRemoved, memberEntity(m.GroupID, m.UserID))
}

// memberEntity names a membership in the feed: the group's id and the
// user's, separated by a space (which no id holds).
func memberEntity(groupID, userID string) string { return groupID + " " + userID }

// splitMember is the inverse of memberEntity.
func splitMember(entity string) (groupID, userID string, ok bool) {
	return strings.Cut(entity, " ")
}

func (t *changeTx) CreateOrganizationalUnit(ctx context.Context, u *org.OrganizationalUnit) error {
	return t.touchOn(t.Tx.CreateOrganizationalUnit(ctx, u), u.InstanceID, changeOU, u.ID)
}

func (t *changeTx) UpdateOrganizationalUnit(ctx context.Context, u *org.OrganizationalUnit) error {
	return t.touchOn(t.Tx.UpdateOrganizationalUnit(ctx, u), u.InstanceID, changeOU, u.ID)
}

func (t *changeTx) DeleteOrganizationalUnit(ctx context.Context, instanceID, ouID string) error {
	return t.touchOn(t.Tx.DeleteOrganizationalUnit(ctx, instanceID, ouID), instanceID, changeOU, ouID)
}

func (t *changeTx) SetPolicyType(ctx context.Context, instanceID, policyType, status string) error {
	return t.touchOn(t.Tx.SetPolicyType(ctx, instanceID, policyType, status), instanceID, changeOrganization, "")
}

func (t *changeTx) UpdateOrgPolicy(ctx context.Context, p *org.Policy) error {
	return t.touchOn(t.Tx.UpdateOrgPolicy(ctx, p), p.InstanceID, changeSCP, p.ID)
}

func (t *changeTx) DeleteOrgPolicy(ctx context.Context, instanceID, policyID string) error {
	return t.touchOn(t.Tx.DeleteOrgPolicy(ctx, instanceID, policyID), instanceID, changeSCP, policyID)
}

func (t *changeTx) AttachOrgPolicy(ctx context.Context, instanceID, policyID string, target org.PolicyTarget) error {
	if err := t.touchOn(t.Tx.AttachOrgPolicy(ctx, instanceID, policyID, target), instanceID, changeSCP, policyID); err != nil {
		return err
	}
	return t.touchTarget(nil, instanceID, target.TargetID)
}

func (t *changeTx) DetachOrgPolicy(ctx context.Context, instanceID, policyID, targetID string) error {
	return t.touchTarget(t.Tx.DetachOrgPolicy(ctx, instanceID, policyID, targetID), instanceID, targetID)
}

func (t *changeTx) DetachOrgPoliciesOfType(ctx context.Context, instanceID, policyType string) error {
	return t.touchOn(t.Tx.DetachOrgPoliciesOfType(ctx, instanceID, policyType), instanceID, changeOrganization, "")
}

func (t *changeTx) CreatePermissionSet(ctx context.Context, ps *access.PermissionSet) error {
	kind, entity := changePermissionSet, ps.ID
	if ps.InlinePolicy == "" && ps.Boundary == nil && ps.Name != "" && !strings.Contains(ps.Name, " ") {
		kind, entity = changePermissionSetCreated, ps.ID+" "+ps.Name // all there is to know
	}
	return t.touchOn(t.Tx.CreatePermissionSet(ctx, ps), ps.InstanceID, kind, entity)
}

func (t *changeTx) UpdatePermissionSet(ctx context.Context, ps *access.PermissionSet) error {
	return t.touchOn(t.Tx.UpdatePermissionSet(ctx, ps), ps.InstanceID, changePermissionSet, ps.ID)
}

func (t *changeTx) DeletePermissionSet(ctx context.Context, instanceID, id string) error {
	return t.touchOn(t.Tx.DeletePermissionSet(ctx, instanceID, id), instanceID, changePermissionSet, id)
}

func (t *changeTx) AddManagedPolicy(ctx context.Context, instanceID, psID string, p access.ManagedPolicy) error {
	return t.touchOn(t.Tx.AddManagedPolicy(ctx, instanceID, psID, p), instanceID, changePermissionSet, psID)
}

func (t *changeTx) RemoveManagedPolicy(ctx context.Context, instanceID, psID, arn string) error {
	return t.touchOn(t.Tx.RemoveManagedPolicy(ctx, instanceID, psID, arn), instanceID, changePermissionSet, psID)
}

func (t *changeTx) AddCustomerPolicyRef(ctx context.Context, instanceID, psID string, r access.CustomerPolicyRef) error {
	return t.touchOn(t.Tx.AddCustomerPolicyRef(ctx, instanceID, psID, r), instanceID, changePermissionSet, psID)
}

func (t *changeTx) RemoveCustomerPolicyRef(ctx context.Context, instanceID, psID string, r access.CustomerPolicyRef) error {
	return t.touchOn(t.Tx.RemoveCustomerPolicyRef(ctx, instanceID, psID, r), instanceID, changePermissionSet, psID)
}

func (t *changeTx) CreateAssignment(ctx context.Context, a *access.Assignment) error {
	return t.touchOn(t.Tx.CreateAssignment(ctx, a), a.InstanceID, changeAssignmentAdded, assignmentEntity(a))
}

func (t *changeTx) DeleteAssignment(ctx context.Context, a *access.Assignment) error {
	return t.touchOn(t.Tx.DeleteAssignment(ctx, a), a.InstanceID, changeAssignmentRemoved, assignmentEntity(a))
}

// isDelta reports whether changes of kind carry all they change, and
// apply in the feed's order without reading the store.
func isDelta(kind string) bool {
	switch kind {
	case changeUserCreated, changeMemberAdded, changeMemberRemoved, changeAssignmentAdded, changeAssignmentRemoved, changePermissionSetCreated:
		return true
	}
	return false
}

// assignmentEntity names an assignment in the change feed: its principal,
// target and permission set, none of which holds a space.
func assignmentEntity(a *access.Assignment) string {
	return strings.Join([]string{a.PrincipalType, a.PrincipalID, a.TargetType, a.TargetID, a.PermissionSetID}, " ")
}

// splitPermissionSetCreated reads the entity of a permission_set_created
// change: the set's id and name.
func splitPermissionSetCreated(entity string) (id, name string, ok bool) {
	id, name, ok = strings.Cut(entity, " ")
	return id, name, ok && id != "" && name != "" && !strings.Contains(name, " ")
}

// splitAssignment is the inverse of assignmentEntity.
func splitAssignment(entity string) (entitlement.Grant, bool) {
	f := strings.Split(entity, " ")
	if len(f) != 5 || slices.Contains(f, "") {
		return entitlement.Grant{}, false
	}
	return entitlement.Grant{PrincipalType: f[0], PrincipalID: f[1], TargetType: f[2], TargetID: f[3], PermissionSetID: f[4]}, true
}

func (t *changeTx) PutCustomerManagedPolicy(ctx context.Context, p *access.CustomerManagedPolicy) error {
	return t.touchOn(t.Tx.PutCustomerManagedPolicy(ctx, p), p.InstanceID, changeCustomerPolicies, p.AccountID)
}

func (t *changeTx) CreateCustomerManagedPolicy(ctx context.Context, p *access.CustomerManagedPolicy) error {
	return t.touchOn(t.Tx.CreateCustomerManagedPolicy(ctx, p), p.InstanceID, changeCustomerPolicies, p.AccountID)
}

func (t *changeTx) DeleteCustomerManagedPolicy(ctx context.Context, instanceID, accountID, name string) error {
	return t.touchOn(t.Tx.DeleteCustomerManagedPolicy(ctx, instanceID, accountID, name), instanceID, changeCustomerPolicies, accountID)
}

func (t *changeTx) PutAWSManagedPolicy(ctx context.Context, p *access.AWSManagedPolicy) error {
	return t.touchOn(t.Tx.PutAWSManagedPolicy(ctx, p), "", changeAWSManagedPolicy, p.ARN)
}
