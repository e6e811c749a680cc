package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// AccessWorker completes the asynchronous operations of sso-admin (account
// assignment creations and deletions, permission set provisioning). A
// request writes its operation IN_PROGRESS in its own transaction; the
// worker claims operations in batches, oldest first, and completes a whole
// batch in one transaction, so that thousands of assignments a second cost
// a few commits. It runs on the node that leads the background work (see
// Background); a claim locks its rows and skips those another transaction
// holds all the same.
type AccessWorker struct {
	s     *Service
	batch int
	poll  time.Duration
	log   *slog.Logger
	wake  chan struct{}
}

// AccessWorkerConfig tunes an AccessWorker.
type AccessWorkerConfig struct {
	// Batch is the most operations completed in one transaction; default 500.
	Batch int
	// Poll is how often an idle worker looks for operations it was not
	// told of; default one second. Requests made on this node wake it, and
	// on PostgreSQL those made on other nodes too (store.WorkListener).
	Poll time.Duration
}

// NewAccessWorker makes the worker of s.
func NewAccessWorker(s *Service, cfg AccessWorkerConfig) *AccessWorker {
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	return &AccessWorker{s: s, batch: cfg.Batch, poll: cfg.Poll, log: s.log, wake: make(chan struct{}, 1)}
}

// accessWorkers maps a *Service to its running *AccessWorker, so that an
// operation requested through the service wakes the worker at once.
var accessWorkers sync.Map

func (s *Service) wakeAccessWorker() {
	if v, ok := accessWorkers.Load(s); ok {
		select {
		case v.(*AccessWorker).wake <- struct{}{}:
		default:
		}
	}
}

