package service

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// OrgWorker completes the asynchronous work of organizations: CreateAccount
// requests (IN_PROGRESS → SUCCEEDED or FAILED) and account closures
// (PENDING_CLOSURE → SUSPENDED). A request writes its work in its own
// transaction; the worker claims one item at a time, completes it and
// records a service event in one transaction. It runs on the node that
// leads the background work (see Background); a claim locks its row and
// skips rows another transaction holds, so no item is done twice.
type OrgWorker struct {
	s    *Service
	poll time.Duration
	log  *slog.Logger
	wake chan struct{}
}

// OrgWorkerConfig tunes an OrgWorker.
type OrgWorkerConfig struct {
	// Poll is how often an idle worker looks for work it was not told of;
	// default one second. Requests made on this node wake it at once, and
	// on PostgreSQL those made on other nodes too (store.WorkListener).
	Poll time.Duration
}

// NewOrgWorker makes the organizations worker of s.
func NewOrgWorker(s *Service, cfg OrgWorkerConfig) *OrgWorker {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	return &OrgWorker{s: s, poll: cfg.Poll, log: s.log, wake: make(chan struct{}, 1)}
}

// orgWorkers maps a *Service to its running *OrgWorker, so that a request
// made through the service wakes the worker at once.
var orgWorkers sync.Map

func (s *Service) wakeOrgWorker() {
	if v, ok := orgWorkers.Load(s); ok {
		select {
		case v.(*OrgWorker).wake <- struct{}{}:
		default:
		}
	}
}

