package service

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// The catalog of AWS managed policies: seeded at start with the built-in
// approximations, and replaced by AWS's own documents when an operator
// imports them (atrium policies import).

// SeedAWSManagedPolicies adds the built-in AWS managed policies the catalog
// lacks, and brings the built-in ones it holds up to this version's
// documents. It never touches a policy an operator imported. It is safe to
// call on every start, by several nodes at once.
func (s *Service) SeedAWSManagedPolicies(ctx context.Context) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	err := s.store.Write(ctx, func(tx store.Tx) error {
		if err := tx.LockBootstrap(ctx); err != nil {
			return err
		}
		var added, updated []string
		for _, b := range access.BuiltInAWSManagedPolicies() {
			cur, err := tx.GetAWSManagedPolicy(ctx, b.ARN)
			switch {
			case errors.Is(err, store.ErrNotFound):
				b.DefaultVersionID, b.CreatedAt, b.UpdatedAt = access.FirstVersionID, now, now
				added = append(added, b.Name)
			case err != nil:
				return err
			case cur.Source != access.SourceBuiltIn || cur.Document == b.Document && cur.Description == b.Description && cur.Path == b.Path:
				continue
			default:
				b.CreatedAt, b.UpdatedAt, b.DefaultVersionID = cur.CreatedAt, now, cur.DefaultVersionID
				if cur.Document != b.Document {
					b.DefaultVersionID = access.NextVersionID(cur.DefaultVersionID)
				}
				updated = append(updated, b.Name)
			}
			if err := tx.PutAWSManagedPolicy(ctx, &b); err != nil {
				return err
			}
		}
		if len(added)+len(updated) == 0 {
			return nil
		}
		inst, err := tx.GetMeta(ctx, metaInstance)
		if err != nil {
			return fmt.Errorf("the bootstrap instance: %w", err)
		}
		return s.appendUnattended(ctx, tx, unattended{instanceID: inst, identity: "AWSService", source: SourceIAM, name: "SeedAWSManagedPolicies",
			resp: map[string]any{"Added": added, "Updated": updated}}, now)
	})
	if err != nil {
		return fmt.Errorf("seeding the AWS managed policies: %w", err)
	}
	return nil
}

// ImportedPolicy is one AWS managed policy document to import.
type ImportedPolicy struct {
	Name     string
	Path     string // "" for the path the catalog knows, else "/"
	Document string
}

// ImportResult counts what an import did.
type ImportResult struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ImportAWSManagedPolicies loads AWS managed policy documents (AWS's own,
// as an operator fetched them) into the catalog, in one transaction: every
// document must be a valid identity policy, or nothing is imported. A
// changed document gets the next version id. Imported policies are never
// replaced by the built-in ones again. It is an operator command, audited
// in the bootstrap instance's trail.
func (s *Service) ImportAWSManagedPolicies(ctx context.Context, policies []ImportedPolicy) (ImportResult, error) {
	const opName = "service.ImportAWSManagedPolicies"
	var res ImportResult
	if len(policies) == 0 {
		return res, errs.E(errs.Invalid, opName, "There are no policy documents to import.")
	}
	seen := make(map[string]bool, len(policies))
	var bad []string
	for _, p := range policies {
		switch {
		case access.ValidateIAMPolicyName(opName, "policyName", p.Name) != nil:
			bad = append(bad, fmt.Sprintf("%s: not a valid policy name", p.Name))
		case p.Path != "" && access.ValidateIAMPolicyPath(opName, "path", p.Path) != nil:
			bad = append(bad, fmt.Sprintf("%s: the path %q is not valid", p.Name, p.Path))
		case seen[p.Name]:
			bad = append(bad, fmt.Sprintf("%s: given twice", p.Name))
		default:
			if err := access.ValidatePolicyContent(opName, p.Document); err != nil {
				bad = append(bad, fmt.Sprintf("%s: %s", p.Name, errs.Public(err)))
			}
		}
		seen[p.Name] = true
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return res, errs.Errorf(errs.Invalid, opName, "%d of %d documents are not valid; nothing was imported:\n  %s", len(bad), len(policies), strings.Join(bad, "\n  "))
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err := s.store.Write(ctx, func(tx store.Tx) error {
		res = ImportResult{}
		for _, in := range policies {
			if err := importOne(ctx, tx, in, now, &res); err != nil {
				return fmt.Errorf("%s: %w", in.Name, err)
			}
		}
		inst, err := tx.GetMeta(ctx, metaInstance)
		if errors.Is(err, store.ErrNotFound) {
			return errs.E(errs.Invalid, opName, "The database has no instance yet: start atrium serve on it once first.")
		}
		if err != nil {
			return fmt.Errorf("the bootstrap instance: %w", err)
		}
		return s.appendUnattended(ctx, tx, unattended{instanceID: inst, identity: "Operator", source: SourceIAM, name: "ImportAWSManagedPolicies",
			params: map[string]any{"PolicyCount": len(policies)}, resp: res}, now)
	})
	if err != nil {
		return ImportResult{}, mapStoreErr(op{name: "ImportAWSManagedPolicies"}, err)
	}
	return res, nil
}

// importOne imports one policy: at the path given, else at the path of
// the built-in policy of its name, else at "/".
func importOne(ctx context.Context, tx store.Tx, in ImportedPolicy, now time.Time, res *ImportResult) error {
	path := in.Path
	if path == "" {
		if p, ok := access.BuiltInPath(in.Name); ok {
			path = p
		} else {
			path = "/"
		}
	}
	cur, err := tx.GetAWSManagedPolicy(ctx, access.AWSManagedPolicyARN(path, in.Name))
	if errors.Is(err, store.ErrNotFound) {
		p := &access.AWSManagedPolicy{ARN: access.AWSManagedPolicyARN(path, in.Name), Name: in.Name, Path: path, DefaultVersionID: access.FirstVersionID,
			Document: in.Document, Source: access.SourceImported, CreatedAt: now, UpdatedAt: now}
		res.Added++
		return tx.PutAWSManagedPolicy(ctx, p)
	}
	if err != nil {
		return err
	}
	if cur.Document == in.Document && cur.Source == access.SourceImported {
		res.Unchanged++
		return nil
	}
	if cur.Document != in.Document {
		cur.DefaultVersionID = access.NextVersionID(cur.DefaultVersionID)
	}
	cur.Document, cur.Source, cur.UpdatedAt = in.Document, access.SourceImported, now
	res.Updated++
	return tx.PutAWSManagedPolicy(ctx, cur)
}

// checkAWSManagedPolicy refuses an AWS managed policy ARN the catalog does
// not hold, as sso-admin refuses one that does not exist.
func checkAWSManagedPolicy(ctx context.Context, tx store.Tx, o op, policyARN string) error {
	_, err := tx.GetAWSManagedPolicy(ctx, policyARN)
	if errors.Is(err, store.ErrNotFound) {
		return errs.Errorf(errs.NotFound, o.String(), "Policy does not exist with ARN: %s", policyARN)
	}
	return err
}
