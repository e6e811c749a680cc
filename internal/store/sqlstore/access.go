package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/store"
)

const permissionSetCols = `instance_id, id, name, description, session_duration, relay_state, inline_policy,
	boundary_managed_arn, boundary_policy_name, boundary_policy_path, version, created_at, updated_at`

func scanPermissionSet(row interface{ Scan(...any) error }) (*access.PermissionSet, error) {
	var ps access.PermissionSet
	var bARN, bName, bPath string
	var created, updated int64
	if err := row.Scan(&ps.InstanceID, &ps.ID, &ps.Name, &ps.Description, &ps.SessionDuration, &ps.RelayState, &ps.InlinePolicy,
		&bARN, &bName, &bPath, &ps.Version, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	switch {
	case bARN != "":
		ps.Boundary = &access.Boundary{ManagedPolicyARN: bARN}
	case bName != "":
		ps.Boundary = &access.Boundary{CustomerPolicy: &access.CustomerPolicyRef{Name: bName, Path: bPath}}
	}
	ps.CreatedAt, ps.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &ps, nil
}

func boundaryCols(b *access.Boundary) (arn, name, path string) {
	switch {
	case b == nil:
	case b.ManagedPolicyARN != "":
		arn = b.ManagedPolicyARN
	case b.CustomerPolicy != nil:
		name, path = b.CustomerPolicy.Name, b.CustomerPolicy.Path
	}
	return arn, name, path
}

// CreatePermissionSet implements store.Tx.
func (t *Tx) CreatePermissionSet(ctx context.Context, ps *access.PermissionSet) error {
	bARN, bName, bPath := boundaryCols(ps.Boundary)
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO permission_sets (`+permissionSetCols+`, name_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			ps.InstanceID, ps.ID, ps.Name, ps.Description, ps.SessionDuration, ps.RelayState, ps.InlinePolicy,
			bARN, bName, bPath, ps.Version, micros(ps.CreatedAt), micros(ps.UpdatedAt), lower(ps.Name))
		if err != nil {
			return err
		}
		return t.execOne(ctx, `UPDATE instances SET permission_sets = permission_sets + 1 WHERE id = $1`, ps.InstanceID)
	})
}

// GetPermissionSet implements store.Tx.
func (t *Tx) GetPermissionSet(ctx context.Context, instanceID, id string) (*access.PermissionSet, error) {
	return scanPermissionSet(t.tx.QueryRowContext(ctx, `SELECT `+permissionSetCols+` FROM permission_sets WHERE instance_id = $1 AND id = $2`, instanceID, id))
}

// GetPermissionSets implements store.Tx.
func (t *Tx) GetPermissionSets(ctx context.Context, instanceID string, ids []string) ([]access.PermissionSet, error) {
	var out []access.PermissionSet
	err := t.inQuery(ctx, `SELECT `+permissionSetCols+` FROM permission_sets WHERE instance_id = $1 AND id IN `, ``, instanceID, ids, func(rows *sql.Rows) error {
		ps, err := scanPermissionSet(rows)
		if err == nil {
			out = append(out, *ps)
		}
		return err
	})
	return out, err
}

// UpdatePermissionSet implements store.Tx.
func (t *Tx) UpdatePermissionSet(ctx context.Context, ps *access.PermissionSet) error {
	bARN, bName, bPath := boundaryCols(ps.Boundary)
	return t.atomic(ctx, func() error {
		return t.execOne(ctx, `UPDATE permission_sets SET name = $3, name_lower = $4, description = $5, session_duration = $6, relay_state = $7,
			inline_policy = $8, boundary_managed_arn = $9, boundary_policy_name = $10, boundary_policy_path = $11, version = $12, updated_at = $13
			WHERE instance_id = $1 AND id = $2`,
			ps.InstanceID, ps.ID, ps.Name, lower(ps.Name), ps.Description, ps.SessionDuration, ps.RelayState,
			ps.InlinePolicy, bARN, bName, bPath, ps.Version, micros(ps.UpdatedAt))
	})
}

