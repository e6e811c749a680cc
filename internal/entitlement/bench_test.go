package entitlement_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/entitlement"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/policy"
)

// The scale of the benchmarks: a large workforce directory.
const (
	benchUsers       = 100_000
	benchGroups      = 10_000
	benchMemberships = 500_000
	benchAccounts    = 1_000
	benchOUs         = 20 // under 4 top-level OUs; 50 accounts each
	benchSets        = 200
	benchAssignments = 50_000 // 80% to groups, 20% to users, 1% of them to OUs
)

func benchUser(i int) string    { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i) }
func benchGroup(i int) string   { return fmt.Sprintf("%08x-1111-4000-8000-%012x", i, i) }
func benchAccount(i int) string { return fmt.Sprintf("%012d", 100000000000+i) }
func benchOU(i int) string      { return fmt.Sprintf("ou-ab12-%08d", i) }
func benchSet(i int) string     { return fmt.Sprintf("ps-%016x", i) }

// benchData is the input of the index at benchmark scale.
type benchData struct {
	users  []entitlement.User
	groups []entitlement.Group
}

func newBenchData() *benchData {
	r := rand.New(rand.NewPCG(1, 2))
	d := &benchData{users: make([]entitlement.User, benchUsers), groups: make([]entitlement.Group, benchGroups)}
	for i := range d.users {
		d.users[i] = entitlement.User{ID: benchUser(i), Enabled: true}
	}
	for i := range d.groups {
		d.groups[i] = entitlement.Group{ID: benchGroup(i), Name: fmt.Sprintf("group-%d", i)}
	}
	for range benchMemberships {
		u := &d.users[r.IntN(benchUsers)]
		u.Groups = append(u.Groups, benchGroup(r.IntN(benchGroups)))
	}
	for i := range benchAssignments {
		g := entitlement.Grant{PermissionSetID: benchSet(r.IntN(benchSets)), TargetType: access.TargetAccount, TargetID: benchAccount(r.IntN(benchAccounts))}
		if i%100 == 0 {
			g.TargetType, g.TargetID = access.TargetOrganizationalUnit, benchOU(r.IntN(benchOUs))
		}
		if i%5 == 0 {
			u := &d.users[r.IntN(benchUsers)]
			g.PrincipalType, g.PrincipalID = access.PrincipalUser, u.ID
			u.Grants = append(u.Grants, g)
		} else {
			gr := &d.groups[r.IntN(benchGroups)]
			g.PrincipalType, g.PrincipalID = access.PrincipalGroup, gr.ID
			gr.Grants = append(gr.Grants, g)
		}
	}
	return d
}

// build indexes d in an organization of ous OUs, accounts accounts and
// sets permission sets.
func (d *benchData) build(ous, accounts, sets int) *entitlement.Index {
	e := entitlement.New(entitlement.Options{}).Edit()
	e.PutRoot(inst, entitlement.Root{ID: root, ManagementAccountID: benchAccount(0), SCPEnabled: true, SCPs: []string{fullAccess}})
	e.PutSCP(inst, entitlement.SCP{ID: fullAccess, Name: "FullAWSAccess", Content: allowAll})
	e.PutSCP(inst, entitlement.SCP{ID: "p-denyiam1", Name: "DenyIAM", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`})
	for i := range ous {
		parent := root
		if i >= 4 {
			parent = benchOU(i % 4)
		}
		e.PutOU(inst, entitlement.OU{ID: benchOU(i), Name: fmt.Sprintf("ou-%d", i), ParentID: parent, SCPs: []string{fullAccess, "p-denyiam1"}})
	}
	for i := range accounts {
		e.PutAccount(inst, entitlement.Account{ID: benchAccount(i), Name: fmt.Sprintf("account-%d", i), Status: org.AccountActive,
			ParentID: benchOU(i % ous), SCPs: []string{fullAccess}})
	}
	for i := range sets {
		e.PutPermissionSet(inst, entitlement.PermissionSet{ID: benchSet(i), Name: fmt.Sprintf("set-%d", i),
			InlinePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`})
	}
	for _, g := range d.groups {
		e.PutGroup(inst, g)
	}
	for _, u := range d.users {
		e.PutUser(inst, u)
	}
	return e.Commit(1)
}

var (
	benchOnce  sync.Once
	benchIndex *entitlement.Index
	benchIn    *benchData
)

