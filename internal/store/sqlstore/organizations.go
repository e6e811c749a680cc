package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// The organization of an instance: accounts, organizational units, policies
// and their attachments, tags, CreateAccount requests.

// LockOrganization implements store.Tx.
func (t *Tx) LockOrganization(ctx context.Context, instanceID string) error {
	// A row lock where the engine has them; SQLite serializes writers.
	var id string
	err := t.tx.QueryRowContext(ctx, `SELECT id FROM organizations WHERE instance_id = $1 `+t.d.ForUpdate, instanceID).Scan(&id)
	return notFound(err)
}

// skipLocked is the suffix of a claim: lock the row, skipping rows that
// other transactions hold, where the engine has row locks.
func (t *Tx) skipLocked() string {
	if t.d.ForUpdate == "" {
		return ""
	}
	return t.d.ForUpdate + " SKIP LOCKED"
}

const accountCols = `id, instance_id, name, email, status, parent_id, joined_at, join_method`

func scanAccount(row interface{ Scan(...any) error }) (*org.Account, error) {
	var a org.Account
	var joined int64
	if err := row.Scan(&a.ID, &a.InstanceID, &a.Name, &a.Email, &a.Status, &a.ParentID, &joined, &a.JoinMethod); err != nil {
		return nil, notFound(err)
	}
	a.JoinedAt = fromMicros(joined)
	return &a, nil
}

func (t *Tx) accounts(ctx context.Context, q string, args ...any) ([]org.Account, error) {
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// ListAccounts implements store.Tx.
func (t *Tx) ListAccounts(ctx context.Context, instanceID string, q store.AccountQuery) ([]org.Account, error) {
	if q.ParentID != "" {
		return t.accounts(ctx, `SELECT `+accountCols+` FROM accounts WHERE instance_id = $1 AND parent_id = $2 AND id > $3 ORDER BY id LIMIT $4`,
			instanceID, q.ParentID, q.After, limit(q.Page))
	}
	return t.accounts(ctx, `SELECT `+accountCols+` FROM accounts WHERE instance_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		instanceID, q.After, limit(q.Page))
}

// FindAccountByEmail implements store.Tx.
func (t *Tx) FindAccountByEmail(ctx context.Context, instanceID, email string) (*org.Account, error) {
	return scanAccount(t.tx.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE instance_id = $1 AND lower(email) = $2`, instanceID, lower(email)))
}

// CountAccounts implements store.Tx.
func (t *Tx) CountAccounts(ctx context.Context, instanceID string) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE instance_id = $1`, instanceID).Scan(&n)
	return n, err
}

// UpdateAccount implements store.Tx.
func (t *Tx) UpdateAccount(ctx context.Context, a *org.Account) error {
	return t.atomic(ctx, func() error {
		return t.execOne(ctx, `UPDATE accounts SET name = $3, email = $4, status = $5, parent_id = $6 WHERE instance_id = $1 AND id = $2`,
			a.InstanceID, a.ID, a.Name, a.Email, a.Status, a.ParentID)
	})
}

// DeleteAccount implements store.Tx.
func (t *Tx) DeleteAccount(ctx context.Context, instanceID, accountID string) error {
	return t.atomic(ctx, func() error {
		if err := t.execOne(ctx, `DELETE FROM accounts WHERE instance_id = $1 AND id = $2`, instanceID, accountID); err != nil {
			return err
		}
		return t.forgetOrgResource(ctx, instanceID, accountID)
	})
}

// forgetOrgResource removes the tags and policy attachments of a resource.
func (t *Tx) forgetOrgResource(ctx context.Context, instanceID, id string) error {
	if _, err := t.exec(ctx, `DELETE FROM org_tags WHERE instance_id = $1 AND resource_id = $2`, instanceID, id); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM org_policy_attachments WHERE instance_id = $1 AND target_id = $2`, instanceID, id)
	return err
}

