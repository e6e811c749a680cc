package ssoadmin_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// BenchmarkAssignments measures completed account assignments per second:
// b.N CreateAccountAssignment requests through the SDK, 64 in flight, each
// to an account of its own, until every one has SUCCEEDED. Run with
// -bench Assignments -benchtime 5000x; on PostgreSQL with
// ATRIUM_TEST_DATABASE_URL set.
func BenchmarkAssignments(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchAssignments(b, atriumtest.Start(b), accountsShape) })
	b.Run("postgres", func(b *testing.B) {
		benchAssignments(b, atriumtest.Start(b, atriumtest.Options{DatabaseURL: storetest.NewPostgresDatabase(b)}), accountsShape)
	})
}

// BenchmarkAssignmentsOfSets is BenchmarkAssignments in the shape of the
// side-by-side script (bench/controlplane): each assignment gives one user
// a permission set of its own in one account, 32 in flight, with the WAL
// written out as atrium serve has it. b.N must stay within the quota of
// permission sets (2,000).
func BenchmarkAssignmentsOfSets(b *testing.B) {
	benchAssignments(b, atriumtest.Start(b, atriumtest.Options{PreallocateWAL: true}), setsShape)
}

// The shapes of benchAssignments: assignment i is to accounts[i] of one
// permission set, or of sets[i] to one account.
const (
	accountsShape = iota
	setsShape
)

func benchAssignments(b *testing.B, s *atriumtest.Server, shape int) {
	ctx := context.Background()
	c := s.SSOAdmin()
	instanceID := s.App.Bootstrap.Instance.ID
	root := s.App.Bootstrap.Organization.RootID
	n, clients := 1, 64
	if shape == accountsShape {
		n = b.N
	}
	accounts := make([]string, n)
	err := s.App.Store.Write(ctx, func(tx store.Tx) error {
		for i := range accounts {
			accounts[i] = fmt.Sprintf("5%011d", i)
			if err := tx.CreateAccount(ctx, &org.Account{ID: accounts[i], InstanceID: instanceID, Name: accounts[i], Email: accounts[i] + "@example.com",
				Status: org.AccountActive, ParentID: root, JoinedAt: time.Now(), JoinMethod: org.JoinedCreated}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sets := make([]*string, 1)
	principalType, principal := types.PrincipalTypeGroup, mustGroupB(b, s)
	if shape == setsShape {
		sets, clients = make([]*string, b.N), 32
		principalType, principal = types.PrincipalTypeUser, mustUserB(b, s)
	}
	for i := range sets {
		out, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String(fmt.Sprintf("Bench%d", i))})
		if err != nil {
			b.Fatal(err)
		}
		sets[i] = out.PermissionSet.PermissionSetArn
	}

	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				_, err := c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(s.InstanceARN),
					TargetId: aws.String(accounts[i%n]), TargetType: types.TargetTypeAwsAccount, PermissionSetArn: sets[i%len(sets)],
					PrincipalType: principalType, PrincipalId: aws.String(principal)})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	requested := time.Since(start)
	for {
		l, err := c.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: aws.String(s.InstanceARN),
			Filter: &types.OperationStatusFilter{Status: types.StatusValuesInProgress}, MaxResults: aws.Int32(1)})
		if err != nil {
			b.Fatal(err)
		}
		if len(l.AccountAssignmentsCreationStatus) == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	total := time.Since(start)
	b.StopTimer()
	f, err := c.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: aws.String(s.InstanceARN),
		Filter: &types.OperationStatusFilter{Status: types.StatusValuesFailed}, MaxResults: aws.Int32(1)})
	if err != nil || len(f.AccountAssignmentsCreationStatus) > 0 {
		b.Fatalf("failed assignments: %v %v", f, err)
	}
	b.ReportMetric(float64(b.N)/total.Seconds(), "completed/s")
	b.ReportMetric(float64(b.N)/requested.Seconds(), "requested/s")
}

func mustUserB(b *testing.B, s *atriumtest.Server) string {
	b.Helper()
	out, err := s.IdentityStore().CreateUser(context.Background(), &identitystore.CreateUserInput{IdentityStoreId: aws.String(s.StoreID), UserName: aws.String("bench"),
		DisplayName: aws.String("Bench"), Name: &istypes.Name{GivenName: aws.String("Bench"), FamilyName: aws.String("User")}})
	if err != nil {
		b.Fatal(err)
	}
	return aws.ToString(out.UserId)
}

func mustGroupB(b *testing.B, s *atriumtest.Server) string {
	b.Helper()
	out, err := s.IdentityStore().CreateGroup(context.Background(), &identitystore.CreateGroupInput{IdentityStoreId: aws.String(s.StoreID), DisplayName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

// BenchmarkAccessWorker measures the worker alone: b.N assignment creations
// written straight to the store, completed by the worker in batches.
func BenchmarkAccessWorker(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchWorker(b, atriumtest.Start(b)) })
	b.Run("postgres", func(b *testing.B) {
		benchWorker(b, atriumtest.Start(b, atriumtest.Options{DatabaseURL: storetest.NewPostgresDatabase(b)}))
	})
}

func benchWorker(b *testing.B, s *atriumtest.Server) {
	ctx := context.Background()
	instanceID := s.App.Bootstrap.Instance.ID
	root := s.App.Bootstrap.Organization.RootID
	out, err := s.SSOAdmin().CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String("Bench")})
	if err != nil {
		b.Fatal(err)
	}
	_, psID, _ := arn.ParsePermissionSetARN(aws.ToString(out.PermissionSet.PermissionSetArn))
	group := mustGroupB(b, s)
	ids := arn.Generator{}
	err = s.App.Store.Write(ctx, func(tx store.Tx) error {
		now := time.Now().UTC()
		for i := range b.N {
			acct := fmt.Sprintf("6%011d", i)
			if err := tx.CreateAccount(ctx, &org.Account{ID: acct, InstanceID: instanceID, Name: acct, Email: acct + "@example.com",
				Status: org.AccountActive, ParentID: root, JoinedAt: now, JoinMethod: org.JoinedCreated}); err != nil {
				return err
			}
			op := access.NewOperation(access.CreateAssignment, instanceID, ids.UUID(), now)
			op.TargetID, op.TargetType, op.PermissionSetID, op.PrincipalType, op.PrincipalID = acct, access.TargetAccount, psID, access.PrincipalGroup, group
			if err := tx.CreateOperation(ctx, op); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	w := service.NewAccessWorker(s.App.Service, service.AccessWorkerConfig{})
	b.ResetTimer()
	start := time.Now()
	done := 0
	for done < b.N {
		n, err := w.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		done += n
		if n == 0 {
			time.Sleep(time.Millisecond) // the app's own worker holds the rest
			var pending []access.Operation
			_ = s.App.Store.Read(ctx, func(tx store.Tx) (err error) {
				pending, err = tx.ListOperations(ctx, instanceID, store.OperationQuery{Kind: access.CreateAssignment, Status: access.InProgress, Page: store.Page{Limit: 1}})
				return err
			})
			if len(pending) == 0 {
				break
			}
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "completed/s")
}

// BenchmarkCreatePermissionSet measures CreatePermissionSet calls per
// second through the SDK, 32 in flight, each a new name, on SQLite.
// b.N must stay within the instance's quota of permission sets (2,000).
func BenchmarkCreatePermissionSet(b *testing.B) {
	s := atriumtest.Start(b)
	c := s.SSOAdmin()
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 32 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if _, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN),
					Name: aws.String(fmt.Sprintf("Bench%05d", i))}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}
