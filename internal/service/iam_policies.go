package service

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/store"
)

// IAM managed policies of the caller's account: the customer managed
// policies it creates (which the customer managed policy references of
// permission sets resolve to), and the AWS managed policies of the
// catalog, which every account sees.

// IAM quotas of managed policies.
const (
	maxCustomerPoliciesPerAccount = 1500
	maxPolicyTags                 = 50
	defaultPolicyMaxItems         = 100
	maxPolicyMaxItems             = 1000
)

// IAMPolicy is a managed policy as IAM describes it.
type IAMPolicy struct {
	ARN              string
	PolicyID         string
	Name             string
	Path             string
	Description      string
	DefaultVersionID string
	// AttachmentCount counts the roles of the caller's account the policy
	// is attached to; BoundaryUsageCount those it bounds.
	AttachmentCount    int
	BoundaryUsageCount int
	AWSManaged         bool
	CreateDate         time.Time
	UpdateDate         time.Time
	Tags               []access.Tag
	document           string
}

// PolicyVersion is a version of a managed policy.
type PolicyVersion struct {
	Document   string // JSON, as stored; the adapter encodes it
	VersionID  string
	IsDefault  bool
	CreateDate time.Time
}

// NewIAMPolicy is the input of CreatePolicy.
type NewIAMPolicy struct {
	Name        string
	Path        string // "" is "/"
	Description string
	Document    string
	Tags        []access.Tag
}

func noSuchPolicy(o op, policyARN string) error {
	return errs.Errorf(errs.NotFound, o.String(), "Policy %s was not found.", policyARN).WithCode("NoSuchEntityException")
}

func iamInvalid(o op, format string, args ...any) *errs.Error {
	return errs.Errorf(errs.Invalid, o.String(), format, args...).WithCode("InvalidInputException")
}

// callerAccount is the account of the caller in ctx, "" when unsigned.
func callerAccount(ctx context.Context) string {
	if c := reqctx.CallerFrom(ctx); c != nil {
		return c.AccountID
	}
	return ""
}

