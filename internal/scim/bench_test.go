package scim_test

// Benchmarks of the SCIM requests an identity provider sends, against an
// in-process server on SQLite (and PostgreSQL when ATRIUM_TEST_DATABASE_URL
// is set), so that the server can be profiled:
//
//	go test -run '^$' -bench SCIM -cpuprofile cpu.out ./internal/scim
//	go tool pprof -top scim.test cpu.out
//
// bench/scim drives the same requests against `atrium serve` at full size.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// benchClients is the number of concurrent clients, as in bench/scim.
const benchClients = 8

// The size of BenchmarkSCIMProvision: 1/100 of bench/scim's by default.
var (
	provisionUsers       = flag.Int("scim.users", 1000, "BenchmarkSCIMProvision: users")
	provisionGroups      = flag.Int("scim.groups", 100, "BenchmarkSCIMProvision: groups")
	provisionMemberships = flag.Int("scim.memberships", 5000, "BenchmarkSCIMProvision: memberships, spread evenly over the groups")
)

type benchClient struct {
	base, token string
	hc          *http.Client
}

func newBenchClient(b *testing.B, s *atriumtest.Server) *benchClient {
	b.Helper()
	token, _, err := s.App.Service.CreateSCIMToken(b.Context(), "", 0)
	if err != nil {
		b.Fatalf("CreateSCIMToken: %v", err)
	}
	tr := &http.Transport{MaxIdleConns: benchClients, MaxIdleConnsPerHost: benchClients}
	b.Cleanup(tr.CloseIdleConnections)
	return &benchClient{base: s.URL + "/scim/v2", token: token, hc: &http.Client{Transport: tr}}
}

// do sends a request and returns the decoded answer; another status than
// want fails the benchmark. It is safe from RunParallel goroutines.
func (c *benchClient) do(b *testing.B, method, path string, body any, want int) map[string]any {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			b.Error(err)
			return nil
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(b.Context(), method, c.base+path, rd)
	if err != nil {
		b.Error(err)
		return nil
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		b.Error(err)
		return nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		b.Errorf("%s %s = %d %s, want %d", method, path, resp.StatusCode, raw, want)
		return nil
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			b.Errorf("%s %s: %v", method, path, err)
		}
	}
	return out
}

func benchUser(i int) map[string]any {
	name := fmt.Sprintf("user%07d@example.com", i)
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": name, "externalId": fmt.Sprintf("ext-%07d", i), "active": true, "displayName": fmt.Sprintf("Given%d Family%d", i, i),
		"name":   map[string]any{"givenName": fmt.Sprintf("Given%d", i), "familyName": fmt.Sprintf("Family%d", i)},
		"emails": []any{map[string]any{"primary": true, "type": "work", "value": name}},
	}
}

func addMembersBody(ids []string) map[string]any {
	value := make([]any, len(ids))
	for i, id := range ids {
		value[i] = map[string]string{"value": id}
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "add", "path": "members", "value": value}}}
}

// mustUsers creates n users with indexes from first and returns their ids.
func mustUsers(b *testing.B, c *benchClient, first, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range n {
		r := c.do(b, "POST", "/Users", benchUser(first+i), 201)
		if r == nil {
			b.FailNow()
		}
		ids[i] = r["id"].(string)
	}
	return ids
}

func mustGroup(b *testing.B, c *benchClient, name string) string {
	b.Helper()
	r := c.do(b, "POST", "/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": name, "members": []any{}}, 201)
	if r == nil {
		b.FailNow()
	}
	return r["id"].(string)
}

// benchEngines runs fn on a fresh server per store.
func benchEngines(b *testing.B, fn func(b *testing.B, c *benchClient)) {
	b.Run("sqlite", func(b *testing.B) {
		fn(b, newBenchClient(b, atriumtest.Start(b)))
	})
	if os.Getenv("ATRIUM_TEST_DATABASE_URL") != "" {
		b.Run("postgres", func(b *testing.B) {
			fn(b, newBenchClient(b, atriumtest.Start(b, atriumtest.Options{DatabaseURL: storetest.NewPostgresDatabase(b)})))
		})
	}
}

// parallel runs op from benchClients goroutines, i counting the calls.
func parallel(b *testing.B, op func(i int)) {
	var n atomic.Int64
	b.SetParallelism((benchClients + 1) / 2) // × GOMAXPROCS (2 on the reference machine)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			op(int(n.Add(1)))
		}
	})
}

func BenchmarkSCIMCreateUser(b *testing.B) {
	benchEngines(b, func(b *testing.B, c *benchClient) {
		parallel(b, func(i int) { c.do(b, "POST", "/Users", benchUser(i), 201) })
	})
}

func BenchmarkSCIMCreateGroup(b *testing.B) {
	benchEngines(b, func(b *testing.B, c *benchClient) {
		body := func(i int) map[string]any {
			return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": fmt.Sprintf("group-%07d", i), "members": []any{}}
		}
		parallel(b, func(i int) { c.do(b, "POST", "/Groups", body(i), 201) })
	})
}

