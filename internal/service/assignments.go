package service

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// AssignmentRequest names an account assignment: a principal, a permission
// set and a target (an account, or an organizational unit).
type AssignmentRequest struct {
	TargetID         string
	TargetType       string
	PermissionSetARN string
	PrincipalType    string
	PrincipalID      string
}

// CreateAccountAssignment asks for an assignment. The request completes
// asynchronously: the returned operation is IN_PROGRESS, and the access
// worker makes it SUCCEEDED or FAILED.
func (s *Service) CreateAccountAssignment(ctx context.Context, instanceARN string, r AssignmentRequest) (*access.Operation, error) {
	return s.requestAssignment(ctx, ssoOp("CreateAccountAssignment", false), access.CreateAssignment, instanceARN, r)
}

// DeleteAccountAssignment asks for an assignment's deletion, completed
// asynchronously like CreateAccountAssignment.
func (s *Service) DeleteAccountAssignment(ctx context.Context, instanceARN string, r AssignmentRequest) (*access.Operation, error) {
	return s.requestAssignment(ctx, ssoOp("DeleteAccountAssignment", false), access.DeleteAssignment, instanceARN, r)
}

func (s *Service) requestAssignment(ctx context.Context, o op, kind access.OperationKind, instanceARN string, r AssignmentRequest) (*access.Operation, error) {
	c, err := s.begin(ctx, o, r.PermissionSetARN)
	if err != nil {
		return nil, err
	}
	psID, err := parsePermissionSetARN(o, c, instanceARN, r.PermissionSetARN, "permissionSetArn")
	if err == nil {
		err = access.ValidateTarget(o.String(), r.TargetType, r.TargetID)
	}
	if err == nil {
		err = access.ValidatePrincipal(o.String(), r.PrincipalType, r.PrincipalID)
	}
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var op *access.Operation
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		op = access.NewOperation(kind, c.instanceID, s.ids.TimeUUID(), now.Truncate(time.Microsecond))
		op.TargetID, op.TargetType, op.PermissionSetID = r.TargetID, r.TargetType, psID
		op.PrincipalType, op.PrincipalID = r.PrincipalType, r.PrincipalID
		if err := tx.CreateOperation(ctx, op); err != nil {
			return err
		}
		if err := s.notifyAccessWorker(ctx, tx); err != nil {
			return err
		}
		key := "AccountAssignmentCreationStatus"
		if kind == access.DeleteAssignment {
			key = "AccountAssignmentDeletionStatus"
		}
		c.response = map[string]any{key: map[string]any{"Status": op.Status, "RequestId": op.RequestID}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.wakeAccessWorker()
	return op, nil
}

// DescribeAccountAssignmentCreationStatus returns an assignment creation.
func (s *Service) DescribeAccountAssignmentCreationStatus(ctx context.Context, instanceARN, requestID string) (*access.Operation, error) {
	return s.describeOperation(ctx, ssoOp("DescribeAccountAssignmentCreationStatus", true), access.CreateAssignment, instanceARN, requestID, "accountAssignmentCreationRequestId")
}

// DescribeAccountAssignmentDeletionStatus returns an assignment deletion.
func (s *Service) DescribeAccountAssignmentDeletionStatus(ctx context.Context, instanceARN, requestID string) (*access.Operation, error) {
	return s.describeOperation(ctx, ssoOp("DescribeAccountAssignmentDeletionStatus", true), access.DeleteAssignment, instanceARN, requestID, "accountAssignmentDeletionRequestId")
}

func (s *Service) describeOperation(ctx context.Context, o op, kind access.OperationKind, instanceARN, requestID, path string) (*access.Operation, error) {
	c, err := s.beginInstance(ctx, o, instanceARN, "")
	if err != nil {
		return nil, err
	}
	if err := access.ValidateRequestID(o.String(), path, requestID); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var op *access.Operation
	err = s.lookup(ctx, c, func(tx store.Tx) (err error) {
		op, err = tx.GetOperation(ctx, c.instanceID, requestID)
		if errors.Is(err, store.ErrNotFound) || err == nil && op.Kind != kind {
			return errs.Errorf(errs.NotFound, o.String(), "Could not find request with id %s.", requestID)
		}
		return err
	})
	return op, err
}

// ListAccountAssignmentCreationStatus lists assignment creations, oldest
// first, of a status if status is not empty.
func (s *Service) ListAccountAssignmentCreationStatus(ctx context.Context, instanceARN string, status access.Status, p PageRequest) ([]access.Operation, string, error) {
	return s.listOperations(ctx, ssoOp("ListAccountAssignmentCreationStatus", true), access.CreateAssignment, instanceARN, status, p)
}

// ListAccountAssignmentDeletionStatus lists assignment deletions.
func (s *Service) ListAccountAssignmentDeletionStatus(ctx context.Context, instanceARN string, status access.Status, p PageRequest) ([]access.Operation, string, error) {
	return s.listOperations(ctx, ssoOp("ListAccountAssignmentDeletionStatus", true), access.DeleteAssignment, instanceARN, status, p)
}

func (s *Service) listOperations(ctx context.Context, o op, kind access.OperationKind, instanceARN string, status access.Status, p PageRequest) ([]access.Operation, string, error) {
	c, err := s.beginInstance(ctx, o, instanceARN, "")
	if err != nil {
		return nil, "", err
	}
	if status != "" && !access.ValidStatus(status) {
		return nil, "", s.fail(ctx, c, access.Violation(o.String(), "filter.status", "Member must satisfy enum value set: [IN_PROGRESS, FAILED, SUCCEEDED]"))
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var ops []access.Operation
	err = s.read(ctx, c, func(tx store.Tx) (err error) {
		ops, err = tx.ListOperations(ctx, c.instanceID, store.OperationQuery{Kind: kind, Status: status, Page: pg})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	ops, next := nextToken(ops, n, func(op access.Operation) string { return op.Key() })
	return ops, next, nil
}

// AccountAssignment is an assignment as the listings show it: for an
// account, whether made to the account or to an OU above it.
type AccountAssignment struct {
	AccountID        string
	PermissionSetARN string
	PrincipalType    string
	PrincipalID      string
}

func (a AccountAssignment) key() string {
	return a.AccountID + "/" + a.PermissionSetARN + "/" + a.PrincipalType + "/" + a.PrincipalID
}

// ListAccountAssignments lists the principals assigned a permission set in
// an account, directly or through an organizational unit above it.
func (s *Service) ListAccountAssignments(ctx context.Context, instanceARN, accountID, psARN string, p PageRequest) ([]AccountAssignment, string, error) {
	o := ssoOp("ListAccountAssignments", true)
	c, err := s.begin(ctx, o, psARN)
	if err != nil {
		return nil, "", err
	}
	psID, err := parsePermissionSetARN(o, c, instanceARN, psARN, "permissionSetArn")
	if err == nil {
		err = access.ValidateAccountID(o.String(), "accountId", accountID)
	}
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var out []AccountAssignment
	err = s.read(ctx, c, func(tx store.Tx) error {
		if _, err := getPermissionSet(ctx, tx, o, c, psID); err != nil {
			return err
		}
		targets, err := accountTargets(ctx, tx, c.instanceID, accountID)
		if err != nil {
			return err
		}
		as, err := tx.ListAssignments(ctx, c.instanceID, store.AssignmentQuery{PermissionSetID: psID, TargetIDs: targets})
		if err != nil {
			return err
		}
		all := make([]AccountAssignment, 0, len(as))
		for _, a := range as {
			all = append(all, AccountAssignment{AccountID: accountID, PermissionSetARN: psARNOf(a.InstanceID, a.PermissionSetID), PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID})
		}
		out = pageOf(sortedUnique(all), pg, AccountAssignment.key)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, AccountAssignment.key)
	return out, next, nil
}

// ListAccountAssignmentsForPrincipal lists the assignments of a principal,
// one per account and permission set, an OU's expanded to the accounts
// under it; of one account if accountID is set.
func (s *Service) ListAccountAssignmentsForPrincipal(ctx context.Context, instanceARN, principalType, principalID, accountID string, p PageRequest) ([]AccountAssignment, string, error) {
	o := ssoOp("ListAccountAssignmentsForPrincipal", true)
	c, err := s.beginInstance(ctx, o, instanceARN, "")
	if err != nil {
		return nil, "", err
	}
	err = access.ValidatePrincipal(o.String(), principalType, principalID)
	if err == nil && accountID != "" {
		err = access.ValidateAccountID(o.String(), "filter.accountId", accountID)
	}
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var out []AccountAssignment
	err = s.read(ctx, c, func(tx store.Tx) error {
		q := store.AssignmentQuery{PrincipalType: principalType, PrincipalID: principalID}
		if accountID != "" {
			targets, err := accountTargets(ctx, tx, c.instanceID, accountID)
			if err != nil {
				return err
			}
			q.TargetIDs = targets
		}
		as, err := tx.ListAssignments(ctx, c.instanceID, q)
		if err != nil {
			return err
		}
		under := map[string][]string{} // OU → its accounts
		var all []AccountAssignment
		for _, a := range as {
			accounts := []string{a.TargetID}
			switch {
			case a.TargetType != access.TargetOrganizationalUnit:
			case accountID != "":
				accounts = []string{accountID}
			default:
				if _, ok := under[a.TargetID]; !ok {
					if under[a.TargetID], err = accountsUnder(ctx, tx, c.instanceID, a.TargetID); err != nil {
						return err
					}
				}
				accounts = under[a.TargetID]
			}
			for _, acct := range accounts {
				all = append(all, AccountAssignment{AccountID: acct, PermissionSetARN: psARNOf(a.InstanceID, a.PermissionSetID), PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID})
			}
		}
		out = pageOf(sortedUnique(all), pg, AccountAssignment.key)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, AccountAssignment.key)
	return out, next, nil
}

func psARNOf(instanceID, psID string) string { return arn.PermissionSetARN(instanceID, psID) }

// sortedUnique orders assignments by key and drops repeats: a principal
// assigned in an account and in an OU above it is listed once.
func sortedUnique(as []AccountAssignment) []AccountAssignment {
	sort.Slice(as, func(i, j int) bool { return as[i].key() < as[j].key() })
	out := as[:0]
	for i, a := range as {
		if i == 0 || a.key() != as[i-1].key() {
			out = append(out, a)
		}
	}
	return out
}
