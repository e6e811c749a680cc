package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/policy"
	"github.com/atriumhq/atrium/internal/store"
)

// The roles that provisioning makes: each permission set provisioned to
// an account (directly, or through an organizational unit above it) has
// its role there, AWSReservedSSO_<name>_<16 hex> under
// /aws-reserved/sso.amazonaws.com/, and loses it when it no longer
// reaches the account.

// syncRoles brings the roles of accounts in line with the permission
// sets provisioned to them now: it records the missing ones and deletes
// those whose permission set no longer reaches the account (or whose
// account left the organization).
func (s *Service) syncRoles(ctx context.Context, tx store.Tx, instanceID string, accounts []string, now time.Time) error {
	for _, acct := range accounts {
		if err := s.syncAccountRoles(ctx, tx, instanceID, acct, now); err != nil {
			return fmt.Errorf("the roles of account %s: %w", acct, err)
		}
	}
	return nil
}

func (s *Service) syncAccountRoles(ctx context.Context, tx store.Tx, instanceID, accountID string, now time.Time) error {
	var want []*access.PermissionSet
	_, err := tx.GetAccount(ctx, instanceID, accountID)
	switch {
	case errors.Is(err, store.ErrNotFound): // the account left: no roles
	case err != nil:
		return err
	default:
		if want, err = provisionedSets(ctx, tx, instanceID, accountID); err != nil {
			return err
		}
	}
	have := map[string]bool{}
	for page := (store.Page{Limit: 1000}); ; {
		rs, err := tx.ListRoles(ctx, instanceID, accountID, page)
		if err != nil {
			return err
		}
		for _, r := range rs {
			have[r.PermissionSetID] = true
		}
		if len(rs) < page.Limit {
			break
		}
		page.After = rs[len(rs)-1].Name
	}
	for _, ps := range want {
		if have[ps.ID] {
			delete(have, ps.ID)
			continue
		}
		r := &access.Role{InstanceID: instanceID, AccountID: accountID, PermissionSetID: ps.ID,
			Name: access.RoleName(s.keys.RoleKey(), instanceID, ps.ID, ps.Name, accountID), RoleID: s.ids.RoleID(),
			Path: access.RolePath(s.region), CreatedAt: now}
		if err := tx.PutRole(ctx, r); err != nil {
			return err
		}
	}
	for psID := range have {
		if err := tx.DeleteRole(ctx, instanceID, accountID, psID); err != nil {
			return err
		}
	}
	return nil
}

// operationAccounts returns the accounts whose roles an operation may have
// changed: its target account, or the accounts under its target OU, or
// every account its permission set is provisioned to.
func operationAccounts(ctx context.Context, tx store.Tx, op *access.Operation) ([]string, error) {
	switch op.TargetType {
	case access.TargetAccount:
		return []string{op.TargetID}, nil
	case access.TargetOrganizationalUnit:
		return accountsUnder(ctx, tx, op.InstanceID, op.TargetID)
	}
	provs, err := tx.ListProvisions(ctx, op.InstanceID, store.ProvisionQuery{PermissionSetID: op.PermissionSetID})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range provs {
		if p.TargetType != access.TargetOrganizationalUnit {
			out = append(out, p.TargetID)
			continue
		}
		under, err := accountsUnder(ctx, tx, op.InstanceID, p.TargetID)
		if err != nil {
			return nil, err
		}
		out = append(out, under...)
	}
	return out, nil
}

// Role is an IAM role as IAM describes it.
type Role struct {
	access.Role
	ARN                      string
	AssumeRolePolicyDocument string // JSON
	MaxSessionDuration       int    // seconds
	BoundaryARN              string // "" when none
}

func (s *Service) roleView(r *access.Role, ps *access.PermissionSet) Role {
	out := Role{Role: *r, ARN: r.ARN(), MaxSessionDuration: 3600}
	out.AssumeRolePolicyDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + r.AccountID +
		`:saml-provider/` + access.SAMLProviderName(s.keys.RoleKey(), r.InstanceID) + `"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],` +
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	if ps == nil {
		return out
	}
	if d, err := access.SessionDuration(ps.SessionDuration); err == nil {
		out.MaxSessionDuration = int(d / time.Second)
	}
	if b := ps.Boundary; b != nil {
		if b.ManagedPolicyARN != "" {
			out.BoundaryARN = b.ManagedPolicyARN
		} else if b.CustomerPolicy != nil {
			out.BoundaryARN = access.CustomerPolicyARN(r.AccountID, b.CustomerPolicy.Path, b.CustomerPolicy.Name)
		}
	}
	return out
}

var roleNameMax = 64

