package service

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// Helpers shared by the sso-admin operations on permission sets,
// assignments and provisioning.

const instanceARNPattern = "arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}"
const permissionSetARNPattern = "arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}"

// checkInstance checks that instanceARN names the caller's instance.
func checkInstance(o op, c *call, instanceARN string) error {
	id, ok := arn.ParseInstanceARN(instanceARN)
	if !ok {
		return access.Violation(o.String(), "instanceArn", "Member must satisfy regular expression pattern: "+instanceARNPattern)
	}
	if id != c.instanceID {
		return errs.Errorf(errs.NotFound, o.String(), "Could not find instance %s.", instanceARN)
	}
	return nil
}

// beginInstance starts an operation on the caller's instance, authorized on
// resource (the instance ARN when empty).
func (s *Service) beginInstance(ctx context.Context, o op, instanceARN, resource string) (*call, error) {
	if resource == "" {
		resource = instanceARN
	}
	c, err := s.begin(ctx, o, resource)
	if err != nil {
		return nil, err
	}
	if err := checkInstance(o, c, instanceARN); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	return c, nil
}

// beginPermissionSet starts an operation on a permission set of the
// caller's instance, authorized on the permission set's ARN. It returns the
// permission set's id.
func (s *Service) beginPermissionSet(ctx context.Context, o op, instanceARN, psARN string) (*call, string, error) {
	c, err := s.begin(ctx, o, psARN)
	if err != nil {
		return nil, "", err
	}
	id, err := parsePermissionSetARN(o, c, instanceARN, psARN, "permissionSetArn")
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	return c, id, nil
}

// parsePermissionSetARN checks the instance ARN and a permission set ARN of
// it, and returns the permission set's id.
func parsePermissionSetARN(o op, c *call, instanceARN, psARN, path string) (string, error) {
	if err := checkInstance(o, c, instanceARN); err != nil {
		return "", err
	}
	inst, id, ok := arn.ParsePermissionSetARN(psARN)
	if !ok {
		return "", access.Violation(o.String(), path, "Member must satisfy regular expression pattern: "+permissionSetARNPattern)
	}
	if inst != c.instanceID {
		return "", permissionSetNotFound(o, id)
	}
	return id, nil
}

func permissionSetNotFound(o op, id string) error {
	return errs.Errorf(errs.NotFound, o.String(), "Could not find PermissionSet with id %s", id)
}

// getPermissionSet reads a permission set of the call's instance.
func getPermissionSet(ctx context.Context, tx store.Tx, o op, c *call, id string) (*access.PermissionSet, error) {
	ps, err := tx.GetPermissionSet(ctx, c.instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, permissionSetNotFound(o, id)
	}
	return ps, err
}

// pageOf pages items already ordered by key, as the store pages rows.
func pageOf[T any](items []T, pg store.Page, key func(T) string) []T {
	i := 0
	if pg.After != "" {
		i = sort.Search(len(items), func(i int) bool { return key(items[i]) > pg.After })
	}
	items = items[i:]
	if pg.Limit > 0 && len(items) > pg.Limit {
		items = items[:pg.Limit]
	}
	return items
}

// ---- The organization tree, as assignments to OUs need it.

// ouExists reports whether id is an OU or the root of the call's instance.
func ouExists(ctx context.Context, tx store.Tx, instanceID, id string) (bool, error) {
	if strings.HasPrefix(id, "r-") {
		o, err := tx.GetOrganization(ctx, instanceID)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil && o.RootID == id, err
	}
	_, err := tx.GetOrganizationalUnit(ctx, instanceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// accountsUnder returns the ids of the accounts anywhere under an OU or root.
func accountsUnder(ctx context.Context, tx store.Tx, instanceID, ouID string) ([]string, error) {
	as, err := tx.ListAccountsUnder(ctx, instanceID, ouID, true)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids, nil
}

// accountTargets returns the targets whose assignments and provisions apply
// to an account: the account, then its ancestors (root first). An unknown
// account has only itself.
func accountTargets(ctx context.Context, tx store.Tx, instanceID, accountID string) ([]string, error) {
	path, err := tx.AccountParentPath(ctx, instanceID, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return []string{accountID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the parents of account %s: %w", accountID, err)
	}
	return append([]string{accountID}, path...), nil
}
