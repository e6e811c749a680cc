package service

import (
	"context"
	"encoding/base64"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// SourceSCIM is the audit eventSource of SCIM calls, as AWS names it.
const SourceSCIM = "identitystore-scim.amazonaws.com"

// SCIMIssuerPrefix names the issuer of the external ids SCIM clients set:
// the SCIM externalId of a user or group is its external id with issuer
// SCIMIssuerPrefix + instance id, so identitystore's GetUserId finds it.
const SCIMIssuerPrefix = "urn:atrium:scim:"

// MaxSCIMPage bounds one page of a SCIM listing.
const MaxSCIMPage = 1000

func scimOp(name, action string, readOnly bool) op {
	return op{source: SourceSCIM, name: name, action: "identitystore:" + action, readOnly: readOnly}
}

// beginSCIM starts a SCIM operation on the caller's own directory.
func (s *Service) beginSCIM(ctx context.Context, o op) (*call, *org.Instance, error) {
	c, err := s.begin(ctx, o, "")
	if err != nil {
		return nil, nil, err
	}
	in, err := s.instance(ctx, c.instanceID)
	if err != nil {
		return nil, nil, s.fail(ctx, c, errs.Wrap(o.String(), err))
	}
	return c, in, nil
}

// SCIMIssuer returns the external-id issuer of SCIM clients of an instance.
func SCIMIssuer(instanceID string) string { return SCIMIssuerPrefix + instanceID }

func ifMatch(o op, want string, have int64) error {
	if want == "" || want == "*" {
		return nil
	}
	for _, tag := range strings.Split(want, ",") {
		tag = strings.TrimSpace(tag)
		tag = strings.TrimPrefix(tag, "W/")
		if strings.Trim(tag, `"`) == revision(have) {
			return nil
		}
	}
	return errs.E(errs.Conflict, o.String(), "The resource was changed: its version does not match If-Match.").WithCode("PreconditionFailed")
}

// SCIMCreateUser creates a user from a SCIM client.
func (s *Service) SCIMCreateUser(ctx context.Context, u *directory.User) (*directory.User, error) {
	o := scimOp("CreateUser", "CreateUser", false)
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := directory.ValidateUserWithin(o.String(), u, directory.SCIMLimits); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	nu := *u
	nu.InstanceID, nu.IdentityStoreID = c.instanceID, in.IdentityStoreID
	nu.UserID = s.ids.ResourceID(in.IdentityStoreID)
	if nu.Status == "" {
		nu.Status = directory.UserEnabled
	}
	nu.Revision = 1
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		nu.CreatedAt, nu.UpdatedAt = now.Truncate(time.Microsecond), now.Truncate(time.Microsecond)
		nu.CreatedBy, nu.UpdatedBy = c.caller.ARN, c.caller.ARN
		if err := tx.CreateUser(ctx, &nu); err != nil {
			return s.userConflict(ctx, tx, o, &nu, err, "Duplicate userName or externalId.")
		}
		c.response = map[string]string{"id": nu.UserID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &nu, nil
}

// SCIMGetUser returns a user and the ids of its groups.
func (s *Service) SCIMGetUser(ctx context.Context, id string) (*directory.User, []string, error) {
	o := scimOp("GetUser", "DescribeUser", true)
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	var u *directory.User
	var groups []string
	err = s.read(ctx, c, func(tx store.Tx) (err error) {
		if u, err = s.getUser(ctx, tx, o, c, in.IdentityStoreID, id); err != nil {
			return err
		}
		groups, err = tx.UserGroupIDs(ctx, c.instanceID, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return u, groups, nil
}

// SCIMUpdateUser changes a user: replace (PUT) sets every writable
// attribute from mutate's result, patch (PATCH) applies mutate to the
// current user. mutate runs inside the transaction, so the change is atomic:
// if it fails, nothing is written. ifMatchTag, when set, must match the
// user's version.
func (s *Service) SCIMUpdateUser(ctx context.Context, id, ifMatchTag string, put bool, mutate func(u *directory.User) error) (*directory.User, error) {
	o := scimOp("PatchUser", "UpdateUser", false)
	if put {
		o = scimOp("PutUser", "UpdateUser", false)
	}
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return nil, err
	}
	var u *directory.User
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) (err error) {
		if u, err = s.getUser(ctx, tx, o, c, in.IdentityStoreID, id); err != nil {
			return err
		}
		if err := ifMatch(o, ifMatchTag, u.Revision); err != nil {
			return err
		}
		keep := *u
		if err := mutate(u); err != nil {
			return err
		}
		// What no client may change.
		u.InstanceID, u.IdentityStoreID, u.UserID = keep.InstanceID, keep.IdentityStoreID, keep.UserID
		u.CreatedAt, u.CreatedBy, u.Revision = keep.CreatedAt, keep.CreatedBy, keep.Revision
		if u.Status == "" {
			u.Status = directory.UserEnabled
		}
		if err := directory.ValidateUserWithin(o.String(), u, directory.SCIMLimits); err != nil {
			return err
		}
		if err := s.saveUser(ctx, tx, o, c, u, now); err != nil {
			return err
		}
		c.response = map[string]string{"id": u.UserID, "version": revision(u.Revision)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SCIMDeleteUser deletes a user with its memberships.
func (s *Service) SCIMDeleteUser(ctx context.Context, id string) error {
	o := scimOp("DeleteUser", "DeleteUser", false)
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return err
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		if _, err := s.getUser(ctx, tx, o, c, in.IdentityStoreID, id); err != nil {
			return err
		}
		return s.deletePrincipal(ctx, tx, c.instanceID, access.PrincipalUser, id, now, func() error {
			return tx.DeleteUser(ctx, c.instanceID, id)
		})
	})
}

// SCIMPage asks for one page of a listing: by 1-based StartIndex and
// Count (RFC 7644 §3.4.2.4), or, beyond the RFC, by Cursor.
type SCIMPage struct {
	StartIndex int
	Count      int // negative: the default
	UseCursor  bool
	Cursor     string
}

// SCIMUserQuery selects users: every field set must hold.
type SCIMUserQuery struct {
	ID, UserName, Email, ExternalID, GroupID string
	// Match, when set, must also hold; groups are the user's group ids,
	// loaded only when NeedGroups is set.
	Match      func(u *directory.User, groups []string) bool
	NeedGroups bool
}

// SCIMUsers is a page of users.
type SCIMUsers struct {
	Users      []directory.User
	Groups     map[string][]string // by user id, when asked for
	Total      int
	StartIndex int
	NextCursor string
}

func (s *Service) scimWindow(o op, p SCIMPage) (start, count int, after string, err error) {
	count = p.Count
	if count < 0 {
		count = 100
	}
	if count > MaxSCIMPage {
		count = MaxSCIMPage
	}
	start = p.StartIndex
	if start < 1 {
		start = 1
	}
	if p.UseCursor && p.Cursor != "" {
		b, derr := base64.RawURLEncoding.DecodeString(p.Cursor)
		if derr != nil || !strings.HasPrefix(string(b), tokenPrefix) {
			return 0, 0, "", errs.E(errs.Invalid, o.String(), "The cursor is not valid.").WithCode("invalidCursor")
		}
		after = strings.TrimPrefix(string(b), tokenPrefix)
	}
	return start, count, after, nil
}

func cursorOf(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + id))
}

// SCIMListUsers lists users for a SCIM client, with the total count.
func (s *Service) SCIMListUsers(ctx context.Context, q SCIMUserQuery, p SCIMPage, withGroups bool) (*SCIMUsers, error) {
	o := scimOp("ListUsers", "ListUsers", true)
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return nil, err
	}
	start, count, after, err := s.scimWindow(o, p)
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	f := store.UserFilter{ID: q.ID, UserName: q.UserName, Email: q.Email, GroupID: q.GroupID}
	if q.ExternalID != "" {
		f.External = &directory.ExternalID{Issuer: SCIMIssuer(in.ID), ID: q.ExternalID}
	}
	out := &SCIMUsers{StartIndex: start}
	err = s.read(ctx, c, func(tx store.Tx) error {
		if q.Match == nil {
			var users []directory.User
			if count > 0 {
				page := f
				page.Limit = count + 1
				if p.UseCursor {
					page.After = after
				} else {
					page.Offset = start - 1
				}
				var err error
				if users, err = tx.ListUsersWhere(ctx, c.instanceID, page); err != nil {
					return err
				}
			}
			if n, ok := wholeFirstPage(len(users), count, start, p.UseCursor, after); ok {
				out.Total = n
			} else {
				n, err := tx.CountUsersWhere(ctx, c.instanceID, f)
				if err != nil {
					return err
				}
				out.Total = n
			}
			if count == 0 {
				return nil
			}
			if len(users) > count {
				users = users[:count]
				if p.UseCursor {
					out.NextCursor = cursorOf(users[count-1].UserID)
				}
			}
			out.Users = users
			return s.scimGroupsOf(ctx, tx, c, out, withGroups)
		}
		// A filter the store cannot index: scan in order, count every match,
		// keep the page.
		const batch = 500
		scan := f
		scan.Limit = batch
		skip := start - 1
		if p.UseCursor {
			scan.After, skip = after, 0
		}
		scanFrom := scan.After
		for {
			scan.After = scanFrom
			users, err := tx.ListUsersWhere(ctx, c.instanceID, scan)
			if err != nil {
				return err
			}
			for i := range users {
				u := &users[i]
				var groups []string
				if q.NeedGroups {
					if groups, err = tx.UserGroupIDs(ctx, c.instanceID, u.UserID); err != nil {
						return err
					}
				}
				if !q.Match(u, groups) {
					continue
				}
				out.Total++
				switch {
				case skip > 0:
					skip--
				case len(out.Users) < count:
					out.Users = append(out.Users, *u)
				case p.UseCursor && out.NextCursor == "" && count > 0:
					out.NextCursor = cursorOf(out.Users[len(out.Users)-1].UserID)
				}
			}
			if len(users) < batch {
				break
			}
			scanFrom = users[len(users)-1].UserID
		}
		return s.scimGroupsOf(ctx, tx, c, out, withGroups)
	})
	if err != nil {
		return nil, err
	}
	for i := range out.Users {
		out.Users[i].IdentityStoreID = in.IdentityStoreID
	}
	return out, nil
}

func (s *Service) scimGroupsOf(ctx context.Context, tx store.Tx, c *call, out *SCIMUsers, withGroups bool) error {
	if !withGroups {
		return nil
	}
	out.Groups = make(map[string][]string, len(out.Users))
	for _, u := range out.Users {
		g, err := tx.UserGroupIDs(ctx, c.instanceID, u.UserID)
		if err != nil {
			return err
		}
		out.Groups[u.UserID] = g
	}
	return nil
}

// MaxSCIMMembershipChanges bounds the membership changes of one group write.
const MaxSCIMMembershipChanges = 100000

// setMembers makes the members of g exactly want, adding and removing the
// difference from have, its members now. Every new member must be a user
// of the instance.
func (s *Service) setMembers(ctx context.Context, tx store.Tx, o op, c *call, g *directory.Group, have []string, want map[string]bool, now time.Time) (changed bool, err error) {
	cur := make(map[string]bool, len(have))
	for _, id := range have {
		cur[id] = true
	}
	var add, remove []string
	for id := range want {
		if !cur[id] {
			add = append(add, id)
		}
	}
	for id := range cur {
		if !want[id] {
			remove = append(remove, id)
		}
	}
	if len(add)+len(remove) > MaxSCIMMembershipChanges {
		return false, errs.Errorf(errs.Invalid, o.String(), "At most %d membership changes are allowed in one request.", MaxSCIMMembershipChanges).WithCode("tooMany")
	}
	sort.Strings(add)
	sort.Strings(remove)
	if len(add) > 0 {
		// One statement per hundred adds them; the store refuses a member
		// that is not a user of the instance (a foreign key, checked as
		// each row goes in), and only then is the culprit looked for.
		ms := make([]directory.Membership, len(add))
		for i, id := range add {
			ms[i] = directory.Membership{InstanceID: c.instanceID, MembershipID: s.ids.ResourceID(g.IdentityStoreID), GroupID: g.GroupID, UserID: id,
				CreatedAt: now, CreatedBy: c.caller.ARN, UpdatedAt: now, UpdatedBy: c.caller.ARN}
		}
		if err := tx.CreateMemberships(ctx, ms); errors.Is(err, store.ErrNotFound) {
			users, qerr := tx.UserStatuses(ctx, c.instanceID, add)
			if qerr != nil {
				return false, qerr
			}
			for _, id := range add {
				if _, ok := users[id]; !ok {
					return false, errs.Errorf(errs.Invalid, o.String(), "The member %s is not a user of this directory.", id).WithCode("invalidValue")
				}
			}
			return false, err
		} else if err != nil {
			return false, err
		}
	}
	if len(remove) > 0 {
		if err := tx.DeleteGroupMembers(ctx, c.instanceID, g.GroupID, remove); err != nil {
			return false, err
		}
	}
	return len(add)+len(remove) > 0, nil
}

// SCIMCreateGroup creates a group with its members.
func (s *Service) SCIMCreateGroup(ctx context.Context, g *directory.Group, members []string) (*directory.Group, error) {
	o := scimOp("CreateGroup", "CreateGroup", false)
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := directory.ValidateGroup(o.String(), g); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	ng := *g
	ng.InstanceID, ng.IdentityStoreID = c.instanceID, in.IdentityStoreID
	ng.GroupID = s.ids.ResourceID(in.IdentityStoreID)
	ng.Revision = 1
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		now = now.Truncate(time.Microsecond)
		ng.CreatedAt, ng.UpdatedAt, ng.CreatedBy, ng.UpdatedBy = now, now, c.caller.ARN, c.caller.ARN
		if err := tx.CreateGroup(ctx, &ng); err != nil {
			return s.groupConflict(ctx, tx, o, &ng, err, "Duplicate displayName or externalId.")
		}
		if _, err := s.setMembers(ctx, tx, o, c, &ng, nil, set(members), now); err != nil { // a new group has none
			return err
		}
		c.response = map[string]string{"id": ng.GroupID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ng, nil
}

func set(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// SCIMGetGroup returns a group, with its member ids when withMembers.
func (s *Service) SCIMGetGroup(ctx context.Context, id string, withMembers bool) (*directory.Group, []string, error) {
	o := scimOp("GetGroup", "DescribeGroup", true)
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	var g *directory.Group
	var members []string
	// With its members, as many rows as they are.
	err = s.readRows(ctx, c, !withMembers, func(tx store.Tx) (err error) {
		if g, err = s.getGroup(ctx, tx, o, c, in.IdentityStoreID, id); err != nil {
			return err
		}
		if withMembers {
			members, err = tx.GroupMemberIDs(ctx, c.instanceID, id)
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return g, members, nil
}

// SCIMUpdateGroup changes a group and its members atomically: mutate gets
// the group and the set of member ids, and changes both (PUT replaces,
// PATCH edits).
func (s *Service) SCIMUpdateGroup(ctx context.Context, id, ifMatchTag string, put bool, mutate func(g *directory.Group, members map[string]bool) error) (*directory.Group, error) {
	o := scimOp("PatchGroup", "UpdateGroup", false)
	if put {
		o = scimOp("PutGroup", "UpdateGroup", false)
	}
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return nil, err
	}
	var g *directory.Group
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) (err error) {
		now = now.Truncate(time.Microsecond)
		if g, err = s.getGroup(ctx, tx, o, c, in.IdentityStoreID, id); err != nil {
			return err
		}
		if err := ifMatch(o, ifMatchTag, g.Revision); err != nil {
			return err
		}
		ids, err := tx.GroupMemberIDs(ctx, c.instanceID, id)
		if err != nil {
			return err
		}
		members := set(ids)
		keep := *g
		if err := mutate(g, members); err != nil {
			return err
		}
		g.InstanceID, g.IdentityStoreID, g.GroupID = keep.InstanceID, keep.IdentityStoreID, keep.GroupID
		g.CreatedAt, g.CreatedBy, g.Revision = keep.CreatedAt, keep.CreatedBy, keep.Revision
		if err := directory.ValidateGroup(o.String(), g); err != nil {
			return err
		}
		if _, err := s.setMembers(ctx, tx, o, c, g, ids, members, now); err != nil {
			return err
		}
		if err := s.saveGroup(ctx, tx, o, c, g, now); err != nil {
			return err
		}
		c.response = map[string]string{"id": g.GroupID, "version": revision(g.Revision)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// SCIMDeleteGroup deletes a group with its memberships.
func (s *Service) SCIMDeleteGroup(ctx context.Context, id string) error {
	o := scimOp("DeleteGroup", "DeleteGroup", false)
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return err
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		if _, err := s.getGroup(ctx, tx, o, c, in.IdentityStoreID, id); err != nil {
			return err
		}
		return s.deletePrincipal(ctx, tx, c.instanceID, access.PrincipalGroup, id, now, func() error {
			return tx.DeleteGroup(ctx, c.instanceID, id)
		})
	})
}

// SCIMGroupQuery selects groups: every field set must hold.
type SCIMGroupQuery struct {
	ID, DisplayName, ExternalID, MemberID string
	Match                                 func(g *directory.Group, members []string) bool
	NeedMembers                           bool
}

// SCIMGroups is a page of groups.
type SCIMGroups struct {
	Groups     []directory.Group
	Members    map[string][]string // by group id, when asked for
	Total      int
	StartIndex int
	NextCursor string
}

// wholeFirstPage reports whether a page of got results, read with room for
// count+1, is every match: the first page (startIndex 1, or the first
// cursor page) that did not fill. Then got is the total, and a filtered
// lookup, which matches one resource or none, needs no count query.
func wholeFirstPage(got, count, start int, cursor bool, after string) (int, bool) {
	first := start == 1
	if cursor {
		first = after == ""
	}
	return got, count > 0 && first && got <= count
}

// SCIMListGroups lists groups for a SCIM client, with the total count.
func (s *Service) SCIMListGroups(ctx context.Context, q SCIMGroupQuery, p SCIMPage, withMembers bool) (*SCIMGroups, error) {
	o := scimOp("ListGroups", "ListGroups", true)
	c, in, err := s.beginSCIM(ctx, o)
	if err != nil {
		return nil, err
	}
	start, count, after, err := s.scimWindow(o, p)
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	f := store.GroupFilter{ID: q.ID, DisplayName: q.DisplayName, MemberID: q.MemberID}
	if q.ExternalID != "" {
		f.External = &directory.ExternalID{Issuer: SCIMIssuer(in.ID), ID: q.ExternalID}
	}
	out := &SCIMGroups{StartIndex: start}
	err = s.read(ctx, c, func(tx store.Tx) error {
		const batch = 500
		scan := f
		scan.Limit = batch
		skip := start - 1
		if p.UseCursor {
			scan.After, skip = after, 0
		}
		if q.Match == nil {
			var groups []directory.Group
			if count > 0 {
				scan.Limit, scan.Offset = count+1, skip
				var err error
				if groups, err = tx.ListGroupsWhere(ctx, c.instanceID, scan); err != nil {
					return err
				}
			}
			if n, ok := wholeFirstPage(len(groups), count, start, p.UseCursor, after); ok {
				out.Total = n
			} else {
				n, err := tx.CountGroupsWhere(ctx, c.instanceID, f)
				if err != nil {
					return err
				}
				out.Total = n
			}
			if count == 0 {
				return nil
			}
			if len(groups) > count {
				groups = groups[:count]
				if p.UseCursor {
					out.NextCursor = cursorOf(groups[count-1].GroupID)
				}
			}
			out.Groups = groups
		} else {
			for {
				groups, err := tx.ListGroupsWhere(ctx, c.instanceID, scan)
				if err != nil {
					return err
				}
				for i := range groups {
					g := &groups[i]
					var members []string
					if q.NeedMembers {
						if members, err = tx.GroupMemberIDs(ctx, c.instanceID, g.GroupID); err != nil {
							return err
						}
					}
					if !q.Match(g, members) {
						continue
					}
					out.Total++
					switch {
					case skip > 0:
						skip--
					case len(out.Groups) < count:
						out.Groups = append(out.Groups, *g)
					case p.UseCursor && out.NextCursor == "" && count > 0:
						out.NextCursor = cursorOf(out.Groups[len(out.Groups)-1].GroupID)
					}
				}
				if len(groups) < batch {
					break
				}
				scan.After = groups[len(groups)-1].GroupID
			}
		}
		if withMembers {
			out.Members = make(map[string][]string, len(out.Groups))
			for _, g := range out.Groups {
				m, err := tx.GroupMemberIDs(ctx, c.instanceID, g.GroupID)
				if err != nil {
					return err
				}
				out.Members[g.GroupID] = m
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out.Groups {
		out.Groups[i].IdentityStoreID = in.IdentityStoreID
	}
	return out, nil
}

// SCIMServiceOp audits a read of the SCIM endpoint's self-description
// (ServiceProviderConfig, Schemas, ResourceTypes), which any valid token may
// read.
func (s *Service) SCIMServiceOp(ctx context.Context, name string) error {
	switch name {
	case "GetServiceProviderConfig", "ListSchemas", "GetSchema", "ListResourceTypes", "GetResourceType":
	default:
		name = "GetServiceProviderConfig"
	}
	o := scimOp(name, "ListUsers", true)
	c, _, err := s.beginSCIM(ctx, o)
	if err != nil {
		return err
	}
	return s.read(ctx, c, func(store.Tx) error { return nil })
}
