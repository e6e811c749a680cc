package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
)

// Scale of BenchmarkEffectiveAccess: each user is in 5 of the groups, and
// each group is assigned 5 permission sets, each in one account.
const (
	benchUsers       = 20_000
	benchGroups      = 2_000
	benchPerUser     = 5
	benchAccounts    = 500
	benchSets        = 50
	benchGroupGrants = 5
)

// BenchmarkEffectiveAccess measures the answers of the effective-access
// index through the service, on SQLite, at the scale above (100,000
// memberships, 10,000 assignments): ListEffectiveAccess is the whole
// operation (authorization, the read of the user, its audit event, the
// index catching up and the answer); Can is the index's fast path. It
// also reports how long a node took to build the index at start.
func BenchmarkEffectiveAccess(b *testing.B) {
	dir := b.TempDir()
	s := atriumtest.Start(b, atriumtest.Options{DataDir: dir})
	instanceID, storeID := s.App.Bootstrap.Instance.ID, s.StoreID
	root := s.App.Bootstrap.Organization.RootID
	ctx := context.Background()
	now := time.Now().UTC()
	userID := func(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }
	groupID := func(i int) string { return fmt.Sprintf("00000000-0000-4000-9000-%012d", i) }
	accountID := func(i int) string { return fmt.Sprintf("7%011d", i) }
	psID := func(i int) string { return fmt.Sprintf("ps-%016x", i) }
	err := s.App.Store.Write(ctx, func(tx store.Tx) error {
		for i := range benchAccounts {
			if err := tx.CreateAccount(ctx, &org.Account{ID: accountID(i), InstanceID: instanceID, Name: accountID(i), Email: accountID(i) + "@example.com",
				Status: org.AccountActive, ParentID: root, JoinedAt: now, JoinMethod: org.JoinedCreated}); err != nil {
				return err
			}
		}
		for i := range benchSets {
			if err := tx.CreatePermissionSet(ctx, &access.PermissionSet{InstanceID: instanceID, ID: psID(i), Name: fmt.Sprintf("Set%d", i),
				SessionDuration: access.DefaultSessionDuration, InlinePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
				Version: 1, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		for g := range benchGroups {
			if err := tx.CreateGroup(ctx, &directory.Group{InstanceID: instanceID, IdentityStoreID: storeID, GroupID: groupID(g), DisplayName: fmt.Sprintf("group-%d", g), CreatedAt: now}); err != nil {
				return err
			}
			for k := range benchGroupGrants {
				n := g*benchGroupGrants + k
				if err := tx.CreateAssignment(ctx, &access.Assignment{InstanceID: instanceID, TargetID: accountID(n % benchAccounts), TargetType: access.TargetAccount,
					PermissionSetID: psID(n % benchSets), PrincipalType: access.PrincipalGroup, PrincipalID: groupID(g), CreatedAt: now}); err != nil {
					return err
				}
			}
		}
		for u := range benchUsers {
			if err := tx.CreateUser(ctx, &directory.User{InstanceID: instanceID, IdentityStoreID: storeID, UserID: userID(u), UserName: fmt.Sprintf("user-%d", u),
				DisplayName: "User", Status: directory.UserEnabled, CreatedAt: now}); err != nil {
				return err
			}
			for k := range benchPerUser {
				if err := tx.CreateMembership(ctx, &directory.Membership{InstanceID: instanceID, IdentityStoreID: storeID, MembershipID: fmt.Sprintf("m-%d-%d", u, k),
					GroupID: groupID((u*7 + k*benchGroups/benchPerUser) % benchGroups), UserID: userID(u), CreatedAt: now, UpdatedAt: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Written under the index's feet: a new node builds it from the store.
	s.Stop()
	start := time.Now()
	s = atriumtest.Start(b, atriumtest.Options{DataDir: dir})
	svc := s.App.Service
	g0 := (0*7 + 0) % benchGroups // user 0's first group
	wantAccount, wantSet := accountID(g0*benchGroupGrants%benchAccounts), psID(g0*benchGroupGrants%benchSets)
	for !service.AccessView(svc, instanceID).Can(userID(0), wantAccount, wantSet) {
		if time.Since(start) > time.Minute {
			b.Fatal("the index was not built within a minute")
		}
		time.Sleep(time.Millisecond)
	}
	built := time.Since(start)

	b.Run("ListEffectiveAccess", func(b *testing.B) {
		key, err := svc.LookupAccessKey(ctx, s.Credentials.AccessKeyID)
		if err != nil {
			b.Fatal(err)
		}
		cctx := reqctx.WithRequest(reqctx.WithCaller(ctx, key.Caller), &reqctx.Request{ID: "bench"})
		i := 0
		for b.Loop() {
			es, err := svc.ListEffectiveAccess(cctx, s.InstanceARN, userID(i%benchUsers))
			if err != nil || len(es) == 0 {
				b.Fatalf("ListEffectiveAccess = %d entitlements, %v", len(es), err)
			}
			i += 7919
		}
		b.ReportMetric(built.Seconds(), "s-index-build")
	})
	b.Run("Can", func(b *testing.B) {
		i := 0
		for b.Loop() {
			u := i % benchUsers
			service.AccessView(svc, instanceID).Can(userID(u), accountID(u%benchAccounts), psID(u%benchSets))
			i += 7919
		}
	})
}
