package service

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/store"
)

// SCIM bearer tokens, as IAM Identity Center has them: per instance, a year
// by default, at most two active so that one can be rotated.
const (
	SCIMTokenDefaultTTL = 365 * 24 * time.Hour
	MaxActiveSCIMTokens = 2
	scimTokenPrefix     = "atrium-scim-"
)

// scimPolicy is the identity policy of a SCIM token: it provisions the
// directory of its own instance and nothing else.
const scimPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"identitystore:*","Resource":"*"}]}`

// SCIMTokenInfo describes a token without its secret.
type SCIMTokenInfo struct {
	ID         string    `json:"id"`
	InstanceID string    `json:"instanceId"`
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
	Status     string    `json:"status"` // ACTIVE, EXPIRED, REVOKED
}

func tokenInfo(k *store.SCIMToken, now time.Time) SCIMTokenInfo {
	st := "ACTIVE"
	switch {
	case !k.RevokedAt.IsZero():
		st = "REVOKED"
	case !now.Before(k.ExpiresAt):
		st = "EXPIRED"
	}
	return SCIMTokenInfo{ID: k.ID, InstanceID: k.InstanceID, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, Status: st}
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// resolveInstance returns id, or the bootstrap instance when id is empty.
// An instance ARN is accepted too.
func (s *Service) resolveInstance(ctx context.Context, tx store.Tx, id string) (string, error) {
	if id == "" {
		return tx.GetMeta(ctx, metaInstance)
	}
	if parsed, ok := arn.ParseInstanceARN(id); ok {
		id = parsed
	}
	if _, err := tx.GetInstance(ctx, id); err != nil {
		return "", err
	}
	return id, nil
}

// CreateSCIMToken makes a bearer token for the SCIM endpoint of an instance
// (the bootstrap instance when instanceID is empty). The token is returned
// once; only its hash is kept.
func (s *Service) CreateSCIMToken(ctx context.Context, instanceID string, ttl time.Duration) (string, SCIMTokenInfo, error) {
	const opName = "service.CreateSCIMToken"
	if ttl == 0 {
		ttl = SCIMTokenDefaultTTL
	}
	if ttl < time.Minute || ttl > 10*SCIMTokenDefaultTTL {
		return "", SCIMTokenInfo{}, errs.E(errs.Invalid, opName, "The token lifetime must be between one minute and ten years.")
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	id, secret := s.ids.Token(10), s.ids.Token(32)
	var info SCIMTokenInfo
	err := s.store.Write(ctx, func(tx store.Tx) error {
		inst, err := s.resolveInstance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		tokens, err := tx.ListSCIMTokens(ctx, inst)
		if err != nil {
			return err
		}
		active := 0
		for i := range tokens {
			if tokenInfo(&tokens[i], now).Status == "ACTIVE" {
				active++
			}
		}
		if active >= MaxActiveSCIMTokens {
			return errs.Errorf(errs.QuotaExceeded, opName, "The instance already has %d active SCIM tokens; revoke one first.", MaxActiveSCIMTokens)
		}
		k := &store.SCIMToken{ID: id, InstanceID: inst, Hash: hashSecret(secret), CreatedAt: now, ExpiresAt: now.Add(ttl)}
		if err := tx.CreateSCIMToken(ctx, k); err != nil {
			return err
		}
		info = tokenInfo(k, now)
		return s.appendUnattended(ctx, tx, unattended{instanceID: inst, identity: "Operator", source: SourceSSO, name: "CreateSCIMToken",
			params: map[string]any{"InstanceId": inst, "ExpiresIn": ttl.String()}, resp: map[string]any{"TokenId": id}}, now)
	})
	if err != nil {
		return "", SCIMTokenInfo{}, mapStoreErr(op{name: "CreateSCIMToken"}, err)
	}
	return scimTokenPrefix + id + "." + secret, info, nil
}

// ListSCIMTokens lists the tokens of an instance.
func (s *Service) ListSCIMTokens(ctx context.Context, instanceID string) ([]SCIMTokenInfo, error) {
	now := s.now()
	var out []SCIMTokenInfo
	err := s.store.Read(ctx, func(tx store.Tx) error {
		inst, err := s.resolveInstance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		tokens, err := tx.ListSCIMTokens(ctx, inst)
		for i := range tokens {
			out = append(out, tokenInfo(&tokens[i], now))
		}
		return err
	})
	return out, mapStoreErr(op{name: "ListSCIMTokens"}, err)
}

// RevokeSCIMToken revokes a token; requests bearing it fail from then on.
func (s *Service) RevokeSCIMToken(ctx context.Context, instanceID, tokenID string) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	err := s.store.Write(ctx, func(tx store.Tx) error {
		inst, err := s.resolveInstance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		if err := tx.RevokeSCIMToken(ctx, inst, tokenID, now); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errs.Errorf(errs.NotFound, "service.RevokeSCIMToken", "No active SCIM token %s in instance %s.", tokenID, inst)
			}
			return err
		}
		return s.appendUnattended(ctx, tx, unattended{instanceID: inst, identity: "Operator", source: SourceSSO, name: "RevokeSCIMToken",
			params: map[string]any{"InstanceId": inst, "TokenId": tokenID}}, now)
	})
	s.scimTokens.Delete(tokenID)
	return mapStoreErr(op{name: "RevokeSCIMToken"}, err)
}

// cachedSCIMToken is a token record and its instance's owner account and
// identity store, as AuthenticateSCIM last read them.
type cachedSCIMToken struct {
	token     store.SCIMToken
	accountID string
	storeID   string
	expires   time.Time // of this cache entry
}

// scimToken reads a token with its instance, or reuses what was read less
// than credentialTTL ago: a SCIM request then costs one transaction less.
// A revocation through this node ends the reuse at once; one made on
// another node or by the CLI is seen within credentialTTL. Expiry is
// checked on every use, from the record.
func (s *Service) scimToken(ctx context.Context, id string) (*cachedSCIMToken, error) {
	if v, ok := s.scimTokens.Load(id); ok {
		if ct := v.(*cachedSCIMToken); s.now().Before(ct.expires) {
			return ct, nil
		}
		s.scimTokens.Delete(id)
	}
	ct := &cachedSCIMToken{}
	err := s.store.Read(ctx, func(tx store.Tx) error {
		k, err := tx.GetSCIMToken(ctx, id)
		if err != nil {
			return err
		}
		ct.token = *k
		in, err := tx.GetInstance(ctx, k.InstanceID)
		if err == nil {
			ct.accountID, ct.storeID = in.OwnerAccountID, in.IdentityStoreID
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	ct.expires = s.now().Add(credentialTTL)
	s.scimTokens.Store(id, ct)
	return ct, nil
}

// AuthenticateSCIM checks a bearer token for the SCIM endpoint of tenant
// (an instance id or identity store id; any instance when empty) and
// returns the caller it stands for.
func (s *Service) AuthenticateSCIM(ctx context.Context, instanceID, token string) (*reqctx.Caller, error) {
	const opName = "service.AuthenticateSCIM"
	bad := errs.E(errs.Unauthenticated, opName, "The bearer token is missing, invalid, expired or revoked.")
	rest, ok := strings.CutPrefix(token, scimTokenPrefix)
	id, secret, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || id == "" || secret == "" {
		return nil, bad
	}
	ct, err := s.scimToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, errs.Wrap(opName, err)
	}
	k, acct, storeID := &ct.token, ct.accountID, ct.storeID
	if subtle.ConstantTimeCompare(k.Hash, hashSecret(secret)) != 1 || tokenInfo(k, s.now()).Status != "ACTIVE" {
		return nil, bad
	}
	if instanceID != "" && instanceID != k.InstanceID && instanceID != storeID {
		return nil, bad // a token of one instance never reaches another's data
	}
	return &reqctx.Caller{Type: "WebIdentityUser", PrincipalID: "scim/" + k.ID, ARN: "arn:" + arn.Partition + ":identitystore::" + acct + ":scim-token/" + k.ID,
		AccountID: acct, UserName: "scim", AccessKeyID: k.ID, InstanceID: k.InstanceID, Credential: reqctx.CredentialSCIMToken}, nil
}
