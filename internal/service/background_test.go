package service_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// waitLeader waits until exactly one of the servers leads the background
// work, checks that no two lead at once meanwhile and for a while after,
// and returns the leader.
func waitLeader(t *testing.T, within time.Duration, servers ...*atriumtest.Server) *atriumtest.Server {
	t.Helper()
	leaders := func() []*atriumtest.Server {
		var out []*atriumtest.Server
		for _, s := range servers {
			if s.App.Background.Leading() {
				out = append(out, s)
			}
		}
		return out
	}
	deadline := time.Now().Add(within)
	for {
		l := leaders()
		if len(l) > 1 {
			t.Fatalf("%d servers lead the background work at once", len(l))
		}
		if len(l) == 1 {
			for range 20 { // it stays alone
				time.Sleep(10 * time.Millisecond)
				if now := leaders(); len(now) != 1 || now[0] != l[0] {
					t.Fatalf("the leader changed with nobody stopping: %d lead now", len(now))
				}
			}
			return l[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no server led the background work within %v", within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestBackgroundLeadsAlone: a single server on SQLite leads at once.
func TestBackgroundLeadsAlone(t *testing.T) {
	t.Parallel()
	s := atriumtest.Start(t)
	waitLeader(t, 5*time.Second, s)
}

// TestBackgroundOnOneNode runs two nodes on one PostgreSQL database: one
// leads the background work; an assignment requested on the other completes
// promptly (the request wakes the leader); when the leader stops, the other
// takes over within seconds and completes new assignments.
func TestBackgroundOnOneNode(t *testing.T) {
	if os.Getenv(storetest.EnvDatabaseURL) == "" && os.Getenv(storetest.EnvRequirePostgres) != "1" {
		t.Skipf("TestBackgroundOnOneNode needs PostgreSQL: set %s", storetest.EnvDatabaseURL)
	}
	t.Parallel()
	url := storetest.NewPostgresDatabase(t)
	dir := t.TempDir() // one master key for both nodes
	a := atriumtest.Start(t, atriumtest.Options{DataDir: dir, DatabaseURL: url})
	b := atriumtest.Start(t, atriumtest.Options{DataDir: dir, DatabaseURL: url})
	leader := waitLeader(t, 10*time.Second, a, b)
	other := a
	if leader == a {
		other = b
	}

	// Requests made on the node that does not lead.
	w := newWorld(t, other)
	devs := w.group(t, "Developers")
	psARN, _ := w.permissionSet(t, "Dev")
	var took []time.Duration
	for _, name := range []string{"One", "Two", "Three", "Four", "Five"} {
		acct := w.account(t, name)
		start := time.Now()
		w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	t.Logf("CreateAccountAssignment to SUCCEEDED through the node that does not lead: %v", took)
	// Polling alone (every second) would take half a second on average.
	if took[len(took)/2] > 400*time.Millisecond {
		t.Errorf("median time to SUCCEEDED through the node that does not lead = %v, want the leader woken at once", took[len(took)/2])
	}

	// The leader stops: the other node takes over.
	stopped := time.Now()
	leader.Stop()
	if l := waitLeader(t, 10*time.Second, other); l != other {
		t.Fatal("the remaining node does not lead")
	}
	t.Logf("the remaining node led %v after the leader stopped", time.Since(stopped))
	acct := w.account(t, "After")
	w.assign(t, false, psARN, "AWS_ACCOUNT", acct, "GROUP", devs)
}
