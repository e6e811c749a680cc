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
	"sync"

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

// keyShards is how many maps hold the groups, and the permission sets, of
// a view: an edit copies the one that holds the entry it changes.
const keyShards = 64

// keyShard picks the shard of an id from its last four bytes: ids end in
// random digits (UUIDs, ps-<hex>), and queries look groups up by the
// dozen, where hashing whole ids cost them a third more time.
func keyShard(id string) int {
	var h uint32
	for i := max(len(id)-4, 0); i < len(id); i++ {
		h = h<<8 | uint32(id[i])
	}
	return int((h * 0x9E3779B1) >> (32 - 6)) // Fibonacci hashing: 2^6 = keyShards
}

// sharded holds entries by id in keyShards maps, made when first written.
type sharded[V any] [keyShards]map[string]V

func (m *sharded[V]) get(id string) (V, bool) {
	v, ok := m[keyShard(id)][id]
	return v, ok
}

func (m *sharded[V]) len() int {
	n := 0
	for _, s := range m {
		n += len(s)
	}
	return n
}

// View is the index of one instance.
type View struct {
	users    [shards]map[string]*userEntry
	groups   sharded[*groupEntry]
	accounts map[string]*accountEntry
	ous      map[string]*ouEntry
	root     Root
	scps     map[string]*scpEntry
	sets     sharded[*setEntry]
	// cmps holds each account's customer managed policies by lower-case name.
	cmps map[string]map[string]*cmpEntry
	// byTarget holds the assignments to each account and OU.
	byTarget map[string][]*Grant
	// under holds the accounts beneath each OU and the root, at any depth,
	// sorted by id.
	under map[string][]*accountEntry
}

var emptyView = newView()

func newView() *View {
	v := &View{accounts: map[string]*accountEntry{}, ous: map[string]*ouEntry{},
		scps: map[string]*scpEntry{}, cmps: map[string]map[string]*cmpEntry{},
		byTarget: map[string][]*Grant{}, under: map[string][]*accountEntry{}}
	return v // the shards of users, groups and sets are made when first written
}

type userEntry struct {
	User
	direct []*Grant // the user's own assignments
}

type groupEntry struct {
	Group
	grants []*Grant
}

type accountEntry struct {
	Account
	rank int                // its place among the view's accounts in id order
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
//
// The user's own assignments and those of its groups are read where they
// are kept, not copied per user: a user in 50 groups reaches thousands of
// entries, and a copy per user would cost the index as much memory as all
// its users' answers. The answer is sorted by the accounts' ranks (a
// counting sort, or a sort of integers when the user reaches few of many
// accounts), then each account's few entries by their assignment.
func (v *View) Entitlements(userID string) []Entitlement {
	return v.AppendEntitlements(nil, userID)
}

// AppendEntitlements appends what Entitlements returns to dst. With a dst
// of room enough, reused across calls, it does not allocate.
func (v *View) AppendEntitlements(dst []Entitlement, userID string) []Entitlement {
	u := v.user(userID)
	if u == nil || !u.Enabled {
		return dst
	}
	s := scratchPool.Get().(*scratch)
	defer s.release()
	hits := v.reach(s.hits[:0], u.direct)
	for _, id := range u.Groups {
		if ge, ok := v.groups.get(id); ok {
			hits = v.reach(hits, ge.grants)
		}
	}
	s.hits = hits
	if len(hits) == 0 {
		return dst
	}
	sorted := slices.Grow(s.sorted[:0], len(hits))[:len(hits)]
	s.sorted = sorted
	if n := len(v.accounts); n <= 4*len(hits) {
		// counts[r+1] becomes the first place of rank r+1, then of r as
		// the hits of rank r are placed, in the order they came.
		counts := slices.Grow(s.counts[:0], n+1)[:n+1]
		s.counts = counts
		clear(counts)
		for _, h := range hits {
			counts[h.a.rank+1]++
		}
		for r := 1; r <= n; r++ {
			counts[r] += counts[r-1]
		}
		for _, h := range hits {
			sorted[counts[h.a.rank]] = h
			counts[h.a.rank]++
		}
	} else {
		copy(sorted, hits)
		slices.SortFunc(sorted, func(x, y hit) int { return x.a.rank - y.a.rank })
	}
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j].a == sorted[i].a {
			j++
		}
		switch {
		case j-i > 12:
			slices.SortFunc(sorted[i:j], func(x, y hit) int { return compareGrant(x.g, y.g) })
		case j-i > 1: // most accounts: an insertion sort of a few
			for k := i + 1; k < j; k++ {
				for m := k; m > i && compareGrant(sorted[m].g, sorted[m-1].g) < 0; m-- {
					sorted[m], sorted[m-1] = sorted[m-1], sorted[m]
				}
			}
		}
		i = j
	}
	dst = slices.Grow(dst, len(sorted))
	for i, h := range sorted {
		// The same grant reaches an account once; a user's grants are
		// distinct (its groups are, and each group's grants are).
		if i == 0 || h != sorted[i-1] {
			dst = append(dst, Entitlement{AccountID: h.a.ID, Grant: *h.g})
		}
	}
	return dst
}

