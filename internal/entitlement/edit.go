package entitlement

import (
	"maps"
	"slices"
	"strings"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/policy"
)

// Edit makes the next version of an index. It copies what it changes and
// leaves the index it started from untouched, so readers of that one are
// never disturbed. An Edit is used by one goroutine.
type Edit struct {
	base  *Index
	views map[string]*viewEdit // instances being changed
	drop  map[string]bool      // instances removed
}

// Edit starts the next version of x.
func (x *Index) Edit() *Edit {
	return &Edit{base: x, views: map[string]*viewEdit{}, drop: map[string]bool{}}
}

// viewEdit is the changes to one instance's view.
type viewEdit struct {
	v     *View
	opts  *Options
	fresh bool // started empty: every map is new

	copied        [shards]bool
	copiedMaps    uint8           // the maps of v this edit copied (mapAccounts, …)
	copiedGroups  [keyShards]bool // the shards of v.groups this edit copied
	copiedSets    [keyShards]bool // the shards of v.sets this edit copied
	orgChanged    bool            // accounts, OUs, the root or SCPs changed
	groupsDeleted map[string]bool // groups removed: their members forget them
	removed       map[*Grant]bool // assignments gone from byTarget
	added         map[string][]*Grant
	// ownGrants holds the grant lists AddGrant and RemoveGrant made in this
	// edit, by principal ("USER id", "GROUP id"): they change these in
	// place, where they copy a list that older versions share.
	ownGrants map[string][]*Grant
}

// ownsGrants reports whether grants is the list this edit made for key;
// PutUser and PutGroup may have put another in its place since.
func (ve *viewEdit) ownsGrants(key string, grants []*Grant) bool {
	own := ve.ownGrants[key]
	return cap(own) > 0 && cap(grants) > 0 && &own[:1][0] == &grants[:1][0]
}

func (e *Edit) view(instanceID string) *viewEdit {
	if ve, ok := e.views[instanceID]; ok {
		return ve
	}
	ve := &viewEdit{opts: e.base.opts, groupsDeleted: map[string]bool{},
		removed: map[*Grant]bool{}, added: map[string][]*Grant{}, ownGrants: map[string][]*Grant{}}
	if old, ok := e.base.instances[instanceID]; ok && !e.drop[instanceID] {
		cp := *old
		ve.v = &cp
	} else {
		ve.v, ve.fresh, ve.copiedMaps = newView(), true, allMaps
		for i := range keyShards {
			ve.copiedGroups[i], ve.copiedSets[i] = true, true
		}
		for i := range ve.copied {
			ve.copied[i] = true
		}
	}
	delete(e.drop, instanceID)
	e.views[instanceID] = ve
	return ve
}

// Reset empties an instance's view, to be filled again by the calls that
// follow (a full reload of the instance).
func (e *Edit) Reset(instanceID string) {
	delete(e.views, instanceID)
	e.drop[instanceID] = true
	e.view(instanceID)
}

// Remove drops an instance from the index.
func (e *Edit) Remove(instanceID string) {
	delete(e.views, instanceID)
	e.drop[instanceID] = true
}

// The maps of a View that older versions share until an edit changes
// them: each is copied on its first change in an edit, alone (a new
// account copies the accounts, not the OUs). Groups and permission sets,
// which run to thousands, are held in shards (sharded): an edit copies the
// shards of the entries it changes.
const (
	mapAccounts uint8 = 1 << iota
	mapOUs
	mapSCPs
	mapCMPs
	allMaps = mapAccounts | mapOUs | mapSCPs | mapCMPs
)

// own returns *m, copied first unless this edit copied it already.
func own[V any](ve *viewEdit, which uint8, m *map[string]V) map[string]V {
	if ve.copiedMaps&which == 0 {
		*m = maps.Clone(*m)
		if *m == nil {
			*m = map[string]V{}
		}
		ve.copiedMaps |= which
	}
	return *m
}

// ownShard returns shards[i], copied first unless this edit copied it
// already (copied[i]), and made if it was never written.
func ownShard[V any](shards []map[string]V, copied []bool, i int) map[string]V {
	if !copied[i] {
		shards[i] = maps.Clone(shards[i])
		copied[i] = true
	}
	if shards[i] == nil {
		shards[i] = map[string]V{}
	}
	return shards[i]
}