// ListAccountsUnder implements store.Tx.
func (t *Tx) ListAccountsUnder(ctx context.Context, instanceID, parentID string, recursive bool) ([]org.Account, error) {
	if !recursive {
		return t.accounts(ctx, `SELECT `+accountCols+` FROM accounts WHERE instance_id = $1 AND parent_id = $2 ORDER BY id`, instanceID, parentID)
	}
	// The tree's ids come from the column, so that both engines compare
	// them with its collation.
	return t.accounts(ctx, `WITH RECURSIVE tree (id) AS (
		SELECT id FROM org_units WHERE instance_id = $1 AND parent_id = $2
		UNION ALL
		SELECT u.id FROM org_units u JOIN tree ON u.parent_id = tree.id WHERE u.instance_id = $1
	)
	SELECT `+accountCols+` FROM accounts
	WHERE instance_id = $1 AND (parent_id = $2 OR parent_id IN (SELECT id FROM tree)) ORDER BY id`, instanceID, parentID)
}

// AccountParentPath implements store.Tx.
func (t *Tx) AccountParentPath(ctx context.Context, instanceID, accountID string) ([]string, error) {
	var parent string
	err := t.tx.QueryRowContext(ctx, `SELECT parent_id FROM accounts WHERE instance_id = $1 AND id = $2`, instanceID, accountID).Scan(&parent)
	if err != nil {
		return nil, notFound(err)
	}
	return t.parentPath(ctx, instanceID, parent)
}

// OrganizationalUnitParentPath implements store.Tx.
func (t *Tx) OrganizationalUnitParentPath(ctx context.Context, instanceID, ouID string) ([]string, error) {
	var parent string
	err := t.tx.QueryRowContext(ctx, `SELECT parent_id FROM org_units WHERE instance_id = $1 AND id = $2`, instanceID, ouID).Scan(&parent)
	if err != nil {
		return nil, notFound(err)
	}
	return t.parentPath(ctx, instanceID, parent)
}

