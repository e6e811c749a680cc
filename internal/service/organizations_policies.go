package service

import (
	"context"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/policy"
	"github.com/atriumhq/atrium/internal/store"
)

// Limits of service control policies.
const (
	maxSCPChars          = 5120 // content, whitespace included
	maxPoliciesPerTarget = 5    // SCPs attached to one root, OU or account
)

// policyTypeEnabled reports whether a policy type is enabled on the root.
func policyTypeEnabled(ctx context.Context, tx store.Tx, instanceID, typ string) (bool, error) {
	types, err := tx.ListPolicyTypes(ctx, instanceID)
	if err != nil {
		return false, err
	}
	for _, t := range types {
		if t.Type == typ && t.Status == org.PolicyTypeEnabled {
			return true, nil
		}
	}
	return false, nil
}

// attachDefaultPolicies attaches FullAWSAccess to a new OU or account while
// service control policies are enabled, as AWS does.
func attachDefaultPolicies(ctx context.Context, tx store.Tx, instanceID string, target org.PolicyTarget) error {
	on, err := policyTypeEnabled(ctx, tx, instanceID, org.ServiceControlPolicy)
	if err != nil || !on {
		return err
	}
	return tx.AttachOrgPolicy(ctx, instanceID, org.FullAWSAccessID, target)
}

// checkPolicyContent validates a policy document of a type. A service
// control policy goes through the policy engine: its first error is a
// MalformedPolicyDocumentException that names the problem.
func checkPolicyContent(o op, typ, content string) error {
	if content == "" {
		return org.InvalidInput(o.String(), "INPUT_REQUIRED", "You must specify a value for Content.")
	}
	if typ != org.ServiceControlPolicy {
		var v map[string]any
		if json.Unmarshal([]byte(content), &v) != nil {
			return malformedOrgPolicy(o, "The policy is not a JSON object.")
		}
		return nil
	}
	if utf8.RuneCountInString(content) > maxSCPChars {
		return org.ConstraintViolation(o.String(), "POLICY_CONTENT_LIMIT_EXCEEDED", "The policy content exceeds the maximum size of 5,120 characters for a service control policy.")
	}
	for _, f := range policy.Validate([]byte(content), policy.ServiceControlPolicy) {
		if f.Type != policy.FindingError {
			continue
		}
		msg := f.Message
		if len(f.Locations) > 0 && len(f.Locations[0]) > 0 {
			msg += " (at " + f.Locations[0].String() + ")"
		}
		return malformedOrgPolicy(o, msg)
	}
	return nil
}

func malformedOrgPolicy(o op, problem string) error {
	return org.Error(errs.Invalid, o.String(), "MalformedPolicyDocumentException",
		"The provided policy document doesn't meet the requirements of the specified policy type: "+problem)
}

func getPolicy(ctx context.Context, tx store.Tx, o op, instanceID, id string) (*org.Policy, error) {
	p, err := tx.GetOrgPolicy(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, policyNotFound(o)
	}
	return p, err
}

