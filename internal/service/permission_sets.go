package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// maxPermissionSets bounds the permission sets of an instance, as AWS's
// default quota does.
const maxPermissionSets = 2000

// NewPermissionSet is the input of CreatePermissionSet.
type NewPermissionSet struct {
	Name            string
	Description     string
	SessionDuration string
	RelayState      string
	Tags            []access.Tag
}

// CreatePermissionSet creates a permission set in the caller's instance.
func (s *Service) CreatePermissionSet(ctx context.Context, instanceARN string, in NewPermissionSet) (*access.PermissionSet, error) {
	o := ssoOp("CreatePermissionSet", false)
	c, err := s.beginInstance(ctx, o, instanceARN, "")
	if err != nil {
		return nil, err
	}
	for _, err := range []error{
		access.ValidateName(o.String(), in.Name),
		access.ValidateDescription(o.String(), in.Description),
		access.ValidateSessionDuration(o.String(), in.SessionDuration),
		access.ValidateRelayState(o.String(), in.RelayState),
		access.ValidateTags(o.String(), in.Tags),
	} {
		if err != nil {
			return nil, s.fail(ctx, c, err)
		}
	}
	if len(in.Tags) > access.MaxTags {
		return nil, s.fail(ctx, c, errs.Errorf(errs.QuotaExceeded, o.String(), "A resource may have at most %d tags.", access.MaxTags))
	}
	ps := &access.PermissionSet{
		InstanceID: c.instanceID, ID: s.ids.PermissionSetID(), Name: in.Name, Description: in.Description,
		SessionDuration: in.SessionDuration, RelayState: in.RelayState, Version: 1,
	}
	if ps.SessionDuration == "" {
		ps.SessionDuration = access.DefaultSessionDuration
	}
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		ps.CreatedAt, ps.UpdatedAt = now.Truncate(time.Microsecond), now.Truncate(time.Microsecond)
		if err := s.insertPermissionSet(ctx, tx, ps); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errs.Errorf(errs.Conflict, o.String(), "A permission set named %s already exists in the instance.", in.Name)
			}
			return err
		}
		// The count is read after the creation raised it: on PostgreSQL
		// the creation holds the instance row's lock until it commits, so
		// two creations of the last place left cannot both pass.
		n, err := tx.CountPermissionSets(ctx, c.instanceID)
		if err != nil {
			return err
		}
		if n > maxPermissionSets {
			return errs.Errorf(errs.QuotaExceeded, o.String(), "The instance has the most permission sets allowed (%d).", maxPermissionSets)
		}
		if len(in.Tags) > 0 {
			if err := tx.PutTags(ctx, c.instanceID, ps.ID, in.Tags); err != nil {
				return err
			}
		}
		c.response = map[string]any{"PermissionSet": map[string]any{"Name": ps.Name, "PermissionSetArn": arn.PermissionSetARN(ps.InstanceID, ps.ID)}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// insertPermissionSet stores a new permission set. Its id, time-ordered,
// may be one already drawn in the same millisecond (see
// arn.Generator.PermissionSetID): then it draws another. ErrConflict is
// left for a taken name.
func (s *Service) insertPermissionSet(ctx context.Context, tx store.Tx, ps *access.PermissionSet) error {
	for range 4 {
		err := tx.CreatePermissionSet(ctx, ps)
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		if _, gerr := tx.GetPermissionSet(ctx, ps.InstanceID, ps.ID); errors.Is(gerr, store.ErrNotFound) {
			return err // the name is taken
		} else if gerr != nil {
			return gerr
		}
		ps.ID = s.ids.PermissionSetID()
	}
	return fmt.Errorf("no free permission set id after 4 draws")
}

// DescribePermissionSet returns a permission set.
func (s *Service) DescribePermissionSet(ctx context.Context, instanceARN, psARN string) (*access.PermissionSet, error) {
	o := ssoOp("DescribePermissionSet", true)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	var ps *access.PermissionSet
	err = s.lookup(ctx, c, func(tx store.Tx) (err error) {
		ps, err = getPermissionSet(ctx, tx, o, c, id)
		return err
	})
	return ps, err
}

// PermissionSetUpdate holds the fields UpdatePermissionSet changes; nil
// leaves a field as it is.
type PermissionSetUpdate struct {
	Description     *string
	SessionDuration *string
	RelayState      *string
}

// UpdatePermissionSet changes a permission set's description, session
// duration or relay state. A change to the last two leaves the accounts it
// is provisioned to with an outdated permission set.
func (s *Service) UpdatePermissionSet(ctx context.Context, instanceARN, psARN string, u PermissionSetUpdate) error {
	o := ssoOp("UpdatePermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	var checks []error
	if u.Description != nil {
		checks = append(checks, access.ValidateDescription(o.String(), *u.Description))
	}
	if u.SessionDuration != nil {
		checks = append(checks, access.ValidateSessionDuration(o.String(), *u.SessionDuration))
	}
	if u.RelayState != nil {
		checks = append(checks, access.ValidateRelayState(o.String(), *u.RelayState))
	}
	for _, err := range checks {
		if err != nil {
			return s.fail(ctx, c, err)
		}
	}
	return s.changePermissionSet(ctx, c, o, id, func(tx store.Tx, ps *access.PermissionSet) (bool, error) {
		changed := false
		if u.Description != nil {
			ps.Description = *u.Description
		}
		if u.SessionDuration != nil && *u.SessionDuration != "" && *u.SessionDuration != ps.SessionDuration {
			ps.SessionDuration, changed = *u.SessionDuration, true
		}
		if u.RelayState != nil && *u.RelayState != ps.RelayState {
			ps.RelayState, changed = *u.RelayState, true
		}
		return changed, nil
	})
}

// changePermissionSet runs fn on a permission set in a write transaction
// and stores it; when fn reports a change that provisioning must carry, the
// permission set's version moves on, so every account it is provisioned to
// has an outdated one until it is provisioned again.
func (s *Service) changePermissionSet(ctx context.Context, c *call, o op, id string, fn func(tx store.Tx, ps *access.PermissionSet) (bool, error)) error {
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		ps, err := getPermissionSet(ctx, tx, o, c, id)
		if err != nil {
			return err
		}
		changed, err := fn(tx, ps)
		if err != nil {
			return err
		}
		if changed {
			ps.Version++
		}
		ps.UpdatedAt = now.Truncate(time.Microsecond)
		return tx.UpdatePermissionSet(ctx, ps)
	})
}

