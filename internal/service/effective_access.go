package service

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/entitlement"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// Entitlement is an account and permission set a user may use, with the
// assignment that grants it: to the user or to one of its groups (the
// principal), in the account or in an OU above it (the target).
type Entitlement struct {
	AccountID         string
	AccountName       string
	PermissionSetARN  string
	PermissionSetName string
	PrincipalType     string // USER or GROUP
	PrincipalID       string
	PrincipalName     string // a group's display name; "" for the user
	TargetType        string // AWS_ACCOUNT or ORGANIZATIONAL_UNIT
	TargetID          string
	TargetName        string // an OU's name; "" for the account
}

// listEffectiveAccessOp lists what a user may use, groups and OUs
// expanded: an Atrium operation, as sso-admin's
// ListAccountAssignmentsForPrincipal answers with assignments only. Its
// action is in the sso:List* family, so that the read-only policies of
// administrators cover it.
var listEffectiveAccessOp = ssoOp("ListEffectiveAccess", true)

// ListEffectiveAccess lists the accounts and permission sets a user of the
// caller's instance may use, and through which assignment, as the
// effective-access index answers once it has caught up with every change
// committed before the call.
func (s *Service) ListEffectiveAccess(ctx context.Context, instanceARN, userID string) ([]Entitlement, error) {
	o := listEffectiveAccessOp
	c, err := s.beginInstance(ctx, o, instanceARN, "")
	if err != nil {
		return nil, err
	}
	if err := checkID(o, "userId", userID); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	err = s.read(ctx, c, func(tx store.Tx) error {
		_, err := tx.GetUser(ctx, c.instanceID, userID)
		if errors.Is(err, store.ErrNotFound) {
			return errs.Errorf(errs.NotFound, o.String(), "User %s does not exist in the identity store.", userID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.index.advance(ctx, -1); err != nil {
		s.log.ErrorContext(ctx, "the effective-access index cannot catch up", "error", err)
		return nil, errs.Wrap(o.String(), err)
	}
	return s.describe(ctx, c.instanceID, userID), nil
}

// EffectiveAccessOf is ListEffectiveAccess for the operator at a node's
// console: the user is named by user name, in an instance given by id or
// ARN (the bootstrap instance when empty).
func (s *Service) EffectiveAccessOf(ctx context.Context, instanceID, userName string) ([]Entitlement, error) {
	const opName = "service.EffectiveAccessOf"
	var inst, userID string
	err := s.store.Read(ctx, func(tx store.Tx) (err error) {
		if inst, err = s.resolveInstance(ctx, tx, instanceID); err != nil {
			return err
		}
		us, err := tx.ListUsers(ctx, inst, store.UserQuery{UserName: userName, Page: store.Page{Limit: 1}})
		if err != nil {
			return err
		}
		if len(us) == 0 {
			return errs.Errorf(errs.NotFound, opName, "No user named %q in instance %s.", userName, inst)
		}
		userID = us[0].UserID
		return nil
	})
	if err != nil {
		return nil, mapStoreErr(op{name: "EffectiveAccessOf"}, err)
	}
	if err := s.index.advance(ctx, -1); err != nil {
		return nil, errs.Wrap(opName, err)
	}
	return s.describe(ctx, inst, userID), nil
}

// entitlementBufs holds the buffers describe reads the index into.
var entitlementBufs = sync.Pool{New: func() any { return new([]entitlement.Entitlement) }}

// describe names the entitlements of a user.
func (s *Service) describe(ctx context.Context, instanceID, userID string) []Entitlement {
	v := s.accessView(ctx, instanceID)
	buf := entitlementBufs.Get().(*[]entitlement.Entitlement)
	ens := v.AppendEntitlements((*buf)[:0], userID)
	defer func() {
		if cap(ens) <= 1<<16 {
			clear(ens) // hold no strings of an older index
			*buf = ens[:0]
			entitlementBufs.Put(buf)
		}
	}()
	out := make([]Entitlement, len(ens))
	for i, en := range ens {
		a, _ := v.AccountInfo(en.AccountID)
		out[i] = Entitlement{AccountID: en.AccountID, AccountName: a.Name,
			PermissionSetARN: arn.PermissionSetARN(instanceID, en.PermissionSetID), PermissionSetName: v.PermissionSetName(en.PermissionSetID),
			PrincipalType: en.PrincipalType, PrincipalID: en.PrincipalID, TargetType: en.TargetType, TargetID: en.TargetID}
		if en.PrincipalType == access.PrincipalGroup {
			out[i].PrincipalName = v.GroupName(en.PrincipalID)
		}
		if en.TargetType == access.TargetOrganizationalUnit {
			out[i].TargetName = v.OUName(en.TargetID)
		}
	}
	return out
}

// accessView is the fast path for callers inside the service (credentials,
// the portal): the effective access of an instance as this node's index
// has it now, without an audit event, and without I/O or locks unless this
// node committed a change the index has yet to apply (see accessIndex.view).
// It is empty until the index is first built.
func (s *Service) accessView(ctx context.Context, instanceID string) *entitlement.View {
	if x := s.index.view(ctx); x != nil {
		return x.View(instanceID)
	}
	return emptyIndex.View(instanceID)
}

var emptyIndex = entitlement.New(entitlement.Options{})

// IndexFollower keeps a node's effective-access index up to date with the
// changes committed by every node: it builds the index at start, then
// advances it whenever the store says changes were appended (PostgreSQL's
// LISTEN/NOTIFY) and at every poll interval in any case. Changes made on
// this node advance the index as they commit, without waiting for it. It
// also prunes the feed of changes older than every follower needs.
type IndexFollower struct {
	s     *Service
	poll  time.Duration
	keep  int64
	prune time.Duration
	log   *slog.Logger
}

// IndexFollowerConfig tunes an IndexFollower.
type IndexFollowerConfig struct {
	// Poll is how often the follower looks for changes when nothing woke
	// it; default 200ms.
	Poll time.Duration
	// Keep is how many of the latest changes pruning leaves in the feed;
	// default 100,000. A node further behind rebuilds its index.
	Keep int64
	// PruneEvery is how often the feed is pruned; default one minute.
	PruneEvery time.Duration
}

// NewIndexFollower makes the follower of s's index.
func NewIndexFollower(s *Service, cfg IndexFollowerConfig) *IndexFollower {
	if cfg.Poll <= 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 100_000
	}
	if cfg.PruneEvery <= 0 {
		cfg.PruneEvery = time.Minute
	}
	return &IndexFollower{s: s, poll: cfg.Poll, keep: cfg.Keep, prune: cfg.PruneEvery, log: s.log}
}

// Run follows the feed until ctx ends.
func (f *IndexFollower) Run(ctx context.Context) {
	wake := make(chan struct{}, 1)
	if l, ok := f.s.index.st.(store.ChangeListener); ok {
		done := make(chan struct{})
		defer func() { <-done }()
		go func() {
			defer close(done)
			f.listen(ctx, l, wake)
		}()
	}
	poll := time.NewTicker(f.poll)
	defer poll.Stop()
	prune := time.NewTicker(f.prune)
	defer prune.Stop()
	failing := false
	for ctx.Err() == nil {
		start := time.Now()
		if err := f.s.index.advance(ctx, -1); err != nil && ctx.Err() == nil {
			if !failing {
				f.log.ErrorContext(ctx, "following the change feed failed; retrying", "error", err)
			}
			failing = true
		} else if failing && ctx.Err() == nil {
			f.log.InfoContext(ctx, "following the change feed again")
			failing = false
		} else if d := time.Since(start); d > time.Second {
			f.log.InfoContext(ctx, "the effective-access index advanced", "version", f.s.index.load().Version(), "took", d)
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-poll.C:
		case <-prune.C:
			f.pruneFeed(ctx)
		}
	}
}

// listen wakes the follower on every notification, reconnecting with a
// growing delay when the connection fails.
func (f *IndexFollower) listen(ctx context.Context, l store.ChangeListener, wake chan<- struct{}) {
	backoff := f.poll
	for ctx.Err() == nil {
		start := time.Now()
		err := l.ListenChanges(ctx, func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = f.poll
		}
		f.log.WarnContext(ctx, "listening for changes failed; polling meanwhile", "error", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (f *IndexFollower) pruneFeed(ctx context.Context) {
	err := f.s.index.st.Write(ctx, func(tx store.Tx) error {
		head, err := tx.LastChange(ctx)
		if err != nil || head <= f.keep {
			return err
		}
		return tx.PruneChanges(ctx, head-f.keep)
	})
	if err != nil && ctx.Err() == nil {
		f.log.WarnContext(ctx, "pruning the change feed failed", "error", err)
	}
}