// IAMCreatePolicy is iam:CreatePolicy: a customer managed policy in the
// caller's account.
func (s *Service) IAMCreatePolicy(ctx context.Context, in NewIAMPolicy) (*IAMPolicy, error) {
	o := iamOp("CreatePolicy", false)
	if in.Path == "" {
		in.Path = "/"
	}
	c, err := s.begin(ctx, o, access.CustomerPolicyARN(callerAccount(ctx), in.Path, in.Name))
	if err != nil {
		return nil, err
	}
	for _, err := range []error{
		access.ValidateIAMPolicyName(o.String(), "policyName", in.Name),
		access.ValidateIAMPolicyPath(o.String(), "path", in.Path),
		access.ValidateIAMPolicyDescription(o.String(), in.Description),
		access.ValidateTags(o.String(), in.Tags),
	} {
		if err != nil {
			return nil, s.fail(ctx, c, err)
		}
	}
	if len(in.Tags) > maxPolicyTags {
		return nil, s.fail(ctx, c, access.ValidationError(o.String(), "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxPolicyTags))
	}
	if err := access.ValidateManagedPolicyDocument(o.String(), in.Document); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	if n := access.PolicySize(in.Document); n > access.MaxManagedPolicySize {
		return nil, s.fail(ctx, c, errs.Errorf(errs.QuotaExceeded, o.String(), "Cannot exceed quota for PolicySize: %d", access.MaxManagedPolicySize).WithCode("LimitExceededException"))
	}
	p := &access.CustomerManagedPolicy{InstanceID: c.instanceID, AccountID: c.accountID, Path: in.Path, Name: in.Name, Document: in.Document,
		PolicyID: s.ids.PolicyID(), Description: in.Description, DefaultVersionID: access.FirstVersionID, Tags: in.Tags}
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		p.CreatedAt, p.UpdatedAt = now.Truncate(time.Second), now.Truncate(time.Second)
		n, err := tx.CountCustomerManagedPolicies(ctx, c.instanceID, c.accountID)
		if err != nil {
			return err
		}
		if n >= maxCustomerPoliciesPerAccount {
			return errs.Errorf(errs.QuotaExceeded, o.String(), "Cannot exceed quota for PoliciesPerAccount: %d", maxCustomerPoliciesPerAccount).WithCode("LimitExceededException")
		}
		if err := tx.CreateCustomerManagedPolicy(ctx, p); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errs.Errorf(errs.Conflict, o.String(), "A policy called %s already exists. Duplicate names are not allowed.", in.Name).WithCode("EntityAlreadyExistsException")
			}
			return err
		}
		c.response = map[string]any{"policy": map[string]any{"policyName": p.Name, "policyId": p.PolicyID, "arn": p.ARN(), "path": p.Path,
			"defaultVersionId": p.DefaultVersionID, "attachmentCount": 0, "isAttachable": true}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return customerPolicyView(p, policyUsage{}), nil
}

// IAMGetPolicy is iam:GetPolicy, for a customer managed policy of the
// caller's account or an AWS managed policy.
func (s *Service) IAMGetPolicy(ctx context.Context, policyARN string) (*IAMPolicy, error) {
	o := iamOp("GetPolicy", true)
	c, err := s.begin(ctx, o, policyARN)
	if err != nil {
		return nil, err
	}
	ref, err := parsePolicyARN(o, policyARN)
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var out *IAMPolicy
	err = s.read(ctx, c, func(tx store.Tx) (err error) {
		out, err = lookupPolicy(ctx, tx, o, c, ref, true)
		return err
	})
	return out, err
}

// IAMGetPolicyVersion is iam:GetPolicyVersion. Atrium keeps one version of a
// policy, its default one.
func (s *Service) IAMGetPolicyVersion(ctx context.Context, policyARN, versionID string) (*PolicyVersion, error) {
	o := iamOp("GetPolicyVersion", true)
	c, err := s.begin(ctx, o, policyARN)
	if err != nil {
		return nil, err
	}
	ref, err := parsePolicyARN(o, policyARN)
	if err == nil && !policyVersionRe.MatchString(versionID) {
		err = access.ValidationError(o.String(), "1 validation error detected: Value '%s' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", truncateText(versionID, 64))
	}
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var out *PolicyVersion
	err = s.lookup(ctx, c, func(tx store.Tx) error {
		p, err := lookupPolicy(ctx, tx, o, c, ref, false)
		if err != nil {
			return err
		}
		if p.DefaultVersionID != versionID {
			return errs.Errorf(errs.NotFound, o.String(), "Policy %s version %s does not exist or is not attachable.", policyARN, versionID).WithCode("NoSuchEntityException")
		}
		out = defaultVersion(p)
		return nil
	})
	return out, err
}

// IAMListPolicyVersions is iam:ListPolicyVersions: the one version Atrium
// keeps of a policy.
func (s *Service) IAMListPolicyVersions(ctx context.Context, policyARN string, marker string, maxItems *int) ([]PolicyVersion, error) {
	o := iamOp("ListPolicyVersions", true)
	c, err := s.begin(ctx, o, policyARN)
	if err != nil {
		return nil, err
	}
	ref, err := parsePolicyARN(o, policyARN)
	if err == nil {
		_, err = checkMaxItems(o, maxItems)
	}
	if err == nil && marker != "" {
		err = iamInvalid(o, "Invalid Marker.")
	}
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var out []PolicyVersion
	err = s.read(ctx, c, func(tx store.Tx) error {
		p, err := lookupPolicy(ctx, tx, o, c, ref, false)
		if err == nil {
			v := defaultVersion(p)
			v.Document = "" // ListPolicyVersions returns no documents
			out = []PolicyVersion{*v}
		}
		return err
	})
	return out, err
}

func defaultVersion(p *IAMPolicy) *PolicyVersion {
	return &PolicyVersion{Document: p.document, VersionID: p.DefaultVersionID, IsDefault: true, CreateDate: p.UpdateDate}
}

// IAMDeletePolicy is iam:DeletePolicy: it deletes a customer managed policy
// of the caller's account that no role of the account uses.
func (s *Service) IAMDeletePolicy(ctx context.Context, policyARN string) error {
	o := iamOp("DeletePolicy", false)
	c, err := s.begin(ctx, o, policyARN)
	if err != nil {
		return err
	}
	ref, err := parsePolicyARN(o, policyARN)
	if err == nil && ref.account == awsAccount {
		err = iamInvalid(o, "Policy %s is an AWS managed policy, which cannot be deleted.", policyARN)
	}
	if err != nil {
		return s.fail(ctx, c, err)
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		p, err := lookupPolicy(ctx, tx, o, c, ref, true)
		if err != nil {
			return err
		}
		if p.AttachmentCount > 0 || p.BoundaryUsageCount > 0 {
			return errs.E(errs.Conflict, o.String(), "Cannot delete a policy attached to entities.").WithCode("DeleteConflictException")
		}
		return tx.DeleteCustomerManagedPolicy(ctx, c.instanceID, c.accountID, ref.name)
	})
}