// parentPath returns the ids from the root down to id, a root or an OU.
func (t *Tx) parentPath(ctx context.Context, instanceID, id string) ([]string, error) {
	path := []string{id}
	for strings.HasPrefix(id, "ou-") {
		if len(path) > 64 { // a cycle; the service never makes one
			return nil, errors.New("sqlstore: the organizational units form a cycle")
		}
		err := t.tx.QueryRowContext(ctx, `SELECT parent_id FROM org_units WHERE instance_id = $1 AND id = $2`, instanceID, id).Scan(&id)
		if err != nil {
			return nil, notFound(err)
		}
		path = append(path, id)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, nil
}

const ouCols = `instance_id, id, parent_id, name, created_at`

func scanOU(row interface{ Scan(...any) error }) (*org.OrganizationalUnit, error) {
	var u org.OrganizationalUnit
	var created int64
	if err := row.Scan(&u.InstanceID, &u.ID, &u.ParentID, &u.Name, &created); err != nil {
		return nil, notFound(err)
	}
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

// CreateOrganizationalUnit implements store.Tx.
func (t *Tx) CreateOrganizationalUnit(ctx context.Context, u *org.OrganizationalUnit) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO org_units (`+ouCols+`) VALUES ($1, $2, $3, $4, $5)`,
			u.InstanceID, u.ID, u.ParentID, u.Name, micros(u.CreatedAt))
		return err
	})
}

// GetOrganizationalUnit implements store.Tx.
func (t *Tx) GetOrganizationalUnit(ctx context.Context, instanceID, ouID string) (*org.OrganizationalUnit, error) {
	return scanOU(t.tx.QueryRowContext(ctx, `SELECT `+ouCols+` FROM org_units WHERE instance_id = $1 AND id = $2`, instanceID, ouID))
}

// UpdateOrganizationalUnit implements store.Tx.
func (t *Tx) UpdateOrganizationalUnit(ctx context.Context, u *org.OrganizationalUnit) error {
	return t.atomic(ctx, func() error {
		return t.execOne(ctx, `UPDATE org_units SET name = $3, parent_id = $4 WHERE instance_id = $1 AND id = $2`, u.InstanceID, u.ID, u.Name, u.ParentID)
	})
}

// DeleteOrganizationalUnit implements store.Tx.
func (t *Tx) DeleteOrganizationalUnit(ctx context.Context, instanceID, ouID string) error {
	return t.atomic(ctx, func() error {
		if err := t.execOne(ctx, `DELETE FROM org_units WHERE instance_id = $1 AND id = $2`, instanceID, ouID); err != nil {
			return err
		}
		return t.forgetOrgResource(ctx, instanceID, ouID)
	})
}

// ListOrganizationalUnits implements store.Tx.
func (t *Tx) ListOrganizationalUnits(ctx context.Context, instanceID, parentID string, p store.Page) ([]org.OrganizationalUnit, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+ouCols+` FROM org_units WHERE instance_id = $1 AND parent_id = $2 AND id > $3 ORDER BY id LIMIT $4`,
		instanceID, parentID, p.After, limit(p))
	return collect(rows, err, scanOUValue)
}

// scanOUValue is scanOU for collect.
func scanOUValue(rows *sql.Rows) (org.OrganizationalUnit, error) {
	u, err := scanOU(rows)
	if err != nil {
		return org.OrganizationalUnit{}, err
	}
	return *u, nil
}

// ListPolicyTypes implements store.Tx.
func (t *Tx) ListPolicyTypes(ctx context.Context, instanceID string) ([]org.PolicyTypeSummary, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT type, status FROM org_policy_types WHERE instance_id = $1 ORDER BY type`, instanceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.PolicyTypeSummary
	for rows.Next() {
		var p org.PolicyTypeSummary
		if err := rows.Scan(&p.Type, &p.Status); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetPolicyType implements store.Tx.
func (t *Tx) SetPolicyType(ctx context.Context, instanceID, policyType, status string) error {
	return t.atomic(ctx, func() error {
		if status == "" {
			_, err := t.exec(ctx, `DELETE FROM org_policy_types WHERE instance_id = $1 AND type = $2`, instanceID, policyType)
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO org_policy_types (instance_id, type, status) VALUES ($1, $2, $3)
			ON CONFLICT (instance_id, type) DO UPDATE SET status = excluded.status`, instanceID, policyType, status)
		return err
	})
}

const policyCols = `p.instance_id, p.id, p.type, p.name, p.description, p.content, p.aws_managed`

func scanPolicy(row interface{ Scan(...any) error }) (*org.Policy, error) {
	var p org.Policy
	var managed int
	if err := row.Scan(&p.InstanceID, &p.ID, &p.Type, &p.Name, &p.Description, &p.Content, &managed); err != nil {
		return nil, notFound(err)
	}
	p.AWSManaged = managed != 0
	return &p, nil
}

func (t *Tx) policies(ctx context.Context, q string, args ...any) ([]org.Policy, error) {
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Policy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// CreateOrgPolicy implements store.Tx.
func (t *Tx) CreateOrgPolicy(ctx context.Context, p *org.Policy) error {
	return t.atomic(ctx, func() error {
		if err := t.policyNameFree(ctx, p); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO org_policies (instance_id, id, type, name, description, content, aws_managed) VALUES ($1, $2, $3, $4, $5, $6, 0)`,
			p.InstanceID, p.ID, p.Type, p.Name, p.Description, p.Content)
		return err
	})
}

// policyNameFree reports ErrConflict when an AWS-managed policy of p's type
// has p's name (the unique index sees only the instance's own).
func (t *Tx) policyNameFree(ctx context.Context, p *org.Policy) error {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_policies WHERE instance_id = '' AND type = $1 AND name = $2`, p.Type, p.Name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return store.ErrConflict
	}
	return nil
}

// GetOrgPolicy implements store.Tx.
func (t *Tx) GetOrgPolicy(ctx context.Context, instanceID, policyID string) (*org.Policy, error) {
	return scanPolicy(t.tx.QueryRowContext(ctx, `SELECT `+policyCols+` FROM org_policies p WHERE p.instance_id IN ($1, '') AND p.id = $2`, instanceID, policyID))
}

// UpdateOrgPolicy implements store.Tx.
func (t *Tx) UpdateOrgPolicy(ctx context.Context, p *org.Policy) error {
	return t.atomic(ctx, func() error {
		if err := t.policyNameFree(ctx, p); err != nil {
			return err
		}
		return t.execOne(ctx, `UPDATE org_policies SET name = $3, description = $4, content = $5 WHERE instance_id = $1 AND id = $2 AND aws_managed = 0`,
			p.InstanceID, p.ID, p.Name, p.Description, p.Content)
	})
}

// DeleteOrgPolicy implements store.Tx.
func (t *Tx) DeleteOrgPolicy(ctx context.Context, instanceID, policyID string) error {
	return t.atomic(ctx, func() error {
		if err := t.execOne(ctx, `DELETE FROM org_policies WHERE instance_id = $1 AND id = $2 AND aws_managed = 0`, instanceID, policyID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM org_tags WHERE instance_id = $1 AND resource_id = $2`, instanceID, policyID)
		return err
	})
}

