package service

import (
	"context"
	"errors"
	"time"

	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/store"
)

// SigningKey is what a protocol adapter needs to verify a signed request:
// the secret of an access key and the caller it stands for.
type SigningKey struct {
	Secret credentials.Secret
	Caller *reqctx.Caller
}

// credentialTTL is how long a looked-up key and its principal are reused:
// a revoked key or a changed policy takes effect within it.
const credentialTTL = time.Second

type cachedKey struct {
	key       *SigningKey
	principal *credentials.Principal
	expires   time.Time
}

// LookupAccessKey returns the signing key of an access key id. An unknown or
// inactive key is an Unauthenticated error with AWS's code.
func (s *Service) LookupAccessKey(ctx context.Context, accessKeyID string) (*SigningKey, error) {
	if v, ok := s.keyCache.Load(accessKeyID); ok {
		if ck := v.(*cachedKey); s.now().Before(ck.expires) {
			return ck.key, nil
		}
		s.keyCache.Delete(accessKeyID)
	}
	key, p, err := s.lookupAccessKey(ctx, accessKeyID)
	if err != nil {
		return nil, err
	}
	s.keyCache.Store(accessKeyID, &cachedKey{key: key, principal: p, expires: s.now().Add(credentialTTL)})
	return key, nil
}

// cachedPrincipal returns the principal of a recently looked-up key.
func (s *Service) cachedPrincipal(accessKeyID, principalID string) *credentials.Principal {
	if v, ok := s.keyCache.Load(accessKeyID); ok {
		if ck := v.(*cachedKey); s.now().Before(ck.expires) && ck.principal.ID == principalID {
			return ck.principal
		}
	}
	return nil
}

func (s *Service) lookupAccessKey(ctx context.Context, accessKeyID string) (*SigningKey, *credentials.Principal, error) {
	const op = "service.LookupAccessKey"
	var k *store.SealedAccessKey
	var p *credentials.Principal
	err := s.store.Read(ctx, func(tx store.Tx) (err error) {
		if k, err = tx.GetAccessKey(ctx, accessKeyID); err != nil {
			return err
		}
		p, err = tx.GetPrincipal(ctx, k.PrincipalID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.Status != credentials.KeyActive) {
		return nil, nil, errs.E(errs.Unauthenticated, op, "The security token included in the request is invalid.").WithCode("UnrecognizedClientException")
	}
	if err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	secret, err := s.keys.Open(k.SealedSecret, []byte(k.ID))
	if err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	return &SigningKey{
		Secret: credentials.Secret(secret),
		Caller: &reqctx.Caller{
			Type: "IAMUser", PrincipalID: p.ID, ARN: p.ARN, AccountID: p.AccountID,
			UserName: p.Name, AccessKeyID: k.ID, InstanceID: p.InstanceID, Credential: reqctx.CredentialAccessKey,
		},
	}, p, nil
}