// DeletePermissionSet implements store.Tx. Its policies go with it (ON
// DELETE CASCADE); a permission set still assigned or provisioned is
// refused by the foreign keys of those rows.
func (t *Tx) DeletePermissionSet(ctx context.Context, instanceID, id string) error {
	return t.atomic(ctx, func() error {
		if err := t.execOne(ctx, `DELETE FROM permission_sets WHERE instance_id = $1 AND id = $2`, instanceID, id); err != nil {
			return err
		}
		if err := t.execOne(ctx, `UPDATE instances SET permission_sets = permission_sets - 1 WHERE id = $1`, instanceID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM access_tags WHERE instance_id = $1 AND resource_id = $2`, instanceID, id)
		return err
	})
}

// ListPermissionSets implements store.Tx.
func (t *Tx) ListPermissionSets(ctx context.Context, instanceID string, p store.Page) ([]access.PermissionSet, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+permissionSetCols+` FROM permission_sets WHERE instance_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		instanceID, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.PermissionSet
	for rows.Next() {
		ps, err := scanPermissionSet(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *ps)
	}
	return out, rows.Err()
}

// CountPermissionSets implements store.Tx: the count that creations and
// deletions keep on the instance's row. An unknown instance has none.
func (t *Tx) CountPermissionSets(ctx context.Context, instanceID string) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT permission_sets FROM instances WHERE id = $1`, instanceID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// AddManagedPolicy implements store.Tx.
func (t *Tx) AddManagedPolicy(ctx context.Context, instanceID, psID string, p access.ManagedPolicy) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO permission_set_managed_policies (instance_id, permission_set_id, arn, name) VALUES ($1, $2, $3, $4)`,
			instanceID, psID, p.ARN, p.Name)
		return err
	})
}

// RemoveManagedPolicy implements store.Tx.
func (t *Tx) RemoveManagedPolicy(ctx context.Context, instanceID, psID, arn string) error {
	return t.execOne(ctx, `DELETE FROM permission_set_managed_policies WHERE instance_id = $1 AND permission_set_id = $2 AND arn = $3`, instanceID, psID, arn)
}

// ListManagedPolicies implements store.Tx.
func (t *Tx) ListManagedPolicies(ctx context.Context, instanceID, psID string) ([]access.ManagedPolicy, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT arn, name FROM permission_set_managed_policies WHERE instance_id = $1 AND permission_set_id = $2 ORDER BY arn`, instanceID, psID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.ManagedPolicy
	for rows.Next() {
		var p access.ManagedPolicy
		if err := rows.Scan(&p.ARN, &p.Name); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddCustomerPolicyRef implements store.Tx.
func (t *Tx) AddCustomerPolicyRef(ctx context.Context, instanceID, psID string, r access.CustomerPolicyRef) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO permission_set_customer_policies (instance_id, permission_set_id, path, name) VALUES ($1, $2, $3, $4)`,
			instanceID, psID, r.Path, r.Name)
		return err
	})
}

// RemoveCustomerPolicyRef implements store.Tx.
func (t *Tx) RemoveCustomerPolicyRef(ctx context.Context, instanceID, psID string, r access.CustomerPolicyRef) error {
	return t.execOne(ctx, `DELETE FROM permission_set_customer_policies WHERE instance_id = $1 AND permission_set_id = $2 AND path = $3 AND name = $4`,
		instanceID, psID, r.Path, r.Name)
}

