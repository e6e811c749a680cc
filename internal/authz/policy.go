package authz

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/atriumhq/atrium/internal/policy"
)

// PolicyAuthorizer authorizes with the IAM policy engine: a principal's
// identity policies must allow the action on the resource, and no Deny may
// apply. Deny by default: a principal without policies, or whose policies do
// not compile, is denied.
type PolicyAuthorizer struct {
	mu    sync.Mutex
	cache map[string]*compiled // by principal id
}

type compiled struct {
	key string // the policy texts it was compiled from
	set *policy.Set
}

// NewPolicyAuthorizer returns an authorizer with an empty compile cache.
func NewPolicyAuthorizer() *PolicyAuthorizer {
	return &PolicyAuthorizer{cache: map[string]*compiled{}}
}

func (a *PolicyAuthorizer) set(r Request) *policy.Set {
	key := strings.Join(r.Principal.Policies, "\x00")
	a.mu.Lock()
	c, ok := a.cache[r.Principal.ID]
	a.mu.Unlock()
	if ok && c.key == key {
		return c.set
	}
	s := &policy.Set{}
	for i, text := range r.Principal.Policies {
		doc, err := policy.Parse([]byte(text))
		if err != nil {
			return nil
		}
		p, err := policy.Compile("identity["+strconv.Itoa(i)+"]", doc)
		if err != nil {
			return nil
		}
		s.Identity = append(s.Identity, p)
	}
	a.mu.Lock()
	a.cache[r.Principal.ID] = &compiled{key: key, set: s}
	a.mu.Unlock()
	return s
}

// Authorize implements Authorizer.
func (a *PolicyAuthorizer) Authorize(_ context.Context, r Request) Decision {
	if r.Principal == nil {
		return Decision{Reason: "implicitDeny"}
	}
	s := a.set(r)
	if s == nil {
		return Decision{Reason: "implicitDeny"}
	}
	ctx := policy.NewContext()
	for k, v := range r.Context {
		ctx.Set(k, v...)
	}
	d := s.Decide(&policy.Request{Action: r.Action, Resource: r.Resource, Context: ctx})
	return Decision{Allowed: d == policy.Allowed, Reason: d.String()}
}
