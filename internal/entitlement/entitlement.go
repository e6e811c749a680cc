// Package entitlement is the effective-access index: which accounts and
// permission sets each user of an instance may use, through which
// assignment, and with which compiled policies. It is compiled in memory from
// the directory (users, groups, memberships), the organization (accounts,
// OUs, service control policies) and the access model (permission sets and
// assignments), and answers without I/O.
//
// An Index is immutable and versioned: readers hold one without locks while
// an Edit makes the next version, copying only what changes (users are kept
// in shards, so that changing one user copies one small map). A user's
// entitlements are one map lookup; deciding a request allocates nothing.
//
// Rules the index applies, as AWS does:
//   - a group's assignments reach every member of the group;
//   - an assignment to an organizational unit (an Atrium extension) reaches
//     every account beneath it at any depth, including accounts moved there
//     later, and stops reaching an account moved out;
//   - only ACTIVE accounts and ENABLED users have entitlements;
//   - a request is allowed when no policy denies it explicitly, every level
//     of service control policies (the root, each OU on the account's path,
//     the account) has one that allows it, an identity policy of the
//     permission set allows it, and the permissions boundary, if any,
//     allows it. Service control policies apply only while their policy type
//     is enabled on the root, and never to the management account.
//
// A managed or customer managed policy whose document is unknown grants
// nothing; as a permissions boundary it allows nothing.
package entitlement

import (
	"slices"
	"strings"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/policy"
)

// Grant is one account assignment as the index keeps it: a principal, a
// permission set and a target (an account, or an OU).
type Grant struct {
	PermissionSetID string
	TargetType      string // access.TargetAccount or access.TargetOrganizationalUnit
	TargetID        string
	PrincipalType   string // access.PrincipalUser or access.PrincipalGroup
	PrincipalID     string
}

// Entitlement is an account and permission set a user may use, and the
// assignment that grants it (its Via: a direct user assignment or a group's,
// to the account itself or to an OU above it).
type Entitlement struct {
	AccountID string
	Grant
}

// User is a user's part of the index: its status, its groups and its own
// assignments.
type User struct {
	ID      string
	Enabled bool
	Groups  []string
	Grants  []Grant // assignments whose principal is the user
}

// Group is a group's part of the index: its name and its assignments.
type Group struct {
	ID     string
	Name   string
	Grants []Grant
}

// Account is an account of the organization, with the ids of the service
// control policies attached to it directly.
type Account struct {
	ID       string
	Name     string
	Status   string // org.AccountActive, …
	ParentID string // the root or an OU
	SCPs     []string
}

// OU is an organizational unit, with the ids of the service control
// policies attached to it directly.
type OU struct {
	ID       string
	Name     string
	ParentID string
	SCPs     []string
}

// Root is an organization's root: whether service control policies are
// enabled, and which are attached to it.
type Root struct {
	ID                  string
	ManagementAccountID string
	SCPEnabled          bool
	SCPs                []string
}

// SCP is a service control policy's document.
type SCP struct {
	ID      string
	Name    string
	Content string
}

// PermissionSet is a permission set's policies.
type PermissionSet struct {
	ID                string
	Name              string
	InlinePolicy      string
	ManagedPolicyARNs []string
	CustomerPolicies  []access.CustomerPolicyRef
	Boundary          *access.Boundary
}

// Options configure an index.
type Options struct {
	// ManagedPolicy returns the document of an AWS managed policy by ARN,
	// and false when it is unknown; nil knows none.
	ManagedPolicy func(arn string) (document string, ok bool)
}

// Index is one immutable version of the effective access of every
// instance.
type Index struct {
	version   int64
	opts      *Options
	instances map[string]*View
}

// New returns an empty index at version 0.
func New(opts Options) *Index {
	return &Index{opts: &opts, instances: map[string]*View{}}
}

// Version is the version of the changes the index reflects.
func (x *Index) Version() int64 { return x.version }

// View returns the index of one instance; an instance the index does not
// hold has an empty view.
func (x *Index) View(instanceID string) *View {
	if v, ok := x.instances[instanceID]; ok {
		return v
	}
	return emptyView
}

// Instances returns the ids of the instances the index holds, sorted.
func (x *Index) Instances() []string {
	ids := make([]string, 0, len(x.instances))
	for id := range x.instances {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// shards is how many maps hold the users of a view: an edit copies the
// maps of the users it changes, about a thousandth of them each.
const shards = 1024

// shardOf is the FNV-1a hash of id, modulo shards.
func shardOf(id string) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % shards)
}

