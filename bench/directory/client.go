package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
)

// newClient is an identitystore client for s: SigV4 with s's credentials,
// a connection pool for 64 goroutines, and no retries (every error counts)
// except where the client's own connection failed under it: aws-sdk-go-v2
// with Go's HTTP client now and then closes a connection while it reads a
// response from a fast server, which its default retryer retries.
func newClient(s *server) *identitystore.Client {
	return identitystore.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.StaticCredentialsProvider{Value: s.creds},
		BaseEndpoint: aws.String(s.endpoint),
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
	})
}

// result is one measured phase.
type result struct {
	ops, errs int
	elapsed   time.Duration
	p50, p99  time.Duration
	cut       bool // the phase hit its time limit before n calls
	firstErr  error
}

func (r result) opsPerSec() float64 { return float64(r.ops) / r.elapsed.Seconds() }

// measure calls op n times from conc goroutines, op(i) for i in [0, n),
// stopping early when limit has passed.
func measure(ctx context.Context, n, conc int, limit time.Duration, op func(ctx context.Context, i int) error) result {
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
	r := result{elapsed: time.Since(t0), errs: int(errs.Load())}
	var done []time.Duration
	for i := range lat {
		if ok[i] {
			done = append(done, lat[i])
		}
	}
	r.ops = len(done)
	r.cut = r.ops < n
	if p := firstErr.Load(); p != nil {
		r.firstErr = *p
	}
	slices.Sort(done)
	r.p50, r.p99 = percentile(done, 0.50), percentile(done, 0.99)
	return r
}

// percentile is the q-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// userName is the user name of the i-th benchmark user.
func userName(i int) string { return fmt.Sprintf("user%07d", i) }

// createUserInput is the CreateUser request of the i-th user: the four
// required attributes and a primary work email.
func createUserInput(storeID string, i int) *identitystore.CreateUserInput {
	name := userName(i)
	return &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(storeID),
		UserName:        aws.String(name),
		DisplayName:     aws.String("Bench User " + name),
		Name:            &types.Name{GivenName: aws.String("Bench"), FamilyName: aws.String(name)},
		Emails:          []types.Email{{Value: aws.String(name + "@example.com"), Type: aws.String("work"), Primary: true}},
	}
}

// script is the client script: the same calls, in the same order, against
// any identitystore endpoint.
type script struct {
	c       *identitystore.Client
	storeID string
	limit   time.Duration
}

// createUsers creates users first … first+n-1.
func (s script) createUsers(ctx context.Context, first, n, conc int) result {
	return measure(ctx, n, conc, s.limit, func(ctx context.Context, i int) error {
		_, err := s.c.CreateUser(ctx, createUserInput(s.storeID, first+i))
		return err
	})
}

// pick returns the i-th pseudo-random user among the first population;
// the sequence is the same for every target.
func pick(i, population int) int {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	return r.IntN(population)
}

// getUserID looks up n random users among population by user name.
func (s script) getUserID(ctx context.Context, n, conc, population int) result {
	return measure(ctx, n, conc, s.limit, func(ctx context.Context, i int) error {
		_, err := s.c.GetUserId(ctx, &identitystore.GetUserIdInput{
			IdentityStoreId: aws.String(s.storeID),
			AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
				AttributePath:  aws.String("UserName"),
				AttributeValue: document.NewLazyDocument(userName(pick(i, population))),
			}},
		})
		return err
	})
}

// listUsersByName lists users with a UserName filter on n random users
// among population, and checks that each call finds its user.
func (s script) listUsersByName(ctx context.Context, n, conc, population int) result {
	return measure(ctx, n, conc, s.limit, func(ctx context.Context, i int) error {
		name := userName(pick(i, population))
		out, err := s.c.ListUsers(ctx, &identitystore.ListUsersInput{
			IdentityStoreId: aws.String(s.storeID),
			Filters:         []types.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String(name)}},
		})
		if err == nil && (len(out.Users) != 1 || aws.ToString(out.Users[0].UserName) != name) {
			err = fmt.Errorf("ListUsers(UserName=%s) returned %d users", name, len(out.Users))
		}
		return err
	})
}

// listUsersPage lists the first page of 100 users, n times.
func (s script) listUsersPage(ctx context.Context, n, conc int) result {
	return measure(ctx, n, conc, s.limit, func(ctx context.Context, i int) error {
		out, err := s.c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.storeID), MaxResults: aws.Int32(100)})
		if err == nil && len(out.Users) != 100 {
			err = fmt.Errorf("ListUsers(MaxResults=100) returned %d users", len(out.Users))
		}
		return err
	})
}

// listInstanceStores returns the identity store ids of the instances of
// an Atrium, through sso-admin ListInstances.
func listInstanceStores(ctx context.Context, s *server) ([]string, error) {
	c := ssoadmin.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.StaticCredentialsProvider{Value: s.creds},
		BaseEndpoint: aws.String(s.endpoint),
	})
	out, err := c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, in := range out.Instances {
		ids = append(ids, aws.ToString(in.IdentityStoreId))
	}
	return ids, nil
}

func numCPU() int { return runtime.NumCPU() }
