package service

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/policy"
	"github.com/atriumhq/atrium/internal/store"
)

var principalNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// CreatePrincipal is an operator operation, for the console of a node: it
// makes an API principal of the bootstrap instance with the given identity
// policies, and an access key for it. The change and its audit event commit
// together.
func (s *Service) CreatePrincipal(ctx context.Context, name string, policies []string) (*credentials.Principal, *credentials.AccessKey, error) {
	const opName = "service.CreatePrincipal"
	if !principalNameRe.MatchString(name) {
		return nil, nil, errs.E(errs.Invalid, opName, "The principal name must be 1 to 64 characters of letters, digits and +=,.@_-.")
	}
	for i, p := range policies {
		if _, err := policy.Parse([]byte(p)); err != nil {
			return nil, nil, errs.Errorf(errs.Invalid, opName, "policy %d: %v", i, err)
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	var p *credentials.Principal
	var key *credentials.AccessKey
	err := s.store.Write(ctx, func(tx store.Tx) error {
		instanceID, err := tx.GetMeta(ctx, metaInstance)
		if err != nil {
			return fmt.Errorf("no instance: %w", err)
		}
		o, err := tx.GetOrganization(ctx, instanceID)
		if err != nil {
			return err
		}
		p = &credentials.Principal{ID: s.ids.PrincipalID(), InstanceID: instanceID, AccountID: o.ManagementAccountID, Name: name, Policies: policies, CreatedAt: now}
		p.ARN = arn.IAMUserARN(p.AccountID, name)
		key = &credentials.AccessKey{ID: s.ids.AccessKeyID(), PrincipalID: p.ID, Secret: credentials.Secret(s.ids.SecretAccessKey()), Status: credentials.KeyActive, CreatedAt: now}
		if err := tx.CreatePrincipal(ctx, p); err != nil {
			return err
		}
		if err := tx.CreateAccessKey(ctx, &store.SealedAccessKey{ID: key.ID, PrincipalID: p.ID,
			SealedSecret: s.keys.Seal([]byte(key.Secret.Reveal()), []byte(key.ID)), Status: key.Status, CreatedAt: now}); err != nil {
			return err
		}
		return s.appendUnattended(ctx, tx, unattended{instanceID: instanceID, accountID: p.AccountID, identity: "Operator",
			source: SourceIAM, name: "CreatePrincipal",
			params: map[string]any{"Name": name, "Policies": policies}, resp: map[string]any{"Arn": p.ARN, "AccessKeyId": key.ID}}, now)
	})
	if err != nil {
		return nil, nil, mapStoreErr(op{name: "CreatePrincipal"}, err)
	}
	return p, key, nil
}
