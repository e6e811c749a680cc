package service

import (
	"context"
	"errors"
	"time"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// CreateAccountRequest is what CreateAccount asks for.
type CreateAccountRequest struct {
	Email                  string
	AccountName            string
	RoleName               string // default OrganizationAccountAccessRole
	IAMUserAccessToBilling string // ALLOW (default) or DENY
	Tags                   []org.Tag
}

// CreateAccount requests a new account. The request is recorded
// IN_PROGRESS and completed by the organizations worker: SUCCEEDED with the
// new account's id, or FAILED with a reason (EMAIL_ALREADY_EXISTS, …).
func (s *Service) CreateAccount(ctx context.Context, r CreateAccountRequest) (*org.CreateAccountStatus, error) {
	o := orgOp("CreateAccount", false)
	c, err := s.beginOrg(ctx, o, nil)
	if err != nil {
		return nil, err
	}
	st := &org.CreateAccountStatus{ID: s.ids.CreateAccountRequestID(), InstanceID: c.instanceID, AccountName: r.AccountName,
		Email: r.Email, RoleName: r.RoleName, IAMUserAccessToBilling: r.IAMUserAccessToBilling, Tags: r.Tags, State: org.CreateInProgress}
	if err := org.CheckCreateAccount(o.String(), st); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	if st.RoleName == "" {
		st.RoleName = org.DefaultRoleName
	}
	if st.IAMUserAccessToBilling == "" {
		st.IAMUserAccessToBilling = "ALLOW"
	}
	err = s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		n, err := tx.CountAccounts(ctx, c.instanceID)
		if err != nil {
			return err
		}
		if n >= org.MaxAccounts {
			return org.ConstraintViolation(o.String(), "ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You have reached the maximum number of accounts in the organization.")
		}
		st.RequestedAt = now
		if err := tx.CreateAccountRequest(ctx, st); err != nil {
			return err
		}
		if err := s.notifyOrgWorker(ctx, tx); err != nil {
			return err
		}
		c.response = map[string]any{"CreateAccountStatus": map[string]any{"Id": st.ID, "AccountName": st.AccountName, "State": st.State}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.wakeOrgWorker()
	return st, nil
}

// DescribeCreateAccountStatus returns a CreateAccount request.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, requestID string) (*org.CreateAccountStatus, error) {
	o := orgOp("DescribeCreateAccountStatus", true)
	c, err := s.beginOrg(ctx, o, nil)
	if err != nil {
		return nil, err
	}
	if err := org.CheckID(o.String(), "CreateAccountRequestId", requestID, org.CreateAccountID); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	var st *org.CreateAccountStatus
	err = s.lookup(ctx, c.call, func(tx store.Tx) (err error) {
		st, err = tx.GetCreateAccountStatus(ctx, c.instanceID, requestID)
		if errors.Is(err, store.ErrNotFound) {
			return orgNotFound(o, "CreateAccountStatusNotFoundException", "We can't find a create account request with the CreateAccountRequestId that you specified.")
		}
		return err
	})
	return st, err
}

// ListCreateAccountStatus lists CreateAccount requests, of the given states
// if any.
func (s *Service) ListCreateAccountStatus(ctx context.Context, states []string, p PageRequest) ([]org.CreateAccountStatus, string, error) {
	o := orgOp("ListCreateAccountStatus", true)
	c, err := s.beginOrg(ctx, o, nil)
	if err != nil {
		return nil, "", err
	}
	if err := org.CheckCreateAccountStates(o.String(), states); err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var out []org.CreateAccountStatus
	err = s.read(ctx, c.call, func(tx store.Tx) (err error) {
		out, err = tx.ListCreateAccountStatuses(ctx, c.instanceID, states, pg)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, func(r org.CreateAccountStatus) string { return r.ID })
	return out, next, nil
}

func getAccount(ctx context.Context, tx store.Tx, o op, instanceID, id string) (*org.Account, error) {
	a, err := tx.GetAccount(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, accountNotFound(o)
	}
	return a, err
}

// DescribeAccount returns an account of the organization.
func (s *Service) DescribeAccount(ctx context.Context, accountID string) (*OrgAccount, error) {
	o := orgOp("DescribeAccount", true)
	c, err := s.beginOrg(ctx, o, accountResource(accountID))
	if err != nil {
		return nil, err
	}
	if err := org.CheckID(o.String(), "AccountId", accountID, org.AccountID); err != nil {
		return nil, s.fail(ctx, c.call, err)
	}
	var out OrgAccount
	err = s.lookup(ctx, c.call, func(tx store.Tx) error {
		a, err := getAccount(ctx, tx, o, c.instanceID, accountID)
		if err != nil {
			return err
		}
		out, err = s.accountView(ctx, tx, c.org, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAccounts lists the organization's accounts.
func (s *Service) ListAccounts(ctx context.Context, p PageRequest) ([]OrgAccount, string, error) {
	return s.listAccounts(ctx, orgOp("ListAccounts", true), "", p)
}

// ListAccountsForParent lists the accounts directly under a root or OU.
func (s *Service) ListAccountsForParent(ctx context.Context, parentID string, p PageRequest) ([]OrgAccount, string, error) {
	return s.listAccounts(ctx, orgOp("ListAccountsForParent", true), parentID, p)
}

func (s *Service) listAccounts(ctx context.Context, o op, parentID string, p PageRequest) ([]OrgAccount, string, error) {
	var res orgResource
	if o.name == "ListAccountsForParent" {
		res = targetResource(parentID)
	}
	c, err := s.beginOrg(ctx, o, res)
	if err != nil {
		return nil, "", err
	}
	if res != nil {
		if err := org.CheckID(o.String(), "ParentId", parentID, org.ParentID); err != nil {
			return nil, "", s.fail(ctx, c.call, err)
		}
	}
	pg, n, err := o.orgPage(p)
	if err != nil {
		return nil, "", s.fail(ctx, c.call, err)
	}
	var out []OrgAccount
	var next string
	err = s.read(ctx, c.call, func(tx store.Tx) error {
		if res != nil {
			if ok, err := parentExists(ctx, tx, c.org, parentID); err != nil || !ok {
				return orNotFound(err, parentNotFound(o))
			}
		}
		as, err := tx.ListAccounts(ctx, c.instanceID, store.AccountQuery{Page: pg, ParentID: parentID})
		if err != nil {
			return err
		}
		as, next = nextToken(as, n, func(a org.Account) string { return a.ID })
		out, err = s.accountViews(ctx, tx, c.org, as)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// MoveAccount moves an account from its parent to another root or OU.
func (s *Service) MoveAccount(ctx context.Context, accountID, sourceParentID, destinationParentID string) error {
	o := orgOp("MoveAccount", false)
	c, err := s.beginOrg(ctx, o, accountResource(accountID))
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name, value string
		kind        org.IDKind
	}{{"AccountId", accountID, org.AccountID}, {"SourceParentId", sourceParentID, org.ParentID}, {"DestinationParentId", destinationParentID, org.ParentID}} {
		if err := org.CheckID(o.String(), f.name, f.value, f.kind); err != nil {
			return s.fail(ctx, c.call, err)
		}
	}
	return s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		a, err := getAccount(ctx, tx, o, c.instanceID, accountID)
		if err != nil {
			return err
		}
		if ok, err := parentExists(ctx, tx, c.org, sourceParentID); err != nil || !ok {
			return orNotFound(err, orgNotFound(o, "SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified."))
		}
		if ok, err := parentExists(ctx, tx, c.org, destinationParentID); err != nil || !ok {
			return orNotFound(err, orgNotFound(o, "DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified."))
		}
		if a.ParentID == destinationParentID {
			return orgConflict(o, "DuplicateAccountException", "That account is already present in the specified destination.")
		}
		if a.ParentID != sourceParentID {
			return orgNotFound(o, "SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified: the account is not in it.")
		}
		a.ParentID = destinationParentID
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		// Permission sets provisioned to OUs follow the account.
		return s.syncRoles(ctx, tx, c.instanceID, []string{accountID}, now)
	})
}

// CloseAccount closes a member account: it becomes PENDING_CLOSURE and
// the organizations worker then suspends it.
func (s *Service) CloseAccount(ctx context.Context, accountID string) error {
	o := orgOp("CloseAccount", false)
	c, err := s.beginOrg(ctx, o, accountResource(accountID))
	if err != nil {
		return err
	}
	if err := org.CheckID(o.String(), "AccountId", accountID, org.AccountID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	err = s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		a, err := getAccount(ctx, tx, o, c.instanceID, accountID)
		if err != nil {
			return err
		}
		if a.ID == c.org.ManagementAccountID {
			return org.ConstraintViolation(o.String(), "CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You can't close the management account with this operation.")
		}
		if a.Status != org.AccountActive {
			return orgConflict(o, "AccountAlreadyClosedException", "You attempted to close an account that is already closed.")
		}
		a.Status = org.AccountPendingClosure
		if err := s.notifyOrgWorker(ctx, tx); err != nil {
			return err
		}
		return tx.UpdateAccount(ctx, a)
	})
	if err != nil {
		return err
	}
	s.wakeOrgWorker()
	return nil
}

// RemoveAccountFromOrganization removes a member account from the
// organization, with its tags and policy attachments.
func (s *Service) RemoveAccountFromOrganization(ctx context.Context, accountID string) error {
	o := orgOp("RemoveAccountFromOrganization", false)
	c, err := s.beginOrg(ctx, o, accountResource(accountID))
	if err != nil {
		return err
	}
	if err := org.CheckID(o.String(), "AccountId", accountID, org.AccountID); err != nil {
		return s.fail(ctx, c.call, err)
	}
	return s.writeOrg(ctx, c, func(tx store.Tx, now time.Time) error {
		if _, err := getAccount(ctx, tx, o, c.instanceID, accountID); err != nil {
			return err
		}
		if accountID == c.org.ManagementAccountID {
			return org.Error(errs.Conflict, o.String(), "MasterCannotLeaveOrganizationException",
				"You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.")
		}
		if err := tx.DeleteAccount(ctx, c.instanceID, accountID); err != nil {
			return err
		}
		return s.syncRoles(ctx, tx, c.instanceID, []string{accountID}, now)
	})
}