// ListCustomerPolicyRefs implements store.Tx.
func (t *Tx) ListCustomerPolicyRefs(ctx context.Context, instanceID, psID string) ([]access.CustomerPolicyRef, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT path, name FROM permission_set_customer_policies WHERE instance_id = $1 AND permission_set_id = $2 ORDER BY path, name`, instanceID, psID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.CustomerPolicyRef
	for rows.Next() {
		var r access.CustomerPolicyRef
		if err := rows.Scan(&r.Path, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ListCustomerPolicyRefsOf implements store.Tx.
func (t *Tx) ListCustomerPolicyRefsOf(ctx context.Context, instanceID string, psIDs []string) (map[string][]access.CustomerPolicyRef, error) {
	out := map[string][]access.CustomerPolicyRef{}
	err := t.inQuery(ctx, `SELECT permission_set_id, path, name FROM permission_set_customer_policies WHERE instance_id = $1 AND permission_set_id IN `,
		` ORDER BY permission_set_id, path, name`, instanceID, psIDs, func(rows *sql.Rows) error {
			var id string
			var r access.CustomerPolicyRef
			if err := rows.Scan(&id, &r.Path, &r.Name); err != nil {
				return err
			}
			out[id] = append(out[id], r)
			return nil
		})
	return out, err
}

// PutTags implements store.Tx.
func (t *Tx) PutTags(ctx context.Context, instanceID, resourceID string, tags []access.Tag) error {
	return t.atomic(ctx, func() error {
		for _, tag := range tags {
			if _, err := t.exec(ctx, `INSERT INTO access_tags (instance_id, resource_id, key, value) VALUES ($1, $2, $3, $4)
				ON CONFLICT (instance_id, resource_id, key) DO UPDATE SET value = excluded.value`, instanceID, resourceID, tag.Key, tag.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveTags implements store.Tx.
func (t *Tx) RemoveTags(ctx context.Context, instanceID, resourceID string, keys []string) error {
	return t.atomic(ctx, func() error {
		for _, k := range keys {
			if _, err := t.exec(ctx, `DELETE FROM access_tags WHERE instance_id = $1 AND resource_id = $2 AND key = $3`, instanceID, resourceID, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListTags implements store.Tx.
func (t *Tx) ListTags(ctx context.Context, instanceID, resourceID string) ([]access.Tag, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT key, value FROM access_tags WHERE instance_id = $1 AND resource_id = $2 ORDER BY key`, instanceID, resourceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Tag
	for rows.Next() {
		var tag access.Tag
		if err := rows.Scan(&tag.Key, &tag.Value); err != nil {
			return nil, err
		}
		out = append(out, tag)
	}
	return out, rows.Err()
}

// UpdateInstanceName implements store.Tx.
func (t *Tx) UpdateInstanceName(ctx context.Context, instanceID, name string) error {
	return t.execOne(ctx, `UPDATE instances SET name = $2 WHERE id = $1`, instanceID, name)
}

// CreateAssignment implements store.Tx.
func (t *Tx) CreateAssignment(ctx context.Context, a *access.Assignment) error {
	return t.statement(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO account_assignments (instance_id, target_id, target_type, permission_set_id, principal_type, principal_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			a.InstanceID, a.TargetID, a.TargetType, a.PermissionSetID, a.PrincipalType, a.PrincipalID, micros(a.CreatedAt))
		return err
	})
}

// DeleteAssignment implements store.Tx.
func (t *Tx) DeleteAssignment(ctx context.Context, a *access.Assignment) error {
	return t.execOne(ctx, `DELETE FROM account_assignments WHERE instance_id = $1 AND target_id = $2 AND permission_set_id = $3 AND principal_type = $4 AND principal_id = $5`,
		a.InstanceID, a.TargetID, a.PermissionSetID, a.PrincipalType, a.PrincipalID)
}

// accessWhere builds a conjunction of conditions with $n placeholders.
type accessWhere struct {
	conds []string
	args  []any
}

func (w *accessWhere) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *accessWhere) in(col string, vals []string) {
	ph := make([]string, len(vals))
	for i, v := range vals {
		w.args = append(w.args, v)
		ph[i] = "$" + strconv.Itoa(len(w.args))
	}
	w.conds = append(w.conds, col+" IN ("+strings.Join(ph, ", ")+")")
}

func (w *accessWhere) String() string { return " WHERE " + strings.Join(w.conds, " AND ") }

func (w *accessWhere) limit(n int) string {
	w.args = append(w.args, n)
	return " LIMIT $" + strconv.Itoa(len(w.args))
}