// DeletePermissionSet deletes a permission set that is neither assigned nor
// provisioned to any account.
func (s *Service) DeletePermissionSet(ctx context.Context, instanceARN, psARN string) error {
	o := ssoOp("DeletePermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		if _, err := getPermissionSet(ctx, tx, o, c, id); err != nil {
			return err
		}
		as, err := tx.ListAssignments(ctx, c.instanceID, store.AssignmentQuery{PermissionSetID: id, Page: store.Page{Limit: 1}})
		if err != nil {
			return err
		}
		if len(as) > 0 {
			return errs.Errorf(errs.Conflict, o.String(), "Permission set %s is assigned in %s; delete its account assignments first.", id, as[0].TargetID)
		}
		ps, err := tx.ListProvisions(ctx, c.instanceID, store.ProvisionQuery{PermissionSetID: id})
		if err != nil {
			return err
		}
		if len(ps) > 0 {
			return errs.Errorf(errs.Conflict, o.String(), "Permission set %s is provisioned to %s.", id, ps[0].TargetID)
		}
		n, err := tx.CountPendingOperations(ctx, c.instanceID, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.Errorf(errs.Conflict, o.String(), "Permission set %s has %d assignment or provisioning requests in progress.", id, n)
		}
		return tx.DeletePermissionSet(ctx, c.instanceID, id)
	})
}