func benchSetup(b *testing.B) (*benchData, *entitlement.Index) {
	b.Helper()
	benchOnce.Do(func() {
		benchIn = newBenchData()
		benchIndex = benchIn.build(benchOUs, benchAccounts, benchSets)
	})
	return benchIn, benchIndex
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkBuild builds the index of the whole directory, as a node does at
// start; it reports the heap the index holds.
func BenchmarkBuild(b *testing.B) {
	d := newBenchData()
	var x *entitlement.Index
	for b.Loop() {
		x = d.build(benchOUs, benchAccounts, benchSets)
	}
	st := x.View(inst).Stats()
	if st.Users != benchUsers || st.Groups != benchGroups || st.Accounts != benchAccounts || st.PermissionSets != benchSets {
		b.Fatalf("Stats() = %+v", st)
	}
	b.ReportMetric(float64(st.Grants), "grants")
	// The heap the index holds beyond its input: with it, then without it.
	with := heapInUse()
	runtime.KeepAlive(x)
	x = nil
	b.ReportMetric(float64(with-heapInUse())/(1<<20), "MiB-held")
	runtime.KeepAlive(d)
}

// queryUsers are users that have entitlements, to query.
func queryUsers(x *entitlement.Index) []string {
	var out []string
	for i := 0; len(out) < 1024 && i < benchUsers; i++ {
		if len(x.View(inst).Entitlements(benchUser(i))) > 0 {
			out = append(out, benchUser(i))
		}
	}
	return out
}

func BenchmarkEntitlements(b *testing.B) {
	_, x := benchSetup(b)
	users := queryUsers(x)
	n, i := 0, 0
	for b.Loop() {
		n += len(x.View(inst).Entitlements(users[i%len(users)]))
		i++
	}
	b.ReportMetric(float64(n)/float64(i), "entitlements/user")
}

func BenchmarkCan(b *testing.B) {
	_, x := benchSetup(b)
	users := queryUsers(x)
	type q struct{ user, account, ps string }
	var qs []q
	for _, u := range users {
		en := x.View(inst).Entitlements(u)[0]
		qs = append(qs, q{u, en.AccountID, en.PermissionSetID})
	}
	i := 0
	for b.Loop() {
		c := qs[i%len(qs)]
		if !x.View(inst).Can(c.user, c.account, c.ps) {
			b.Fatal("denied")
		}
		i++
	}
}

func BenchmarkDecide(b *testing.B) {
	_, x := benchSetup(b)
	users := queryUsers(x)
	type q struct{ user, account, ps string }
	var qs []q
	for _, u := range users {
		for _, en := range x.View(inst).Entitlements(u) {
			if en.AccountID != benchAccount(0) { // SCPs apply
				qs = append(qs, q{u, en.AccountID, en.PermissionSetID})
				break
			}
		}
	}
	req := &policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key"}
	i := 0
	for b.Loop() {
		c := qs[i%len(qs)]
		if x.View(inst).Decide(c.user, c.account, c.ps, req) != policy.Allowed {
			b.Fatal("denied")
		}
		i++
	}
}

// BenchmarkEditMembership is one user joining a group: the edit the index
// makes most, as SCIM clients provision memberships one by one.
func BenchmarkEditMembership(b *testing.B) {
	d, x := benchSetup(b)
	i := 0
	for b.Loop() {
		u := d.users[i%benchUsers]
		u.Groups = append(append([]string(nil), u.Groups...), benchGroup(i%benchGroups))
		e := x.Edit()
		e.PutUser(inst, u)
		x = e.Commit(x.Version() + 1)
		i++
	}
}

// BenchmarkEditGroupAssignment gives a group one more assignment, which
// every member receives.
func BenchmarkEditGroupAssignment(b *testing.B) {
	d, x := benchSetup(b)
	i := 0
	for b.Loop() {
		g := d.groups[i%benchGroups]
		g.Grants = append(append([]entitlement.Grant(nil), g.Grants...), entitlement.Grant{PermissionSetID: benchSet(i % benchSets),
			TargetType: access.TargetAccount, TargetID: benchAccount(i % benchAccounts), PrincipalType: access.PrincipalGroup, PrincipalID: g.ID})
		e := x.Edit()
		e.PutGroup(inst, g)
		x = e.Commit(x.Version() + 1)
		i++
	}
}

// BenchmarkEditAccountMove moves an account to another OU: paths and SCP
// levels of every account are computed again.
func BenchmarkEditAccountMove(b *testing.B) {
	_, x := benchSetup(b)
	i := 0
	for b.Loop() {
		e := x.Edit()
		e.PutAccount(inst, entitlement.Account{ID: benchAccount(1 + i%(benchAccounts-1)), Name: "moved", Status: org.AccountActive,
			ParentID: benchOU(i % benchOUs), SCPs: []string{fullAccess}})
		x = e.Commit(x.Version() + 1)
		i++
	}
}

// BenchmarkEditPermissionSet creates a permission set: a new entry among
// the instance's permission sets, nothing else.
func BenchmarkEditPermissionSet(b *testing.B) {
	_, x := benchSetup(b)
	i := 0
	for b.Loop() {
		e := x.Edit()
		e.PutPermissionSet(inst, entitlement.PermissionSet{ID: fmt.Sprintf("ps-new%010d", i), Name: fmt.Sprintf("New%d", i)})
		x = e.Commit(x.Version() + 1)
		i++
	}
}
