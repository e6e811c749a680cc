package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// Meta keys written by bootstrap.
const (
	metaKeyCheck   = "master_key_check"
	metaInstance   = "bootstrap.instance_id"
	metaAdminKeyID = "bootstrap.admin_access_key_id"
)

// AdminPolicy is the identity policy of the bootstrap administrator.
const AdminPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"AtriumBootstrapAdministrator","Effect":"Allow","Action":"*","Resource":"*"}]}`

// AdminName is the user name of the bootstrap administrator.
const AdminName = "atrium-admin"

// Bootstrapped is what the first start made, returned on every start.
type Bootstrapped struct {
	Instance     org.Instance
	Organization org.Organization
	AdminARN     string
	AccessKeyID  string
	Secret       credentials.Secret
	Created      bool // this call made them
}

// Bootstrap makes, once per database, the default instance, its
// organization with a management account, and a bootstrap administrator
// with full access and an access key. Later calls return what exists. It is
// safe when several nodes start at once on one database, and it refuses a
// database sealed with another master key.
func (s *Service) Bootstrap(ctx context.Context) (*Bootstrapped, error) {
	var out *Bootstrapped
	err := s.store.Write(ctx, func(tx store.Tx) error {
		if err := tx.LockBootstrap(ctx); err != nil {
			return err
		}
		check, err := tx.GetMeta(ctx, metaKeyCheck)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if err := tx.SetMeta(ctx, metaKeyCheck, s.keys.Check()); err != nil {
				return err
			}
		case err != nil:
			return err
		case check != s.keys.Check():
			return errors.New("the master key does not match the one this database was created with; give this node the same master key (ATRIUM_MASTER_KEY or the data dir's master.key) as the others")
		}
		instanceID, err := tx.GetMeta(ctx, metaInstance)
		if errors.Is(err, store.ErrNotFound) {
			out, err = s.bootstrapNew(ctx, tx)
			return err
		}
		if err != nil {
			return err
		}
		out, err = s.loadBootstrap(ctx, tx, instanceID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return out, nil
}

func (s *Service) bootstrapNew(ctx context.Context, tx store.Tx) (*Bootstrapped, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	in := org.Instance{ID: s.ids.InstanceID(), IdentityStoreID: s.ids.IdentityStoreID(), Status: org.InstanceActive, CreatedAt: now}
	o := org.Organization{ID: s.ids.OrganizationID(), InstanceID: in.ID, RootID: s.ids.RootID(), ManagementAccountID: s.ids.AccountID(), FeatureSet: "ALL", CreatedAt: now}
	o.ManagementEmail = "management@" + o.ID + ".atrium.invalid"
	in.OwnerAccountID = o.ManagementAccountID
	in.Name = "atrium"
	acct := org.Account{ID: o.ManagementAccountID, InstanceID: in.ID, Name: "Management", Email: o.ManagementEmail,
		Status: "ACTIVE", ParentID: o.RootID, JoinedAt: now, JoinMethod: "CREATED"}
	p := credentials.Principal{ID: s.ids.PrincipalID(), InstanceID: in.ID, AccountID: o.ManagementAccountID, Name: AdminName,
		Policies: []string{AdminPolicy}, CreatedAt: now}
	p.ARN = arn.IAMUserARN(p.AccountID, p.Name)
	key := credentials.AccessKey{ID: s.ids.AccessKeyID(), PrincipalID: p.ID, Secret: credentials.Secret(s.ids.SecretAccessKey()), Status: credentials.KeyActive, CreatedAt: now}

	steps := []func() error{
		func() error { return tx.CreateInstance(ctx, &in) },
		func() error { return tx.CreateOrganization(ctx, &o) },
		func() error { return tx.CreateAccount(ctx, &acct) },
		func() error { return tx.CreatePrincipal(ctx, &p) },
		func() error {
			return tx.CreateAccessKey(ctx, &store.SealedAccessKey{ID: key.ID, PrincipalID: p.ID,
				SealedSecret: s.keys.Seal([]byte(key.Secret.Reveal()), []byte(key.ID)), Status: key.Status, CreatedAt: now})
		},
		func() error { return tx.SetMeta(ctx, metaInstance, in.ID) },
		func() error { return tx.SetMeta(ctx, metaAdminKeyID, key.ID) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := s.appendUnattended(ctx, tx, unattended{instanceID: in.ID, accountID: o.ManagementAccountID, identity: "AWSService",
		source: SourceSSO, name: "Bootstrap", resp: map[string]any{
			"InstanceArn": arn.InstanceARN(in.ID), "IdentityStoreId": in.IdentityStoreID, "OrganizationId": o.ID,
			"RootId": o.RootID, "ManagementAccountId": o.ManagementAccountID, "AdministratorArn": p.ARN, "AccessKeyId": key.ID,
		}}, now); err != nil {
		return nil, err
	}
	return &Bootstrapped{Instance: in, Organization: o, AdminARN: p.ARN, AccessKeyID: key.ID, Secret: key.Secret, Created: true}, nil
}

func (s *Service) loadBootstrap(ctx context.Context, tx store.Tx, instanceID string) (*Bootstrapped, error) {
	in, err := tx.GetInstance(ctx, instanceID)
	if err != nil {
		return nil, fmt.Errorf("loading instance %s: %w", instanceID, err)
	}
	o, err := tx.GetOrganization(ctx, instanceID)
	if err != nil {
		return nil, fmt.Errorf("loading organization: %w", err)
	}
	keyID, err := tx.GetMeta(ctx, metaAdminKeyID)
	if err != nil {
		return nil, fmt.Errorf("loading the administrator key id: %w", err)
	}
	k, err := tx.GetAccessKey(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("loading the administrator key: %w", err)
	}
	p, err := tx.GetPrincipal(ctx, k.PrincipalID)
	if err != nil {
		return nil, fmt.Errorf("loading the administrator: %w", err)
	}
	secret, err := s.keys.Open(k.SealedSecret, []byte(k.ID))
	if err != nil {
		return nil, err
	}
	return &Bootstrapped{Instance: *in, Organization: *o, AdminARN: p.ARN, AccessKeyID: k.ID, Secret: credentials.Secret(secret)}, nil
}