// ListPermissionSets lists the ARNs of the instance's permission sets.
func (s *Service) ListPermissionSets(ctx context.Context, instanceARN string, p PageRequest) ([]string, string, error) {
	o := ssoOp("ListPermissionSets", true)
	c, err := s.beginInstance(ctx, o, instanceARN, "")
	if err != nil {
		return nil, "", err
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var sets []access.PermissionSet
	err = s.read(ctx, c, func(tx store.Tx) (err error) {
		sets, err = tx.ListPermissionSets(ctx, c.instanceID, pg)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	sets, next := nextToken(sets, n, func(ps access.PermissionSet) string { return ps.ID })
	out := make([]string, len(sets))
	for i, ps := range sets {
		out[i] = arn.PermissionSetARN(ps.InstanceID, ps.ID)
	}
	return out, next, nil
}

// PutInlinePolicyToPermissionSet sets the inline policy of a permission set.
func (s *Service) PutInlinePolicyToPermissionSet(ctx context.Context, instanceARN, psARN, document string) error {
	o := ssoOp("PutInlinePolicyToPermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	if err := access.ValidateInlinePolicy(o.String(), document); err != nil {
		return s.fail(ctx, c, err)
	}
	return s.changePermissionSet(ctx, c, o, id, func(_ store.Tx, ps *access.PermissionSet) (bool, error) {
		changed := ps.InlinePolicy != document
		ps.InlinePolicy = document
		return changed, nil
	})
}

// GetInlinePolicyForPermissionSet returns the inline policy of a permission
// set, "" when it has none.
func (s *Service) GetInlinePolicyForPermissionSet(ctx context.Context, instanceARN, psARN string) (string, error) {
	o := ssoOp("GetInlinePolicyForPermissionSet", true)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return "", err
	}
	var doc string
	err = s.lookup(ctx, c, func(tx store.Tx) error {
		ps, err := getPermissionSet(ctx, tx, o, c, id)
		if err == nil {
			doc = ps.InlinePolicy
		}
		return err
	})
	return doc, err
}

// DeleteInlinePolicyFromPermissionSet removes the inline policy of a
// permission set.
func (s *Service) DeleteInlinePolicyFromPermissionSet(ctx context.Context, instanceARN, psARN string) error {
	o := ssoOp("DeleteInlinePolicyFromPermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	return s.changePermissionSet(ctx, c, o, id, func(_ store.Tx, ps *access.PermissionSet) (bool, error) {
		changed := ps.InlinePolicy != ""
		ps.InlinePolicy = ""
		return changed, nil
	})
}

// checkAttachQuota refuses one more attached policy when a permission set
// has the most it may have, AWS managed and customer managed together.
func checkAttachQuota(ctx context.Context, tx store.Tx, o op, instanceID, id string) error {
	mp, err := tx.ListManagedPolicies(ctx, instanceID, id)
	if err != nil {
		return err
	}
	cp, err := tx.ListCustomerPolicyRefs(ctx, instanceID, id)
	if err != nil {
		return err
	}
	if len(mp)+len(cp) >= access.MaxAttachedPolicies {
		return errs.Errorf(errs.QuotaExceeded, o.String(), "A permission set may have at most %d managed policies (AWS managed and customer managed together).", access.MaxAttachedPolicies)
	}
	return nil
}

// AttachManagedPolicyToPermissionSet attaches an AWS managed policy.
func (s *Service) AttachManagedPolicyToPermissionSet(ctx context.Context, instanceARN, psARN, policyARN string) error {
	o := ssoOp("AttachManagedPolicyToPermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	name, err := access.ParseManagedPolicyARN(o.String(), "managedPolicyArn", policyARN)
	if err != nil {
		return s.fail(ctx, c, err)
	}
	return s.changePermissionSet(ctx, c, o, id, func(tx store.Tx, ps *access.PermissionSet) (bool, error) {
		if err := checkAWSManagedPolicy(ctx, tx, o, policyARN); err != nil {
			return false, err
		}
		if err := checkAttachQuota(ctx, tx, o, c.instanceID, id); err != nil {
			return false, err
		}
		err := tx.AddManagedPolicy(ctx, c.instanceID, id, access.ManagedPolicy{ARN: policyARN, Name: name})
		if errors.Is(err, store.ErrConflict) {
			return false, errs.Errorf(errs.Conflict, o.String(), "Managed policy %s is already attached to permission set %s.", policyARN, id)
		}
		return true, err
	})
}

// DetachManagedPolicyFromPermissionSet detaches an AWS managed policy.
func (s *Service) DetachManagedPolicyFromPermissionSet(ctx context.Context, instanceARN, psARN, policyARN string) error {
	o := ssoOp("DetachManagedPolicyFromPermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	if _, err := access.ParseManagedPolicyARN(o.String(), "managedPolicyArn", policyARN); err != nil {
		return s.fail(ctx, c, err)
	}
	return s.changePermissionSet(ctx, c, o, id, func(tx store.Tx, ps *access.PermissionSet) (bool, error) {
		err := tx.RemoveManagedPolicy(ctx, c.instanceID, id, policyARN)
		if errors.Is(err, store.ErrNotFound) {
			return false, errs.Errorf(errs.NotFound, o.String(), "Managed policy %s is not attached to permission set %s.", policyARN, id)
		}
		return true, err
	})
}

// ListManagedPoliciesInPermissionSet lists the AWS managed policies of a
// permission set.
func (s *Service) ListManagedPoliciesInPermissionSet(ctx context.Context, instanceARN, psARN string, p PageRequest) ([]access.ManagedPolicy, string, error) {
	o := ssoOp("ListManagedPoliciesInPermissionSet", true)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return nil, "", err
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var out []access.ManagedPolicy
	err = s.read(ctx, c, func(tx store.Tx) error {
		if _, err := getPermissionSet(ctx, tx, o, c, id); err != nil {
			return err
		}
		all, err := tx.ListManagedPolicies(ctx, c.instanceID, id)
		out = pageOf(all, pg, func(m access.ManagedPolicy) string { return m.ARN })
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, func(m access.ManagedPolicy) string { return m.ARN })
	return out, next, nil
}

func refKey(r access.CustomerPolicyRef) string { return r.Path + "\x00" + r.Name }

// AttachCustomerManagedPolicyReferenceToPermissionSet attaches a reference
// to a customer managed policy, which every account the permission set is
// provisioned to must hold.
func (s *Service) AttachCustomerManagedPolicyReferenceToPermissionSet(ctx context.Context, instanceARN, psARN string, ref access.CustomerPolicyRef) error {
	o := ssoOp("AttachCustomerManagedPolicyReferenceToPermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	ref, err = access.NormalizeCustomerPolicyRef(o.String(), "customerManagedPolicyReference", ref)
	if err != nil {
		return s.fail(ctx, c, err)
	}
	return s.changePermissionSet(ctx, c, o, id, func(tx store.Tx, ps *access.PermissionSet) (bool, error) {
		if err := checkAttachQuota(ctx, tx, o, c.instanceID, id); err != nil {
			return false, err
		}
		err := tx.AddCustomerPolicyRef(ctx, c.instanceID, id, ref)
		if errors.Is(err, store.ErrConflict) {
			return false, errs.Errorf(errs.Conflict, o.String(), "Customer managed policy %s%s is already attached to permission set %s.", ref.Path, ref.Name, id)
		}
		return true, err
	})
}

// DetachCustomerManagedPolicyReferenceFromPermissionSet detaches a reference.
func (s *Service) DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx context.Context, instanceARN, psARN string, ref access.CustomerPolicyRef) error {
	o := ssoOp("DetachCustomerManagedPolicyReferenceFromPermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	ref, err = access.NormalizeCustomerPolicyRef(o.String(), "customerManagedPolicyReference", ref)
	if err != nil {
		return s.fail(ctx, c, err)
	}
	return s.changePermissionSet(ctx, c, o, id, func(tx store.Tx, ps *access.PermissionSet) (bool, error) {
		err := tx.RemoveCustomerPolicyRef(ctx, c.instanceID, id, ref)
		if errors.Is(err, store.ErrNotFound) {
			return false, errs.Errorf(errs.NotFound, o.String(), "Customer managed policy %s%s is not attached to permission set %s.", ref.Path, ref.Name, id)
		}
		return true, err
	})
}

// ListCustomerManagedPolicyReferencesInPermissionSet lists the customer
// managed policy references of a permission set.
func (s *Service) ListCustomerManagedPolicyReferencesInPermissionSet(ctx context.Context, instanceARN, psARN string, p PageRequest) ([]access.CustomerPolicyRef, string, error) {
	o := ssoOp("ListCustomerManagedPolicyReferencesInPermissionSet", true)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return nil, "", err
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var out []access.CustomerPolicyRef
	err = s.read(ctx, c, func(tx store.Tx) error {
		if _, err := getPermissionSet(ctx, tx, o, c, id); err != nil {
			return err
		}
		all, err := tx.ListCustomerPolicyRefs(ctx, c.instanceID, id)
		out = pageOf(all, pg, refKey)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, refKey)
	return out, next, nil
}

// PutPermissionsBoundaryToPermissionSet sets the permissions boundary of a
// permission set, replacing the one it has.
func (s *Service) PutPermissionsBoundaryToPermissionSet(ctx context.Context, instanceARN, psARN string, b access.Boundary) error {
	o := ssoOp("PutPermissionsBoundaryToPermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	b, err = access.NormalizeBoundary(o.String(), b)
	if err != nil {
		return s.fail(ctx, c, err)
	}
	return s.changePermissionSet(ctx, c, o, id, func(tx store.Tx, ps *access.PermissionSet) (bool, error) {
		if b.ManagedPolicyARN != "" {
			if err := checkAWSManagedPolicy(ctx, tx, o, b.ManagedPolicyARN); err != nil {
				return false, err
			}
		}
		ps.Boundary = &b
		return true, nil
	})
}

// GetPermissionsBoundaryForPermissionSet returns the permissions boundary
// of a permission set.
func (s *Service) GetPermissionsBoundaryForPermissionSet(ctx context.Context, instanceARN, psARN string) (*access.Boundary, error) {
	o := ssoOp("GetPermissionsBoundaryForPermissionSet", true)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	var b *access.Boundary
	err = s.lookup(ctx, c, func(tx store.Tx) error {
		ps, err := getPermissionSet(ctx, tx, o, c, id)
		if err != nil {
			return err
		}
		if ps.Boundary == nil {
			return boundaryNotFound(o, id)
		}
		b = ps.Boundary
		return nil
	})
	return b, err
}

func boundaryNotFound(o op, id string) error {
	return errs.Errorf(errs.NotFound, o.String(), "Permission set %s has no permissions boundary.", id)
}

// DeletePermissionsBoundaryFromPermissionSet removes the permissions
// boundary of a permission set.
func (s *Service) DeletePermissionsBoundaryFromPermissionSet(ctx context.Context, instanceARN, psARN string) error {
	o := ssoOp("DeletePermissionsBoundaryFromPermissionSet", false)
	c, id, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return err
	}
	return s.changePermissionSet(ctx, c, o, id, func(_ store.Tx, ps *access.PermissionSet) (bool, error) {
		if ps.Boundary == nil {
			return false, boundaryNotFound(o, id)
		}
		ps.Boundary = nil
		return true, nil
	})
}

// taggable returns the id of a taggable resource of the call's instance:
// the instance itself or one of its permission sets.
func taggable(ctx context.Context, tx store.Tx, o op, c *call, resourceARN string) (string, error) {
	if id, ok := arn.ParseInstanceARN(resourceARN); ok {
		if id != c.instanceID {
			return "", errs.Errorf(errs.NotFound, o.String(), "Could not find resource %s.", resourceARN)
		}
		return id, nil
	}
	inst, id, ok := arn.ParsePermissionSetARN(resourceARN)
	if !ok {
		return "", access.Violation(o.String(), "resourceArn", "Member must be the ARN of an instance or of a permission set")
	}
	if inst != c.instanceID {
		return "", permissionSetNotFound(o, id)
	}
	if _, err := getPermissionSet(ctx, tx, o, c, id); err != nil {
		return "", err
	}
	return id, nil
}

// checkOptionalInstance checks the instance ARN of the tag operations,
// which the newer model makes optional.
func checkOptionalInstance(o op, c *call, instanceARN string) error {
	if instanceARN == "" {
		return nil
	}
	return checkInstance(o, c, instanceARN)
}

// TagResource adds tags to a permission set or the instance.
func (s *Service) TagResource(ctx context.Context, instanceARN, resourceARN string, tags []access.Tag) error {
	o := ssoOp("TagResource", false)
	c, err := s.begin(ctx, o, resourceARN)
	if err != nil {
		return err
	}
	if err := checkOptionalInstance(o, c, instanceARN); err != nil {
		return s.fail(ctx, c, err)
	}
	if err := access.ValidateTags(o.String(), tags); err != nil {
		return s.fail(ctx, c, err)
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		id, err := taggable(ctx, tx, o, c, resourceARN)
		if err != nil {
			return err
		}
		have, err := tx.ListTags(ctx, c.instanceID, id)
		if err != nil {
			return err
		}
		if n := len(access.MergeTags(have, tags)); n > access.MaxTags {
			return errs.Errorf(errs.QuotaExceeded, o.String(), "A resource may have at most %d tags; this request would give it %d.", access.MaxTags, n)
		}
		return tx.PutTags(ctx, c.instanceID, id, tags)
	})
}

// UntagResource removes tags from a permission set or the instance; keys
// it does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, instanceARN, resourceARN string, keys []string) error {
	o := ssoOp("UntagResource", false)
	c, err := s.begin(ctx, o, resourceARN)
	if err != nil {
		return err
	}
	if err := checkOptionalInstance(o, c, instanceARN); err != nil {
		return s.fail(ctx, c, err)
	}
	if err := access.ValidateTagKeys(o.String(), keys); err != nil {
		return s.fail(ctx, c, err)
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		id, err := taggable(ctx, tx, o, c, resourceARN)
		if err != nil {
			return err
		}
		return tx.RemoveTags(ctx, c.instanceID, id, keys)
	})
}

// ListTagsForResource lists the tags of a permission set or the instance.
func (s *Service) ListTagsForResource(ctx context.Context, instanceARN, resourceARN string, p PageRequest) ([]access.Tag, string, error) {
	o := ssoOp("ListTagsForResource", true)
	c, err := s.begin(ctx, o, resourceARN)
	if err != nil {
		return nil, "", err
	}
	if err := checkOptionalInstance(o, c, instanceARN); err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	pg, n, err := o.page(p, 50, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var out []access.Tag
	err = s.read(ctx, c, func(tx store.Tx) error {
		id, err := taggable(ctx, tx, o, c, resourceARN)
		if err != nil {
			return err
		}
		all, err := tx.ListTags(ctx, c.instanceID, id)
		out = pageOf(all, pg, func(t access.Tag) string { return t.Key })
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, func(t access.Tag) string { return t.Key })
	return out, next, nil
}

// UpdateInstance renames the caller's instance.
func (s *Service) UpdateInstance(ctx context.Context, instanceARN string, name *string) error {
	o := ssoOp("UpdateInstance", false)
	c, err := s.beginInstance(ctx, o, instanceARN, "")
	if err != nil {
		return err
	}
	if name != nil {
		if err := access.ValidateInstanceName(o.String(), *name); err != nil {
			return s.fail(ctx, c, err)
		}
	}
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		if name == nil {
			return nil
		}
		if err := tx.UpdateInstanceName(ctx, c.instanceID, *name); err != nil {
			return fmt.Errorf("renaming the instance: %w", err)
		}
		return nil
	})
	s.instances.Delete(c.instanceID) // the cached copy has the old name
	return err
}
