package service

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atriumhq/atrium/internal/store"
)

// Background runs the work that must run once however many nodes share the
// database (the sso-admin and organizations workers, and the reconciliation
// of provisioned roles at start) on one node: the leader the store elects.
// Every node campaigns; when the leader stops, or its connection to the
// database drops, another node takes the lead and starts its workers; a
// node that loses the lead stops them. The workers' claims lock what they
// complete, so that even two leaders for a moment would not complete an
// item twice.
type Background struct {
	s       *Service
	cfg     BackgroundConfig
	leading atomic.Bool
}

// BackgroundConfig tunes the background work.
type BackgroundConfig struct {
	Access AccessWorkerConfig
	Org    OrgWorkerConfig
}

// leadName names the election of the background work.
const leadName = "background"

// NewBackground makes the background work of s.
func NewBackground(s *Service, cfg BackgroundConfig) *Background {
	return &Background{s: s, cfg: cfg}
}

// Leading reports whether this node leads the background work now.
func (b *Background) Leading() bool { return b.leading.Load() }

// Run campaigns for the lead and, while this node leads, runs the
// background work, until ctx ends.
func (b *Background) Run(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		lost, release, err := b.s.index.st.Lead(ctx, leadName)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			b.s.log.WarnContext(ctx, "campaigning for the lead of the background work failed", "error", err, "retry_in", backoff)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		b.lead(ctx, lost)
		release()
		if ctx.Err() == nil {
			b.s.log.WarnContext(ctx, "lost the lead of the background work; its workers stopped")
		}
	}
}

// lead runs the background work until ctx ends or lost is closed.
func (b *Background) lead(ctx context.Context, lost <-chan struct{}) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-lost:
			cancel()
		case <-ctx.Done():
		}
	}()
	b.leading.Store(true)
	defer b.leading.Store(false)
	b.s.log.InfoContext(ctx, "leading the background work")
	start := time.Now()
	switch n, err := b.s.reconcileRoles(ctx); {
	case err != nil && ctx.Err() == nil:
		b.s.log.ErrorContext(ctx, "reconciling the roles of provisioned permission sets failed", "error", err)
	case n > 0:
		b.s.log.InfoContext(ctx, "reconciled the roles of provisioned permission sets", "accounts", n, "took", time.Since(start))
	}
	var wg sync.WaitGroup
	wg.Go(func() { NewAccessWorker(b.s, b.cfg.Access).Run(ctx) })
	wg.Go(func() { NewOrgWorker(b.s, b.cfg.Org).Run(ctx) })
	if l, ok := b.s.index.st.(store.WorkListener); ok {
		wg.Go(func() { b.listen(ctx, l) })
	}
	wg.Wait()
}

// listen wakes the workers when work is queued on any node, reconnecting
// with a growing delay when the connection fails; the workers poll
// meanwhile.
func (b *Background) listen(ctx context.Context, l store.WorkListener) {
	backoff := time.Second
	wake := func() {
		b.s.wakeAccessWorker()
		b.s.wakeOrgWorker()
	}
	for ctx.Err() == nil {
		start := time.Now()
		err := l.ListenWork(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = time.Second
		}
		b.s.log.WarnContext(ctx, "listening for queued work failed; the workers poll meanwhile", "error", err, "retry_in", backoff)
		sleep(ctx, backoff)
		backoff = min(2*backoff, 30*time.Second)
		wake() // what was queued while the listener was down
	}
}

// notifyAccessWorker tells the leader, when tx commits, that it queued an
// sso-admin operation. When the leader is this node, the caller wakes the
// worker itself after the commit, and the store is spared a notification
// (on PostgreSQL a NOTIFY serializes commits).
func (s *Service) notifyAccessWorker(ctx context.Context, tx store.Tx) error {
	if _, local := accessWorkers.Load(s); local {
		return nil
	}
	return tx.NotifyWork(ctx)
}

// notifyOrgWorker is notifyAccessWorker for organizations' work.
func (s *Service) notifyOrgWorker(ctx context.Context, tx store.Tx) error {
	if _, local := orgWorkers.Load(s); local {
		return nil
	}
	return tx.NotifyWork(ctx)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
