package service

import (
	"context"
	"errors"
	"time"

	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

func getOU(ctx context.Context, tx store.Tx, o op, instanceID, id string) (*org.OrganizationalUnit, error) {
	u, err := tx.GetOrganizationalUnit(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ouNotFound(o)
	}
	return u, err
}

func duplicateOU(o op) error {
	return orgConflict(o, "DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
}

// CreateOrganizationalUnit creates an OU under a root or OU. While service
// control policies are enabled, FullAWSAccess is attached to it, as AWS does.
func (s *Service) CreateOrganizationalUnit(ctx context.Context, parentID, name string, tags []org.Tag) (*OrgUnit, error) {
	o := orgOp("CreateOrganizationalUnit", false)
	c, err := s.beginOrg(ctx, o, targetResource(parentID))
	if err != nil {
		return nil, err
	}
	if err := org.CheckID(o.String(), "ParentId", parentID, org.ParentID); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	if err := org.CheckOUName(o.String(), name); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	if err := org.CheckTags(o.String(), tags); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	u := &org.OrganizationalUnit{ID: s.ids.OrganizationalUnitID(c.org.RootID), InstanceID: c.instanceID, ParentID: parentID, Name: name}
	var out OrgUnit
	err = s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		if ok, err := parentExists(ctx, tx, c.org, parentID); err != nil || !ok {
			return orNotFound(err, parentNotFound(o))
		}
		depth := 1
		if parentID != c.org.RootID {
			path, err := tx.OrganizationalUnitParentPath(ctx, c.instanceID, parentID)
			if err != nil {
				return err
			}
			depth = len(path) + 1
		}
		if depth > org.MaxOUDepth {
			return org.ConstraintViolation(o.String(), "OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.")
		}
		u.CreatedAt = now
		if err := tx.CreateOrganizationalUnit(ctx, u); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return duplicateOU(o)
			}
			return err
		}
		if err := attachDefaultPolicies(ctx, tx, c.instanceID, org.PolicyTarget{TargetID: u.ID, Type: org.TypeOrganizationalUnit}); err != nil {
			return err
		}
		if len(tags) > 0 {
			if err := tx.SetOrgTags(ctx, c.instanceID, u.ID, tags); err != nil {
				return err
			}
		}
		var err error
		if out, err = s.ouView(ctx, tx, c.org, u); err != nil {
			return err
		}
		c.response = map[string]any{"OrganizationalUnit": map[string]string{"Id": out.ID, "Arn": out.ARN, "Name": out.Name}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateOrganizationalUnit renames an OU; an empty name changes nothing.
func (s *Service) UpdateOrganizationalUnit(ctx context.Context, ouID string, name *string) (*OrgUnit, error) {
	o := orgOp("UpdateOrganizationalUnit", false)
	c, err := s.beginOrg(ctx, o, ouResource(ouID))
	if err != nil {
		return nil, err
	}
	if err := org.CheckID(o.String(), "OrganizationalUnitId", ouID, org.OrganizationalUnitID); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	if name != nil {
		if err := org.CheckOUName(o.String(), *name); err != nil {
			return nil, s.fail(ctx, c.call, err)
		}
	}
	var out OrgUnit
	err = s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		u, err := getOU(ctx, tx, o, c.instanceID, ouID)
		if err != nil {
			return err
		}
		if name != nil && *name != u.Name {
			u.Name = *name
			if err := tx.UpdateOrganizationalUnit(ctx, u); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return duplicateOU(o)
				}
				return err
			}
		}
		if out, err = s.ouView(ctx, tx, c.org, u); err != nil {
			return err
		}
		c.response = map[string]any{"OrganizationalUnit": map[string]string{"Id": out.ID, "Arn": out.ARN, "Name": out.Name}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteOrganizationalUnit deletes an OU that holds no account and no OU.
func (s *Service) DeleteOrganizationalUnit(ctx context.Context, ouID string) error {
	o := orgOp("DeleteOrganizationalUnit", false)
	c, err := s.beginOrg(ctx, o, ouResource(ouID))
	if err != nil {
		return err
	}
	if err := org.CheckID(o.String(), "OrganizationalUnitId", ouID, org.OrganizationalUnitID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	return s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		if _, err := getOU(ctx, tx, o, c.instanceID, ouID); err != nil {
			return err
		}
		accts, err := tx.ListAccounts(ctx, c.instanceID, store.AccountQuery{ParentID: ouID, Page: store.Page{Limit: 1}})
		if err != nil {
			return err
		}
		ous, err := tx.ListOrganizationalUnits(ctx, c.instanceID, ouID, store.Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(accts) > 0 || len(ous) > 0 {
			return orgConflict(o, "OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
		}
		return tx.DeleteOrganizationalUnit(ctx, c.instanceID, ouID)
	})
}

// DescribeOrganizationalUnit returns an OU.
func (s *Service) DescribeOrganizationalUnit(ctx context.Context, ouID string) (*OrgUnit, error) {
	o := orgOp("DescribeOrganizationalUnit", true)
	c, err := s.beginOrg(ctx, o, ouResource(ouID))
	if err != nil {
		return nil, err
	}
	if err := org.CheckID(o.String(), "OrganizationalUnitId", ouID, org.OrganizationalUnitID); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	var out OrgUnit
	err = s.lookup(ctx, c.call, func(tx store.Tx) error {
		u, err := getOU(ctx, tx, o, c.instanceID, ouID)
		if err != nil {
			return err
		}
		out, err = s.ouView(ctx, tx, c.org, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListOrganizationalUnitsForParent lists the OUs directly under a root or OU.
func (s *Service) ListOrganizationalUnitsForParent(ctx context.Context, parentID string, p PageRequest) ([]OrgUnit, string, error) {
	o := orgOp("ListOrganizationalUnitsForParent", true)
	c, err := s.beginOrg(ctx, o, targetResource(parentID))
	if err != nil {
		return nil, "", err
	}
	if err := org.CheckID(o.String(), "ParentId", parentID, org.ParentID); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var out []OrgUnit
	var next string
	err = s.read(ctx, c.call, func(tx store.Tx) error {
		if ok, err := parentExists(ctx, tx, c.org, parentID); err != nil || !ok {
			return orNotFound(err, parentNotFound(o))
		}
		us, err := tx.ListOrganizationalUnits(ctx, c.instanceID, parentID, pg)
		if err != nil {
			return err
		}
		us, next = nextToken(us, n, func(u org.OrganizationalUnit) string { return u.ID })
		for i := range us {
			v, err := s.ouView(ctx, tx, c.org, &us[i])
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// ListChildren lists the accounts (ChildType ACCOUNT) or OUs
// (ORGANIZATIONAL_UNIT) directly under a root or OU.
func (s *Service) ListChildren(ctx context.Context, parentID, childType string, p PageRequest) ([]OrgRelative, string, error) {
	o := orgOp("ListChildren", true)
	c, err := s.beginOrg(ctx, o, targetResource(parentID))
	if err != nil {
		return nil, "", err
	}
	if err := org.CheckID(o.String(), "ParentId", parentID, org.ParentID); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	if err := org.CheckEnum(o.String(), "ChildType", childType, org.TypeAccount, org.TypeOrganizationalUnit); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var out []OrgRelative
	err = s.read(ctx, c.call, func(tx store.Tx) error {
		if ok, err := parentExists(ctx, tx, c.org, parentID); err != nil || !ok {
			return orNotFound(err, parentNotFound(o))
		}
		if childType == org.TypeAccount {
			as, err := tx.ListAccounts(ctx, c.instanceID, store.AccountQuery{ParentID: parentID, Page: pg})
			for _, a := range as {
				out = append(out, OrgRelative{ID: a.ID, Type: org.TypeAccount})
			}
			return err
		}
		us, err := tx.ListOrganizationalUnits(ctx, c.instanceID, parentID, pg)
		for _, u := range us {
			out = append(out, OrgRelative{ID: u.ID, Type: org.TypeOrganizationalUnit})
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, func(r OrgRelative) string { return r.ID })
	return out, next, nil
}

// ListParents lists the parent (a root or an OU) of an account or OU.
func (s *Service) ListParents(ctx context.Context, childID string, p PageRequest) ([]OrgRelative, string, error) {
	o := orgOp("ListParents", true)
	c, err := s.beginOrg(ctx, o, targetResource(childID))
	if err != nil {
		return nil, "", err
	}
	if err := org.CheckID(o.String(), "ChildId", childID, org.ChildID); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var out []OrgRelative
	err = s.read(ctx, c.call, func(tx store.Tx) error {
		var parent string
		if org.TargetType(childID) == org.TypeAccount {
			a, err := tx.GetAccount(ctx, c.instanceID, childID)
			if err != nil {
				return orNotFound(ignoreNotFound(err), childNotFound(o))
			}
			parent = a.ParentID
		} else {
			u, err := tx.GetOrganizationalUnit(ctx, c.instanceID, childID)
			if err != nil {
				return orNotFound(ignoreNotFound(err), childNotFound(o))
			}
			parent = u.ParentID
		}
		if parent > pg.After {
			typ := org.TypeOrganizationalUnit
			if parent == c.org.RootID {
				typ = org.TypeRoot
			}
			out = append(out, OrgRelative{ID: parent, Type: typ})
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, func(r OrgRelative) string { return r.ID })
	return out, next, nil
}

func childNotFound(o op) error {
	return orgNotFound(o, "ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
}

// ignoreNotFound returns nil for ErrNotFound and err otherwise.
func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