// ListAssignments implements store.Tx.
func (t *Tx) ListAssignments(ctx context.Context, instanceID string, q store.AssignmentQuery) ([]access.Assignment, error) {
	w := &accessWhere{}
	w.add("instance_id = ?", instanceID)
	if q.PermissionSetID != "" {
		w.add("permission_set_id = ?", q.PermissionSetID)
	}
	if q.TargetIDs != nil {
		if len(q.TargetIDs) == 0 {
			return nil, nil
		}
		w.in("target_id", q.TargetIDs)
	}
	if q.PrincipalType != "" {
		w.add("principal_type = ?", q.PrincipalType)
	}
	if q.PrincipalID != "" {
		w.add("principal_id = ?", q.PrincipalID)
	}
	if q.PrincipalIDs != nil {
		if len(q.PrincipalIDs) == 0 {
			return nil, nil
		}
		w.in("principal_id", q.PrincipalIDs)
	}
	if q.After != "" {
		k := strings.SplitN(q.After, "/", 4)
		if len(k) != 4 {
			return nil, fmt.Errorf("sqlstore: bad assignment key %q", q.After)
		}
		w.add("(target_id > ? OR (target_id = ? AND (permission_set_id > ? OR (permission_set_id = ? AND (principal_type > ? OR (principal_type = ? AND principal_id > ?))))))",
			k[0], k[0], k[1], k[1], k[2], k[2], k[3])
	}
	query := `SELECT instance_id, target_id, target_type, permission_set_id, principal_type, principal_id, created_at FROM account_assignments` +
		w.String() + ` ORDER BY target_id, permission_set_id, principal_type, principal_id` + w.limit(limit(q.Page))
	rows, err := t.tx.QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Assignment
	for rows.Next() {
		var a access.Assignment
		var created int64
		if err := rows.Scan(&a.InstanceID, &a.TargetID, &a.TargetType, &a.PermissionSetID, &a.PrincipalType, &a.PrincipalID, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromMicros(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// PutProvision implements store.Tx.
func (t *Tx) PutProvision(ctx context.Context, p *access.Provision) error {
	return t.statement(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO permission_set_provisions (instance_id, permission_set_id, target_id, target_type, version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (instance_id, permission_set_id, target_id) DO UPDATE SET target_type = excluded.target_type, version = excluded.version, updated_at = excluded.updated_at`,
			p.InstanceID, p.PermissionSetID, p.TargetID, p.TargetType, p.Version, micros(p.UpdatedAt))
		return err
	})
}

// DeleteProvision implements store.Tx.
func (t *Tx) DeleteProvision(ctx context.Context, instanceID, psID, targetID string) error {
	return t.execOne(ctx, `DELETE FROM permission_set_provisions WHERE instance_id = $1 AND permission_set_id = $2 AND target_id = $3`, instanceID, psID, targetID)
}

// ListProvisions implements store.Tx.
func (t *Tx) ListProvisions(ctx context.Context, instanceID string, q store.ProvisionQuery) ([]access.Provision, error) {
	w := &accessWhere{}
	w.add("instance_id = ?", instanceID)
	if q.PermissionSetID != "" {
		w.add("permission_set_id = ?", q.PermissionSetID)
	}
	if q.TargetIDs != nil {
		if len(q.TargetIDs) == 0 {
			return nil, nil
		}
		w.in("target_id", q.TargetIDs)
	}
	// With targets, the rows are sorted here: asked to order them, SQLite
	// walks every provision of the instance in primary key order rather
	// than look the targets up.
	order := ` ORDER BY permission_set_id, target_id`
	if q.TargetIDs != nil {
		order = ""
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT instance_id, permission_set_id, target_id, target_type, version, updated_at FROM permission_set_provisions`+
		w.String()+order, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Provision
	for rows.Next() {
		var p access.Provision
		var updated int64
		if err := rows.Scan(&p.InstanceID, &p.PermissionSetID, &p.TargetID, &p.TargetType, &p.Version, &updated); err != nil {
			return nil, err
		}
		p.UpdatedAt = fromMicros(updated)
		out = append(out, p)
	}
	if order == "" {
		slices.SortFunc(out, func(a, b access.Provision) int {
			return cmp.Or(strings.Compare(a.PermissionSetID, b.PermissionSetID), strings.Compare(a.TargetID, b.TargetID))
		})
	}
	return out, rows.Err()
}

const operationCols = `instance_id, id, kind, status, failure_reason, target_id, target_type, permission_set_id, principal_type, principal_id, created_at, completed_at`

func scanOperation(row interface{ Scan(...any) error }) (*access.Operation, error) {
	var o access.Operation
	var kind, status string
	var created, completed int64
	if err := row.Scan(&o.InstanceID, &o.RequestID, &kind, &status, &o.FailureReason, &o.TargetID, &o.TargetType, &o.PermissionSetID,
		&o.PrincipalType, &o.PrincipalID, &created, &completed); err != nil {
		return nil, notFound(err)
	}
	o.Kind, o.Status = access.OperationKind(kind), access.Status(status)
	o.CreatedAt, o.CompletedAt = fromMicros(created), fromMicros(completed)
	return &o, nil
}

func (t *Tx) operations(ctx context.Context, query string, args ...any) ([]access.Operation, error) {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Operation
	for rows.Next() {
		o, err := scanOperation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

// CreateOperation implements store.Tx.
func (t *Tx) CreateOperation(ctx context.Context, o *access.Operation) error {
	return t.statement(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO access_operations (`+operationCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			o.InstanceID, o.RequestID, string(o.Kind), string(o.Status), o.FailureReason, o.TargetID, o.TargetType, o.PermissionSetID,
			o.PrincipalType, o.PrincipalID, micros(o.CreatedAt), micros(o.CompletedAt))
		return err
	})
}

// GetOperation implements store.Tx.
func (t *Tx) GetOperation(ctx context.Context, instanceID, id string) (*access.Operation, error) {
	return scanOperation(t.tx.QueryRowContext(ctx, `SELECT `+operationCols+` FROM access_operations WHERE instance_id = $1 AND id = $2`, instanceID, id))
}

// ListOperations implements store.Tx.
func (t *Tx) ListOperations(ctx context.Context, instanceID string, q store.OperationQuery) ([]access.Operation, error) {
	w := &accessWhere{}
	w.add("instance_id = ?", instanceID)
	w.add("kind = ?", string(q.Kind))
	if q.Status != "" {
		w.add("status = ?", string(q.Status))
	}
	if q.After != "" {
		ts, id, ok := strings.Cut(q.After, "/")
		created, err := strconv.ParseInt(ts, 16, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("sqlstore: bad operation key %q", q.After)
		}
		w.add("(created_at > ? OR (created_at = ? AND id > ?))", created, created, id)
	}
	return t.operations(ctx, `SELECT `+operationCols+` FROM access_operations`+w.String()+` ORDER BY created_at, id`+w.limit(limit(q.Page)), w.args...)
}

// ClaimOperations implements store.Tx. Engines that lock rows (PostgreSQL)
// lock the claimed ones and skip those another transaction holds; SQLite
// serializes its writers, so a claim there is exclusive already.
func (t *Tx) ClaimOperations(ctx context.Context, n int) ([]access.Operation, error) {
	lock := ""
	if t.d.ForUpdate != "" {
		lock = " " + t.d.ForUpdate + " SKIP LOCKED"
	}
	return t.operations(ctx, `SELECT `+operationCols+` FROM access_operations WHERE status = 'IN_PROGRESS' ORDER BY created_at, id LIMIT $1`+lock, n)
}

// CompleteOperation implements store.Tx. Only an operation in progress is
// completed: ErrNotFound otherwise, so that an operation completed twice
// undoes the transaction of the second.
func (t *Tx) CompleteOperation(ctx context.Context, o *access.Operation) error {
	return t.execOne(ctx, `UPDATE access_operations SET status = $3, failure_reason = $4, completed_at = $5
		WHERE instance_id = $1 AND id = $2 AND status = 'IN_PROGRESS'`,
		o.InstanceID, o.RequestID, string(o.Status), o.FailureReason, micros(o.CompletedAt))
}

// CountPendingOperations implements store.Tx.
func (t *Tx) CountPendingOperations(ctx context.Context, instanceID, psID string) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM access_operations WHERE instance_id = $1 AND permission_set_id = $2 AND status = 'IN_PROGRESS'`,
		instanceID, psID).Scan(&n)
	return n, err
}

const customerPolicyCols = `instance_id, account_id, path, name, document, policy_id, description, default_version_id, tags, created_at, updated_at`

func scanCustomerPolicy(row interface{ Scan(...any) error }) (*access.CustomerManagedPolicy, error) {
	var p access.CustomerManagedPolicy
	var tags string
	var created, updated int64
	if err := row.Scan(&p.InstanceID, &p.AccountID, &p.Path, &p.Name, &p.Document, &p.PolicyID, &p.Description, &p.DefaultVersionID,
		&tags, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
		return nil, fmt.Errorf("sqlstore: the tags of policy %s: %w", p.Name, err)
	}
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &p, nil
}

func customerPolicyArgs(p *access.CustomerManagedPolicy) ([]any, error) {
	tags := p.Tags
	if tags == nil {
		tags = []access.Tag{}
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return nil, err
	}
	return []any{p.InstanceID, p.AccountID, p.Path, p.Name, p.Document, p.PolicyID, p.Description, p.DefaultVersionID, string(b),
		micros(p.CreatedAt), micros(p.UpdatedAt), lower(p.Name)}, nil
}

// PutCustomerManagedPolicy implements store.Tx.
func (t *Tx) PutCustomerManagedPolicy(ctx context.Context, p *access.CustomerManagedPolicy) error {
	args, err := customerPolicyArgs(p)
	if err != nil {
		return err
	}
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO customer_managed_policies (`+customerPolicyCols+`, name_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (instance_id, account_id, name_lower) DO UPDATE SET path = excluded.path, name = excluded.name, document = excluded.document,
			policy_id = excluded.policy_id, description = excluded.description, default_version_id = excluded.default_version_id,
			tags = excluded.tags, created_at = excluded.created_at, updated_at = excluded.updated_at`, args...)
		return err
	})
}

// CreateCustomerManagedPolicy implements store.Tx.
func (t *Tx) CreateCustomerManagedPolicy(ctx context.Context, p *access.CustomerManagedPolicy) error {
	args, err := customerPolicyArgs(p)
	if err != nil {
		return err
	}
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO customer_managed_policies (`+customerPolicyCols+`, name_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, args...)
		return err
	})
}

// GetCustomerManagedPolicy implements store.Tx.
func (t *Tx) GetCustomerManagedPolicy(ctx context.Context, instanceID, accountID, name string) (*access.CustomerManagedPolicy, error) {
	return scanCustomerPolicy(t.tx.QueryRowContext(ctx, `SELECT `+customerPolicyCols+` FROM customer_managed_policies WHERE instance_id = $1 AND account_id = $2 AND name_lower = $3`,
		instanceID, accountID, lower(name)))
}

// DeleteCustomerManagedPolicy implements store.Tx.
func (t *Tx) DeleteCustomerManagedPolicy(ctx context.Context, instanceID, accountID, name string) error {
	return t.execOne(ctx, `DELETE FROM customer_managed_policies WHERE instance_id = $1 AND account_id = $2 AND name_lower = $3`, instanceID, accountID, lower(name))
}

// ListCustomerManagedPolicies implements store.Tx.
func (t *Tx) ListCustomerManagedPolicies(ctx context.Context, instanceID, accountID string, p store.Page) ([]access.CustomerManagedPolicy, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+customerPolicyCols+` FROM customer_managed_policies
		WHERE instance_id = $1 AND account_id = $2 AND path || name > $3 ORDER BY path || name LIMIT $4`, instanceID, accountID, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.CustomerManagedPolicy
	for rows.Next() {
		pol, err := scanCustomerPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *pol)
	}
	return out, rows.Err()
}

// CountCustomerManagedPolicies implements store.Tx.
func (t *Tx) CountCustomerManagedPolicies(ctx context.Context, instanceID, accountID string) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM customer_managed_policies WHERE instance_id = $1 AND account_id = $2`, instanceID, accountID).Scan(&n)
	return n, err
}