// PolicyListing is the input of ListPolicies.
type PolicyListing struct {
	Scope        string // "All" (""), "AWS" or "Local"
	OnlyAttached bool
	PathPrefix   string // "" is "/"
	UsageFilter  string // "", "PermissionsPolicy" or "PermissionsBoundary"
	Marker       string
	MaxItems     *int
}

// PolicyPage is a page of ListPolicies.
type PolicyPage struct {
	Policies    []IAMPolicy
	IsTruncated bool
	Marker      string
}

// IAMListPolicies is iam:ListPolicies: the customer managed policies of the
// caller's account ("Local") and the AWS managed policies ("AWS"), in the
// order of their ARNs, which puts the account's own first.
//
// OnlyAttached keeps the policies attached to a role of the account;
// UsageFilter PermissionsPolicy keeps those attached as permissions
// policies and PermissionsBoundary those used as permissions boundaries.
func (s *Service) IAMListPolicies(ctx context.Context, in PolicyListing) (*PolicyPage, error) {
	o := iamOp("ListPolicies", true)
	c, err := s.begin(ctx, o, "*")
	if err != nil {
		return nil, err
	}
	if in.Scope == "" {
		in.Scope = "All"
	}
	if in.PathPrefix == "" {
		in.PathPrefix = "/"
	}
	n, err := checkMaxItems(o, in.MaxItems)
	switch {
	case err != nil:
	case !slices.Contains([]string{"All", "AWS", "Local"}, in.Scope):
		err = access.ValidationError(o.String(), "1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", truncateText(in.Scope, 64))
	case in.UsageFilter != "" && in.UsageFilter != "PermissionsPolicy" && in.UsageFilter != "PermissionsBoundary":
		err = access.ValidationError(o.String(), "1 validation error detected: Value '%s' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]", truncateText(in.UsageFilter, 64))
	default:
		err = access.ValidateIAMPolicyPath(o.String(), "pathPrefix", in.PathPrefix)
	}
	after, merr := decodeMarker(in.Marker)
	if err == nil && merr {
		err = iamInvalid(o, "Invalid Marker.")
	}
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	keep := func(p *IAMPolicy) bool {
		switch {
		case !strings.HasPrefix(p.Path, in.PathPrefix):
			return false
		case in.UsageFilter == "PermissionsBoundary":
			return p.BoundaryUsageCount > 0
		case in.OnlyAttached:
			return p.AttachmentCount > 0
		}
		return true
	}
	out := &PolicyPage{}
	err = s.read(ctx, c, func(tx store.Tx) error {
		usage, err := accountPolicyUsage(ctx, tx, c.instanceID, c.accountID)
		if err != nil {
			return err
		}
		var found []IAMPolicy
		add := func(p *IAMPolicy) bool { // reports whether the page is full
			if p.ARN > after && keep(p) {
				p.Description, p.Tags, p.document = "", nil, "" // ListPolicies returns neither
				found = append(found, *p)
			}
			return len(found) > n
		}
		if in.OnlyAttached || in.UsageFilter == "PermissionsBoundary" {
			// Only policies in use qualify: look them up by ARN.
			arns := make([]string, 0, len(usage))
			for a := range usage {
				arns = append(arns, a)
			}
			sort.Strings(arns)
			for _, a := range arns {
				ref, err := parsePolicyARN(o, a)
				if err != nil || !inScope(in.Scope, ref) {
					continue
				}
				p, err := lookupPolicyWith(ctx, tx, o, c, ref, usage)
				if errs.KindOf(err) == errs.NotFound {
					continue
				}
				if err != nil {
					return err
				}
				if add(p) {
					break
				}
			}
		} else if err := scanPolicies(ctx, tx, c, in.Scope, after, usage, add); err != nil {
			return err
		}
		if len(found) > n {
			found = found[:n]
			out.IsTruncated, out.Marker = true, encodeMarker(found[n-1].ARN)
		}
		out.Policies = found
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func inScope(scope string, ref policyRef) bool {
	switch scope {
	case "AWS":
		return ref.account == awsAccount
	case "Local":
		return ref.account != awsAccount
	}
	return true
}

// scanPolicies calls add with each policy of the scope whose ARN follows
// after, in ARN order, until add reports the page full: the account's own
// first (their ARNs hold the account id, digits, which sort before "aws").
func scanPolicies(ctx context.Context, tx store.Tx, c *call, scope, after string, usage map[string]*policyUsage, add func(*IAMPolicy) bool) error {
	const batch = 200
	if scope != "AWS" {
		prefix := access.CustomerPolicyARN(c.accountID, "", "")
		pg := store.Page{Limit: batch}
		if strings.HasPrefix(after, prefix) {
			pg.After = strings.TrimPrefix(after, prefix)
		}
		if after < prefix || strings.HasPrefix(after, prefix) {
			for {
				ps, err := tx.ListCustomerManagedPolicies(ctx, c.instanceID, c.accountID, pg)
				if err != nil {
					return err
				}
				for i := range ps {
					if add(customerPolicyView(&ps[i], usageOf(usage, ps[i].ARN()))) {
						return nil
					}
				}
				if len(ps) < batch {
					break
				}
				pg.After = ps[len(ps)-1].Path + ps[len(ps)-1].Name
			}
		}
	}
	if scope == "Local" {
		return nil
	}
	pg := store.Page{After: after, Limit: batch}
	for {
		ps, err := tx.ListAWSManagedPolicies(ctx, pg)
		if err != nil {
			return err
		}
		for i := range ps {
			if add(awsPolicyView(&ps[i], usageOf(usage, ps[i].ARN))) {
				return nil
			}
		}
		if len(ps) < batch {
			return nil
		}
		pg.After = ps[len(ps)-1].ARN
	}
}

const markerPrefix = "v1."

func encodeMarker(arn string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(markerPrefix + arn))
}

// decodeMarker returns the ARN a marker continues after; bad is true when
// the marker is not one this service made.
func decodeMarker(m string) (after string, bad bool) {
	if m == "" {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || !strings.HasPrefix(string(b), markerPrefix) {
		return "", true
	}
	return strings.TrimPrefix(string(b), markerPrefix), false
}

// checkMaxItems checks MaxItems and returns the page size.
func checkMaxItems(o op, maxItems *int) (int, error) {
	if maxItems == nil {
		return defaultPolicyMaxItems, nil
	}
	if *maxItems < 1 || *maxItems > maxPolicyMaxItems {
		return 0, access.ValidationError(o.String(), "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and %d", *maxItems, maxPolicyMaxItems)
	}
	return *maxItems, nil
}

// awsAccount is the account part of an AWS managed policy's ARN.
const awsAccount = "aws"

var (
	policyARNRe     = regexp.MustCompile(`^arn:aws:iam::(aws|\d{12}):policy(/.*)$`)
	policyVersionRe = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)
)

// policyRef is a parsed policy ARN.
type policyRef struct {
	arn, account, path, name string
}

func parsePolicyARN(o op, a string) (policyRef, error) {
	if len(a) < 20 || len(a) > 2048 {
		return policyRef{}, access.ValidationError(o.String(), "1 validation error detected: Value '%s' at 'policyArn' failed to satisfy constraint: Member must have length between 20 and 2048", truncateText(a, 64))
	}
	m := policyARNRe.FindStringSubmatch(a)
	if m == nil {
		return policyRef{}, iamInvalid(o, "ARN %s is not valid.", truncateText(a, 256))
	}
	i := strings.LastIndexByte(m[2], '/')
	ref := policyRef{arn: a, account: m[1], path: m[2][:i+1], name: m[2][i+1:]}
	if access.ValidateIAMPolicyName(o.String(), "policyArn", ref.name) != nil || access.ValidateIAMPolicyPath(o.String(), "policyArn", ref.path) != nil {
		return policyRef{}, iamInvalid(o, "ARN %s is not valid.", truncateText(a, 256))
	}
	return ref, nil
}

// lookupPolicy returns a policy the caller's account sees, with its usage
// in the account when withUsage is set.
func lookupPolicy(ctx context.Context, tx store.Tx, o op, c *call, ref policyRef, withUsage bool) (*IAMPolicy, error) {
	var usage map[string]*policyUsage
	if withUsage {
		var err error
		if usage, err = accountPolicyUsage(ctx, tx, c.instanceID, c.accountID); err != nil {
			return nil, err
		}
	}
	return lookupPolicyWith(ctx, tx, o, c, ref, usage)
}

func lookupPolicyWith(ctx context.Context, tx store.Tx, o op, c *call, ref policyRef, usage map[string]*policyUsage) (*IAMPolicy, error) {
	switch ref.account {
	case awsAccount:
		p, err := tx.GetAWSManagedPolicy(ctx, ref.arn)
		if errors.Is(err, store.ErrNotFound) {
			return nil, noSuchPolicy(o, ref.arn)
		}
		if err != nil {
			return nil, err
		}
		return awsPolicyView(p, usageOf(usage, p.ARN)), nil
	case c.accountID:
		p, err := tx.GetCustomerManagedPolicy(ctx, c.instanceID, c.accountID, ref.name)
		if errors.Is(err, store.ErrNotFound) || err == nil && (p.Path != ref.path || p.Name != ref.name) {
			return nil, noSuchPolicy(o, ref.arn)
		}
		if err != nil {
			return nil, err
		}
		return customerPolicyView(p, usageOf(usage, p.ARN())), nil
	}
	// Each account is an IAM account of its own: another's policies are
	// out of the caller's sight.
	return nil, noSuchPolicy(o, ref.arn)
}

func awsPolicyView(p *access.AWSManagedPolicy, u policyUsage) *IAMPolicy {
	return &IAMPolicy{ARN: p.ARN, PolicyID: access.PolicyID(p.ARN), Name: p.Name, Path: p.Path, Description: p.Description,
		DefaultVersionID: p.DefaultVersionID, AttachmentCount: u.attached, BoundaryUsageCount: u.boundary, AWSManaged: true,
		CreateDate: p.CreatedAt, UpdateDate: p.UpdatedAt, document: p.Document}
}

func customerPolicyView(p *access.CustomerManagedPolicy, u policyUsage) *IAMPolicy {
	id := p.PolicyID
	if id == "" { // stored before policies had ids
		id = access.PolicyID(p.InstanceID + "/" + p.ARN())
	}
	return &IAMPolicy{ARN: p.ARN(), PolicyID: id, Name: p.Name, Path: p.Path, Description: p.Description,
		DefaultVersionID: p.DefaultVersionID, AttachmentCount: u.attached, BoundaryUsageCount: u.boundary,
		CreateDate: p.CreatedAt, UpdateDate: p.UpdatedAt, Tags: p.Tags, document: p.Document}
}

// policyUsage counts the roles of an account that use a policy.
type policyUsage struct {
	attached int // as a permissions policy
	boundary int // as a permissions boundary
}

func usageOf(m map[string]*policyUsage, arn string) policyUsage {
	if u := m[arn]; u != nil {
		return *u
	}
	return policyUsage{}
}

// accountPolicyUsage counts, for each managed policy, the roles of an
// account that use it: the permission sets provisioned to the account
// (directly or through an organizational unit), one role each.
func accountPolicyUsage(ctx context.Context, tx store.Tx, instanceID, accountID string) (map[string]*policyUsage, error) {
	sets, err := provisionedSets(ctx, tx, instanceID, accountID)
	if err != nil {
		return nil, err
	}
	usage := map[string]*policyUsage{}
	get := func(arn string) *policyUsage {
		if usage[arn] == nil {
			usage[arn] = &policyUsage{}
		}
		return usage[arn]
	}
	for _, ps := range sets {
		mps, err := tx.ListManagedPolicies(ctx, instanceID, ps.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range mps {
			get(m.ARN).attached++
		}
		refs, err := tx.ListCustomerPolicyRefs(ctx, instanceID, ps.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			get(access.CustomerPolicyARN(accountID, r.Path, r.Name)).attached++
		}
		switch b := ps.Boundary; {
		case b == nil:
		case b.ManagedPolicyARN != "":
			get(b.ManagedPolicyARN).boundary++
		case b.CustomerPolicy != nil:
			get(access.CustomerPolicyARN(accountID, b.CustomerPolicy.Path, b.CustomerPolicy.Name)).boundary++
		}
	}
	return usage, nil
}

// provisionedSets returns the permission sets provisioned to an account,
// directly or through one of its organizational units, ordered by id.
func provisionedSets(ctx context.Context, tx store.Tx, instanceID, accountID string) ([]*access.PermissionSet, error) {
	targets, err := accountTargets(ctx, tx, instanceID, accountID)
	if err != nil {
		return nil, err
	}
	provs, err := tx.ListProvisions(ctx, instanceID, store.ProvisionQuery{TargetIDs: targets})
	if err != nil {
		return nil, err
	}
	var out []*access.PermissionSet
	for i, p := range provs {
		if i > 0 && provs[i-1].PermissionSetID == p.PermissionSetID {
			continue // provisioned through the account and an OU
		}
		ps, err := tx.GetPermissionSet(ctx, instanceID, p.PermissionSetID)
		if err != nil {
			return nil, fmt.Errorf("permission set %s: %w", p.PermissionSetID, err)
		}
		out = append(out, ps)
	}
	return out, nil
}
