package service

import (
	"context"
	"sort"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// ProvisionPermissionSet asks for the latest version of a permission set to
// be provisioned to an account (targetType AWS_ACCOUNT) or to every account
// it is provisioned to (ALL_PROVISIONED_ACCOUNTS). The request completes
// asynchronously.
func (s *Service) ProvisionPermissionSet(ctx context.Context, instanceARN, psARN, targetType, targetID string) (*access.Operation, error) {
	o := ssoOp("ProvisionPermissionSet", false)
	c, psID, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return nil, err
	}
	switch targetType {
	case access.TargetAccount:
		err = access.ValidateAccountID(o.String(), "targetId", targetID)
	case access.TargetAllProvisioned:
		if targetID != "" {
			err = errs.E(errs.Invalid, o.String(), "TargetId must not be given when TargetType is ALL_PROVISIONED_ACCOUNTS.")
		}
	default:
		err = access.Violation(o.String(), "targetType", "Member must satisfy enum value set: [AWS_ACCOUNT, ALL_PROVISIONED_ACCOUNTS]")
	}
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var op *access.Operation
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		if _, err := getPermissionSet(ctx, tx, o, c, psID); err != nil {
			return err
		}
		op = access.NewOperation(access.ProvisionPermissionSet, c.instanceID, s.ids.TimeUUID(), now.Truncate(time.Microsecond))
		op.TargetID, op.TargetType, op.PermissionSetID = targetID, targetType, psID
		if err := tx.CreateOperation(ctx, op); err != nil {
			return err
		}
		if err := s.notifyAccessWorker(ctx, tx); err != nil {
			return err
		}
		c.response = map[string]any{"PermissionSetProvisioningStatus": map[string]any{"Status": op.Status, "RequestId": op.RequestID}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.wakeAccessWorker()
	return op, nil
}

// DescribePermissionSetProvisioningStatus returns a provisioning request.
func (s *Service) DescribePermissionSetProvisioningStatus(ctx context.Context, instanceARN, requestID string) (*access.Operation, error) {
	return s.describeOperation(ctx, ssoOp("DescribePermissionSetProvisioningStatus", true), access.ProvisionPermissionSet, instanceARN, requestID, "provisionPermissionSetRequestId")
}

// ListPermissionSetProvisioningStatus lists provisioning requests.
func (s *Service) ListPermissionSetProvisioningStatus(ctx context.Context, instanceARN string, status access.Status, p PageRequest) ([]access.Operation, string, error) {
	return s.listOperations(ctx, ssoOp("ListPermissionSetProvisioningStatus", true), access.ProvisionPermissionSet, instanceARN, status, p)
}

func checkProvisioningStatus(o op, status string) error {
	if status != "" && !access.ValidProvisioningStatus(status) {
		return access.Violation(o.String(), "provisioningStatus", "Member must satisfy enum value set: [LATEST_PERMISSION_SET_PROVISIONED, LATEST_PERMISSION_SET_NOT_PROVISIONED]")
	}
	return nil
}

// ListAccountsForProvisionedPermissionSet lists the accounts a permission
// set is provisioned to (directly, or through an OU above them), of a
// provisioning status if status is not empty.
func (s *Service) ListAccountsForProvisionedPermissionSet(ctx context.Context, instanceARN, psARN, status string, p PageRequest) ([]string, string, error) {
	o := ssoOp("ListAccountsForProvisionedPermissionSet", true)
	c, psID, err := s.beginPermissionSet(ctx, o, instanceARN, psARN)
	if err != nil {
		return nil, "", err
	}
	if err := checkProvisioningStatus(o, status); err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var out []string
	err = s.read(ctx, c, func(tx store.Tx) error {
		ps, err := getPermissionSet(ctx, tx, o, c, psID)
		if err != nil {
			return err
		}
		provs, err := tx.ListProvisions(ctx, c.instanceID, store.ProvisionQuery{PermissionSetID: psID})
		if err != nil {
			return err
		}
		versions := map[string]int64{} // account → newest version provisioned
		for _, pr := range provs {
			accounts := []string{pr.TargetID}
			if pr.TargetType == access.TargetOrganizationalUnit {
				if accounts, err = accountsUnder(ctx, tx, c.instanceID, pr.TargetID); err != nil {
					return err
				}
			}
			for _, a := range accounts {
				versions[a] = max(versions[a], pr.Version)
			}
		}
		all := make([]string, 0, len(versions))
		for a, v := range versions {
			if status == "" || access.ProvisioningStatus(v, ps.Version) == status {
				all = append(all, a)
			}
		}
		sort.Strings(all)
		out = pageOf(all, pg, func(a string) string { return a })
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, func(a string) string { return a })
	return out, next, nil
}

// ListPermissionSetsProvisionedToAccount lists the ARNs of the permission
// sets provisioned to an account, of a provisioning status if status is not
// empty.
func (s *Service) ListPermissionSetsProvisionedToAccount(ctx context.Context, instanceARN, accountID, status string, p PageRequest) ([]string, string, error) {
	o := ssoOp("ListPermissionSetsProvisionedToAccount", true)
	c, err := s.beginInstance(ctx, o, instanceARN, "")
	if err != nil {
		return nil, "", err
	}
	err = access.ValidateAccountID(o.String(), "accountId", accountID)
	if err == nil {
		err = checkProvisioningStatus(o, status)
	}
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var out []string
	err = s.read(ctx, c, func(tx store.Tx) error {
		targets, err := accountTargets(ctx, tx, c.instanceID, accountID)
		if err != nil {
			return err
		}
		provs, err := tx.ListProvisions(ctx, c.instanceID, store.ProvisionQuery{TargetIDs: targets})
		if err != nil {
			return err
		}
		bySet := map[string][]access.Provision{}
		for _, pr := range provs {
			bySet[pr.PermissionSetID] = append(bySet[pr.PermissionSetID], pr)
		}
		var all []string
		for id, prs := range bySet {
			if status != "" {
				ps, err := tx.GetPermissionSet(ctx, c.instanceID, id)
				if err != nil {
					return err
				}
				v, _ := access.EffectiveVersion(prs)
				if access.ProvisioningStatus(v, ps.Version) != status {
					continue
				}
			}
			all = append(all, psARNOf(c.instanceID, id))
		}
		sort.Strings(all)
		out = pageOf(all, pg, func(a string) string { return a })
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, func(a string) string { return a })
	return out, next, nil
}
