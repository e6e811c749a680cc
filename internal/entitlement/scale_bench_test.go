package entitlement_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/entitlement"
)

// The scale of the effective-access target: a user in 50 groups, with
// 1,000 accounts, 1,000 permission sets and 100,000 assignments. Every
// user is in 50 distinct groups; 90% of the assignments are to groups, 10%
// to users (a tenth of these, 1% of all, to an OU rather than an account;
// an OU holds 50 accounts, a top-level one 250). The number of
// groups, which the target leaves open, sets how many assignments a user
// receives: with 2,000 groups a group has 45 assignments on average and a
// user ~2,250 entitlements; with 10,000 groups, 9 and ~450.
var scaleGroupCounts = []int{2_000, 10_000}

const (
	scaleUsers       = 10_000
	scaleUserGroups  = 50
	scaleAccounts    = 1_000
	scaleOUs         = 20
	scaleSets        = 1_000
	scaleAssignments = 100_000
	scaleQueries     = 20_000 // per-call latencies collected for p50/p99
)

func newScaleData(groups int) *benchData {
	r := rand.New(rand.NewPCG(3, 4))
	d := &benchData{users: make([]entitlement.User, scaleUsers), groups: make([]entitlement.Group, groups)}
	for i := range d.groups {
		d.groups[i] = entitlement.Group{ID: benchGroup(i), Name: fmt.Sprintf("group-%d", i)}
	}
	for i := range d.users {
		u := entitlement.User{ID: benchUser(i), Enabled: true}
		for _, g := range r.Perm(groups)[:scaleUserGroups] {
			u.Groups = append(u.Groups, benchGroup(g))
		}
		d.users[i] = u
	}
	for i := range scaleAssignments {
		g := entitlement.Grant{PermissionSetID: benchSet(r.IntN(scaleSets)), TargetType: access.TargetAccount, TargetID: benchAccount(r.IntN(scaleAccounts))}
		if i%100 == 0 {
			g.TargetType, g.TargetID = access.TargetOrganizationalUnit, benchOU(r.IntN(scaleOUs))
		}
		if i%10 == 0 {
			u := &d.users[r.IntN(scaleUsers)]
			g.PrincipalType, g.PrincipalID = access.PrincipalUser, u.ID
			u.Grants = append(u.Grants, g)
		} else {
			gr := &d.groups[r.IntN(groups)]
			g.PrincipalType, g.PrincipalID = access.PrincipalGroup, gr.ID
			gr.Grants = append(gr.Grants, g)
		}
	}
	return d
}

var (
	scaleMu    sync.Mutex
	scaleIndex = map[int]*entitlement.Index{}
)

// scaleSetup is the index with groups groups, built once.
func scaleSetup(groups int) *entitlement.Index {
	scaleMu.Lock()
	defer scaleMu.Unlock()
	if scaleIndex[groups] == nil {
		clear(scaleIndex) // one at a time in memory
		runtime.GC()
		scaleIndex[groups] = newScaleData(groups).build(scaleOUs, scaleAccounts, scaleSets)
	}
	return scaleIndex[groups]
}

// forGroupCounts runs fn as a sub-benchmark for each number of groups.
func forGroupCounts(b *testing.B, fn func(b *testing.B, groups int)) {
	for _, g := range scaleGroupCounts {
		b.Run(fmt.Sprintf("groups=%d", g), func(b *testing.B) { fn(b, g) })
	}
}

// rssBytes is this process's resident set (VmRSS), or 0 when unknown.
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

