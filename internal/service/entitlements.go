package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/entitlement"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// The effective-access index of a node: an immutable entitlement.Index
// behind an atomic pointer, which readers load without a lock. It advances
// by reading the change feed after its version and reloading the entities
// the changes name, or by a full rebuild when it starts or when the feed no
// longer holds the changes it missed. Only one goroutine advances it at a
// time.
type accessIndex struct {
	st   store.Store // the store without the feed
	opts entitlement.Options
	log  *slog.Logger
	mu   sync.Mutex // held while advancing
	cur  atomic.Pointer[entitlement.Index]
	// ownApplied counts the writes whose changes applied without reading
	// the store, for tests.
	ownApplied atomic.Int64
	// ownCommitted is the last change this node committed, set as the
	// commit ends: before any call learns of it through this node, and so
	// before afterWrite applies it (see view).
	ownCommitted atomic.Int64
	// skipAfterWrite makes afterWrite do nothing, for tests of view.
	skipAfterWrite atomic.Bool
	// managed holds the documents of the catalog of AWS managed policies
	// by ARN, read at each rebuild (guarded by mu).
	managed map[string]string
}

const (
	// changeBatch is how many changes one step of the index reads.
	changeBatch = 2000
	// rebuildBacklog is the backlog of changes beyond which the index is
	// rebuilt rather than advanced change by change.
	rebuildBacklog = 50_000
	// pageSize is the page of the listings a rebuild reads.
	pageSize = 5000
)

func newAccessIndex(st store.Store, log *slog.Logger) *accessIndex {
	a := &accessIndex{st: st, log: log}
	// AWS managed policy documents come from the catalog, read at each
	// rebuild; an ARN the catalog lacks grants nothing and, as a boundary,
	// allows nothing. Edits run under mu, as rebuilds do.
	a.opts.ManagedPolicy = func(arn string) (string, bool) {
		doc, ok := a.managed[arn]
		return doc, ok
	}
	return a
}

// loadManaged reads the catalog of AWS managed policies.
func (a *accessIndex) loadManaged(ctx context.Context, tx store.Tx) error {
	m := map[string]string{}
	for p := (store.Page{Limit: pageSize}); ; {
		ps, err := tx.ListAWSManagedPolicies(ctx, p)
		if err != nil {
			return err
		}
		for _, mp := range ps {
			m[mp.ARN] = mp.Document
		}
		if len(ps) < p.Limit {
			break
		}
		p.After = ps[len(ps)-1].ARN
	}
	a.managed = m
	return nil
}

// load returns the current index, or nil before it is first built.
func (a *accessIndex) load() *entitlement.Index { return a.cur.Load() }

