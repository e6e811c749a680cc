package service

import (
	"context"
	"slices"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/store"
)

// deletePrincipal deletes a user or a group with del, which takes the
// principal's account assignments with it (the store does), and then does
// what DeleteAccountAssignment does after the last assignment of a
// permission set in a target: the permission set's provisioning there goes,
// and the roles of the accounts it reached follow. Without this, a deleted
// principal's permission sets stayed provisioned, their roles stayed in the
// accounts, and DeletePermissionSet was refused as "still provisioned".
func (s *Service) deletePrincipal(ctx context.Context, tx store.Tx, instanceID, principalType, principalID string, now time.Time, del func() error) error {
	type target struct{ set, id, typ string }
	var held []target
	seen := map[target]bool{}
	for p := (store.Page{Limit: pageSize}); ; {
		as, err := tx.ListAssignments(ctx, instanceID, store.AssignmentQuery{PrincipalType: principalType, PrincipalID: principalID, Page: p})
		if err != nil {
			return err
		}
		for _, a := range as {
			if k := (target{a.PermissionSetID, a.TargetID, a.TargetType}); !seen[k] {
				seen[k] = true
				held = append(held, k)
			}
		}
		if len(as) < p.Limit {
			break
		}
		p.After = as[len(as)-1].Key()
	}
	if err := del(); err != nil {
		return err
	}
	var accounts []string
	for _, k := range held {
		dropped, err := deprovisionIfUnassigned(ctx, tx, instanceID, k.set, k.id)
		if err != nil {
			return err
		}
		if !dropped {
			continue
		}
		reached, err := operationAccounts(ctx, tx, &access.Operation{InstanceID: instanceID, PermissionSetID: k.set, TargetType: k.typ, TargetID: k.id})
		if err != nil {
			return err
		}
		accounts = append(accounts, reached...)
	}
	if len(accounts) == 0 {
		return nil
	}
	slices.Sort(accounts)
	return s.syncRoles(ctx, tx, instanceID, slices.Compact(accounts), now)
}
