package harness

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Config is the client configuration for s: SigV4 with s's credentials, a
// connection pool for 64 goroutines, and no retries (every error counts)
// except where the client's own connection failed under it: aws-sdk-go-v2
// with Go's HTTP client now and then closes a connection while it reads a
// response from a fast server, which its default retryer retries.
func Config(s *Server) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.StaticCredentialsProvider{Value: s.Creds},
		BaseEndpoint: aws.String(s.Endpoint),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Retryables = []retry.IsErrorRetryable{retry.NoRetryCanceledError{}, retry.RetryableConnectionError{}}
				o.RateLimiter = ratelimit.None
			})
		},
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute,
		}},
	}
}

// Result is one measured phase.
type Result struct {
	Ops, Errs int
	Elapsed   time.Duration
	P50, P99  time.Duration
	Cut       bool // the phase hit its time limit before n calls
	FirstErr  error
}

// OpsPerSec is the calls completed per second of the phase.
func (r Result) OpsPerSec() float64 { return float64(r.Ops) / r.Elapsed.Seconds() }

// Measure calls op n times from conc goroutines, op(i) for i in [0, n),
// stopping early when limit has passed.
func Measure(ctx context.Context, n, conc int, limit time.Duration, op func(ctx context.Context, i int) error) Result {
	lat := make([]time.Duration, n)
	ok := make([]bool, n)
	var next, errs atomic.Int64
	var firstErr atomic.Pointer[error]
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var wg sync.WaitGroup
	t0 := time.Now()
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				s := time.Now()
				err := op(ctx, i)
				if ctx.Err() != nil {
					return // cut by the limit: not counted
				}
				lat[i], ok[i] = time.Since(s), true
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
			}
		})
	}
	wg.Wait()
	r := Result{Elapsed: time.Since(t0), Errs: int(errs.Load())}
	var done []time.Duration
	for i := range lat {
		if ok[i] {
			done = append(done, lat[i])
		}
	}
	r.Ops = len(done)
	r.Cut = r.Ops < n
	if p := firstErr.Load(); p != nil {
		r.FirstErr = *p
	}
	slices.Sort(done)
	r.P50, r.P99 = Percentile(done, 0.50), Percentile(done, 0.99)
	return r
}

// Percentile is the q-quantile of sorted (nearest rank).
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
