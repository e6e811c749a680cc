package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

func testChanges(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Feed", func(t *testing.T) { t.Parallel(); testChangeFeed(t, open(t)) })
	t.Run("CommitOrder", func(t *testing.T) { t.Parallel(); testChangeCommitOrder(t, open(t)) })
	t.Run("Loaders", func(t *testing.T) { t.Parallel(); testIndexLoaders(t, open(t)) })
}

func change(n int) store.Change {
	return store.Change{InstanceID: "ssoins-1", Kind: "user", EntityID: fmt.Sprintf("u-%d", n), At: t0}
}

func mustAppend(t *testing.T, s store.Store, cs ...store.Change) int64 {
	t.Helper()
	var last int64
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		last, err = tx.AppendChanges(ctx, cs)
		return err
	})
	return last
}

func seqs(cs []store.Change) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.Seq)
	}
	return out
}

func testChangeFeed(t *testing.T, s store.Store) {
	list := func(after int64, n int) []store.Change {
		var out []store.Change
		mustRead(t, s, func(ctx context.Context, tx store.Tx) (err error) {
			out, err = tx.ListChanges(ctx, after, n)
			return err
		})
		return out
	}
	last := func() int64 {
		var n int64
		mustRead(t, s, func(ctx context.Context, tx store.Tx) (err error) {
			n, err = tx.LastChange(ctx)
			return err
		})
		return n
	}
	if got := last(); got != 0 {
		t.Fatalf("LastChange() of a new store = %d, want 0", got)
	}
	if got := list(0, 10); len(got) != 0 {
		t.Fatalf("ListChanges(0) of a new store = %v, want none", got)
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if n, err := tx.AppendChanges(ctx, nil); n != 0 || err != nil {
			t.Errorf("AppendChanges(none) = %d, %v, want 0, nil", n, err)
		}
		return nil
	})
	if got := mustAppend(t, s, change(1), change(2), change(3)); got != 3 {
		t.Errorf("AppendChanges(3 changes) = %d, want 3", got)
	}
	// A transaction that rolls back takes no number.
	errRollback := errors.New("roll back")
	err := s.Write(t.Context(), func(tx store.Tx) error {
		if _, err := tx.AppendChanges(t.Context(), []store.Change{change(99)}); err != nil {
			return err
		}
		return errRollback
	})
	wantErr(t, "Write(rolled back)", err, errRollback)
	many := make([]store.Change, 450) // more than one INSERT holds
	for i := range many {
		many[i] = change(4 + i)
	}
	if got := mustAppend(t, s, many...); got != 453 {
		t.Errorf("AppendChanges(450 more) = %d, want 453", got)
	}
	all := list(0, 1000)
	if len(all) != 453 {
		t.Fatalf("ListChanges(0) = %d changes, want 453", len(all))
	}
	for i, c := range all {
		want := change(i + 1)
		want.Seq, want.At = int64(i+1), stored(t0)
		if d := diff(c, want); d != "" {
			t.Fatalf("change %d differs from what was appended:\n%s", i+1, d)
		}
	}
	if got := seqs(list(2, 2)); !slices.Equal(got, []int64{3, 4}) {
		t.Errorf("ListChanges(after 2, limit 2) = %v, want [3 4]", got)
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PruneChanges(ctx, 450) })
	if got := seqs(list(0, 10)); !slices.Equal(got, []int64{451, 452, 453}) {
		t.Errorf("ListChanges(0) after PruneChanges(450) = %v, want [451 452 453]", got)
	}
	if got := last(); got != 453 {
		t.Errorf("LastChange() after pruning = %d, want 453", got)
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PruneChanges(ctx, 453) })
	if got := mustAppend(t, s, change(454)); got != 454 {
		t.Errorf("AppendChanges() after pruning everything = %d, want 454: numbers are never reused", got)
	}
}