func (ve *viewEdit) group(id string) map[string]*groupEntry {
	return ownShard(ve.v.groups[:], ve.copiedGroups[:], keyShard(id))
}
func (ve *viewEdit) set(id string) map[string]*setEntry {
	return ownShard(ve.v.sets[:], ve.copiedSets[:], keyShard(id))
}
func (ve *viewEdit) accounts() map[string]*accountEntry {
	return own(ve, mapAccounts, &ve.v.accounts)
}
func (ve *viewEdit) ous() map[string]*ouEntry   { return own(ve, mapOUs, &ve.v.ous) }
func (ve *viewEdit) scps() map[string]*scpEntry { return own(ve, mapSCPs, &ve.v.scps) }
func (ve *viewEdit) cmps() map[string]map[string]*cmpEntry {
	return own(ve, mapCMPs, &ve.v.cmps)
}

func (ve *viewEdit) users(id string) map[string]*userEntry {
	return ownShard(ve.v.users[:], ve.copied[:], shardOf(id))
}

// grantsOf turns assignments into shared pointers, sorted, without
// duplicates.
func grantsOf(gs []Grant) []*Grant {
	gs = slices.Clone(gs)
	slices.SortFunc(gs, compareGrants)
	gs = slices.Compact(gs)
	out := make([]*Grant, len(gs))
	for i := range gs {
		out[i] = &gs[i]
	}
	return out
}

func compareGrants(a, b Grant) int {
	return compareEntitlements(Entitlement{Grant: a}, Entitlement{Grant: b})
}

func sameGrants(a []*Grant, b []*Grant) bool {
	return slices.EqualFunc(a, b, func(x, y *Grant) bool { return *x == *y })
}

// replaceGrants records that old assignments give way to new ones.
func (ve *viewEdit) replaceGrants(old, new []*Grant) {
	for _, g := range old {
		ve.removed[g] = true
	}
	for _, g := range new {
		ve.added[g.TargetID] = append(ve.added[g.TargetID], g)
	}
}

// PutUser sets a user's status, groups and own assignments.
func (e *Edit) PutUser(instanceID string, u User) {
	ve := e.view(instanceID)
	m := ve.users(u.ID)
	old := m[u.ID]
	groups := slices.Clone(u.Groups)
	slices.Sort(groups)
	groups = slices.Compact(groups)
	for i, g := range groups { // share the group's id string
		if ge, ok := ve.v.groups.get(g); ok {
			groups[i] = ge.ID
		}
	}
	direct := grantsOf(u.Grants)
	switch {
	case old == nil:
		ve.replaceGrants(nil, direct)
	case sameGrants(old.direct, direct):
		direct = old.direct
		if old.Enabled == u.Enabled && slices.Equal(old.Groups, groups) {
			return
		}
	default:
		ve.replaceGrants(old.direct, direct)
	}
	m[u.ID] = &userEntry{User: User{ID: u.ID, Enabled: u.Enabled, Groups: groups}, direct: direct}
}

// AddUserGroup adds a group to a user's groups, and reports whether the
// view holds the user. A view leaves out users with neither groups nor
// assignments when it is loaded whole, so a user it does not hold must be
// loaded, with its status, by the caller.
func (e *Edit) AddUserGroup(instanceID, userID, groupID string) bool {
	ve := e.view(instanceID)
	u := ve.v.user(userID)
	if u == nil {
		return false
	}
	i, found := slices.BinarySearch(u.Groups, groupID)
	if found {
		return true
	}
	if ge, ok := ve.v.groups.get(groupID); ok {
		groupID = ge.ID // share the group's id string
	}
	n := *u
	n.Groups = slices.Insert(slices.Clone(u.Groups), i, groupID)
	ve.users(userID)[userID] = &n
	return true
}

