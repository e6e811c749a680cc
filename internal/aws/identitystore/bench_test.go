package identitystore_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// The benchmarks call a running Atrium through the aws-sdk-go-v2 client,
// over loopback HTTP with SigV4, on each engine and at 1 and 8 concurrent
// clients. Besides ns/op they report throughput (ops/s) and the latency
// percentiles of single calls (p50-ms, p99-ms). PostgreSQL runs when
// ATRIUM_TEST_DATABASE_URL is set, each run on a fresh database.
//
//	go test ./internal/aws/identitystore -run '^$' -bench . -benchtime 2000x

// benchConcurrency is the number of client goroutines of each sub-benchmark.
var benchConcurrency = []int{1, 8}

// benchEngines are the store engines a benchmark runs on.
var benchEngines = []struct {
	name  string
	start func(b *testing.B) *atriumtest.Server
}{
	{"sqlite", func(b *testing.B) *atriumtest.Server { return atriumtest.Start(b) }},
	{"postgres", func(b *testing.B) *atriumtest.Server {
		return atriumtest.Start(b, atriumtest.Options{DatabaseURL: storetest.NewPostgresDatabase(b)})
	}},
}

// benchClient is an identitystore client with a connection pool large
// enough for every client goroutine. Its connections close before the
// server stops, which would otherwise wait for those just opened.
func benchClient(b *testing.B, s *atriumtest.Server) *identitystore.Client {
	cfg := s.AWSConfig()
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}
	b.Cleanup(tr.CloseIdleConnections)
	cfg.HTTPClient = &http.Client{Transport: tr}
	return identitystore.NewFromConfig(cfg)
}

// benchUser is the CreateUser input of the n-th user: the four attributes
// identitystore requires and a primary email.
func benchUser(storeID, prefix string, n int64) *identitystore.CreateUserInput {
	name := fmt.Sprintf("%s%07d", prefix, n)
	return &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(storeID),
		UserName:        aws.String(name),
		DisplayName:     aws.String("Bench User " + name),
		Name:            &types.Name{GivenName: aws.String("Bench"), FamilyName: aws.String(name)},
		Emails:          []types.Email{{Value: aws.String(name + "@example.com"), Type: aws.String("work"), Primary: true}},
	}
}

// benchRun calls op b.N times from conc goroutines, op(i) for i in
// [0, b.N), and reports throughput and latency percentiles.
func benchRun(b *testing.B, conc int, op func(ctx context.Context, i int64) error) {
	b.Helper()
	ctx := b.Context()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) || failed.Load() != nil {
					return
				}
				t0 := time.Now()
				if err := op(ctx, i); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if p := failed.Load(); p != nil {
		b.Fatalf("call failed: %v", *p)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(benchMillis(benchPercentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(benchMillis(benchPercentile(lat, 0.99)), "p99-ms")
}

// benchPercentile returns the q-quantile of sorted (nearest rank).
func benchPercentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func benchMillis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func BenchmarkCreateUser(b *testing.B) {
	for _, e := range benchEngines {
		b.Run(e.name, func(b *testing.B) {
			s := e.start(b)
			c := benchClient(b, s)
			var seq atomic.Int64 // user names stay unique across runs of b.N
			for _, conc := range benchConcurrency {
				b.Run(fmt.Sprintf("clients=%d", conc), func(b *testing.B) {
					benchRun(b, conc, func(ctx context.Context, _ int64) error {
						_, err := c.CreateUser(ctx, benchUser(s.StoreID, "create", seq.Add(1)))
						return err
					})
				})
			}
		})
	}
}

// benchGetUserIDUsers is the number of users the read benchmarks look
// among.
const benchGetUserIDUsers = 1000

// benchReads runs op at each concurrency on each engine, against a server
// holding benchGetUserIDUsers users named prefix0000000, prefix0000001, …;
// name(i) is the i-th call's user, spread over them.
func benchReads(b *testing.B, prefix string, op func(ctx context.Context, c *identitystore.Client, storeID, name string) error) {
	for _, e := range benchEngines {
		b.Run(e.name, func(b *testing.B) {
			s := e.start(b)
			c := benchClient(b, s)
			for i := range int64(benchGetUserIDUsers) {
				if _, err := c.CreateUser(b.Context(), benchUser(s.StoreID, prefix, i)); err != nil {
					b.Fatalf("CreateUser(%s%07d) = %v", prefix, i, err)
				}
			}
			for _, conc := range benchConcurrency {
				b.Run(fmt.Sprintf("clients=%d", conc), func(b *testing.B) {
					benchRun(b, conc, func(ctx context.Context, i int64) error {
						return op(ctx, c, s.StoreID, fmt.Sprintf("%s%07d", prefix, (i*7919)%benchGetUserIDUsers))
					})
				})
			}
		})
	}
}

func BenchmarkGetUserId(b *testing.B) {
	benchReads(b, "get", func(ctx context.Context, c *identitystore.Client, storeID, name string) error {
		_, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{
			IdentityStoreId: aws.String(storeID),
			AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
				AttributePath: aws.String("UserName"), AttributeValue: document.NewLazyDocument(name),
			}},
		})
		return err
	})
}

// BenchmarkListUsers lists pages of 100 users, the largest page, among
// benchGetUserIDUsers users.
func BenchmarkListUsers(b *testing.B) {
	benchReads(b, "list", func(ctx context.Context, c *identitystore.Client, storeID, _ string) error {
		out, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID), MaxResults: aws.Int32(100)})
		if err == nil && len(out.Users) != 100 {
			err = fmt.Errorf("ListUsers returned %d users, want 100", len(out.Users))
		}
		return err
	})
}

// BenchmarkListUsersFiltered lists users with a UserName filter, which
// finds one user among benchGetUserIDUsers.
func BenchmarkListUsersFiltered(b *testing.B) {
	benchReads(b, "filter", func(ctx context.Context, c *identitystore.Client, storeID, name string) error {
		out, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID),
			Filters: []types.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String(name)}}})
		if err == nil && len(out.Users) != 1 {
			err = fmt.Errorf("ListUsers(UserName eq %s) returned %d users, want 1", name, len(out.Users))
		}
		return err
	})
}