// View is the index of one instance.
type View struct {
	users    [shards]map[string]*userEntry
	groups   map[string]*groupEntry
	accounts map[string]*accountEntry
	ous      map[string]*ouEntry
	root     Root
	scps     map[string]*scpEntry
	sets     map[string]*setEntry
	// cmps holds each account's customer managed policies by lower-case name.
	cmps map[string]map[string]*cmpEntry
	// byTarget holds the assignments to each account and OU.
	byTarget map[string][]*Grant
	// under holds the accounts beneath each OU and the root, at any depth, sorted.
	under map[string][]string
}

var emptyView = newView()

func newView() *View {
	v := &View{groups: map[string]*groupEntry{}, accounts: map[string]*accountEntry{}, ous: map[string]*ouEntry{},
		scps: map[string]*scpEntry{}, sets: map[string]*setEntry{}, cmps: map[string]map[string]*cmpEntry{},
		byTarget: map[string][]*Grant{}, under: map[string][]string{}}
	return v // the users' shards are made when first written
}

type userEntry struct {
	User
	direct []*Grant // the user's own assignments
	grants []*Grant // its own and its groups', flattened
}

type groupEntry struct {
	Group
	grants []*Grant
}

type accountEntry struct {
	Account
	path []string           // its ancestors: the root first, its parent last
	scps [][]*policy.Policy // SCP levels from the root to the account; nil when none apply
}

type ouEntry struct{ OU }

type scpEntry struct {
	SCP
	compiled *policy.Policy // nil when the document does not compile
}

type setEntry struct {
	PermissionSet
	identity    []*policy.Policy // inline and AWS managed policies
	boundary    *policy.Policy   // an AWS managed boundary, or denyAll
	boundaryRef *access.CustomerPolicyRef
}

type cmpEntry struct {
	path     string
	compiled *policy.Policy // nil when the document does not compile
}

// denyAll is a policy that allows nothing: the boundary whose document is
// unknown.
var denyAll, _ = policy.Compile("unknown", &policy.Document{Version: policy.Version2012})

func (v *View) user(id string) *userEntry { return v.users[shardOf(id)][id] }

// Entitlements returns what a user may use, sorted by account, permission
// set, then the assignment that grants it. It is nil for a user that is
// unknown or disabled.
func (v *View) Entitlements(userID string) []Entitlement {
	u := v.user(userID)
	if u == nil || !u.Enabled {
		return nil
	}
	n := 0 // an upper bound of the answer's length: one allocation
	for _, g := range u.grants {
		if g.TargetType == access.TargetOrganizationalUnit {
			n += len(v.under[g.TargetID])
		} else {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Entitlement, 0, n)
	for _, g := range u.grants {
		if g.TargetType == access.TargetOrganizationalUnit {
			for _, a := range v.under[g.TargetID] {
				if v.active(a) {
					out = append(out, Entitlement{AccountID: a, Grant: *g})
				}
			}
		} else if v.active(g.TargetID) {
			out = append(out, Entitlement{AccountID: g.TargetID, Grant: *g})
		}
	}
	slices.SortFunc(out, compareEntitlements)
	return slices.CompactFunc(out, func(a, b Entitlement) bool { return a == b })
}

// compareEntitlements orders by account, permission set, principal type and
// id, target type and id. It compares a field only when those before it
// are equal (cmp.Or would compare all six first): it is the inner loop of
// sorting an answer.
func compareEntitlements(a, b Entitlement) int {
	if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
		return c
	}
	if c := strings.Compare(a.PermissionSetID, b.PermissionSetID); c != 0 {
		return c
	}
	if c := strings.Compare(a.PrincipalType, b.PrincipalType); c != 0 {
		return c
	}
	if c := strings.Compare(a.PrincipalID, b.PrincipalID); c != 0 {
		return c
	}
	if c := strings.Compare(a.TargetType, b.TargetType); c != 0 {
		return c
	}
	return strings.Compare(a.TargetID, b.TargetID)
}

func (v *View) active(accountID string) bool {
	a, ok := v.accounts[accountID]
	return ok && a.Status == org.AccountActive
}

// Can reports whether a user may use a permission set in an account. It
// does not allocate.
func (v *View) Can(userID, accountID, permissionSetID string) bool {
	u := v.user(userID)
	if u == nil || !u.Enabled {
		return false
	}
	a, ok := v.accounts[accountID]
	if !ok || a.Status != org.AccountActive {
		return false
	}
	for _, g := range u.grants {
		if g.PermissionSetID == permissionSetID && v.reaches(g, a) {
			return true
		}
	}
	return false
}

// reaches reports whether an assignment applies to an account.
func (v *View) reaches(g *Grant, a *accountEntry) bool {
	if g.TargetType != access.TargetOrganizationalUnit {
		return g.TargetID == a.ID
	}
	return slices.Contains(a.path, g.TargetID)
}