// RemoveUserGroup removes a group from a user's groups.
func (e *Edit) RemoveUserGroup(instanceID, userID, groupID string) {
	ve := e.view(instanceID)
	u := ve.v.user(userID)
	if u == nil {
		return
	}
	i, found := slices.BinarySearch(u.Groups, groupID)
	if !found {
		return
	}
	n := *u
	n.Groups = slices.Delete(slices.Clone(u.Groups), i, i+1)
	ve.users(userID)[userID] = &n
}

// AddGrant adds one assignment to its principal's, and reports whether the
// view holds the principal. A view leaves out users with neither groups nor
// assignments when it is loaded whole: such a user, or a group the view does
// not know, must be loaded by the caller instead.
func (e *Edit) AddGrant(instanceID string, g Grant) bool {
	return e.changeGrant(instanceID, g, true)
}

// RemoveGrant removes one assignment from its principal's, and reports
// whether the view holds the principal, as AddGrant does.
func (e *Edit) RemoveGrant(instanceID string, g Grant) bool {
	return e.changeGrant(instanceID, g, false)
}

func (e *Edit) changeGrant(instanceID string, g Grant, add bool) bool {
	ve := e.view(instanceID)
	var old []*Grant
	switch g.PrincipalType {
	case access.PrincipalGroup:
		ge, _ := ve.v.groups.get(g.PrincipalID)
		if ge == nil {
			return false
		}
		old = ge.grants
	case access.PrincipalUser:
		u := ve.v.user(g.PrincipalID)
		if u == nil {
			return false
		}
		old = u.direct
	default:
		return false
	}
	i, found := slices.BinarySearchFunc(old, g, func(x *Grant, g Grant) int { return compareGrants(*x, g) })
	if add == found {
		return true // nothing changes
	}
	key := g.PrincipalType + " " + g.PrincipalID
	grants := old
	if !ve.ownsGrants(key, old) {
		grants = slices.Clone(old)
	}
	if add {
		ng := g
		grants = slices.Insert(grants, i, &ng)
		ve.replaceGrants(nil, grants[i:i+1])
	} else {
		ve.replaceGrants(old[i:i+1], nil)
		grants = slices.Delete(grants, i, i+1)
	}
	ve.ownGrants[key] = grants
	if g.PrincipalType == access.PrincipalGroup {
		ge, _ := ve.v.groups.get(g.PrincipalID)
		ve.group(g.PrincipalID)[g.PrincipalID] = &groupEntry{Group: ge.Group, grants: grants}
	} else {
		n := *ve.v.user(g.PrincipalID)
		n.direct = grants
		ve.users(g.PrincipalID)[g.PrincipalID] = &n
	}
	return true
}

// DeleteUser removes a user.
func (e *Edit) DeleteUser(instanceID, id string) {
	ve := e.view(instanceID)
	m := ve.users(id)
	if old, ok := m[id]; ok {
		ve.replaceGrants(old.direct, nil)
		delete(m, id)
	}
}

// PutGroup sets a group's name and assignments.
func (e *Edit) PutGroup(instanceID string, g Group) {
	ve := e.view(instanceID)
	groups := ve.group(g.ID)
	old := groups[g.ID]
	grants := grantsOf(g.Grants)
	if old != nil && sameGrants(old.grants, grants) {
		grants = old.grants
		if old.Name == g.Name {
			return
		}
	} else {
		if old != nil {
			ve.replaceGrants(old.grants, grants)
		} else {
			ve.replaceGrants(nil, grants)
		}
	}
	groups[g.ID] = &groupEntry{Group: Group{ID: g.ID, Name: g.Name}, grants: grants}
}

// DeleteGroup removes a group; its members lose its assignments.
func (e *Edit) DeleteGroup(instanceID, id string) {
	ve := e.view(instanceID)
	if old, ok := ve.v.groups.get(id); ok {
		ve.replaceGrants(old.grants, nil)
		delete(ve.group(id), id)
		ve.groupsDeleted[id] = true
	}
}

// PutAccount sets an account.
func (e *Edit) PutAccount(instanceID string, a Account) {
	ve := e.view(instanceID)
	a.SCPs = slices.Clone(a.SCPs)
	ve.accounts()[a.ID] = &accountEntry{Account: a}
	ve.orgChanged = true
}

