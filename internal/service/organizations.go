package service

import (
	"context"
	"errors"
	"time"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/store"
)

// SourceOrganizations is the event source of the organizations operations.
const SourceOrganizations = "organizations.amazonaws.com"

func orgOp(name string, readOnly bool) op {
	return op{source: SourceOrganizations, name: name, action: "organizations:" + name, readOnly: readOnly}
}

// orgPageSize is the largest page of every organizations listing.
const orgPageSize = 20

// orgCall is a running organizations operation on the caller's organization.
type orgCall struct {
	*call
	org *org.Organization
}

// orgResource names the resource an operation is authorized on, from the
// caller's organization, in a read transaction.
type orgResource func(ctx context.Context, tx store.Tx, g *org.Organization) string

// beginOrg authorizes an organizations operation on the resource that res
// names ("*" when res is nil) and loads the caller's organization.
func (s *Service) beginOrg(ctx context.Context, o op, res orgResource) (*orgCall, error) {
	var g *org.Organization
	var gerr error
	resource := "*"
	if caller := reqctx.CallerFrom(ctx); caller != nil {
		gerr = s.store.Read(ctx, func(tx store.Tx) error {
			var err error
			if g, err = tx.GetOrganization(ctx, caller.InstanceID); err != nil {
				return err
			}
			if res != nil {
				resource = res(ctx, tx, g)
			}
			return nil
		})
	}
	c, err := s.begin(ctx, o, resource)
	if err != nil {
		return nil, err
	}
	switch {
	case errors.Is(gerr, store.ErrNotFound):
		return nil, s.fail(ctx, c, org.Error(errs.NotFound, o.String(), "AWSOrganizationsNotInUseException",
			"Your account is not a member of an organization."))
	case gerr != nil:
		return nil, s.fail(ctx, c, mapStoreErr(o, gerr))
	}
	return &orgCall{call: c, org: g}, nil
}

// writeOrg runs a mutation of the organization: fn under the organization's
// lock, with its audit event.
func (s *Service) writeOrg(ctx context.Context, c *orgCall, fn func(tx store.Tx, now time.Time) error) error {
	return s.write(ctx, c.call, func(tx store.Tx, now time.Time) error {
		if err := tx.LockOrganization(ctx, c.instanceID); err != nil {
			return err
		}
		return fn(tx, now.Truncate(time.Microsecond))
	})
}

// Resource names of the organizations operations.

func accountResource(id string) orgResource {
	return func(_ context.Context, _ store.Tx, g *org.Organization) string {
		return arn.OrgAccountARN(g.ManagementAccountID, g.ID, id)
	}
}

func ouResource(id string) orgResource {
	return func(_ context.Context, _ store.Tx, g *org.Organization) string {
		return arn.OrgUnitARN(g.ManagementAccountID, g.ID, id)
	}
}

func rootResource(id string) orgResource {
	return func(_ context.Context, _ store.Tx, g *org.Organization) string {
		return arn.OrgRootARN(g.ManagementAccountID, g.ID, id)
	}
}

// targetResource names a root, OU, account or policy by the shape of its id.
func targetResource(id string) orgResource {
	return func(ctx context.Context, tx store.Tx, g *org.Organization) string {
		switch org.TargetType(id) {
		case org.TypeRoot:
			return arn.OrgRootARN(g.ManagementAccountID, g.ID, id)
		case org.TypeOrganizationalUnit:
			return arn.OrgUnitARN(g.ManagementAccountID, g.ID, id)
		case org.TypeAccount:
			return arn.OrgAccountARN(g.ManagementAccountID, g.ID, id)
		}
		if org.CheckID("", "", id, org.PolicyID) == nil {
			return policyResource(id)(ctx, tx, g)
		}
		return "*"
	}
}

func policyResource(id string) orgResource {
	return func(ctx context.Context, tx store.Tx, g *org.Organization) string {
		typ := org.ServiceControlPolicy
		if p, err := tx.GetOrgPolicy(ctx, g.InstanceID, id); err == nil {
			typ = p.Type
			if p.AWSManaged {
				return arn.AWSManagedOrgPolicyARN(typ, id)
			}
		}
		return arn.OrgPolicyARN(g.ManagementAccountID, g.ID, typ, id)
	}
}

// Errors of the organizations model, with AWS's messages.

func orgNotFound(o op, code, msg string) error {
	return org.Error(errs.NotFound, o.String(), code, msg)
}

func orgConflict(o op, code, msg string) error {
	return org.Error(errs.Conflict, o.String(), code, msg)
}

func accountNotFound(o op) error {
	return orgNotFound(o, "AccountNotFoundException", "You specified an account that doesn't exist.")
}

