package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// CreateGroup creates a group in the identity store.
func (s *Service) CreateGroup(ctx context.Context, storeID string, g *directory.Group) (*directory.Group, error) {
	o := identityStoreOp("CreateGroup", false)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	if err := directory.ValidateGroup(o.String(), g); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	ng := *g
	ng.InstanceID, ng.IdentityStoreID = c.instanceID, storeID
	ng.GroupID = s.ids.ResourceID(storeID)
	ng.Revision = 1
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		ng.CreatedAt, ng.UpdatedAt = now.Truncate(time.Microsecond), now.Truncate(time.Microsecond)
		ng.CreatedBy, ng.UpdatedBy = c.caller.ARN, c.caller.ARN
		if err := tx.CreateGroup(ctx, &ng); err != nil {
			return s.groupConflict(ctx, tx, o, &ng, err, "Duplicate GroupDisplayName.")
		}
		c.response = map[string]string{"GroupId": ng.GroupID, "IdentityStoreId": storeID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ng, nil
}

// groupConflict is userConflict for a group: its display name, or one of
// its external ids.
func (s *Service) groupConflict(ctx context.Context, tx store.Tx, o op, g *directory.Group, err error, msg string) error {
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	same, err := tx.ListGroups(ctx, g.InstanceID, store.GroupQuery{DisplayName: g.DisplayName, Page: store.Page{Limit: 2}})
	if err != nil {
		return err
	}
	for _, other := range same {
		if other.GroupID != g.GroupID {
			return uniqueness(o, "Duplicate GroupDisplayName.")
		}
	}
	return externalIDConflict(ctx, tx, o, g.InstanceID, TypeGroup, g.GroupID, g.ExternalIDs, msg)
}

func (s *Service) getGroup(ctx context.Context, tx store.Tx, o op, c *call, storeID, groupID string) (*directory.Group, error) {
	g, err := tx.GetGroup(ctx, c.instanceID, groupID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(o, TypeGroup, groupID)
	}
	if err != nil {
		return nil, err
	}
	g.IdentityStoreID = storeID
	return g, nil
}

// DescribeGroup returns a group.
func (s *Service) DescribeGroup(ctx context.Context, storeID, groupID string) (*directory.Group, error) {
	o := identityStoreOp("DescribeGroup", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	if err := checkID(o, "groupId", groupID); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var g *directory.Group
	err = s.lookup(ctx, c, func(tx store.Tx) (err error) {
		g, err = s.getGroup(ctx, tx, o, c, storeID, groupID)
		return err
	})
	return g, err
}

// UpdateGroup applies attribute operations to a group.
func (s *Service) UpdateGroup(ctx context.Context, storeID, groupID string, ops []directory.Operation, rev string) (*directory.Group, error) {
	o := identityStoreOp("UpdateGroup", false)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	if err := checkID(o, "groupId", groupID); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	if len(ops) < 1 || len(ops) > 100 {
		return nil, s.fail(ctx, c, directory.Violation(o.String(), "operations", "Member must have length between 1 and 100"))
	}
	var g *directory.Group
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) (err error) {
		if g, err = s.getGroup(ctx, tx, o, c, storeID, groupID); err != nil {
			return err
		}
		if err := checkRevision(o, rev, g.Revision); err != nil {
			return err
		}
		if err := directory.ApplyGroupOperations(o.String(), g, ops); err != nil {
			return err
		}
		if err := s.saveGroup(ctx, tx, o, c, g, now); err != nil {
			return err
		}
		c.response = map[string]string{"GroupId": g.GroupID, "IdentityStoreId": storeID, "Revision": revision(g.Revision)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// saveGroup stores a changed, validated group: its display name and
// external ids must stay unique, and its revision moves on.
func (s *Service) saveGroup(ctx context.Context, tx store.Tx, o op, c *call, g *directory.Group, now time.Time) error {
	g.Revision++
	g.UpdatedAt, g.UpdatedBy = now.Truncate(time.Microsecond), c.caller.ARN
	if err := tx.UpdateGroup(ctx, g); err != nil {
		return s.groupConflict(ctx, tx, o, g, err, "Duplicate display name or external id.")
	}
	return nil
}

// DeleteGroup deletes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, storeID, groupID, rev string) error {
	o := identityStoreOp("DeleteGroup", false)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return err
	}
	if err := checkID(o, "groupId", groupID); err != nil {
		return s.fail(ctx, c, err)
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		g, err := s.getGroup(ctx, tx, o, c, storeID, groupID)
		if err != nil {
			return err
		}
		if err := checkRevision(o, rev, g.Revision); err != nil {
			return err
		}
		return s.deletePrincipal(ctx, tx, c.instanceID, access.PrincipalGroup, groupID, now, func() error {
			return tx.DeleteGroup(ctx, c.instanceID, groupID)
		})
	})
}

// ListGroups lists groups, optionally filtered by display name.
func (s *Service) ListGroups(ctx context.Context, storeID string, filters []Filter, p PageRequest) ([]directory.Group, string, error) {
	o := identityStoreOp("ListGroups", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, "", err
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	q := store.GroupQuery{Page: pg}
	if len(filters) > 1 {
		return nil, "", s.fail(ctx, c, directory.Violation(o.String(), "filters", "Member must have length less than or equal to 1"))
	}
	for _, f := range filters {
		if !strings.EqualFold(f.AttributePath, "DisplayName") {
			return nil, "", s.fail(ctx, c, errs.Errorf(errs.Invalid, o.String(), "Filtering on the attribute %s is not supported; filter on DisplayName.", f.AttributePath))
		}
		if f.AttributeValue == "" {
			return nil, "", s.fail(ctx, c, errs.E(errs.Invalid, o.String(), "The filter value must not be empty."))
		}
		q.DisplayName = f.AttributeValue
	}
	var groups []directory.Group
	// A unique name: one group at most.
	err = s.readRows(ctx, c, q.DisplayName != "", func(tx store.Tx) (err error) {
		groups, err = tx.ListGroups(ctx, c.instanceID, q)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	groups, next := nextToken(groups, n, func(g directory.Group) string { return g.GroupID })
	for i := range groups {
		groups[i].IdentityStoreID = storeID
	}
	return groups, next, nil
}

// GetGroupID finds a group by display name or external id.
func (s *Service) GetGroupID(ctx context.Context, storeID string, alt AlternateIdentifier) (string, error) {
	o := identityStoreOp("GetGroupId", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return "", err
	}
	value, err := alt.check(o)
	if err != nil {
		return "", s.fail(ctx, c, err)
	}
	if alt.ExternalID == nil && !strings.EqualFold(alt.AttributePath, "displayName") {
		return "", s.fail(ctx, c, errs.Errorf(errs.Invalid, o.String(), "The attribute %s is not a unique attribute.", alt.AttributePath))
	}
	var id string
	err = s.lookup(ctx, c, func(tx store.Tx) error {
		if alt.ExternalID != nil {
			var err error
			id, err = tx.FindByExternalID(ctx, c.instanceID, TypeGroup, *alt.ExternalID)
			if errors.Is(err, store.ErrNotFound) {
				return errs.E(errs.NotFound, o.String(), "No group matches the external id.").With("ResourceType", TypeGroup)
			}
			return err
		}
		groups, err := tx.ListGroups(ctx, c.instanceID, store.GroupQuery{DisplayName: value, Page: store.Page{Limit: 2}})
		if err != nil {
			return err
		}
		if len(groups) == 0 {
			return errs.E(errs.NotFound, o.String(), "No group matches the unique attribute.").With("ResourceType", TypeGroup)
		}
		id = groups[0].GroupID
		return nil
	})
	return id, err
}
