package service

import (
	"context"
	"errors"
	"time"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// CreateGroupMembership adds a user to a group.
func (s *Service) CreateGroupMembership(ctx context.Context, storeID, groupID, userID string) (*directory.Membership, error) {
	o := identityStoreOp("CreateGroupMembership", false)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	if err := firstErr(checkID(o, "groupId", groupID), checkMember(o, userID)); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	m := directory.Membership{InstanceID: c.instanceID, IdentityStoreID: storeID, MembershipID: s.ids.ResourceID(storeID), GroupID: groupID, UserID: userID}
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		if _, err := s.getGroup(ctx, tx, o, c, storeID, groupID); err != nil {
			return err
		}
		if _, err := s.getUser(ctx, tx, o, c, storeID, userID); err != nil {
			return err
		}
		m.CreatedAt, m.UpdatedAt = now.Truncate(time.Microsecond), now.Truncate(time.Microsecond)
		m.CreatedBy, m.UpdatedBy = c.caller.ARN, c.caller.ARN
		if err := tx.CreateMembership(ctx, &m); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return uniqueness(o, "The user is already a member of the group.")
			}
			return err
		}
		c.response = map[string]string{"MembershipId": m.MembershipID, "IdentityStoreId": storeID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkMember(o op, userID string) error {
	if userID == "" {
		return errs.E(errs.Invalid, o.String(), "MemberId must have UserId.")
	}
	return checkID(o, "memberId.userId", userID)
}

func (s *Service) getMembership(ctx context.Context, tx store.Tx, o op, c *call, storeID, id string) (*directory.Membership, error) {
	m, err := tx.GetMembership(ctx, c.instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(o, TypeMembership, id)
	}
	if err != nil {
		return nil, err
	}
	m.IdentityStoreID = storeID
	return m, nil
}

// DescribeGroupMembership returns a membership.
func (s *Service) DescribeGroupMembership(ctx context.Context, storeID, membershipID string) (*directory.Membership, error) {
	o := identityStoreOp("DescribeGroupMembership", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	if err := checkID(o, "membershipId", membershipID); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var m *directory.Membership
	err = s.lookup(ctx, c, func(tx store.Tx) (err error) {
		m, err = s.getMembership(ctx, tx, o, c, storeID, membershipID)
		return err
	})
	return m, err
}

// DeleteGroupMembership removes a membership.
func (s *Service) DeleteGroupMembership(ctx context.Context, storeID, membershipID string) error {
	o := identityStoreOp("DeleteGroupMembership", false)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return err
	}
	if err := checkID(o, "membershipId", membershipID); err != nil {
		return s.fail(ctx, c, err)
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		if _, err := s.getMembership(ctx, tx, o, c, storeID, membershipID); err != nil {
			return err
		}
		return tx.DeleteMembership(ctx, c.instanceID, membershipID)
	})
}

// GetGroupMembershipID finds the membership of a user in a group.
func (s *Service) GetGroupMembershipID(ctx context.Context, storeID, groupID, userID string) (string, error) {
	o := identityStoreOp("GetGroupMembershipId", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return "", err
	}
	if err := firstErr(checkID(o, "groupId", groupID), checkMember(o, userID)); err != nil {
		return "", s.fail(ctx, c, err)
	}
	var id string
	err = s.lookup(ctx, c, func(tx store.Tx) error {
		m, err := tx.FindMembership(ctx, c.instanceID, groupID, userID)
		if errors.Is(err, store.ErrNotFound) {
			return errs.E(errs.NotFound, o.String(), "The user is not a member of the group.").With("ResourceType", TypeMembership)
		}
		if err != nil {
			return err
		}
		id = m.MembershipID
		return nil
	})
	return id, err
}

// ListGroupMemberships lists the memberships of a group.
func (s *Service) ListGroupMemberships(ctx context.Context, storeID, groupID string, p PageRequest) ([]directory.Membership, string, error) {
	o := identityStoreOp("ListGroupMemberships", true)
	return s.listMemberships(ctx, o, storeID, p, checkID(o, "groupId", groupID), func(tx store.Tx, c *call, pg store.Page) ([]directory.Membership, error) {
		if _, err := s.getGroup(ctx, tx, o, c, storeID, groupID); err != nil {
			return nil, err
		}
		return tx.ListMembershipsOfGroup(ctx, c.instanceID, groupID, pg)
	})
}

// ListGroupMembershipsForMember lists the memberships of a user.
func (s *Service) ListGroupMembershipsForMember(ctx context.Context, storeID, userID string, p PageRequest) ([]directory.Membership, string, error) {
	o := identityStoreOp("ListGroupMembershipsForMember", true)
	return s.listMemberships(ctx, o, storeID, p, checkMember(o, userID), func(tx store.Tx, c *call, pg store.Page) ([]directory.Membership, error) {
		if _, err := s.getUser(ctx, tx, o, c, storeID, userID); err != nil {
			return nil, err
		}
		return tx.ListMembershipsOfUser(ctx, c.instanceID, userID, pg)
	})
}

func (s *Service) listMemberships(ctx context.Context, o op, storeID string, p PageRequest, invalid error,
	list func(store.Tx, *call, store.Page) ([]directory.Membership, error)) ([]directory.Membership, string, error) {
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, "", err
	}
	if invalid != nil {
		return nil, "", s.fail(ctx, c, invalid)
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var ms []directory.Membership
	err = s.read(ctx, c, func(tx store.Tx) (err error) {
		ms, err = list(tx, c, pg)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	ms, next := nextToken(ms, n, func(m directory.Membership) string { return m.MembershipID })
	for i := range ms {
		ms[i].IdentityStoreID = storeID
	}
	return ms, next, nil
}

// MembershipResult says whether a user is in one group.
type MembershipResult struct {
	GroupID string
	UserID  string
	Exists  bool
}

// IsMemberInGroups checks a user's membership of up to 100 groups.
func (s *Service) IsMemberInGroups(ctx context.Context, storeID, userID string, groupIDs []string) ([]MembershipResult, error) {
	o := identityStoreOp("IsMemberInGroups", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	invalid := checkMember(o, userID)
	if len(groupIDs) < 1 || len(groupIDs) > 100 {
		invalid = firstErr(invalid, directory.Violation(o.String(), "groupIds", "Member must have length between 1 and 100"))
	}
	for _, g := range groupIDs {
		invalid = firstErr(invalid, checkID(o, "groupIds", g))
	}
	if invalid != nil {
		return nil, s.fail(ctx, c, invalid)
	}
	out := make([]MembershipResult, len(groupIDs))
	err = s.read(ctx, c, func(tx store.Tx) error {
		if _, err := s.getUser(ctx, tx, o, c, storeID, userID); err != nil {
			return err
		}
		for i, g := range groupIDs {
			_, err := tx.FindMembership(ctx, c.instanceID, g, userID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			out[i] = MembershipResult{GroupID: g, UserID: userID, Exists: err == nil}
		}
		return nil
	})
	return out, err
}
