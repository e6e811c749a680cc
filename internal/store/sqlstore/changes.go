package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// changeRows is how many changes one INSERT statement writes.
const changeRows = 200

// AppendChanges implements store.Tx. Taking the next numbers updates the
// one row of changes_head, and its lock is held until the transaction
// ends: a concurrent appender waits for this transaction to commit before it
// numbers its own changes, so numbers become visible in order.
func (t *Tx) AppendChanges(ctx context.Context, cs []store.Change) (int64, error) {
	if len(cs) == 0 {
		return 0, nil
	}
	var last int64
	err := t.atomic(ctx, func() error {
		if err := t.tx.QueryRowContext(ctx, `UPDATE changes_head SET seq = seq + $1 WHERE id = 1 RETURNING seq`, len(cs)).Scan(&last); err != nil {
			return err
		}
		seq := last - int64(len(cs))
		for start := 0; start < len(cs); start += changeRows {
			batch := cs[start:min(start+changeRows, len(cs))]
			var b strings.Builder
			b.WriteString(`INSERT INTO changes (seq, instance_id, kind, entity_id, created_at) VALUES `)
			args := make([]any, 0, 5*len(batch))
			for i, c := range batch {
				if i > 0 {
					b.WriteString(", ")
				}
				n := len(args)
				b.WriteString("($" + strconv.Itoa(n+1) + ", $" + strconv.Itoa(n+2) + ", $" + strconv.Itoa(n+3) + ", $" + strconv.Itoa(n+4) + ", $" + strconv.Itoa(n+5) + ")")
				seq++
				args = append(args, seq, c.InstanceID, c.Kind, c.EntityID, micros(c.At))
			}
			if _, err := t.exec(ctx, b.String(), args...); err != nil {
				return err
			}
		}
		if t.d.NotifyChanges != "" {
			if _, err := t.tx.ExecContext(ctx, t.d.NotifyChanges); err != nil {
				return err
			}
		}
		return nil
	})
	return last, err
}

// ListChanges implements store.Tx.
func (t *Tx) ListChanges(ctx context.Context, after int64, n int) ([]store.Change, error) {
	if n <= 0 {
		n = 1000
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT seq, instance_id, kind, entity_id, created_at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, after, n)
	return collect(rows, err, func(rows *sql.Rows) (c store.Change, err error) {
		var at int64
		err = rows.Scan(&c.Seq, &c.InstanceID, &c.Kind, &c.EntityID, &at)
		c.At = fromMicros(at)
		return c, err
	})
}

// LastChange implements store.Tx.
func (t *Tx) LastChange(ctx context.Context) (int64, error) {
	var seq int64
	err := t.tx.QueryRowContext(ctx, `SELECT seq FROM changes_head WHERE id = 1`).Scan(&seq)
	return seq, err
}

// PruneChanges implements store.Tx.
func (t *Tx) PruneChanges(ctx context.Context, upTo int64) error {
	_, err := t.exec(ctx, `DELETE FROM changes WHERE seq <= $1`, upTo)
	return err
}

// EachUserStatus implements store.Tx.
func (t *Tx) EachUserStatus(ctx context.Context, instanceID string, fn func(string, directory.UserStatus) error) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, status FROM directory_users WHERE instance_id = $1`, instanceID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			return err
		}
		if err := fn(id, directory.UserStatus(status)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachMembership implements store.Tx.
func (t *Tx) EachMembership(ctx context.Context, instanceID string, fn func(userID, groupID string) error) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT user_id, group_id FROM memberships WHERE instance_id = $1`, instanceID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u, g string
		if err := rows.Scan(&u, &g); err != nil {
			return err
		}
		if err := fn(u, g); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ListAllOrganizationalUnits implements store.Tx.
func (t *Tx) ListAllOrganizationalUnits(ctx context.Context, instanceID string) ([]org.OrganizationalUnit, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+ouCols+` FROM org_units WHERE instance_id = $1 ORDER BY id`, instanceID)
	return collect(rows, err, scanOUValue)
}

// ListOrgPolicyAttachments implements store.Tx.
func (t *Tx) ListOrgPolicyAttachments(ctx context.Context, instanceID, policyType string) ([]store.OrgPolicyAttachment, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT a.policy_id, a.target_id, a.target_type FROM org_policy_attachments a
		JOIN org_policies p ON p.id = a.policy_id AND (p.instance_id = a.instance_id OR p.instance_id = '')
		WHERE a.instance_id = $1 AND p.type = $2 ORDER BY a.target_id, a.policy_id`, instanceID, policyType)
	return collect(rows, err, func(rows *sql.Rows) (a store.OrgPolicyAttachment, err error) {
		return a, rows.Scan(&a.PolicyID, &a.TargetID, &a.TargetType)
	})
}

// AllCustomerManagedPolicies implements store.Tx.
func (t *Tx) AllCustomerManagedPolicies(ctx context.Context, instanceID, accountID string) ([]access.CustomerManagedPolicy, error) {
	q, args := `SELECT account_id, path, name, document FROM customer_managed_policies WHERE instance_id = $1`, []any{instanceID}
	if accountID != "" {
		q, args = q+` AND account_id = $2`, append(args, accountID)
	}
	rows, err := t.tx.QueryContext(ctx, q+` ORDER BY account_id, name_lower`, args...)
	return collect(rows, err, func(rows *sql.Rows) (access.CustomerManagedPolicy, error) {
		p := access.CustomerManagedPolicy{InstanceID: instanceID}
		return p, rows.Scan(&p.AccountID, &p.Path, &p.Name, &p.Document)
	})
}