// ListOrgPolicies implements store.Tx.
func (t *Tx) ListOrgPolicies(ctx context.Context, instanceID, policyType string, pg store.Page) ([]org.Policy, error) {
	return t.policies(ctx, `SELECT `+policyCols+` FROM org_policies p WHERE p.instance_id IN ($1, '') AND p.type = $2 AND p.id > $3 ORDER BY p.id LIMIT $4`,
		instanceID, policyType, pg.After, limit(pg))
}

// AttachOrgPolicy implements store.Tx.
func (t *Tx) AttachOrgPolicy(ctx context.Context, instanceID, policyID string, target org.PolicyTarget) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO org_policy_attachments (instance_id, policy_id, target_id, target_type) VALUES ($1, $2, $3, $4)`,
			instanceID, policyID, target.TargetID, target.Type)
		return err
	})
}

// DetachOrgPolicy implements store.Tx.
func (t *Tx) DetachOrgPolicy(ctx context.Context, instanceID, policyID, targetID string) error {
	return t.atomic(ctx, func() error {
		return t.execOne(ctx, `DELETE FROM org_policy_attachments WHERE instance_id = $1 AND policy_id = $2 AND target_id = $3`, instanceID, policyID, targetID)
	})
}

// DetachOrgPoliciesOfType implements store.Tx.
func (t *Tx) DetachOrgPoliciesOfType(ctx context.Context, instanceID, policyType string) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `DELETE FROM org_policy_attachments WHERE instance_id = $1 AND policy_id IN
			(SELECT id FROM org_policies WHERE instance_id IN ($1, '') AND type = $2)`, instanceID, policyType)
		return err
	})
}

// ListOrgPoliciesForTarget implements store.Tx.
func (t *Tx) ListOrgPoliciesForTarget(ctx context.Context, instanceID, targetID, policyType string, pg store.Page) ([]org.Policy, error) {
	return t.policies(ctx, `SELECT `+policyCols+` FROM org_policy_attachments a
		JOIN org_policies p ON p.id = a.policy_id AND p.instance_id IN (a.instance_id, '')
		WHERE a.instance_id = $1 AND a.target_id = $2 AND p.type = $3 AND p.id > $4 ORDER BY p.id LIMIT $5`,
		instanceID, targetID, policyType, pg.After, limit(pg))
}

// ListOrgPolicyTargets implements store.Tx.
func (t *Tx) ListOrgPolicyTargets(ctx context.Context, instanceID, policyID string, pg store.Page) ([]org.PolicyTarget, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT target_id, target_type FROM org_policy_attachments
		WHERE instance_id = $1 AND policy_id = $2 AND target_id > $3 ORDER BY target_id LIMIT $4`, instanceID, policyID, pg.After, limit(pg))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.PolicyTarget
	for rows.Next() {
		var pt org.PolicyTarget
		if err := rows.Scan(&pt.TargetID, &pt.Type); err != nil {
			return nil, err
		}
		out = append(out, pt)
	}
	return out, rows.Err()
}