// BenchmarkSCIMPatchMembers adds 100 members to a group per operation.
func BenchmarkSCIMPatchMembers(b *testing.B) {
	benchEngines(b, func(b *testing.B, c *benchClient) {
		users := mustUsers(b, c, 0, 1000)
		groups := make([]string, b.N)
		for i := range groups {
			groups[i] = mustGroup(b, c, fmt.Sprintf("group-%07d", i))
		}
		parallel(b, func(i int) {
			g := i - 1
			batch := users[(g*100)%len(users):][:100]
			c.do(b, "PATCH", "/Groups/"+groups[g], addMembersBody(batch), 204)
		})
	})
}

// BenchmarkSCIMFilter runs the filtered GETs of a lookup on 2,000 users in
// 20 groups of 100.
func BenchmarkSCIMFilter(b *testing.B) {
	benchEngines(b, func(b *testing.B, c *benchClient) {
		const n = 2000
		users := mustUsers(b, c, 0, n)
		groups := make([]string, n/100)
		for g := range groups {
			groups[g] = mustGroup(b, c, fmt.Sprintf("group-%07d", g))
			c.do(b, "PATCH", "/Groups/"+groups[g], addMembersBody(users[g*100:][:100]), 204)
		}
		for _, tt := range []struct {
			name   string
			filter func(i int) string
		}{
			{"userName", func(i int) string { return fmt.Sprintf(`userName eq "user%07d@example.com"`, i%n) }},
			{"externalId", func(i int) string { return fmt.Sprintf(`externalId eq "ext-%07d"`, i%n) }},
			{"groups.value", func(i int) string { return `groups.value eq "` + groups[i%len(groups)] + `"` }},
		} {
			b.Run(tt.name, func(b *testing.B) {
				parallel(b, func(i int) { c.do(b, "GET", "/Users?filter="+url.QueryEscape(tt.filter(i)), nil, 200) })
			})
		}
	})
}

// BenchmarkSCIMMembershipDiff reads back 100 groups × 100 users, every
// user in every group, in one request.
func BenchmarkSCIMMembershipDiff(b *testing.B) {
	benchEngines(b, func(b *testing.B, c *benchClient) {
		const n = 100
		users := mustUsers(b, c, 0, n)
		for g := range n {
			id := mustGroup(b, c, fmt.Sprintf("diff-%03d", g))
			c.do(b, "PATCH", "/Groups/"+id, addMembersBody(users), 204)
		}
		path := "/Groups?attributes=displayName,members&count=1000&filter=" + url.QueryEscape(`displayName sw "diff-"`)
		for b.Loop() {
			r := c.do(b, "GET", path, nil, 200)
			if r != nil && r["totalResults"] != float64(n) {
				b.Fatalf("totalResults = %v, want %d", r["totalResults"], n)
			}
		}
	})
}

// BenchmarkSCIMProvision provisions a whole directory per operation, as
// bench/scim does (users, then groups, then members by PATCH add of at most
// 100), from benchClients clients, on a fresh server. Its size comes from
// -scim.users, -scim.groups and -scim.memberships, so that a profile can be
// taken at a size where the store no longer fits in SQLite's page cache.
func BenchmarkSCIMProvision(b *testing.B) {
	nu, ng, nm := *provisionUsers, *provisionGroups, *provisionMemberships
	if nu < 1 || ng < 1 || nm > nu*ng {
		b.Fatalf("%d memberships do not fit in %d users × %d groups", nm, nu, ng)
	}
	stride := 7919
	for gcd(stride, nu) != 1 {
		stride++
	}
	benchEngines(b, func(b *testing.B, c *benchClient) {
		var requests atomic.Int64
		for i := 0; b.Loop(); i++ {
			prefix := fmt.Sprintf("run%d-", i)
			users := make([]string, nu)
			each(b, nu, func(u int) {
				body := benchUser(u)
				body["userName"], body["externalId"] = prefix+body["userName"].(string), prefix+body["externalId"].(string)
				if r := c.do(b, "POST", "/Users", body, 201); r != nil {
					users[u] = r["id"].(string)
				}
			})
			groups := make([]string, ng)
			each(b, ng, func(g int) {
				body := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": fmt.Sprintf("%sgroup-%07d", prefix, g), "members": []any{}}
				if r := c.do(b, "POST", "/Groups", body, 201); r != nil {
					groups[g] = r["id"].(string)
				}
			})
			each(b, ng, func(g int) {
				size := nm / ng
				if g < nm%ng {
					size++
				}
				for j := 0; j < size; j += 100 {
					var batch []string
					for k := j; k < min(j+100, size); k++ {
						batch = append(batch, users[(g*104729+k*stride)%nu])
					}
					c.do(b, "PATCH", "/Groups/"+groups[g], addMembersBody(batch), 204)
					requests.Add(1)
				}
			})
			requests.Add(int64(nu + ng))
		}
		b.ReportMetric(float64(requests.Load())/b.Elapsed().Seconds(), "req/s")
	})
}

// each runs fn(0) … fn(n-1) from benchClients goroutines.
func each(b *testing.B, n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchClients {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && !b.Failed(); i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