// Run completes work until ctx ends: what is left at start, then what is
// requested.
func (w *OrgWorker) Run(ctx context.Context) {
	orgWorkers.Store(w.s, w)
	defer orgWorkers.CompareAndDelete(w.s, w)
	backoff := w.poll
	for ctx.Err() == nil {
		_, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := w.poll
		if err != nil {
			w.log.ErrorContext(ctx, "completing organizations work failed", "error", err)
			wait, backoff = backoff, min(2*backoff, time.Minute)
		} else {
			backoff = w.poll
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// RunOnce completes every item of work it can claim and returns how many.
func (w *OrgWorker) RunOnce(ctx context.Context) (int, error) {
	n := 0
	for _, step := range []func(context.Context) (bool, error){w.createOne, w.closeOne} {
		for {
			done, err := step(ctx)
			if err != nil {
				return n, err
			}
			if !done {
				break
			}
			n++
		}
	}
	return n, nil
}

// createOne completes one CreateAccount request; it reports false when none
// was waiting. A request that cannot be completed for an internal fault
// fails with INTERNAL_FAILURE rather than being retried forever.
func (w *OrgWorker) createOne(ctx context.Context) (bool, error) {
	var claimed *org.CreateAccountStatus
	err := w.s.store.Write(ctx, func(tx store.Tx) error {
		r, err := tx.ClaimCreateAccountRequest(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		claimed = r
		return w.complete(ctx, tx, r, "")
	})
	if err == nil || claimed == nil || ctx.Err() != nil {
		return claimed != nil, err
	}
	w.log.ErrorContext(ctx, "creating an account failed; failing its request", "request_id", claimed.ID, "error", err)
	err = w.s.store.Write(ctx, func(tx store.Tx) error {
		r, err := tx.GetCreateAccountStatus(ctx, claimed.InstanceID, claimed.ID)
		if err != nil || r.State != org.CreateInProgress {
			return err
		}
		return w.complete(ctx, tx, r, org.FailureInternal)
	})
	return true, err
}

// complete completes a claimed request in tx: it makes the account, or
// fails the request with failure when that is set.
func (w *OrgWorker) complete(ctx context.Context, tx store.Tx, r *org.CreateAccountStatus, failure string) error {
	now := w.s.now().UTC().Truncate(time.Microsecond)
	g, err := tx.GetOrganization(ctx, r.InstanceID)
	if err == nil {
		err = tx.LockOrganization(ctx, r.InstanceID)
	}
	if err != nil {
		return err
	}
	reason := failure
	if reason == "" {
		if reason, err = w.s.createAccount(ctx, tx, g, r, now); err != nil {
			return err
		}
	}
	r.CompletedAt = now
	if reason != "" {
		r.State, r.FailureReason = org.CreateFailed, reason
	} else {
		r.State = org.CreateSucceeded
	}
	if err := tx.CompleteCreateAccountRequest(ctx, r); err != nil {
		return err
	}
	status := map[string]any{"Id": r.ID, "State": r.State, "AccountName": r.AccountName}
	if r.AccountID != "" {
		status["AccountId"] = r.AccountID
	}
	if r.FailureReason != "" {
		status["FailureReason"] = r.FailureReason
	}
	return w.s.appendUnattended(ctx, tx, unattended{instanceID: g.InstanceID, accountID: g.ManagementAccountID, identity: "AWSService",
		source: SourceOrganizations, name: "CreateAccountResult", resp: map[string]any{"createAccountStatus": status}}, now)
}

// createAccount makes the account of a request, with its tags and default
// policies; it returns a failure reason when the account cannot be made.
func (s *Service) createAccount(ctx context.Context, tx store.Tx, g *org.Organization, r *org.CreateAccountStatus, now time.Time) (string, error) {
	_, err := tx.FindAccountByEmail(ctx, r.InstanceID, r.Email)
	switch {
	case err == nil:
		return org.FailureEmailAlreadyExists, nil
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	n, err := tx.CountAccounts(ctx, r.InstanceID)
	if err != nil {
		return "", err
	}
	if n >= org.MaxAccounts {
		return org.FailureAccountLimit, nil
	}
	a := &org.Account{InstanceID: r.InstanceID, Name: r.AccountName, Email: r.Email, Status: org.AccountActive,
		ParentID: g.RootID, JoinedAt: now, JoinMethod: org.JoinedCreated}
	for range 10 { // a fresh id, should a random one be taken
		a.ID = s.ids.AccountID()
		err = tx.CreateAccount(ctx, a)
		if !errors.Is(err, store.ErrConflict) {
			break
		}
		if _, ferr := tx.FindAccountByEmail(ctx, r.InstanceID, r.Email); ferr == nil {
			return org.FailureEmailAlreadyExists, nil
		}
	}
	if err != nil {
		return "", err
	}
	if err := attachDefaultPolicies(ctx, tx, r.InstanceID, org.PolicyTarget{TargetID: a.ID, Type: org.TypeAccount}); err != nil {
		return "", err
	}
	if len(r.Tags) > 0 {
		if err := tx.SetOrgTags(ctx, r.InstanceID, a.ID, r.Tags); err != nil {
			return "", err
		}
	}
	r.AccountID = a.ID
	// A permission set provisioned to the root reaches the new account.
	return "", s.syncRoles(ctx, tx, r.InstanceID, []string{a.ID}, now)
}

// closeOne suspends one account pending closure; it reports false when
// none was waiting.
func (w *OrgWorker) closeOne(ctx context.Context) (bool, error) {
	done := false
	err := w.s.store.Write(ctx, func(tx store.Tx) error {
		a, err := tx.ClaimClosingAccount(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		done = true
		g, err := tx.GetOrganization(ctx, a.InstanceID)
		if err == nil {
			err = tx.LockOrganization(ctx, a.InstanceID)
		}
		if err != nil {
			return err
		}
		a.Status = org.AccountSuspended
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		now := w.s.now().UTC().Truncate(time.Microsecond)
		return w.s.appendUnattended(ctx, tx, unattended{instanceID: g.InstanceID, accountID: g.ManagementAccountID, identity: "AWSService",
			source: SourceOrganizations, name: "CloseAccountResult", resp: map[string]any{"accountId": a.ID, "state": a.Status}}, now)
	})
	return done, err
}