// Run completes operations until ctx ends.
func (w *AccessWorker) Run(ctx context.Context) {
	accessWorkers.Store(w.s, w)
	defer accessWorkers.CompareAndDelete(w.s, w)
	backoff := w.poll
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			w.log.ErrorContext(ctx, "completing sso-admin operations failed", "error", err)
		case n == w.batch:
			continue // more may be waiting
		}
		wait := w.poll
		if err != nil {
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

// internalFailure is the failure reason of an operation that could not be
// completed for an internal fault.
const internalFailure = "An unexpected internal service exception was encountered."

// RunOnce claims one batch of operations and completes it. It returns how
// many operations it completed.
func (w *AccessWorker) RunOnce(ctx context.Context) (int, error) {
	var ops []access.Operation
	err := w.s.store.WriteBulk(ctx, func(tx store.Tx) error {
		var err error
		if ops, err = tx.ClaimOperations(ctx, w.batch); err != nil {
			return err
		}
		now := w.s.now().UTC().Truncate(time.Microsecond)
		bc := newBatchCache()
		if err := bc.loadPermissionSets(ctx, tx, ops); err != nil {
			return err
		}
		for i := range ops {
			if err := w.s.completeOperation(ctx, tx, bc, &ops[i], now); err != nil {
				return fmt.Errorf("operation %s: %w", ops[i].RequestID, err)
			}
		}
		return w.s.syncTouched(ctx, tx, bc, now)
	})
	if err == nil || len(ops) == 0 || ctx.Err() != nil {
		return len(ops), err
	}
	// One operation failed the batch: complete them one by one, and fail
	// the one that cannot be completed rather than retry it forever.
	w.log.WarnContext(ctx, "an sso-admin operation batch failed; completing its operations one by one", "error", err)
	for _, op := range ops {
		now := w.s.now().UTC().Truncate(time.Microsecond)
		err := w.s.store.Write(ctx, func(tx store.Tx) error {
			cur, err := tx.GetOperation(ctx, op.InstanceID, op.RequestID)
			if err != nil || cur.Status != access.InProgress {
				return err
			}
			bc := newBatchCache()
			if err := w.s.completeOperation(ctx, tx, bc, cur, now); err != nil {
				return err
			}
			return w.s.syncTouched(ctx, tx, bc, now)
		})
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		w.log.ErrorContext(ctx, "completing an sso-admin operation failed; marking it FAILED", "request_id", op.RequestID, "error", err)
		err = w.s.store.Write(ctx, func(tx store.Tx) error {
			cur, err := tx.GetOperation(ctx, op.InstanceID, op.RequestID)
			if err != nil || cur.Status != access.InProgress {
				return err
			}
			if err := cur.Fail(internalFailure, now); err != nil {
				return err
			}
			return tx.CompleteOperation(ctx, cur)
		})
		if err != nil {
			return 0, err
		}
	}
	return len(ops), nil
}

// completeOperation applies an operation in progress and records its
// outcome, in tx.
func (s *Service) completeOperation(ctx context.Context, tx store.Tx, bc *batchCache, op *access.Operation, now time.Time) error {
	var reason string
	var err error
	switch op.Kind {
	case access.CreateAssignment:
		reason, err = createAssignment(ctx, tx, bc, op, now)
	case access.DeleteAssignment:
		reason, err = deleteAssignment(ctx, tx, op)
	case access.ProvisionPermissionSet:
		reason, err = provision(ctx, tx, bc, op, now)
	default:
		reason = fmt.Sprintf("Unknown operation kind %s.", op.Kind)
	}
	if err != nil {
		return err
	}
	switch {
	case reason != "":
		err = op.Fail(reason, now)
	case op.Kind == access.CreateAssignment && op.TargetType == access.TargetAccount:
		// The one role it may add is its permission set's in the account.
		bc.ensureRole(op.InstanceID, op.TargetID, bc.sets[op.InstanceID+"/"+op.PermissionSetID].ps)
		err = op.Succeed(now)
	default:
		// The roles of the accounts the operation reaches follow it.
		accounts, aerr := operationAccounts(ctx, tx, op)
		if aerr != nil {
			return aerr
		}
		bc.touch(op.InstanceID, accounts...)
		err = op.Succeed(now)
	}
	if err != nil {
		return err
	}
	return tx.CompleteOperation(ctx, op)
}

// Each step below returns a failure reason when the operation cannot be
// done, or an error when the store fails. Every check precedes every
// write, so that a failed operation changes nothing.

// batchCache holds what the operations of one batch look up again and
// again (their permission sets, principals and accounts): nothing in the
// batch's transaction changes them but the worker, which does not.
type batchCache struct {
	sets       map[string]*cachedSet
	principals map[string]string // type/id → failure reason, "" if it exists
	accounts   map[string]string // id → failure reason
	policies   map[string]string // account/name → path, "" if missing
	// touched holds, by instance, the accounts whose roles the batch's
	// operations may have changed.
	touched map[string]map[string]bool
	// ensured holds roles the batch's operations need, by instance,
	// account and permission set: an assignment made to an account adds
	// at most its permission set's role there.
	ensured map[[3]string]*access.PermissionSet
}

type cachedSet struct {
	ps     *access.PermissionSet
	refs   []access.CustomerPolicyRef // with the boundary's
	reason string
}

func newBatchCache() *batchCache {
	return &batchCache{sets: map[string]*cachedSet{}, principals: map[string]string{}, accounts: map[string]string{}, policies: map[string]string{}}
}

// loadPermissionSets looks up the permission sets ops name that the cache
// lacks, with their customer managed policy references (the boundary's
// too): two queries an instance, where one by one they were two queries
// an operation. A set that does not exist is cached with the reason its
// operations fail.
func (bc *batchCache) loadPermissionSets(ctx context.Context, tx store.Tx, ops []access.Operation) error {
	ids := map[string][]string{} // by instance
	seen := map[string]bool{}
	for _, op := range ops {
		key := op.InstanceID + "/" + op.PermissionSetID
		if bc.sets[key] == nil && !seen[key] {
			seen[key] = true
			ids[op.InstanceID] = append(ids[op.InstanceID], op.PermissionSetID)
		}
	}
	for inst, list := range ids {
		sets, err := tx.GetPermissionSets(ctx, inst, list)
		if err != nil {
			return err
		}
		refs, err := tx.ListCustomerPolicyRefsOf(ctx, inst, list)
		if err != nil {
			return err
		}
		for _, id := range list {
			bc.sets[inst+"/"+id] = &cachedSet{reason: fmt.Sprintf("Permission set %s does not exist.", id)}
		}
		for i := range sets {
			ps := &sets[i]
			cs := &cachedSet{ps: ps, refs: refs[ps.ID]}
			if ps.Boundary != nil && ps.Boundary.CustomerPolicy != nil {
				cs.refs = append(cs.refs, *ps.Boundary.CustomerPolicy)
			}
			bc.sets[inst+"/"+ps.ID] = cs
		}
	}
	return nil
}

// loadPermissionSet returns the permission set op names, from the cache
// (RunOnce fills it for the whole batch) or looked up.
func loadPermissionSet(ctx context.Context, tx store.Tx, bc *batchCache, op *access.Operation) (*cachedSet, error) {
	key := op.InstanceID + "/" + op.PermissionSetID
	if bc.sets[key] == nil {
		if err := bc.loadPermissionSets(ctx, tx, []access.Operation{*op}); err != nil {
			return nil, err
		}
	}
	return bc.sets[key], nil
}

func checkPrincipal(ctx context.Context, tx store.Tx, bc *batchCache, op *access.Operation) (string, error) {
	key := op.InstanceID + "/" + op.PrincipalType + "/" + op.PrincipalID
	if reason, ok := bc.principals[key]; ok {
		return reason, nil
	}
	reason, err := principalMissing(ctx, tx, op)
	if err == nil {
		bc.principals[key] = reason
	}
	return reason, err
}

func principalMissing(ctx context.Context, tx store.Tx, op *access.Operation) (string, error) {
	var err error
	switch op.PrincipalType {
	case access.PrincipalUser:
		_, err = tx.GetUser(ctx, op.InstanceID, op.PrincipalID)
	case access.PrincipalGroup:
		_, err = tx.GetGroup(ctx, op.InstanceID, op.PrincipalID)
	default:
		return fmt.Sprintf("Unknown principal type %s.", op.PrincipalType), nil
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Sprintf("The %s %s does not exist in the identity store.", principalNoun(op.PrincipalType), op.PrincipalID), nil
	}
	return "", err
}

func principalNoun(t string) string {
	if t == access.PrincipalGroup {
		return "group"
	}
	return "user"
}

// checkAccount checks that an account of the instance exists and is active.
func checkAccount(ctx context.Context, tx store.Tx, bc *batchCache, instanceID, accountID string) (string, error) {
	key := instanceID + "/" + accountID
	if reason, ok := bc.accounts[key]; ok {
		return reason, nil
	}
	reason, err := accountMissing(ctx, tx, instanceID, accountID)
	if err == nil {
		bc.accounts[key] = reason
	}
	return reason, err
}

func accountMissing(ctx context.Context, tx store.Tx, instanceID, accountID string) (string, error) {
	a, err := tx.GetAccount(ctx, instanceID, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Sprintf("Account %s does not exist in the organization.", accountID), nil
	}
	if err != nil {
		return "", err
	}
	if a.Status != org.AccountActive {
		return fmt.Sprintf("Account %s is %s, not ACTIVE.", accountID, a.Status), nil
	}
	return "", nil
}

// targetAccounts resolves an assignment target to its accounts now.
func targetAccounts(ctx context.Context, tx store.Tx, bc *batchCache, instanceID, typ, id string) ([]string, string, error) {
	if typ != access.TargetOrganizationalUnit {
		reason, err := checkAccount(ctx, tx, bc, instanceID, id)
		return []string{id}, reason, err
	}
	ok, err := ouExists(ctx, tx, instanceID, id)
	if err != nil || !ok {
		return nil, fmt.Sprintf("Organizational unit %s does not exist in the organization.", id), err
	}
	accounts, err := accountsUnder(ctx, tx, instanceID, id)
	return accounts, "", err
}

// missingPolicy checks that every account holds the customer managed
// policies a permission set references (its boundary's too).
func missingPolicy(ctx context.Context, tx store.Tx, bc *batchCache, cs *cachedSet, accounts []string) (string, error) {
	for _, acct := range accounts {
		for _, r := range cs.refs {
			key := cs.ps.InstanceID + "/" + acct + "/" + strings.ToLower(r.Name)
			path, ok := bc.policies[key]
			if !ok {
				p, err := tx.GetCustomerManagedPolicy(ctx, cs.ps.InstanceID, acct, r.Name)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return "", err
				}
				if err == nil {
					path = p.Path
				}
				bc.policies[key] = path
			}
			if path != r.Path {
				return fmt.Sprintf("The customer managed policy arn:aws:iam::%s:policy%s%s referenced by permission set %s does not exist in account %s.",
					acct, r.Path, r.Name, cs.ps.ID, acct), nil
			}
		}
	}
	return "", nil
}

