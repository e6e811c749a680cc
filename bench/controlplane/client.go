package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/atriumhq/atrium/bench/internal/harness"
)

func numCPU() int { return runtime.NumCPU() }

// script is the client script: the same calls, in the same order, against
// any sso-admin endpoint.
type script struct {
	c           *ssoadmin.Client
	instanceARN string
	accountID   string // the instance's owner (management) account
	userID      string // the principal of every assignment
	limit       time.Duration
}

// newScript reads the instance of s and creates the user to assign.
func newScript(ctx context.Context, s *server, limit time.Duration) (*script, error) {
	cfg := harness.Config(s)
	sc := &script{c: ssoadmin.NewFromConfig(cfg), limit: limit}
	out, err := sc.c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return nil, fmt.Errorf("ListInstances: %w", err)
	}
	if len(out.Instances) != 1 {
		return nil, fmt.Errorf("%s has %d instances, want 1", s.Name, len(out.Instances))
	}
	in := out.Instances[0]
	sc.instanceARN, sc.accountID = aws.ToString(in.InstanceArn), aws.ToString(in.OwnerAccountId)
	if sc.accountID == "" {
		return nil, errors.New("the instance has no owner account")
	}
	u, err := identitystore.NewFromConfig(cfg).CreateUser(ctx, &identitystore.CreateUserInput{
		IdentityStoreId: in.IdentityStoreId,
		UserName:        aws.String("bench-assignee"),
		DisplayName:     aws.String("Bench Assignee"),
		Name:            &istypes.Name{GivenName: aws.String("Bench"), FamilyName: aws.String("Assignee")},
	})
	if err != nil {
		return nil, fmt.Errorf("CreateUser: %w", err)
	}
	sc.userID = aws.ToString(u.UserId)
	return sc, nil
}

// createPermissionSets creates len(arns) permission sets with unique
// names and records their ARNs.
func (s *script) createPermissionSets(ctx context.Context, arns []string, conc int) result {
	return measure(ctx, len(arns), conc, s.limit, func(ctx context.Context, i int) error {
		out, err := s.c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
			InstanceArn:     aws.String(s.instanceARN),
			Name:            aws.String(fmt.Sprintf("Bench%06d", i)),
			SessionDuration: aws.String("PT4H"),
		})
		if err == nil {
			arns[i] = aws.ToString(out.PermissionSet.PermissionSetArn)
		}
		return err
	})
}

// assignmentRequest is the answer to one CreateAccountAssignment.
type assignmentRequest struct {
	id     string
	status types.StatusValues
}

// createAssignments assigns each permission set of sets to the account,
// for the user.
func (s *script) createAssignments(ctx context.Context, sets []string, reqs []assignmentRequest, conc int) result {
	return measure(ctx, len(sets), conc, s.limit, func(ctx context.Context, i int) error {
		out, err := s.c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
			InstanceArn:      aws.String(s.instanceARN),
			PermissionSetArn: aws.String(sets[i]),
			TargetId:         aws.String(s.accountID),
			TargetType:       types.TargetTypeAwsAccount,
			PrincipalType:    types.PrincipalTypeUser,
			PrincipalId:      aws.String(s.userID),
		})
		if err == nil && out.AccountAssignmentCreationStatus != nil {
			st := out.AccountAssignmentCreationStatus
			reqs[i] = assignmentRequest{id: aws.ToString(st.RequestId), status: st.Status}
		}
		return err
	})
}

// waitDone polls until no assignment creation is IN_PROGRESS, for at most
// limit; it reports whether the limit cut it.
func (s *script) waitDone(ctx context.Context, limit time.Duration) (bool, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		l, err := s.c.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{
			InstanceArn: aws.String(s.instanceARN),
			Filter:      &types.OperationStatusFilter{Status: types.StatusValuesInProgress},
			MaxResults:  aws.Int32(1),
		})
		if err != nil {
			return false, fmt.Errorf("ListAccountAssignmentCreationStatus: %w", err)
		}
		if len(l.AccountAssignmentsCreationStatus) == 0 {
			return false, nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true, nil
}

// countFailed counts the FAILED assignment creations.
func (s *script) countFailed(ctx context.Context) (int, error) {
	n := 0
	p := ssoadmin.NewListAccountAssignmentCreationStatusPaginator(s.c, &ssoadmin.ListAccountAssignmentCreationStatusInput{
		InstanceArn: aws.String(s.instanceARN),
		Filter:      &types.OperationStatusFilter{Status: types.StatusValuesFailed},
	})
	for p.HasMorePages() {
		l, err := p.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("ListAccountAssignmentCreationStatus: %w", err)
		}
		n += len(l.AccountAssignmentsCreationStatus)
	}
	return n, nil
}

// checkEach describes each request's status (for a server without
// ListAccountAssignmentCreationStatus) and counts those not SUCCEEDED.
func (s *script) checkEach(ctx context.Context, reqs []assignmentRequest) (int, error) {
	n := 0
	for _, q := range reqs {
		if q.id == "" {
			continue
		}
		out, err := s.c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
			InstanceArn:                        aws.String(s.instanceARN),
			AccountAssignmentCreationRequestId: aws.String(q.id),
		})
		if err != nil {
			return n, fmt.Errorf("DescribeAccountAssignmentCreationStatus: %w", err)
		}
		if out.AccountAssignmentCreationStatus == nil || out.AccountAssignmentCreationStatus.Status != types.StatusValuesSucceeded {
			n++
		}
	}
	return n, nil
}