// reportLatencies reports the p50 and p99 of lat, in ms.
func reportLatencies(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	q := func(p float64) float64 {
		i := min(max(int(p*float64(len(lat))+0.5)-1, 0), len(lat)-1)
		return float64(lat[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/float64(time.Millisecond), "max-ms")
}

// BenchmarkScaleBuild builds the index at the scale of the target, as a
// node does at start, and reports the build time, the heap the index
// holds beyond its input (HeapAlloc after GC, with it and without it),
// the heap in use and the process's RSS with it built.
func BenchmarkScaleBuild(b *testing.B) {
	scaleMu.Lock()
	clear(scaleIndex)
	scaleMu.Unlock()
	forGroupCounts(b, benchScaleBuild)
}

func benchScaleBuild(b *testing.B, groups int) {
	d := newScaleData(groups)
	var x *entitlement.Index
	var took []time.Duration
	for b.Loop() {
		t0 := time.Now()
		x = d.build(scaleOUs, scaleAccounts, scaleSets)
		took = append(took, time.Since(t0))
	}
	st := x.View(inst).Stats()
	if st.Users != scaleUsers || st.Groups != groups || st.Accounts != scaleAccounts || st.PermissionSets != scaleSets {
		b.Fatalf("Stats() = %+v", st)
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2])/float64(time.Millisecond), "build-ms")
	b.ReportMetric(float64(st.Grants), "grants")
	with := heapInUse()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapInuse)/(1<<20), "MiB-HeapInuse")
	b.ReportMetric(float64(rssBytes())/(1<<20), "MiB-RSS")
	runtime.KeepAlive(x)
	x = nil
	b.ReportMetric(float64(with-heapInUse())/(1<<20), "MiB-held")
	runtime.KeepAlive(d)
}

// BenchmarkScaleEntitlements is the effective-access query: every
// (account, permission set) a user can use, and through which assignment,
// for users in 50 groups each, into a buffer reused from call to call. It
// reports the per-call p50 and p99. BenchmarkScaleEntitlementsAlloc is the
// same with a new answer each call.
func BenchmarkScaleEntitlements(b *testing.B) { forGroupCounts(b, benchScaleEntitlements) }

func BenchmarkScaleEntitlementsAlloc(b *testing.B) {
	forGroupCounts(b, func(b *testing.B, groups int) {
		x := scaleSetup(groups)
		lat := make([]time.Duration, 0, scaleQueries)
		for i := 0; b.Loop(); i++ {
			u := benchUser((i * 7919) % scaleUsers)
			t0 := time.Now()
			ens := x.View(inst).Entitlements(u)
			lat = append(lat, time.Since(t0))
			if len(ens) == 0 {
				b.Fatal("no entitlements")
			}
		}
		reportLatencies(b, lat)
	})
}

func benchScaleEntitlements(b *testing.B, groups int) {
	x := scaleSetup(groups)
	lat := make([]time.Duration, 0, scaleQueries)
	n, i := 0, 0
	var ens []entitlement.Entitlement // reused, as a server's buffer pool would
	for b.Loop() {
		u := benchUser((i * 7919) % scaleUsers)
		t0 := time.Now()
		ens = x.View(inst).AppendEntitlements(ens[:0], u)
		lat = append(lat, time.Since(t0))
		n += len(ens)
		i++
	}
	b.ReportMetric(float64(n)/float64(i), "entitlements/query")
	reportLatencies(b, lat)
}

// BenchmarkScaleCan is the yes/no question a credential request asks:
// may this user use this permission set in this account.
func BenchmarkScaleCan(b *testing.B) { forGroupCounts(b, benchScaleCan) }

func benchScaleCan(b *testing.B, groups int) {
	x := scaleSetup(groups)
	type q struct{ user, account, ps string }
	var qs []q
	for i := 0; len(qs) < 1024; i++ {
		u := benchUser((i * 7919) % scaleUsers)
		ens := x.View(inst).Entitlements(u)
		if len(ens) == 0 {
			continue
		}
		en := ens[len(ens)/2]
		qs = append(qs, q{u, en.AccountID, en.PermissionSetID})
	}
	lat := make([]time.Duration, 0, scaleQueries)
	i := 0
	for b.Loop() {
		c := qs[i%len(qs)]
		t0 := time.Now()
		ok := x.View(inst).Can(c.user, c.account, c.ps)
		lat = append(lat, time.Since(t0))
		if !ok {
			b.Fatal("denied")
		}
		i++
	}
	reportLatencies(b, lat)
}