func createAssignment(ctx context.Context, tx store.Tx, bc *batchCache, op *access.Operation, now time.Time) (string, error) {
	cs, err := loadPermissionSet(ctx, tx, bc, op)
	if cs == nil || cs.reason != "" {
		return reasonOf(cs), err
	}
	if reason, err := checkPrincipal(ctx, tx, bc, op); reason != "" || err != nil {
		return reason, err
	}
	accounts, reason, err := targetAccounts(ctx, tx, bc, op.InstanceID, op.TargetType, op.TargetID)
	if reason != "" || err != nil {
		return reason, err
	}
	if reason, err := missingPolicy(ctx, tx, bc, cs, accounts); reason != "" || err != nil {
		return reason, err
	}
	ps := cs.ps
	a := &access.Assignment{InstanceID: op.InstanceID, TargetID: op.TargetID, TargetType: op.TargetType, PermissionSetID: ps.ID,
		PrincipalType: op.PrincipalType, PrincipalID: op.PrincipalID, CreatedAt: now}
	if err := tx.CreateAssignment(ctx, a); err != nil && !errors.Is(err, store.ErrConflict) { // an existing one stays
		return "", err
	}
	return "", tx.PutProvision(ctx, &access.Provision{InstanceID: op.InstanceID, PermissionSetID: ps.ID, TargetID: op.TargetID,
		TargetType: op.TargetType, Version: ps.Version, UpdatedAt: now})
}