// SetOrgTags implements store.Tx.
func (t *Tx) SetOrgTags(ctx context.Context, instanceID, resourceID string, tags []org.Tag) error {
	return t.atomic(ctx, func() error {
		for _, tag := range tags {
			if _, err := t.exec(ctx, `INSERT INTO org_tags (instance_id, resource_id, key, value) VALUES ($1, $2, $3, $4)
				ON CONFLICT (instance_id, resource_id, key) DO UPDATE SET value = excluded.value`, instanceID, resourceID, tag.Key, tag.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteOrgTags implements store.Tx.
func (t *Tx) DeleteOrgTags(ctx context.Context, instanceID, resourceID string, keys []string) error {
	return t.atomic(ctx, func() error {
		for _, k := range keys {
			if _, err := t.exec(ctx, `DELETE FROM org_tags WHERE instance_id = $1 AND resource_id = $2 AND key = $3`, instanceID, resourceID, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListOrgTags implements store.Tx.
func (t *Tx) ListOrgTags(ctx context.Context, instanceID, resourceID string, pg store.Page) ([]org.Tag, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT key, value FROM org_tags WHERE instance_id = $1 AND resource_id = $2 AND key > $3 ORDER BY key LIMIT $4`,
		instanceID, resourceID, pg.After, limit(pg))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Tag
	for rows.Next() {
		var tag org.Tag
		if err := rows.Scan(&tag.Key, &tag.Value); err != nil {
			return nil, err
		}
		out = append(out, tag)
	}
	return out, rows.Err()
}

const carCols = `instance_id, id, account_name, email, role_name, billing_access, tags, state, requested_at, completed_at, account_id, failure_reason`

func scanCreateAccountStatus(row interface{ Scan(...any) error }) (*org.CreateAccountStatus, error) {
	var r org.CreateAccountStatus
	var tags string
	var requested, completed int64
	if err := row.Scan(&r.InstanceID, &r.ID, &r.AccountName, &r.Email, &r.RoleName, &r.IAMUserAccessToBilling, &tags,
		&r.State, &requested, &completed, &r.AccountID, &r.FailureReason); err != nil {
		return nil, notFound(err)
	}
	if err := json.Unmarshal([]byte(tags), &r.Tags); err != nil {
		return nil, err
	}
	r.RequestedAt, r.CompletedAt = fromMicros(requested), fromMicros(completed)
	return &r, nil
}

// CreateAccountRequest implements store.Tx.
func (t *Tx) CreateAccountRequest(ctx context.Context, r *org.CreateAccountStatus) error {
	tags, err := json.Marshal(r.Tags)
	if err != nil {
		return err
	}
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO org_create_account_statuses (`+carCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			r.InstanceID, r.ID, r.AccountName, r.Email, r.RoleName, r.IAMUserAccessToBilling, string(tags), r.State,
			micros(r.RequestedAt), micros(r.CompletedAt), r.AccountID, r.FailureReason)
		return err
	})
}

// GetCreateAccountStatus implements store.Tx.
func (t *Tx) GetCreateAccountStatus(ctx context.Context, instanceID, requestID string) (*org.CreateAccountStatus, error) {
	return scanCreateAccountStatus(t.tx.QueryRowContext(ctx, `SELECT `+carCols+` FROM org_create_account_statuses WHERE instance_id = $1 AND id = $2`, instanceID, requestID))
}

// ListCreateAccountStatuses implements store.Tx.
func (t *Tx) ListCreateAccountStatuses(ctx context.Context, instanceID string, states []string, pg store.Page) ([]org.CreateAccountStatus, error) {
	q := `SELECT ` + carCols + ` FROM org_create_account_statuses WHERE instance_id = $1 AND id > $2`
	args := []any{instanceID, pg.After}
	if len(states) > 0 {
		marks := make([]string, len(states))
		for i, s := range states {
			args = append(args, s)
			marks[i] = "$" + strconv.Itoa(len(args))
		}
		q += ` AND state IN (` + strings.Join(marks, ", ") + `)`
	}
	args = append(args, limit(pg))
	q += ` ORDER BY id LIMIT $` + strconv.Itoa(len(args))
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.CreateAccountStatus
	for rows.Next() {
		r, err := scanCreateAccountStatus(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// ClaimCreateAccountRequest implements store.Tx.
func (t *Tx) ClaimCreateAccountRequest(ctx context.Context) (*org.CreateAccountStatus, error) {
	return scanCreateAccountStatus(t.tx.QueryRowContext(ctx, `SELECT `+carCols+` FROM org_create_account_statuses
		WHERE state = 'IN_PROGRESS' ORDER BY requested_at, id LIMIT 1 `+t.skipLocked()))
}

// CompleteCreateAccountRequest implements store.Tx.
func (t *Tx) CompleteCreateAccountRequest(ctx context.Context, r *org.CreateAccountStatus) error {
	return t.atomic(ctx, func() error {
		return t.execOne(ctx, `UPDATE org_create_account_statuses SET state = $3, completed_at = $4, account_id = $5, failure_reason = $6
			WHERE instance_id = $1 AND id = $2`, r.InstanceID, r.ID, r.State, micros(r.CompletedAt), r.AccountID, r.FailureReason)
	})
}

// ClaimClosingAccount implements store.Tx.
func (t *Tx) ClaimClosingAccount(ctx context.Context) (*org.Account, error) {
	// The literal state matches the partial index of accounts pending closure.
	return scanAccount(t.tx.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE status = 'PENDING_CLOSURE' ORDER BY instance_id, id LIMIT 1 `+t.skipLocked()))
}