// reach appends the active accounts each of gs reaches to hits.
func (v *View) reach(hits []hit, gs []*Grant) []hit {
	for _, g := range gs {
		if g.TargetType == access.TargetOrganizationalUnit {
			for _, a := range v.under[g.TargetID] {
				if a.Status == org.AccountActive {
					hits = append(hits, hit{a, g})
				}
			}
		} else if a, ok := v.accounts[g.TargetID]; ok && a.Status == org.AccountActive {
			hits = append(hits, hit{a, g})
		}
	}
	return hits
}

// hit is an account a grant reaches.
type hit struct {
	a *accountEntry
	g *Grant
}

// scratch is the working memory of Entitlements, reused across calls.
type scratch struct {
	hits, sorted []hit
	counts       []int
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release returns s to the pool unless a rare, large answer grew it.
func (s *scratch) release() {
	if cap(s.hits) <= 1<<16 && cap(s.counts) <= 1<<16 {
		scratchPool.Put(s)
	}
}

// compareEntitlements orders by account, permission set, principal type and
// id, target type and id.
func compareEntitlements(a, b Entitlement) int {
	if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
		return c
	}
	return compareGrant(&a.Grant, &b.Grant)
}

// compareGrant orders by permission set, principal type and id, target type
// and id. It compares a field only when those before it are equal
// (cmp.Or would compare all five first).
func compareGrant(a, b *Grant) int {
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
	if v.grants(u.direct, permissionSetID, a) {
		return true
	}
	for _, id := range u.Groups {
		if ge, ok := v.groups.get(id); ok && v.grants(ge.grants, permissionSetID, a) {
			return true
		}
	}
	return false
}

// grants reports whether one of gs grants a permission set in an account.
func (v *View) grants(gs []*Grant, permissionSetID string, a *accountEntry) bool {
	for _, g := range gs {
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
	ps, ok2 := v.sets.get(permissionSetID)
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
	if ps, ok := v.sets.get(id); ok {
		return ps.Name
	}
	return ""
}

// GroupName returns a group's display name, or "".
func (v *View) GroupName(id string) string {
	if g, ok := v.groups.get(id); ok {
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

// Stats counts what the view holds; Grants counts the assignments that
// reach each user, its own and its groups', summed over the users.
func (v *View) Stats() Stats {
	s := Stats{Groups: v.groups.len(), Accounts: len(v.accounts), OUs: len(v.ous), PermissionSets: v.sets.len()}
	for i := range v.users {
		s.Users += len(v.users[i])
		for _, u := range v.users[i] {
			s.Grants += len(u.direct)
			for _, id := range u.Groups {
				if ge, ok := v.groups.get(id); ok {
					s.Grants += len(ge.grants)
				}
			}
		}
	}
	return s
}