// DeleteAccount removes an account.
func (e *Edit) DeleteAccount(instanceID, id string) {
	ve := e.view(instanceID)
	delete(ve.accounts(), id)
	if _, ok := ve.v.cmps[id]; ok {
		delete(ve.cmps(), id)
	}
	ve.orgChanged = true
}

// PutOU sets an organizational unit.
func (e *Edit) PutOU(instanceID string, o OU) {
	ve := e.view(instanceID)
	o.SCPs = slices.Clone(o.SCPs)
	ve.ous()[o.ID] = &ouEntry{OU: o}
	ve.orgChanged = true
}

// DeleteOU removes an organizational unit.
func (e *Edit) DeleteOU(instanceID, id string) {
	ve := e.view(instanceID)
	delete(ve.ous(), id)
	ve.orgChanged = true
}

// PutRoot sets the root of an instance's organization.
func (e *Edit) PutRoot(instanceID string, r Root) {
	ve := e.view(instanceID)
	r.SCPs = slices.Clone(r.SCPs)
	ve.v.root = r
	ve.orgChanged = true
}

// PutSCP sets a service control policy's document.
func (e *Edit) PutSCP(instanceID string, p SCP) {
	ve := e.view(instanceID)
	ve.scps()[p.ID] = &scpEntry{SCP: p, compiled: compile("scp:"+p.Name, p.Content)}
	ve.orgChanged = true
}

// DeleteSCP removes a service control policy.
func (e *Edit) DeleteSCP(instanceID, id string) {
	ve := e.view(instanceID)
	delete(ve.scps(), id)
	ve.orgChanged = true
}

// PutPermissionSet sets a permission set and compiles its policies.
func (e *Edit) PutPermissionSet(instanceID string, ps PermissionSet) {
	ve := e.view(instanceID)
	ps.ManagedPolicyARNs = slices.Clone(ps.ManagedPolicyARNs)
	ps.CustomerPolicies = slices.Clone(ps.CustomerPolicies)
	se := &setEntry{PermissionSet: ps}
	if ps.InlinePolicy != "" {
		if p := compile("inline:"+ps.Name, ps.InlinePolicy); p != nil {
			se.identity = append(se.identity, p)
		}
	}
	for _, arn := range ps.ManagedPolicyARNs {
		if p := ve.managed(arn); p != nil {
			se.identity = append(se.identity, p)
		}
	}
	if b := ps.Boundary; b != nil {
		switch {
		case b.CustomerPolicy != nil:
			ref := *b.CustomerPolicy
			se.boundaryRef = &ref
		case b.ManagedPolicyARN != "":
			if se.boundary = ve.managed(b.ManagedPolicyARN); se.boundary == nil {
				se.boundary = denyAll
			}
		}
	}
	ve.set(ps.ID)[ps.ID] = se
}

func (ve *viewEdit) managed(arn string) *policy.Policy {
	if ve.opts.ManagedPolicy == nil {
		return nil
	}
	doc, ok := ve.opts.ManagedPolicy(arn)
	if !ok {
		return nil
	}
	return compile(arn, doc)
}

// DeletePermissionSet removes a permission set.
func (e *Edit) DeletePermissionSet(instanceID, id string) {
	delete(e.view(instanceID).set(id), id)
}

// SetCustomerPolicies replaces the customer managed policies of an account.
func (e *Edit) SetCustomerPolicies(instanceID, accountID string, ps []access.CustomerManagedPolicy) {
	cmps := e.view(instanceID).cmps()
	if len(ps) == 0 {
		delete(cmps, accountID)
		return
	}
	byName := make(map[string]*cmpEntry, len(ps))
	for _, p := range ps {
		path := p.Path
		if path == "" {
			path = "/"
		}
		byName[strings.ToLower(p.Name)] = &cmpEntry{path: path, compiled: compile(p.Name, p.Document)}
	}
	cmps[accountID] = byName
}

// compile compiles a stored document; one that does not compile is nil,
// and so allows nothing.
func compile(name, text string) *policy.Policy {
	doc, err := policy.ParseString(text)
	if err != nil {
		return nil
	}
	p, err := policy.Compile(name, doc)
	if err != nil {
		return nil
	}
	return p
}

