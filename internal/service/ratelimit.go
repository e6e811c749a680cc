package service

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
)

// Failed authentications are rate-limited per source address, so that keys
// and tokens cannot be guessed at speed and refused requests cannot flood
// the audit trail. Successful requests spend nothing.
const (
	authFailureBurst = 30
	authFailureEvery = 2 * time.Second // one more failure allowed per interval
	limiterIdle      = 10 * time.Minute
	maxLimiters      = 100000
)

type ipLimiter struct {
	lim  *rate.Limiter
	seen time.Time
}

// authLimits holds one limiter per source address.
type authLimits struct {
	mu  sync.Mutex
	ips map[string]*ipLimiter
}

func (a *authLimits) get(ip string, now time.Time) *ipLimiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ips == nil {
		a.ips = map[string]*ipLimiter{}
	}
	l, ok := a.ips[ip]
	if !ok {
		if len(a.ips) >= maxLimiters {
			for k, v := range a.ips { // forget idle addresses
				if now.Sub(v.seen) > limiterIdle {
					delete(a.ips, k)
				}
			}
		}
		l = &ipLimiter{lim: rate.NewLimiter(rate.Every(authFailureEvery), authFailureBurst)}
		a.ips[ip] = l
	}
	l.seen = now
	return l
}

// CheckAuthRate refuses a request whose source address has used up its
// budget of failed authentications.
func (s *Service) CheckAuthRate(ctx context.Context) error {
	ip := reqctx.RequestFrom(ctx).SourceIP
	if ip == "" {
		return nil
	}
	now := s.now()
	if s.authLimits.get(ip, now).lim.TokensAt(now) < 1 {
		return errs.E(errs.Throttled, "service.CheckAuthRate", "Rate exceeded: too many failed authentications from this address.")
	}
	return nil
}

// noteAuthFailure spends one failure of the request's source address.
func (s *Service) noteAuthFailure(ctx context.Context) {
	if ip := reqctx.RequestFrom(ctx).SourceIP; ip != "" {
		now := s.now()
		s.authLimits.get(ip, now).lim.AllowN(now, 1)
	}
}