func reasonOf(cs *cachedSet) string {
	if cs == nil {
		return ""
	}
	return cs.reason
}

func deleteAssignment(ctx context.Context, tx store.Tx, op *access.Operation) (string, error) {
	a := &access.Assignment{InstanceID: op.InstanceID, TargetID: op.TargetID, TargetType: op.TargetType, PermissionSetID: op.PermissionSetID,
		PrincipalType: op.PrincipalType, PrincipalID: op.PrincipalID}
	err := tx.DeleteAssignment(ctx, a)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Sprintf("No account assignment of permission set %s to %s %s in %s exists.", op.PermissionSetID, principalNoun(op.PrincipalType), op.PrincipalID, op.TargetID), nil
	}
	if err != nil {
		return "", err
	}
	_, err = deprovisionIfUnassigned(ctx, tx, op.InstanceID, op.PermissionSetID, op.TargetID)
	return "", err
}

// deprovisionIfUnassigned drops the provisioning of a permission set in a
// target once no assignment of it is left there: the last assignment takes
// the provisioning (the role in the account) with it. It reports whether
// it did.
func deprovisionIfUnassigned(ctx context.Context, tx store.Tx, instanceID, permissionSetID, targetID string) (bool, error) {
	rest, err := tx.ListAssignments(ctx, instanceID, store.AssignmentQuery{PermissionSetID: permissionSetID, TargetIDs: []string{targetID}, Page: store.Page{Limit: 1}})
	if err != nil || len(rest) > 0 {
		return false, err
	}
	if err := tx.DeleteProvision(ctx, instanceID, permissionSetID, targetID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	return true, nil
}

func provision(ctx context.Context, tx store.Tx, bc *batchCache, op *access.Operation, now time.Time) (string, error) {
	cs, err := loadPermissionSet(ctx, tx, bc, op)
	if cs == nil || cs.reason != "" {
		return reasonOf(cs), err
	}
	ps := cs.ps
	var targets []access.Provision
	if op.TargetType == access.TargetAccount {
		if reason, err := checkAccount(ctx, tx, bc, op.InstanceID, op.TargetID); reason != "" || err != nil {
			return reason, err
		}
		targets = []access.Provision{{TargetID: op.TargetID, TargetType: access.TargetAccount}}
	} else if targets, err = tx.ListProvisions(ctx, op.InstanceID, store.ProvisionQuery{PermissionSetID: ps.ID}); err != nil {
		return "", err
	}
	for _, t := range targets {
		accounts := []string{t.TargetID}
		if t.TargetType == access.TargetOrganizationalUnit {
			if accounts, err = accountsUnder(ctx, tx, op.InstanceID, t.TargetID); err != nil {
				return "", err
			}
		}
		if reason, err := missingPolicy(ctx, tx, bc, cs, accounts); reason != "" || err != nil {
			return reason, err
		}
	}
	for _, t := range targets {
		if err := tx.PutProvision(ctx, &access.Provision{InstanceID: op.InstanceID, PermissionSetID: ps.ID, TargetID: t.TargetID,
			TargetType: t.TargetType, Version: ps.Version, UpdatedAt: now}); err != nil {
			return "", err
		}
	}
	return "", nil
}