// testChangeCommitOrder appends from many writers while a follower reads:
// the follower must never see a number before every smaller one.
func testChangeCommitOrder(t *testing.T, s store.Store) {
	const writers, writes = 8, 25
	ctx := t.Context()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range writes {
				err := s.Write(ctx, func(tx store.Tx) error {
					cs := []store.Change{change(w*1000 + i)}
					if i%3 == 0 {
						cs = append(cs, change(w*1000+i+500))
					}
					if _, err := tx.AppendChanges(ctx, cs); err != nil {
						return err
					}
					time.Sleep(time.Duration(i%3) * time.Millisecond) // hold the feed a while before committing
					return nil
				})
				if err != nil {
					t.Errorf("Write() = %v", err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	want := int64(writers * (writes + (writes+2)/3))
	var seen int64
	for finished := false; !finished || seen < want; {
		select {
		case <-done:
			finished = true
		default:
		}
		var got []store.Change
		mustRead(t, s, func(ctx context.Context, tx store.Tx) (err error) {
			got, err = tx.ListChanges(ctx, seen, 1000)
			return err
		})
		for _, c := range got {
			if c.Seq != seen+1 {
				t.Fatalf("after change %d the feed shows %d: a later number became visible before an earlier one", seen, c.Seq)
			}
			seen = c.Seq
		}
		if finished && len(got) == 0 && seen < want {
			t.Fatalf("the feed ends at %d, want %d", seen, want)
		}
	}
}

func testIndexLoaders(t *testing.T, s store.Store) {
	in, o := orgFixture(t, s, 1)
	other := mustInstance(t, s, 2)
	u1, u2 := userFixture(in, "u-1", "ada"), userFixture(in, "u-2", "bob")
	u2.Status = directory.UserDisabled
	g1 := groupFixture(in, "g-1", "Engineers")
	for _, u := range []*directory.User{u1, u2, userFixture(other, "u-3", "eve")} {
		mustCreateUser(t, s, u)
	}
	mustCreateGroup(t, s, g1)
	mustCreateMembership(t, s, membershipFixture(in, "m-1", "g-1", "u-1"))
	mustCreateMembership(t, s, membershipFixture(in, "m-2", "g-1", "u-2"))
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, u := range []*org.OrganizationalUnit{
			{ID: "ou-ab12-bbbbbbbb", InstanceID: in.ID, ParentID: o.RootID, Name: "B", CreatedAt: t0},
			{ID: "ou-ab12-aaaaaaaa", InstanceID: in.ID, ParentID: "ou-ab12-bbbbbbbb", Name: "A", CreatedAt: t0},
		} {
			if err := tx.CreateOrganizationalUnit(ctx, u); err != nil {
				return err
			}
		}
		if err := tx.CreateAccount(ctx, accountFixture(in, "222222222222", "ou-ab12-aaaaaaaa")); err != nil {
			return err
		}
		scp := &org.Policy{ID: "p-deny0001", InstanceID: in.ID, Type: org.ServiceControlPolicy, Name: "Deny", Content: `{}`}
		if err := tx.CreateOrgPolicy(ctx, scp); err != nil {
			return err
		}
		for _, a := range []org.PolicyTarget{{TargetID: o.RootID, Type: org.TypeRoot}, {TargetID: "222222222222", Type: org.TypeAccount}} {
			if err := tx.AttachOrgPolicy(ctx, in.ID, org.FullAWSAccessID, a); err != nil {
				return err
			}
		}
		if err := tx.AttachOrgPolicy(ctx, in.ID, scp.ID, org.PolicyTarget{TargetID: "ou-ab12-aaaaaaaa", Type: org.TypeOrganizationalUnit}); err != nil {
			return err
		}
		for _, p := range []*access.CustomerManagedPolicy{
			{InstanceID: in.ID, AccountID: "222222222222", Path: "/", Name: "Zed", Document: "{}"},
			{InstanceID: in.ID, AccountID: "222222222222", Path: "/x/", Name: "alpha", Document: "{}"},
			{InstanceID: in.ID, AccountID: "333333333333", Path: "/", Name: "Other", Document: "{}"},
		} {
			if err := tx.PutCustomerManagedPolicy(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		users := map[string]directory.UserStatus{}
		if err := tx.EachUserStatus(ctx, in.ID, func(id string, st directory.UserStatus) error { users[id] = st; return nil }); err != nil {
			t.Fatalf("EachUserStatus() = %v", err)
		}
		if d := diff(users, map[string]directory.UserStatus{"u-1": directory.UserEnabled, "u-2": directory.UserDisabled}); d != "" {
			t.Errorf("EachUserStatus():\n%s", d)
		}
		var ms []string
		if err := tx.EachMembership(ctx, in.ID, func(u, g string) error { ms = append(ms, u+"@"+g); return nil }); err != nil {
			t.Fatalf("EachMembership() = %v", err)
		}
		slices.Sort(ms)
		if !slices.Equal(ms, []string{"u-1@g-1", "u-2@g-1"}) {
			t.Errorf("EachMembership() = %q", ms)
		}
		errStop := errors.New("stop")
		wantErr(t, "EachMembership(fn fails)", tx.EachMembership(ctx, in.ID, func(string, string) error { return errStop }), errStop)

		ous, err := tx.ListAllOrganizationalUnits(ctx, in.ID)
		if err != nil {
			t.Fatalf("ListAllOrganizationalUnits() = %v", err)
		}
		if len(ous) != 2 || ous[0].ID != "ou-ab12-aaaaaaaa" || ous[0].ParentID != "ou-ab12-bbbbbbbb" || ous[1].Name != "B" {
			t.Errorf("ListAllOrganizationalUnits() = %+v", ous)
		}
		att, err := tx.ListOrgPolicyAttachments(ctx, in.ID, org.ServiceControlPolicy)
		if err != nil {
			t.Fatalf("ListOrgPolicyAttachments() = %v", err)
		}
		want := []store.OrgPolicyAttachment{
			{PolicyID: org.FullAWSAccessID, TargetID: "222222222222", TargetType: org.TypeAccount},
			{PolicyID: "p-deny0001", TargetID: "ou-ab12-aaaaaaaa", TargetType: org.TypeOrganizationalUnit},
			{PolicyID: org.FullAWSAccessID, TargetID: o.RootID, TargetType: org.TypeRoot},
		}
		if d := diff(att, want); d != "" {
			t.Errorf("ListOrgPolicyAttachments():\n%s", d)
		}
		if att, _ := tx.ListOrgPolicyAttachments(ctx, in.ID, "TAG_POLICY"); len(att) != 0 {
			t.Errorf("ListOrgPolicyAttachments(TAG_POLICY) = %v, want none", att)
		}
		cmps, err := tx.AllCustomerManagedPolicies(ctx, in.ID, "")
		if err != nil {
			t.Fatalf("AllCustomerManagedPolicies() = %v", err)
		}
		var names []string
		for _, p := range cmps {
			names = append(names, p.AccountID+p.Path+p.Name)
		}
		if !slices.Equal(names, []string{"222222222222/x/alpha", "222222222222/Zed", "333333333333/Other"}) {
			t.Errorf("AllCustomerManagedPolicies(all) = %q", names)
		}
		if cmps, _ := tx.AllCustomerManagedPolicies(ctx, in.ID, "333333333333"); len(cmps) != 1 || cmps[0].Document != "{}" || cmps[0].InstanceID != in.ID {
			t.Errorf("AllCustomerManagedPolicies(333333333333) = %+v", cmps)
		}
		return nil
	})
}