// Commit returns the new index, at version.
func (e *Edit) Commit(version int64) *Index {
	next := &Index{version: version, opts: e.base.opts, instances: make(map[string]*View, len(e.base.instances)+len(e.views))}
	for id, v := range e.base.instances {
		if !e.drop[id] {
			next.instances[id] = v
		}
	}
	for id, ve := range e.views {
		ve.finish()
		next.instances[id] = ve.v
	}
	return next
}

// finish computes what the changes imply: account paths and SCP levels,
// the accounts under each OU, the assignments by target, and the groups
// of users whose groups were deleted.
func (ve *viewEdit) finish() {
	v := ve.v
	if ve.orgChanged {
		ve.finishOrg()
	}
	if len(ve.removed) > 0 || len(ve.added) > 0 {
		if !ve.fresh {
			v.byTarget = maps.Clone(v.byTarget)
		}
		targets := map[string]bool{}
		for g := range ve.removed {
			targets[g.TargetID] = true
		}
		for t := range ve.added {
			targets[t] = true
		}
		for t := range targets {
			var gs []*Grant
			for _, g := range v.byTarget[t] {
				if !ve.removed[g] {
					gs = append(gs, g)
				}
			}
			for _, g := range ve.added[t] {
				if !ve.removed[g] { // not added, then removed, in this edit
					gs = append(gs, g)
				}
			}
			if len(gs) == 0 {
				delete(v.byTarget, t)
			} else {
				v.byTarget[t] = gs
			}
		}
	}
	// A user's groups are read at each query; those deleted are dropped
	// from their members here (seldom: a scan of every user).
	if len(ve.groupsDeleted) > 0 {
		gone := func(g string) bool { _, ok := v.groups.get(g); return !ok && ve.groupsDeleted[g] }
		for i := range v.users {
			for id, u := range v.users[i] {
				if slices.ContainsFunc(u.Groups, gone) {
					n := *u
					n.Groups = slices.DeleteFunc(slices.Clone(u.Groups), gone)
					ve.users(id)[id] = &n
				}
			}
		}
	}
}

// finishOrg computes each account's path and SCP levels and the accounts
// beneath each OU and the root.
func (ve *viewEdit) finishOrg() {
	v := ve.v
	accounts := ve.accounts()
	v.under = map[string][]*accountEntry{}
	order := slices.Sorted(maps.Keys(v.accounts))
	for rank, id := range order {
		a := v.accounts[id]
		n := &accountEntry{Account: a.Account, rank: rank}
		n.path = ve.pathOf(a.ParentID)
		for _, anc := range n.path {
			v.under[anc] = append(v.under[anc], n) // in id order, as order is
		}
		if v.root.SCPEnabled && id != v.root.ManagementAccountID {
			n.scps = make([][]*policy.Policy, 0, len(n.path)+1)
			for _, anc := range n.path {
				var ids []string
				if anc == v.root.ID {
					ids = v.root.SCPs
				} else if o, ok := v.ous[anc]; ok {
					ids = o.SCPs
				}
				n.scps = append(n.scps, ve.compiledSCPs(ids))
			}
			n.scps = append(n.scps, ve.compiledSCPs(a.SCPs))
		}
		accounts[id] = n
	}
}

// pathOf returns the ancestors of an entity whose parent is parent, the
// root first.
func (ve *viewEdit) pathOf(parent string) []string {
	var rev []string
	for p := parent; p != "" && len(rev) <= 16; { // deeper than any valid tree: a cycle
		rev = append(rev, p)
		o, ok := ve.v.ous[p]
		if !ok {
			break
		}
		p = o.ParentID
	}
	slices.Reverse(rev)
	return rev
}

func (ve *viewEdit) compiledSCPs(ids []string) []*policy.Policy {
	out := make([]*policy.Policy, 0, len(ids))
	for _, id := range ids {
		if p, ok := ve.v.scps[id]; ok && p.compiled != nil {
			out = append(out, p.compiled)
		}
	}
	return out
}