// IAMGetRole is iam:GetRole, for the roles provisioning made in the
// caller's account.
func (s *Service) IAMGetRole(ctx context.Context, name string) (*Role, error) {
	o := iamOp("GetRole", true)
	c, err := s.begin(ctx, o, "arn:aws:iam::"+callerAccount(ctx)+":role/"+name)
	if err != nil {
		return nil, err
	}
	if name == "" || len(name) > roleNameMax {
		err = access.ValidationError(o.String(), "1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must have length between 1 and %d", truncateText(name, 64), roleNameMax)
	} else if access.ValidateIAMPolicyName(o.String(), "roleName", name) != nil {
		err = access.ValidationError(o.String(), "The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-")
	}
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var out *Role
	err = s.lookup(ctx, c, func(tx store.Tx) error {
		r, err := tx.GetRole(ctx, c.instanceID, c.accountID, name)
		if errors.Is(err, store.ErrNotFound) {
			return errs.Errorf(errs.NotFound, o.String(), "The role with name %s cannot be found.", name).WithCode("NoSuchEntityException")
		}
		if err != nil {
			return err
		}
		ps, err := tx.GetPermissionSet(ctx, c.instanceID, r.PermissionSetID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		v := s.roleView(r, ps)
		out = &v
		return nil
	})
	return out, err
}

// RolePage is a page of ListRoles.
type RolePage struct {
	Roles       []Role
	IsTruncated bool
	Marker      string
}

// IAMListRoles is iam:ListRoles: the roles of the caller's account whose
// path begins with pathPrefix, by name.
func (s *Service) IAMListRoles(ctx context.Context, pathPrefix, marker string, maxItems *int) (*RolePage, error) {
	o := iamOp("ListRoles", true)
	c, err := s.begin(ctx, o, "*")
	if err != nil {
		return nil, err
	}
	if pathPrefix == "" {
		pathPrefix = "/"
	}
	n, err := checkMaxItems(o, maxItems)
	if err == nil {
		err = access.ValidateIAMPathPrefix(o.String(), "pathPrefix", pathPrefix)
	}
	after, bad := decodeMarker(marker)
	if err == nil && bad {
		err = iamInvalid(o, "Invalid Marker.")
	}
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	out := &RolePage{}
	err = s.read(ctx, c, func(tx store.Tx) error {
		sets := map[string]*access.PermissionSet{}
		for page := (store.Page{After: after, Limit: 500}); len(out.Roles) <= n; {
			rs, err := tx.ListRoles(ctx, c.instanceID, c.accountID, page)
			if err != nil {
				return err
			}
			for i := range rs {
				if !strings.HasPrefix(rs[i].Path, pathPrefix) {
					continue
				}
				ps, ok := sets[rs[i].PermissionSetID]
				if !ok {
					if ps, err = tx.GetPermissionSet(ctx, c.instanceID, rs[i].PermissionSetID); err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
					sets[rs[i].PermissionSetID] = ps
				}
				out.Roles = append(out.Roles, s.roleView(&rs[i], ps))
			}
			if len(rs) < page.Limit {
				break
			}
			page.After = rs[len(rs)-1].Name
		}
		if len(out.Roles) > n {
			out.Roles = out.Roles[:n]
			out.IsTruncated, out.Marker = true, encodeMarker(out.Roles[n-1].Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RolePolicies are the policies of the role a permission set gives in an
// account, compiled: its inline policy, its AWS managed policies, its
// customer managed policies as the account holds them, and its
// permissions boundary.
type RolePolicies struct {
	InstanceID      string
	PermissionSetID string
	AccountID       string
	RoleName        string
	RoleARN         string
	// Provisioned reports whether the permission set reaches the account
	// now (directly or through an organizational unit), so that the role
	// exists.
	Provisioned bool
	Inline      *policy.Policy   // nil when none; named "inline"
	Managed     []*policy.Policy // named by their ARNs
	Customer    []*policy.Policy // named by their ARNs in the account
	Boundary    *policy.Policy   // nil when none; named by its ARN
	// Missing names the policies that could not be resolved: the catalog
	// or the account lacks them. A missing policy grants nothing; a
	// missing boundary denies everything.
	Missing []string
}

// Set is the policy set a session of the role is evaluated against.
func (r *RolePolicies) Set() *policy.Set {
	set := &policy.Set{Boundary: r.Boundary}
	if r.Inline != nil {
		set.Identity = append(set.Identity, r.Inline)
	}
	set.Identity = append(set.Identity, r.Managed...)
	set.Identity = append(set.Identity, r.Customer...)
	return set
}

// denyAll is the boundary of a role whose boundary policy is missing.
var denyAll = policy.MustCompile("missing-boundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)

// RolePolicies returns the compiled policies of the role of a permission
// set in an account. It serves the effective-access index and credential
// issue, not a caller: it authorizes nothing and is not audited.
func (s *Service) RolePolicies(ctx context.Context, instanceID, permissionSetID, accountID string) (*RolePolicies, error) {
	var out *RolePolicies
	err := s.store.Read(ctx, func(tx store.Tx) (err error) {
		out, err = s.RolePoliciesIn(ctx, tx, instanceID, permissionSetID, accountID)
		return err
	})
	return out, err
}

// RolePoliciesIn is RolePolicies within a transaction of the caller's.
func (s *Service) RolePoliciesIn(ctx context.Context, tx store.Tx, instanceID, permissionSetID, accountID string) (*RolePolicies, error) {
	const opName = "service.RolePolicies"
	ps, err := tx.GetPermissionSet(ctx, instanceID, permissionSetID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errs.Errorf(errs.NotFound, opName, "Could not find PermissionSet with id %s", permissionSetID)
	}
	if err != nil {
		return nil, err
	}
	out := &RolePolicies{InstanceID: instanceID, PermissionSetID: ps.ID, AccountID: accountID,
		RoleName: access.RoleName(s.keys.RoleKey(), instanceID, ps.ID, ps.Name, accountID)}
	out.RoleARN = (&access.Role{AccountID: accountID, Path: access.RolePath(s.region), Name: out.RoleName}).ARN()
	sets, err := provisionedSets(ctx, tx, instanceID, accountID)
	if err != nil {
		return nil, err
	}
	for _, p := range sets {
		out.Provisioned = out.Provisioned || p.ID == ps.ID
	}
	compile := func(name, doc string) *policy.Policy {
		d, err := policy.ParseString(doc)
		if err != nil {
			return nil
		}
		p, err := policy.Compile(name, d)
		if err != nil {
			return nil
		}
		return p
	}
	if ps.InlinePolicy != "" {
		if out.Inline = compile("inline", ps.InlinePolicy); out.Inline == nil {
			out.Missing = append(out.Missing, "inline")
		}
	}
	managed := func(arn string) *policy.Policy {
		m, err := tx.GetAWSManagedPolicy(ctx, arn)
		if err != nil {
			return nil
		}
		return compile(arn, m.Document)
	}
	customer := func(r access.CustomerPolicyRef) (*policy.Policy, string) {
		arn := access.CustomerPolicyARN(accountID, r.Path, r.Name)
		cp, err := tx.GetCustomerManagedPolicy(ctx, instanceID, accountID, r.Name)
		if err != nil || cp.Path != r.Path {
			return nil, arn
		}
		return compile(arn, cp.Document), arn
	}
	mps, err := tx.ListManagedPolicies(ctx, instanceID, ps.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range mps {
		if p := managed(m.ARN); p != nil {
			out.Managed = append(out.Managed, p)
		} else {
			out.Missing = append(out.Missing, m.ARN)
		}
	}
	refs, err := tx.ListCustomerPolicyRefs(ctx, instanceID, ps.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		if p, arn := customer(r); p != nil {
			out.Customer = append(out.Customer, p)
		} else {
			out.Missing = append(out.Missing, arn)
		}
	}
	if b := ps.Boundary; b != nil {
		arn := b.ManagedPolicyARN
		if arn != "" {
			out.Boundary = managed(arn)
		} else if b.CustomerPolicy != nil {
			out.Boundary, arn = customer(*b.CustomerPolicy)
		}
		if out.Boundary == nil {
			out.Boundary = denyAll
			out.Missing = append(out.Missing, arn)
		}
	}
	return out, nil
}

// touch notes accounts whose roles the batch's operations may have changed.
func (bc *batchCache) touch(instanceID string, accounts ...string) {
	if bc.touched == nil {
		bc.touched = map[string]map[string]bool{}
	}
	if bc.touched[instanceID] == nil {
		bc.touched[instanceID] = map[string]bool{}
	}
	for _, a := range accounts {
		bc.touched[instanceID][a] = true
	}
}

// ensureRole notes that the role of a permission set in an account must
// exist.
func (bc *batchCache) ensureRole(instanceID, accountID string, ps *access.PermissionSet) {
	if bc.ensured == nil {
		bc.ensured = map[[3]string]*access.PermissionSet{}
	}
	bc.ensured[[3]string{instanceID, accountID, ps.ID}] = ps
}

// syncTouched syncs the roles of the accounts the batch touched, and
// records the roles it ensured that are missing.
func (s *Service) syncTouched(ctx context.Context, tx store.Tx, bc *batchCache, now time.Time) error {
	keys := make([][3]string, 0, len(bc.ensured))
	for k := range bc.ensured {
		if !bc.touched[k[0]][k[1]] { // a whole sync of the account covers it
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b [3]string) int { return slices.Compare(a[:], b[:]) })
	for _, k := range keys {
		ps := bc.ensured[k]
		r := &access.Role{InstanceID: k[0], AccountID: k[1], PermissionSetID: ps.ID,
			Name: access.RoleName(s.keys.RoleKey(), k[0], ps.ID, ps.Name, k[1]), RoleID: s.ids.RoleID(),
			Path: access.RolePath(s.region), CreatedAt: now}
		if err := tx.PutRole(ctx, r); err != nil && !errors.Is(err, store.ErrConflict) { // an existing one stays
			return fmt.Errorf("the roles of account %s: %w", k[1], err)
		}
	}
	bc.ensured = nil
	for inst, accts := range bc.touched {
		list := make([]string, 0, len(accts))
		for a := range accts {
			list = append(list, a)
		}
		slices.Sort(list)
		if err := s.syncRoles(ctx, tx, inst, list, now); err != nil {
			return err
		}
	}
	bc.touched = nil
	return nil
}