// committed records that this node committed the changes up to seq.
func (a *accessIndex) committed(seq int64) {
	for {
		cur := a.ownCommitted.Load()
		if seq <= cur || a.ownCommitted.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// view returns the current index once it holds every change this node
// has committed. A caller may learn of a write (its response, a status
// another call reads) as soon as it commits, while the writer has yet to
// apply it (afterWrite): view then applies it first, or waits while the
// writer does. It returns nil before the index is first built.
func (a *accessIndex) view(ctx context.Context) *entitlement.Index {
	x := a.cur.Load()
	if x == nil {
		return nil
	}
	if want := a.ownCommitted.Load(); x.Version() < want {
		if err := a.advance(ctx, want); err != nil && ctx.Err() == nil {
			a.log.WarnContext(ctx, "the effective-access index cannot catch up with this node's writes", "error", err)
		}
		x = a.cur.Load()
	}
	return x
}

// afterWrite advances a built index past the changes own, which this node
// has just committed, so that the writer reads its own write. When the
// index stands just before them and they carry all they change, they apply
// as they are, without reading the store; otherwise the index reads the
// feed up to them. An index not built yet is left to the follower: a
// command that writes once need not build it.
func (a *accessIndex) afterWrite(ctx context.Context, own []store.Change) {
	seq := own[len(own)-1].Seq
	if x := a.cur.Load(); x == nil || x.Version() >= seq || a.skipAfterWrite.Load() {
		return
	}
	if a.applyOwn(ctx, own) {
		return
	}
	if err := a.advance(ctx, seq); err != nil && ctx.Err() == nil {
		a.log.WarnContext(ctx, "advancing the effective-access index after a write failed; the follower will", "error", err)
	}
}

// errNeedStore tells applyOwn that the changes need the store after all.
var errNeedStore = errors.New("the changes need reading the store")

// applyOwn applies own, the changes that follow the index's version
// directly, when each carries all it changes; it reports whether it did.
func (a *accessIndex) applyOwn(ctx context.Context, own []store.Change) bool {
	for _, c := range own {
		if !isDelta(c.Kind) {
			return false
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	x := a.cur.Load()
	if x == nil || x.Version() != own[0].Seq-1 {
		return false // others' changes come first: read the feed
	}
	next, err := a.apply(ctx, nil, x, own)
	if err != nil {
		return false
	}
	a.cur.Store(next)
	a.ownApplied.Add(1)
	return true
}

// advance brings the index to version want or later; with want < 0, to
// the last change committed.
func (a *accessIndex) advance(ctx context.Context, want int64) error {
	if x := a.cur.Load(); x != nil && want >= 0 && x.Version() >= want {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for {
		x := a.cur.Load()
		if x != nil && want >= 0 && x.Version() >= want {
			return nil
		}
		var next *entitlement.Index
		more := false
		err := a.st.Read(ctx, func(tx store.Tx) error {
			if x == nil {
				var err error
				next, err = a.rebuild(ctx, tx)
				return err
			}
			cs, err := tx.ListChanges(ctx, x.Version(), changeBatch)
			switch {
			case err != nil:
				return err
			case len(cs) == 0:
				next = x
				return nil
			case cs[0].Seq != x.Version()+1: // pruned before this node read them
				next, err = a.rebuild(ctx, tx)
				return err
			case len(cs) == changeBatch:
				head, err := tx.LastChange(ctx)
				if err != nil {
					return err
				}
				if head-x.Version() > rebuildBacklog {
					next, err = a.rebuild(ctx, tx)
					return err
				}
				more = true
			}
			next, err = a.apply(ctx, tx, x, cs)
			return err
		})
		if err != nil {
			return fmt.Errorf("advancing the effective-access index: %w", err)
		}
		a.cur.Store(next)
		if !more {
			return nil
		}
	}
}

// rebuild builds the index of every instance from the store, at the last
// change committed.
func (a *accessIndex) rebuild(ctx context.Context, tx store.Tx) (*entitlement.Index, error) {
	head, err := tx.LastChange(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.loadManaged(ctx, tx); err != nil {
		return nil, err
	}
	e := entitlement.New(a.opts).Edit()
	for p := (store.Page{Limit: pageSize}); ; {
		ins, err := tx.ListInstances(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, in := range ins {
			if err := loadInstance(ctx, tx, e, in.ID); err != nil {
				return nil, err
			}
		}
		if len(ins) < p.Limit {
			break
		}
		p.After = ins[len(ins)-1].ID
	}
	return e.Commit(head), nil
}

// apply reloads the entities that changes name, in an edit of x. With a
// nil tx it applies only changes that carry all they change, and returns
// errNeedStore, changing nothing, when one needs the store.
func (a *accessIndex) apply(ctx context.Context, tx store.Tx, x *entitlement.Index, cs []store.Change) (*entitlement.Index, error) {
	type key struct{ instance, kind, id string }
	seen := map[key]bool{}
	whole := map[string]bool{} // instances reloaded whole
	var todo []key
	for _, c := range cs {
		if c.Kind == changeAWSManagedPolicy {
			if tx == nil {
				return nil, errNeedStore
			}
			return a.rebuild(ctx, tx) // at the last change committed, past cs
		}
	}
	for _, c := range cs {
		k := key{c.InstanceID, c.Kind, c.EntityID}
		switch c.Kind {
		case changeUser, changeGroup, changeAccount, changeOU, changeSCP, changePermissionSet, changeCustomerPolicies, changeOrganization:
		case changeUserCreated:
			continue // applied as it is, below
		case changeMemberAdded, changeMemberRemoved:
			if _, _, ok := splitMember(c.EntityID); ok {
				continue // applied as it is, below
			}
			whole[c.InstanceID] = true // not as this node writes them
		case changeAssignmentAdded, changeAssignmentRemoved:
			if _, ok := splitAssignment(c.EntityID); ok {
				continue // applied as it is, below
			}
			whole[c.InstanceID] = true
		case changePermissionSetCreated:
			if _, _, ok := splitPermissionSetCreated(c.EntityID); ok {
				continue // applied as it is, below
			}
			whole[c.InstanceID] = true
		default: // changeInstance, or a kind this node does not know
			whole[c.InstanceID] = true
		}
		if !seen[k] {
			seen[k] = true
			todo = append(todo, k)
		}
	}
	if tx == nil && (len(whole) > 0 || len(todo) > 0) {
		return nil, errNeedStore
	}
	e := x.Edit()
	for in := range whole {
		if err := loadInstance(ctx, tx, e, in); err != nil {
			return nil, err
		}
	}
	// The changes that carry all they change apply in the feed's order,
	// before the reloads: a reload reads the store as it is now, at or past
	// every change of cs, and replaces what they did to its entity.
	for _, c := range cs {
		if whole[c.InstanceID] {
			continue
		}
		switch c.Kind {
		case changeUserCreated:
			e.PutUser(c.InstanceID, entitlement.User{ID: c.EntityID, Enabled: true})
		case changeMemberAdded, changeMemberRemoved:
			g, u, _ := splitMember(c.EntityID)
			if c.Kind == changeMemberAdded {
				if !e.AddUserGroup(c.InstanceID, u, g) {
					// Not in the index (a user without groups or
					// assignments when the instance was loaded): load it.
					if k := (key{c.InstanceID, changeUser, u}); !seen[k] {
						seen[k] = true
						todo = append(todo, k)
					}
				}
			} else {
				e.RemoveUserGroup(c.InstanceID, u, g)
			}
		case changeAssignmentAdded, changeAssignmentRemoved:
			g, _ := splitAssignment(c.EntityID)
			var held bool
			if c.Kind == changeAssignmentAdded {
				held = e.AddGrant(c.InstanceID, g)
			} else {
				held = e.RemoveGrant(c.InstanceID, g)
			}
			if !held {
				// A user the index left out (neither groups nor
				// assignments when the instance was loaded), or a group
				// it does not know: load it as the store has it now.
				if k := (key{c.InstanceID, principalKind(g.PrincipalType), g.PrincipalID}); !seen[k] {
					seen[k] = true
					todo = append(todo, k)
				}
			}
		case changePermissionSetCreated:
			id, name, _ := splitPermissionSetCreated(c.EntityID)
			e.PutPermissionSet(c.InstanceID, entitlement.PermissionSet{ID: id, Name: name})
		}
	}
	if tx == nil && len(todo) > 0 {
		return nil, errNeedStore
	}
	// Users are reloaded together, a few queries for all of an instance's.
	users := map[string][]string{}
	var instances []string
	for _, k := range todo {
		if k.kind == changeUser && !whole[k.instance] {
			if users[k.instance] == nil {
				instances = append(instances, k.instance)
			}
			users[k.instance] = append(users[k.instance], k.id)
		}
	}
	for _, in := range instances {
		if err := loadUsers(ctx, tx, e, in, users[in]); err != nil {
			return nil, fmt.Errorf("reloading %d users of %s: %w", len(users[in]), in, err)
		}
	}
	for _, k := range todo {
		if whole[k.instance] {
			continue
		}
		var err error
		switch k.kind {
		case changeUser: // reloaded above
		case changeGroup:
			err = loadGroup(ctx, tx, e, k.instance, k.id)
		case changeAccount:
			err = loadAccount(ctx, tx, e, k.instance, k.id)
		case changeOU:
			err = loadOU(ctx, tx, e, k.instance, k.id)
		case changeSCP:
			err = loadSCP(ctx, tx, e, k.instance, k.id)
		case changePermissionSet:
			err = loadIndexPermissionSet(ctx, tx, e, k.instance, k.id)
		case changeCustomerPolicies:
			err = loadCustomerPolicies(ctx, tx, e, k.instance, k.id)
		case changeOrganization:
			err = loadOrganization(ctx, tx, e, k.instance)
		}
		if err != nil {
			return nil, fmt.Errorf("reloading %s %s of %s: %w", k.kind, k.id, k.instance, err)
		}
	}
	return e.Commit(cs[len(cs)-1].Seq), nil
}

// loadInstance loads an instance whole, replacing what the index held.
func loadInstance(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID string) error {
	if _, err := tx.GetInstance(ctx, instanceID); errors.Is(err, store.ErrNotFound) {
		e.Remove(instanceID)
		return nil
	} else if err != nil {
		return err
	}
	e.Reset(instanceID)
	if err := loadOrganization(ctx, tx, e, instanceID); err != nil {
		return err
	}
	cmps, err := tx.AllCustomerManagedPolicies(ctx, instanceID, "")
	if err != nil {
		return err
	}
	for i := 0; i < len(cmps); {
		j := i
		for j < len(cmps) && cmps[j].AccountID == cmps[i].AccountID {
			j++
		}
		e.SetCustomerPolicies(instanceID, cmps[i].AccountID, cmps[i:j])
		i = j
	}
	for p := (store.Page{Limit: pageSize}); ; {
		sets, err := tx.ListPermissionSets(ctx, instanceID, p)
		if err != nil {
			return err
		}
		for i := range sets {
			if err := putPermissionSet(ctx, tx, e, &sets[i]); err != nil {
				return err
			}
		}
		if len(sets) < p.Limit {
			break
		}
		p.After = sets[len(sets)-1].ID
	}
	// Every assignment, by principal.
	grants := map[string][]entitlement.Grant{}
	err = eachAssignment(ctx, tx, instanceID, store.AssignmentQuery{}, func(a *access.Assignment) {
		grants[a.PrincipalType+"/"+a.PrincipalID] = append(grants[a.PrincipalType+"/"+a.PrincipalID], grantOf(a))
	})
	if err != nil {
		return err
	}
	for p := (store.GroupQuery{Page: store.Page{Limit: pageSize}}); ; {
		gs, err := tx.ListGroups(ctx, instanceID, p)
		if err != nil {
			return err
		}
		for _, g := range gs {
			e.PutGroup(instanceID, entitlement.Group{ID: g.GroupID, Name: g.DisplayName, Grants: grants[access.PrincipalGroup+"/"+g.GroupID]})
		}
		if len(gs) < p.Limit {
			break
		}
		p.After = gs[len(gs)-1].GroupID
	}
	groups := map[string][]string{}
	if err := tx.EachMembership(ctx, instanceID, func(u, g string) error {
		groups[u] = append(groups[u], g)
		return nil
	}); err != nil {
		return err
	}
	// A user without groups or assignments has nothing to index.
	return tx.EachUserStatus(ctx, instanceID, func(id string, status directory.UserStatus) error {
		gs, direct := groups[id], grants[access.PrincipalUser+"/"+id]
		if len(gs) > 0 || len(direct) > 0 {
			e.PutUser(instanceID, entitlement.User{ID: id, Enabled: status != directory.UserDisabled, Groups: gs, Grants: direct})
		}
		return nil
	})
}

func grantOf(a *access.Assignment) entitlement.Grant {
	return entitlement.Grant{PermissionSetID: a.PermissionSetID, TargetType: a.TargetType, TargetID: a.TargetID,
		PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID}
}

// eachAssignment calls fn with every assignment q selects.
func eachAssignment(ctx context.Context, tx store.Tx, instanceID string, q store.AssignmentQuery, fn func(*access.Assignment)) error {
	q.Page = store.Page{Limit: pageSize}
	for {
		as, err := tx.ListAssignments(ctx, instanceID, q)
		if err != nil {
			return err
		}
		for i := range as {
			fn(&as[i])
		}
		if len(as) < q.Limit {
			return nil
		}
		q.After = as[len(as)-1].Key()
	}
}

func principalGrants(ctx context.Context, tx store.Tx, instanceID, principalType, id string) ([]entitlement.Grant, error) {
	var out []entitlement.Grant
	err := eachAssignment(ctx, tx, instanceID, store.AssignmentQuery{PrincipalType: principalType, PrincipalID: id}, func(a *access.Assignment) {
		out = append(out, grantOf(a))
	})
	return out, err
}

// usersPerQuery bounds the users whose assignments one query reads.
const usersPerQuery = 500

// loadUsers reloads users of an instance: the status, groups and direct
// assignments of each, or its removal when it no longer exists.
func loadUsers(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID string, ids []string) error {
	status, err := tx.UserStatuses(ctx, instanceID, ids)
	if err != nil {
		return err
	}
	groups, err := tx.GroupIDsOfUsers(ctx, instanceID, ids)
	if err != nil {
		return err
	}
	grants := map[string][]entitlement.Grant{}
	for start := 0; start < len(ids); start += usersPerQuery {
		q := store.AssignmentQuery{PrincipalType: access.PrincipalUser, PrincipalIDs: ids[start:min(start+usersPerQuery, len(ids))]}
		err := eachAssignment(ctx, tx, instanceID, q, func(a *access.Assignment) {
			grants[a.PrincipalID] = append(grants[a.PrincipalID], grantOf(a))
		})
		if err != nil {
			return err
		}
	}
	for _, id := range ids {
		st, ok := status[id]
		if !ok {
			e.DeleteUser(instanceID, id)
			continue
		}
		e.PutUser(instanceID, entitlement.User{ID: id, Enabled: st != directory.UserDisabled, Groups: groups[id], Grants: grants[id]})
	}
	return nil
}

func loadGroup(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID, id string) error {
	g, err := tx.GetGroup(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		e.DeleteGroup(instanceID, id)
		return nil
	}
	if err != nil {
		return err
	}
	grants, err := principalGrants(ctx, tx, instanceID, access.PrincipalGroup, id)
	if err != nil {
		return err
	}
	e.PutGroup(instanceID, entitlement.Group{ID: id, Name: g.DisplayName, Grants: grants})
	return nil
}

// targetSCPs returns the ids of the SCPs attached to a target, and puts
// their documents in the index.
func targetSCPs(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID, targetID string) ([]string, error) {
	ps, err := tx.ListOrgPoliciesForTarget(ctx, instanceID, targetID, org.ServiceControlPolicy, store.Page{})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
		e.PutSCP(instanceID, entitlement.SCP{ID: p.ID, Name: p.Name, Content: p.Content})
	}
	return ids, nil
}

func loadAccount(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID, id string) error {
	a, err := tx.GetAccount(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		e.DeleteAccount(instanceID, id)
		return nil
	}
	if err != nil {
		return err
	}
	scps, err := targetSCPs(ctx, tx, e, instanceID, id)
	if err != nil {
		return err
	}
	e.PutAccount(instanceID, entitlement.Account{ID: a.ID, Name: a.Name, Status: a.Status, ParentID: a.ParentID, SCPs: scps})
	return loadCustomerPolicies(ctx, tx, e, instanceID, id)
}

func loadOU(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID, id string) error {
	u, err := tx.GetOrganizationalUnit(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		e.DeleteOU(instanceID, id)
		return nil
	}
	if err != nil {
		return err
	}
	scps, err := targetSCPs(ctx, tx, e, instanceID, id)
	if err != nil {
		return err
	}
	e.PutOU(instanceID, entitlement.OU{ID: u.ID, Name: u.Name, ParentID: u.ParentID, SCPs: scps})
	return nil
}

func loadSCP(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID, id string) error {
	p, err := tx.GetOrgPolicy(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		e.DeleteSCP(instanceID, id)
		return nil
	}
	if err != nil {
		return err
	}
	if p.Type == org.ServiceControlPolicy {
		e.PutSCP(instanceID, entitlement.SCP{ID: p.ID, Name: p.Name, Content: p.Content})
	}
	return nil
}

func loadCustomerPolicies(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID, accountID string) error {
	ps, err := tx.AllCustomerManagedPolicies(ctx, instanceID, accountID)
	if err == nil {
		e.SetCustomerPolicies(instanceID, accountID, ps)
	}
	return err
}

func loadIndexPermissionSet(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID, id string) error {
	ps, err := tx.GetPermissionSet(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		e.DeletePermissionSet(instanceID, id)
		return nil
	}
	if err != nil {
		return err
	}
	return putPermissionSet(ctx, tx, e, ps)
}

func putPermissionSet(ctx context.Context, tx store.Tx, e *entitlement.Edit, ps *access.PermissionSet) error {
	managed, err := tx.ListManagedPolicies(ctx, ps.InstanceID, ps.ID)
	if err != nil {
		return err
	}
	refs, err := tx.ListCustomerPolicyRefs(ctx, ps.InstanceID, ps.ID)
	if err != nil {
		return err
	}
	arns := make([]string, len(managed))
	for i, m := range managed {
		arns[i] = m.ARN
	}
	e.PutPermissionSet(ps.InstanceID, entitlement.PermissionSet{ID: ps.ID, Name: ps.Name, InlinePolicy: ps.InlinePolicy,
		ManagedPolicyARNs: arns, CustomerPolicies: refs, Boundary: ps.Boundary})
	return nil
}

// loadOrganization loads an instance's root, its SCPs, OUs and accounts
// (not their customer managed policies).
func loadOrganization(ctx context.Context, tx store.Tx, e *entitlement.Edit, instanceID string) error {
	o, err := tx.GetOrganization(ctx, instanceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // an instance without an organization has no accounts
	}
	if err != nil {
		return err
	}
	types, err := tx.ListPolicyTypes(ctx, instanceID)
	if err != nil {
		return err
	}
	enabled := false
	for _, t := range types {
		enabled = enabled || t.Type == org.ServiceControlPolicy && t.Status == org.PolicyTypeEnabled
	}
	for p := (store.Page{Limit: pageSize}); ; {
		ps, err := tx.ListOrgPolicies(ctx, instanceID, org.ServiceControlPolicy, p)
		if err != nil {
			return err
		}
		for _, pol := range ps {
			e.PutSCP(instanceID, entitlement.SCP{ID: pol.ID, Name: pol.Name, Content: pol.Content})
		}
		if len(ps) < p.Limit {
			break
		}
		p.After = ps[len(ps)-1].ID
	}
	att, err := tx.ListOrgPolicyAttachments(ctx, instanceID, org.ServiceControlPolicy)
	if err != nil {
		return err
	}
	scps := map[string][]string{}
	for _, a := range att {
		scps[a.TargetID] = append(scps[a.TargetID], a.PolicyID)
	}
	e.PutRoot(instanceID, entitlement.Root{ID: o.RootID, ManagementAccountID: o.ManagementAccountID, SCPEnabled: enabled, SCPs: scps[o.RootID]})
	ous, err := tx.ListAllOrganizationalUnits(ctx, instanceID)
	if err != nil {
		return err
	}
	for _, u := range ous {
		e.PutOU(instanceID, entitlement.OU{ID: u.ID, Name: u.Name, ParentID: u.ParentID, SCPs: scps[u.ID]})
	}
	for p := (store.AccountQuery{Page: store.Page{Limit: pageSize}}); ; {
		as, err := tx.ListAccounts(ctx, instanceID, p)
		if err != nil {
			return err
		}
		for _, a := range as {
			e.PutAccount(instanceID, entitlement.Account{ID: a.ID, Name: a.Name, Status: a.Status, ParentID: a.ParentID, SCPs: scps[a.ID]})
		}
		if len(as) < p.Limit {
			break
		}
		p.After = as[len(as)-1].ID
	}
	return nil
}