func immutable(o op) error {
	return org.InvalidInput(o.String(), "IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
}

func duplicatePolicy(o op) error {
	return orgConflict(o, "DuplicatePolicyException", "A policy with the same name already exists.")
}

// EnablePolicyType enables a policy type on the root. Enabling service
// control policies attaches FullAWSAccess to the root and to every OU and
// account, as AWS does.
func (s *Service) EnablePolicyType(ctx context.Context, rootID, policyType string) (*OrgRoot, error) {
	return s.setPolicyType(ctx, orgOp("EnablePolicyType", false), rootID, policyType, true)
}

// DisablePolicyType disables a policy type on the root, detaching every
// policy of that type from every target.
func (s *Service) DisablePolicyType(ctx context.Context, rootID, policyType string) (*OrgRoot, error) {
	return s.setPolicyType(ctx, orgOp("DisablePolicyType", false), rootID, policyType, false)
}

func (s *Service) setPolicyType(ctx context.Context, o op, rootID, policyType string, enable bool) (*OrgRoot, error) {
	c, err := s.beginOrg(ctx, o, rootResource(rootID))
	if err != nil {
		return nil, err
	}
	if err := org.CheckID(o.String(), "RootId", rootID, org.RootID); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	if err := org.CheckPolicyType(o.String(), "PolicyType", policyType); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	var out OrgRoot
	err = s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		if rootID != c.org.RootID {
			return orgNotFound(o, "RootNotFoundException", "We can't find a root with the RootId that you specified.")
		}
		on, err := policyTypeEnabled(ctx, tx, c.instanceID, policyType)
		if err != nil {
			return err
		}
		switch {
		case enable && on:
			return orgConflict(o, "PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled in the specified root.")
		case !enable && !on:
			return orgConflict(o, "PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
		case enable:
			if err := tx.SetPolicyType(ctx, c.instanceID, policyType, org.PolicyTypeEnabled); err != nil {
				return err
			}
			if policyType == org.ServiceControlPolicy {
				if err := s.attachEverywhere(ctx, tx, c.org, org.FullAWSAccessID); err != nil {
					return err
				}
			}
		default:
			if err := tx.DetachOrgPoliciesOfType(ctx, c.instanceID, policyType); err != nil {
				return err
			}
			if err := tx.SetPolicyType(ctx, c.instanceID, policyType, ""); err != nil {
				return err
			}
		}
		if out, err = rootView(ctx, tx, c.org); err != nil {
			return err
		}
		c.response = map[string]any{"Root": map[string]any{"Id": out.ID, "Arn": out.ARN, "Name": out.Name, "PolicyTypes": out.PolicyTypes}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// attachEverywhere attaches a policy to the root and to every OU and
// account of the organization.
func (s *Service) attachEverywhere(ctx context.Context, tx store.Tx, g *org.Organization, policyID string) error {
	attach := func(id, typ string) error {
		err := tx.AttachOrgPolicy(ctx, g.InstanceID, policyID, org.PolicyTarget{TargetID: id, Type: typ})
		if errors.Is(err, store.ErrConflict) {
			return nil
		}
		return err
	}
	if err := attach(g.RootID, org.TypeRoot); err != nil {
		return err
	}
	accounts, err := tx.ListAccountsUnder(ctx, g.InstanceID, g.RootID, true)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if err := attach(a.ID, org.TypeAccount); err != nil {
			return err
		}
	}
	queue := []string{g.RootID}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		us, err := tx.ListOrganizationalUnits(ctx, g.InstanceID, parent, store.Page{})
		if err != nil {
			return err
		}
		for _, u := range us {
			if err := attach(u.ID, org.TypeOrganizationalUnit); err != nil {
				return err
			}
			queue = append(queue, u.ID)
		}
	}
	return nil
}

// CreatePolicyRequest is what CreatePolicy asks for.
type CreatePolicyRequest struct {
	Content     string
	Description string
	Name        string
	Type        string
	Tags        []org.Tag
}

// CreatePolicy creates a policy; a service control policy's document is
// validated by the policy engine.
func (s *Service) CreatePolicy(ctx context.Context, r CreatePolicyRequest) (*OrgPolicy, error) {
	o := orgOp("CreatePolicy", false)
	c, err := s.beginOrg(ctx, o, nil)
	if err != nil {
		return nil, err
	}
	for _, check := range []func() error{
		func() error { return org.CheckPolicyType(o.String(), "Type", r.Type) },
		func() error { return org.CheckPolicyFields(o.String(), r.Name, r.Description) },
		func() error { return checkPolicyContent(o, r.Type, r.Content) },
		func() error { return org.CheckTags(o.String(), r.Tags) },
	} {
		if err := check(); err != nil {
			return nil, s.fail(ctx, c.call, err)
		}
	}
	p := &org.Policy{ID: s.ids.OrgPolicyID(), InstanceID: c.instanceID, Type: r.Type, Name: r.Name, Description: r.Description, Content: r.Content}
	out := policyView(c.org, p)
	err = s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		if err := tx.CreateOrgPolicy(ctx, p); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return duplicatePolicy(o)
			}
			return err
		}
		if len(r.Tags) > 0 {
			if err := tx.SetOrgTags(ctx, c.instanceID, p.ID, r.Tags); err != nil {
				return err
			}
		}
		c.response = map[string]any{"Policy": map[string]any{"PolicySummary": map[string]any{"Id": out.ID, "Arn": out.ARN, "Name": out.Name, "Type": out.Type}}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdatePolicy changes a policy's name, description or content; nil fields
// stay as they are.
func (s *Service) UpdatePolicy(ctx context.Context, policyID string, name, description, content *string) (*OrgPolicy, error) {
	o := orgOp("UpdatePolicy", false)
	c, err := s.beginOrg(ctx, o, policyResource(policyID))
	if err != nil {
		return nil, err
	}
	if err := org.CheckID(o.String(), "PolicyId", policyID, org.PolicyID); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	var out OrgPolicy
	err = s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		p, err := getPolicy(ctx, tx, o, c.instanceID, policyID)
		if err != nil {
			return err
		}
		if p.AWSManaged {
			return immutable(o)
		}
		if name != nil {
			p.Name = *name
		}
		if description != nil {
			p.Description = *description
		}
		if err := org.CheckPolicyFields(o.String(), p.Name, p.Description); err != nil {
			return err
		}
		if content != nil {
			if err := checkPolicyContent(o, p.Type, *content); err != nil {
				return err
			}
			p.Content = *content
		}
		if err := tx.UpdateOrgPolicy(ctx, p); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return duplicatePolicy(o)
			}
			return err
		}
		out = policyView(c.org, p)
		c.response = map[string]any{"Policy": map[string]any{"PolicySummary": map[string]any{"Id": out.ID, "Arn": out.ARN, "Name": out.Name, "Type": out.Type}}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeletePolicy deletes a policy that is attached to nothing.
func (s *Service) DeletePolicy(ctx context.Context, policyID string) error {
	o := orgOp("DeletePolicy", false)
	c, err := s.beginOrg(ctx, o, policyResource(policyID))
	if err != nil {
		return err
	}
	if err := org.CheckID(o.String(), "PolicyId", policyID, org.PolicyID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	return s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		p, err := getPolicy(ctx, tx, o, c.instanceID, policyID)
		if err != nil {
			return err
		}
		if p.AWSManaged {
			return immutable(o)
		}
		targets, err := tx.ListOrgPolicyTargets(ctx, c.instanceID, policyID, store.Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(targets) > 0 {
			return orgConflict(o, "PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
		}
		return tx.DeleteOrgPolicy(ctx, c.instanceID, policyID)
	})
}

// DescribePolicy returns a policy with its content.
func (s *Service) DescribePolicy(ctx context.Context, policyID string) (*OrgPolicy, error) {
	o := orgOp("DescribePolicy", true)
	c, err := s.beginOrg(ctx, o, policyResource(policyID))
	if err != nil {
		return nil, err
	}
	if err := org.CheckID(o.String(), "PolicyId", policyID, org.PolicyID); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	var out OrgPolicy
	err = s.lookup(ctx, c.call, func(tx store.Tx) error {
		p, err := getPolicy(ctx, tx, o, c.instanceID, policyID)
		if err != nil {
			return err
		}
		out = policyView(c.org, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListPolicies lists the policies of a type, AWS-managed ones included.
func (s *Service) ListPolicies(ctx context.Context, filter string, p PageRequest) ([]OrgPolicy, string, error) {
	o := orgOp("ListPolicies", true)
	c, err := s.beginOrg(ctx, o, nil)
	if err != nil {
		return nil, "", err
	}
	if err := org.CheckPolicyType(o.String(), "Filter", filter); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var ps []org.Policy
	err = s.read(ctx, c.call, func(tx store.Tx) (err error) {
		ps, err = tx.ListOrgPolicies(ctx, c.instanceID, filter, pg)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	ps, next := nextToken(ps, n, func(p org.Policy) string { return p.ID })
	out := make([]OrgPolicy, len(ps))
	for i := range ps {
		out[i] = policyView(c.org, &ps[i])
	}
	return out, next, nil
}

// targetExists reports whether a root, OU or account exists.
func targetExists(ctx context.Context, tx store.Tx, g *org.Organization, id string) (bool, error) {
	if org.TargetType(id) == "" {
		return false, nil
	}
	return resourceExists(ctx, tx, g, id)
}

// AttachPolicy attaches a policy to a root, OU or account.
func (s *Service) AttachPolicy(ctx context.Context, policyID, targetID string) error {
	o := orgOp("AttachPolicy", false)
	c, err := s.beginOrg(ctx, o, policyResource(policyID))
	if err != nil {
		return err
	}
	if err := org.CheckID(o.String(), "PolicyId", policyID, org.PolicyID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	if err := org.CheckID(o.String(), "TargetId", targetID, org.PolicyTargetID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	return s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		p, err := getPolicy(ctx, tx, o, c.instanceID, policyID)
		if err != nil {
			return err
		}
		if ok, err := targetExists(ctx, tx, c.org, targetID); err != nil || !ok {
			return orNotFound(err, targetNotFound(o))
		}
		if on, err := policyTypeEnabled(ctx, tx, c.instanceID, p.Type); err != nil || !on {
			return orNotFound(err, orgConflict(o, "PolicyTypeNotEnabledException",
				"The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root."))
		}
		attached, err := tx.ListOrgPoliciesForTarget(ctx, c.instanceID, targetID, p.Type, store.Page{})
		if err != nil {
			return err
		}
		for _, a := range attached {
			if a.ID == policyID {
				return orgConflict(o, "DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
			}
		}
		if len(attached) >= maxPoliciesPerTarget {
			return org.ConstraintViolation(o.String(), "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.")
		}
		return tx.AttachOrgPolicy(ctx, c.instanceID, policyID, org.PolicyTarget{TargetID: targetID, Type: org.TargetType(targetID)})
	})
}

// DetachPolicy detaches a policy from a root, OU or account. A target must
// keep at least one service control policy while they are enabled.
func (s *Service) DetachPolicy(ctx context.Context, policyID, targetID string) error {
	o := orgOp("DetachPolicy", false)
	c, err := s.beginOrg(ctx, o, policyResource(policyID))
	if err != nil {
		return err
	}
	if err := org.CheckID(o.String(), "PolicyId", policyID, org.PolicyID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	if err := org.CheckID(o.String(), "TargetId", targetID, org.PolicyTargetID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	return s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		p, err := getPolicy(ctx, tx, o, c.instanceID, policyID)
		if err != nil {
			return err
		}
		if ok, err := targetExists(ctx, tx, c.org, targetID); err != nil || !ok {
			return orNotFound(err, targetNotFound(o))
		}
		attached, err := tx.ListOrgPoliciesForTarget(ctx, c.instanceID, targetID, p.Type, store.Page{})
		if err != nil {
			return err
		}
		found := false
		for _, a := range attached {
			found = found || a.ID == policyID
		}
		if !found {
			return orgNotFound(o, "PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root.")
		}
		if p.Type == org.ServiceControlPolicy && len(attached) == 1 {
			return org.ConstraintViolation(o.String(), "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would leave it with fewer than the minimum number of policies of that type (1).")
		}
		return tx.DetachOrgPolicy(ctx, c.instanceID, policyID, targetID)
	})
}

// ListPoliciesForTarget lists the policies of a type attached to a root,
// OU or account.
func (s *Service) ListPoliciesForTarget(ctx context.Context, targetID, filter string, p PageRequest) ([]OrgPolicy, string, error) {
	o := orgOp("ListPoliciesForTarget", true)
	c, err := s.beginOrg(ctx, o, targetResource(targetID))
	if err != nil {
		return nil, "", err
	}
	if err := org.CheckID(o.String(), "TargetId", targetID, org.PolicyTargetID); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	if err := org.CheckPolicyType(o.String(), "Filter", filter); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var ps []org.Policy
	err = s.read(ctx, c.call, func(tx store.Tx) error {
		if ok, err := targetExists(ctx, tx, c.org, targetID); err != nil || !ok {
			return orNotFound(err, targetNotFound(o))
		}
		var err error
		ps, err = tx.ListOrgPoliciesForTarget(ctx, c.instanceID, targetID, filter, pg)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	ps, next := nextToken(ps, n, func(p org.Policy) string { return p.ID })
	out := make([]OrgPolicy, len(ps))
	for i := range ps {
		out[i] = policyView(c.org, &ps[i])
	}
	return out, next, nil
}

// ListTargetsForPolicy lists the roots, OUs and accounts a policy is
// attached to.
func (s *Service) ListTargetsForPolicy(ctx context.Context, policyID string, p PageRequest) ([]OrgPolicyTarget, string, error) {
	o := orgOp("ListTargetsForPolicy", true)
	c, err := s.beginOrg(ctx, o, policyResource(policyID))
	if err != nil {
		return nil, "", err
	}
	if err := org.CheckID(o.String(), "PolicyId", policyID, org.PolicyID); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var out []OrgPolicyTarget
	var next string
	err = s.read(ctx, c.call, func(tx store.Tx) error {
		if _, err := getPolicy(ctx, tx, o, c.instanceID, policyID); err != nil {
			return err
		}
		ts, err := tx.ListOrgPolicyTargets(ctx, c.instanceID, policyID, pg)
		if err != nil {
			return err
		}
		ts, next = nextToken(ts, n, func(t org.PolicyTarget) string { return t.TargetID })
		for _, t := range ts {
			v, err := s.targetView(ctx, tx, c.org, t)
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

// targetView names a policy target and gives its ARN.
func (s *Service) targetView(ctx context.Context, tx store.Tx, g *org.Organization, t org.PolicyTarget) (OrgPolicyTarget, error) {
	v := OrgPolicyTarget{TargetID: t.TargetID, Type: t.Type}
	switch t.Type {
	case org.TypeRoot:
		r, err := rootView(ctx, tx, g)
		v.ARN, v.Name = r.ARN, r.Name
		return v, err
	case org.TypeOrganizationalUnit:
		u, err := tx.GetOrganizationalUnit(ctx, g.InstanceID, t.TargetID)
		if err != nil {
			return v, err
		}
		uv, err := s.ouView(ctx, tx, g, u)
		v.ARN, v.Name = uv.ARN, uv.Name
		return v, err
	}
	a, err := tx.GetAccount(ctx, g.InstanceID, t.TargetID)
	if err != nil {
		return v, err
	}
	v.Name = a.Name
	v.ARN = arn.OrgAccountARN(g.ManagementAccountID, g.ID, a.ID)
	return v, nil
}
