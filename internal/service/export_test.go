package service

import (
	"context"

	"github.com/atriumhq/atrium/internal/entitlement"
	"github.com/atriumhq/atrium/internal/store"
)

// AccessView exposes the fast path of the effective-access index to tests.
func AccessView(s *Service, instanceID string) *entitlement.View {
	return s.accessView(context.Background(), instanceID)
}

// RebuildIndex builds s's effective-access index afresh from the store,
// beside the one s keeps.
func RebuildIndex(ctx context.Context, s *Service) (*entitlement.Index, error) {
	s.index.mu.Lock() // rebuild reloads the managed policies, which mu guards
	defer s.index.mu.Unlock()
	var x *entitlement.Index
	err := s.index.st.Read(ctx, func(tx store.Tx) (err error) {
		x, err = s.index.rebuild(ctx, tx)
		return err
	})
	return x, err
}

// RestartIndex replaces s's index by one built afresh from the store, as a
// node that starts has it.
func RestartIndex(ctx context.Context, s *Service) error {
	x, err := RebuildIndex(ctx, s)
	if err == nil {
		s.index.cur.Store(x)
	}
	return err
}

// SkipAfterWrite makes s's index leave its own writes to the follower and
// to the readers that catch up with them.
func SkipAfterWrite(s *Service, skip bool) { s.index.skipAfterWrite.Store(skip) }

// OwnApplied returns the number of writes whose changes s's index applied
// without reading the store.
func OwnApplied(s *Service) int64 { return s.index.ownApplied.Load() }