func parentNotFound(o op) error {
	return orgNotFound(o, "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
}

func ouNotFound(o op) error {
	return orgNotFound(o, "OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
}

func targetNotFound(o op) error {
	return orgNotFound(o, "TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
}

func policyNotFound(o op) error {
	return orgNotFound(o, "PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
}

// orgPage decodes a paging request of an organizations listing.
func (o op) orgPage(p PageRequest) (store.Page, int, error) {
	switch {
	case p.MaxResults < 0:
		return store.Page{}, 0, org.InvalidInput(o.String(), "MIN_VALUE_EXCEEDED", "You provided a value for MaxResults that is less than the minimum of 1.")
	case p.MaxResults > orgPageSize:
		return store.Page{}, 0, org.InvalidInput(o.String(), "MAX_VALUE_EXCEEDED", "You provided a value for MaxResults that exceeds the maximum of 20.")
	}
	pg, n, err := o.page(p, orgPageSize, orgPageSize)
	if err != nil {
		return store.Page{}, 0, org.InvalidInput(o.String(), "INVALID_NEXT_TOKEN", "The NextToken that you specified isn't valid.")
	}
	return pg, n, nil
}

// Views: the organization's resources as the API shows them, with ARNs.

// Organization is the caller's organization as DescribeOrganization shows it.
type Organization struct {
	org.Organization
	ARN                  string
	ManagementAccountARN string
	PolicyTypes          []org.PolicyTypeSummary // enabled on the root
}

// OrgRoot is a root with its ARN and enabled policy types.
type OrgRoot struct {
	org.Root
	ARN string
}

// OrgAccount is an account with its ARN and its path from the organization.
type OrgAccount struct {
	org.Account
	ARN   string
	Paths []string
}

// OrgUnit is an organizational unit with its ARN and path.
type OrgUnit struct {
	org.OrganizationalUnit
	ARN  string
	Path string
}

// OrgPolicy is a policy with its ARN.
type OrgPolicy struct {
	org.Policy
	ARN string
}

// OrgPolicyTarget is a root, OU or account a policy is attached to.
type OrgPolicyTarget struct {
	TargetID string
	ARN      string
	Name     string
	Type     string
}

// OrgRelative is a parent or child in the tree: its id and type.
type OrgRelative struct {
	ID   string
	Type string
}

func (s *Service) accountView(ctx context.Context, tx store.Tx, g *org.Organization, a *org.Account) (OrgAccount, error) {
	path, err := tx.AccountParentPath(ctx, g.InstanceID, a.ID)
	if err != nil {
		return OrgAccount{}, err
	}
	return OrgAccount{Account: *a, ARN: arn.OrgAccountARN(g.ManagementAccountID, g.ID, a.ID), Paths: []string{org.Path(g.ID, path, a.ID)}}, nil
}

func (s *Service) accountViews(ctx context.Context, tx store.Tx, g *org.Organization, as []org.Account) ([]OrgAccount, error) {
	out := make([]OrgAccount, 0, len(as))
	for i := range as {
		v, err := s.accountView(ctx, tx, g, &as[i])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) ouView(ctx context.Context, tx store.Tx, g *org.Organization, u *org.OrganizationalUnit) (OrgUnit, error) {
	path, err := tx.OrganizationalUnitParentPath(ctx, g.InstanceID, u.ID)
	if err != nil {
		return OrgUnit{}, err
	}
	return OrgUnit{OrganizationalUnit: *u, ARN: arn.OrgUnitARN(g.ManagementAccountID, g.ID, u.ID), Path: org.Path(g.ID, path, u.ID)}, nil
}

func policyView(g *org.Organization, p *org.Policy) OrgPolicy {
	if p.AWSManaged {
		return OrgPolicy{Policy: *p, ARN: arn.AWSManagedOrgPolicyARN(p.Type, p.ID)}
	}
	return OrgPolicy{Policy: *p, ARN: arn.OrgPolicyARN(g.ManagementAccountID, g.ID, p.Type, p.ID)}
}

func rootView(ctx context.Context, tx store.Tx, g *org.Organization) (OrgRoot, error) {
	types, err := tx.ListPolicyTypes(ctx, g.InstanceID)
	if err != nil {
		return OrgRoot{}, err
	}
	return OrgRoot{Root: org.Root{ID: g.RootID, Name: org.RootName, PolicyTypes: types}, ARN: arn.OrgRootARN(g.ManagementAccountID, g.ID, g.RootID)}, nil
}

// parentExists reports whether id is the root or an OU of the organization.
func parentExists(ctx context.Context, tx store.Tx, g *org.Organization, id string) (bool, error) {
	if id == g.RootID {
		return true, nil
	}
	if org.TargetType(id) != org.TypeOrganizationalUnit {
		return false, nil
	}
	_, err := tx.GetOrganizationalUnit(ctx, g.InstanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// DescribeOrganization returns the caller's organization.
func (s *Service) DescribeOrganization(ctx context.Context) (*Organization, error) {
	o := orgOp("DescribeOrganization", true)
	c, err := s.beginOrg(ctx, o, nil)
	if err != nil {
		return nil, err
	}
	g := c.org
	out := &Organization{Organization: *g, ARN: arn.OrganizationARN(g.ManagementAccountID, g.ID),
		ManagementAccountARN: arn.OrgAccountARN(g.ManagementAccountID, g.ID, g.ManagementAccountID)}
	err = s.lookup(ctx, c.call, func(tx store.Tx) (err error) {
		out.PolicyTypes, err = tx.ListPolicyTypes(ctx, c.instanceID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListRoots lists the organization's root.
func (s *Service) ListRoots(ctx context.Context, p PageRequest) ([]OrgRoot, string, error) {
	o := orgOp("ListRoots", true)
	c, err := s.beginOrg(ctx, o, nil)
	if err != nil {
		return nil, "", err
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var roots []OrgRoot
	err = s.read(ctx, c.call, func(tx store.Tx) error {
		if c.org.RootID <= pg.After {
			return nil
		}
		r, err := rootView(ctx, tx, c.org)
		roots = append(roots, r)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	roots, next := nextToken(roots, n, func(r OrgRoot) string { return r.ID })
	return roots, next, nil
}

// resourceExists reports whether id (a root, OU, account or policy of
// the organization) exists, for the tagging operations.
func resourceExists(ctx context.Context, tx store.Tx, g *org.Organization, id string) (bool, error) {
	var err error
	switch org.TargetType(id) {
	case org.TypeRoot:
		return id == g.RootID, nil
	case org.TypeOrganizationalUnit:
		_, err = tx.GetOrganizationalUnit(ctx, g.InstanceID, id)
	case org.TypeAccount:
		_, err = tx.GetAccount(ctx, g.InstanceID, id)
	default:
		_, err = tx.GetOrgPolicy(ctx, g.InstanceID, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// OrgTagResource is organizations:TagResource: it adds tags to a root, OU, account or policy, replacing the
// values of keys it has.
func (s *Service) OrgTagResource(ctx context.Context, resourceID string, tags []org.Tag) error {
	o := orgOp("TagResource", false)
	c, err := s.beginOrg(ctx, o, targetResource(resourceID))
	if err != nil {
		return err
	}
	if err := org.CheckID(o.String(), "ResourceId", resourceID, org.TaggableID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	if tags == nil {
		return s.fail(ctx, c.call, org.InvalidInput(o.String(), "INPUT_REQUIRED", "You must specify a value for Tags."))
	}
	if err := org.CheckTags(o.String(), tags); err != nil {
		return s.fail(ctx, c.call, err)
	}
	return s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		if ok, err := resourceExists(ctx, tx, c.org, resourceID); err != nil || !ok {
			return orNotFound(err, targetNotFound(o))
		}
		if err := tx.SetOrgTags(ctx, c.instanceID, resourceID, tags); err != nil {
			return err
		}
		have, err := tx.ListOrgTags(ctx, c.instanceID, resourceID, store.Page{Limit: org.MaxTags + 1})
		if err != nil {
			return err
		}
		if len(have) > org.MaxTags {
			return org.ConstraintViolation(o.String(), "MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the maximum number of tags allowed on this resource.")
		}
		return nil
	})
}

// OrgUntagResource is organizations:UntagResource: it removes tags by key; keys the resource lacks are ignored.
func (s *Service) OrgUntagResource(ctx context.Context, resourceID string, keys []string) error {
	o := orgOp("UntagResource", false)
	c, err := s.beginOrg(ctx, o, targetResource(resourceID))
	if err != nil {
		return err
	}
	if err := org.CheckID(o.String(), "ResourceId", resourceID, org.TaggableID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	if keys == nil {
		return s.fail(ctx, c.call, org.InvalidInput(o.String(), "INPUT_REQUIRED", "You must specify a value for TagKeys."))
	}
	for _, k := range keys {
		if err := org.CheckTagKey(o.String(), k); err != nil {
			return s.fail(ctx, c.call, err)
		}
	}
	return s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		if ok, err := resourceExists(ctx, tx, c.org, resourceID); err != nil || !ok {
			return orNotFound(err, targetNotFound(o))
		}
		return tx.DeleteOrgTags(ctx, c.instanceID, resourceID, keys)
	})
}

// OrgListTagsForResource is organizations:ListTagsForResource: it lists a resource's tags by key.
func (s *Service) OrgListTagsForResource(ctx context.Context, resourceID, token string) ([]org.Tag, string, error) {
	o := orgOp("ListTagsForResource", true)
	c, err := s.beginOrg(ctx, o, targetResource(resourceID))
	if err != nil {
		return nil, "", err
	}
	if err := org.CheckID(o.String(), "ResourceId", resourceID, org.TaggableID); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	pg, n, err := o.orgPage(PageRequest{NextToken: token})
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var tags []org.Tag
	err = s.read(ctx, c.call, func(tx store.Tx) error {
		if ok, err := resourceExists(ctx, tx, c.org, resourceID); err != nil || !ok {
			return orNotFound(err, targetNotFound(o))
		}
		var err error
		tags, err = tx.ListOrgTags(ctx, c.instanceID, resourceID, pg)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	tags, next := nextToken(tags, n, func(t org.Tag) string { return t.Key })
	return tags, next, nil
}

// orNotFound returns err, or notFound when err is nil (the thing is absent).
func orNotFound(err, notFound error) error {
	if err != nil {
		return err
	}
	return notFound
}
