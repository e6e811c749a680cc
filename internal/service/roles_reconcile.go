package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/store"
)

// reconcileChunk bounds the accounts whose roles one transaction of
// reconcileRoles syncs.
const reconcileChunk = 200

// reconcileRoles brings the roles of every account of every instance in
// line with the permission sets provisioned to it, like syncRoles does for
// the accounts an operation touches. It mends what an operation did not
// reach: roles of permission sets provisioned before roles were recorded,
// or a role row lost. It reads every instance's provisions, accounts and
// roles in one read transaction per instance, and writes only the
// accounts that differ, so that it costs a few reads when nothing is to
// do. It returns how many accounts it synced.
func (s *Service) reconcileRoles(ctx context.Context) (int, error) {
	var instances []string
	err := s.store.Read(ctx, func(tx store.Tx) error {
		for page := (store.Page{Limit: 500}); ; {
			is, err := tx.ListInstances(ctx, page)
			if err != nil {
				return err
			}
			for _, in := range is {
				instances = append(instances, in.ID)
			}
			if len(is) < page.Limit {
				return nil
			}
			page.After = is[len(is)-1].ID
		}
	})
	if err != nil {
		return 0, err
	}
	synced := 0
	for _, inst := range instances {
		var stale []string
		if err := s.store.Read(ctx, func(tx store.Tx) (err error) {
			stale, err = staleRoleAccounts(ctx, tx, inst)
			return err
		}); err != nil {
			return synced, fmt.Errorf("the roles of instance %s: %w", inst, err)
		}
		for chunk := range slices.Chunk(stale, reconcileChunk) {
			err := s.store.WriteBulk(ctx, func(tx store.Tx) error {
				return s.syncRoles(ctx, tx, inst, chunk, s.now().UTC().Truncate(time.Microsecond))
			})
			if err != nil {
				return synced, fmt.Errorf("the roles of instance %s: %w", inst, err)
			}
			synced += len(chunk)
		}
	}
	return synced, nil
}

// staleRoleAccounts returns the accounts of an instance whose roles differ
// from the permission sets provisioned to them, by id.
func staleRoleAccounts(ctx context.Context, tx store.Tx, instanceID string) ([]string, error) {
	provs, err := tx.ListProvisions(ctx, instanceID, store.ProvisionQuery{})
	if err != nil {
		return nil, err
	}
	want := map[string]map[string]bool{} // account → permission set ids
	add := func(acct, psID string) {
		if want[acct] == nil {
			want[acct] = map[string]bool{}
		}
		want[acct][psID] = true
	}
	under := map[string][]string{} // OU → the accounts beneath it
	for _, p := range provs {
		if p.TargetType != access.TargetOrganizationalUnit {
			add(p.TargetID, p.PermissionSetID)
			continue
		}
		accts, ok := under[p.TargetID]
		if !ok {
			if accts, err = accountsUnder(ctx, tx, instanceID, p.TargetID); err != nil {
				return nil, err
			}
			under[p.TargetID] = accts
		}
		for _, a := range accts {
			add(a, p.PermissionSetID)
		}
	}
	var stale []string
	for page := (store.Page{Limit: 1000}); ; {
		as, err := tx.ListAccounts(ctx, instanceID, store.AccountQuery{Page: page})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			same, err := rolesMatch(ctx, tx, instanceID, a.ID, want[a.ID])
			if err != nil {
				return nil, err
			}
			if !same {
				stale = append(stale, a.ID)
			}
		}
		if len(as) < page.Limit {
			return stale, nil
		}
		page.After = as[len(as)-1].ID
	}
}

// rolesMatch reports whether an account's roles are those of the
// permission sets want.
func rolesMatch(ctx context.Context, tx store.Tx, instanceID, accountID string, want map[string]bool) (bool, error) {
	n := 0
	for page := (store.Page{Limit: 1000}); ; {
		rs, err := tx.ListRoles(ctx, instanceID, accountID, page)
		if err != nil {
			return false, err
		}
		for _, r := range rs {
			if !want[r.PermissionSetID] {
				return false, nil
			}
			n++
		}
		if len(rs) < page.Limit {
			return n == len(want), nil
		}
		page.After = rs[len(rs)-1].Name
	}
}
