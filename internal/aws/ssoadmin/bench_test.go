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
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
	"github.com/atriumhq/atrium/internal/store/storetest"
)

// BenchmarkAssignments measures completed account assignments per second:
// b.N CreateAccountAssignment requests through the SDK, 64 in flight, each
// to an account of its own, until every one has SUCCEEDED. Run with
// -bench Assignments -benchtime 5000x; on PostgreSQL with
// ATRIUM_TEST_DATABASE_URL set.
func BenchmarkAssignments(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchAssignments(b, atriumtest.Start(b)) })
	b.Run("postgres", func(b *testing.B) {
		benchAssignments(b, atriumtest.Start(b, atriumtest.Options{DatabaseURL: storetest.NewPostgresDatabase(b)}))
	})
}

func benchAssignments(b *testing.B, s *atriumtest.Server) {
	ctx := context.Background()
	c := s.SSOAdmin()
	instanceID := s.App.Bootstrap.Instance.ID
	root := s.App.Bootstrap.Organization.RootID
	accounts := make([]string, b.N)
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
	out, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String("Bench")})
	if err != nil {
		b.Fatal(err)
	}
	ps := out.PermissionSet.PermissionSetArn
	group := mustGroupB(b, s)

	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				_, err := c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(s.InstanceARN),
					TargetId: aws.String(accounts[i]), TargetType: types.TargetTypeAwsAccount, PermissionSetArn: ps,
					PrincipalType: types.PrincipalTypeGroup, PrincipalId: aws.String(group)})
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

func mustGroupB(b *testing.B, s *atriumtest.Server) string {
	b.Helper()
	out, err := s.IdentityStore().CreateGroup(context.Background(), &identitystore.CreateGroupInput{IdentityStoreId: aws.String(s.StoreID), DisplayName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}