// Groups returns the groups of a user as the index knows them.
func (v *View) Groups(userID string) []string {
	if u := v.user(userID); u != nil {
		return slices.Clone(u.Groups)
	}
	return nil
}

// Decide evaluates a request of a user in an account with a permission
// set, as AWS would: ImplicitDeny unless the user may use the permission
// set there, then the permission set's policies (customer managed ones
// resolved in the account), its boundary, and the account's service control
// policies. It does not allocate when the permission set references at
// most a few customer managed policies.
func (v *View) Decide(userID, accountID, permissionSetID string, req *policy.Request) policy.Decision {
	if !v.Can(userID, accountID, permissionSetID) {
		return policy.ImplicitDeny
	}
	var buf [8]*policy.Policy
	set, ok := v.policySet(accountID, permissionSetID, buf[:0])
	if !ok {
		return policy.ImplicitDeny
	}
	return set.Decide(req)
}

// PolicySet returns the compiled policies that decide the requests made
// with a permission set in an account, whoever makes them, and false when
// the index knows neither.
func (v *View) PolicySet(accountID, permissionSetID string) (policy.Set, bool) {
	return v.policySet(accountID, permissionSetID, nil)
}

func (v *View) policySet(accountID, permissionSetID string, buf []*policy.Policy) (policy.Set, bool) {
	a, ok := v.accounts[accountID]
	ps, ok2 := v.sets[permissionSetID]
	if !ok || !ok2 {
		return policy.Set{}, false
	}
	set := policy.Set{Identity: ps.identity, Boundary: ps.boundary, SCPs: a.scps}
	if len(ps.CustomerPolicies) > 0 {
		ids := append(buf, ps.identity...)
		for i := range ps.CustomerPolicies {
			if p := v.customerPolicy(accountID, &ps.CustomerPolicies[i]); p != nil {
				ids = append(ids, p)
			}
		}
		set.Identity = ids
	}
	if ps.boundaryRef != nil {
		set.Boundary = v.customerPolicy(accountID, ps.boundaryRef)
		if set.Boundary == nil {
			set.Boundary = denyAll
		}
	}
	return set, true
}

// customerPolicy returns the compiled customer managed policy of an account
// that a reference names (the same name and path), or nil.
func (v *View) customerPolicy(accountID string, r *access.CustomerPolicyRef) *policy.Policy {
	byName := v.cmps[accountID]
	if byName == nil {
		return nil
	}
	c := byName[lowerName(r.Name)]
	if c == nil || c.path != refPath(r) {
		return nil
	}
	return c.compiled
}

func lowerName(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func refPath(r *access.CustomerPolicyRef) string {
	if r.Path == "" {
		return "/"
	}
	return r.Path
}

// AccountGrants returns the assignments that apply to an account: to the
// account itself and to every OU above it (who may use the account, by
// principal). It is nil for an account that is unknown or not ACTIVE.
func (v *View) AccountGrants(accountID string) []Grant {
	a, ok := v.accounts[accountID]
	if !ok || a.Status != org.AccountActive {
		return nil
	}
	var out []Grant
	for _, t := range append(slices.Clip(a.path), a.ID) {
		for _, g := range v.byTarget[t] {
			out = append(out, *g)
		}
	}
	return out
}

// AccountInfo returns an account as the index knows it.
func (v *View) AccountInfo(id string) (Account, bool) {
	if a, ok := v.accounts[id]; ok {
		return a.Account, true
	}
	return Account{}, false
}

// PermissionSetName returns a permission set's name, or "".
func (v *View) PermissionSetName(id string) string {
	if ps, ok := v.sets[id]; ok {
		return ps.Name
	}
	return ""
}

// GroupName returns a group's display name, or "".
func (v *View) GroupName(id string) string {
	if g, ok := v.groups[id]; ok {
		return g.Name
	}
	return ""
}

// OUName returns an organizational unit's name, or "".
func (v *View) OUName(id string) string {
	if o, ok := v.ous[id]; ok {
		return o.Name
	}
	return ""
}

// Stats counts what a view holds.
type Stats struct {
	Users, Groups, Accounts, OUs, PermissionSets, Grants int
}

// Stats counts what the view holds; Grants counts the users' flattened
// assignments.
func (v *View) Stats() Stats {
	s := Stats{Groups: len(v.groups), Accounts: len(v.accounts), OUs: len(v.ous), PermissionSets: len(v.sets)}
	for i := range v.users {
		s.Users += len(v.users[i])
		for _, u := range v.users[i] {
			s.Grants += len(u.grants)
		}
	}
	return s
}
