package sqlstore

import (
	"context"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/store"
)

const roleCols = `instance_id, account_id, permission_set_id, name, role_id, path, created_at`

func scanRole(row interface{ Scan(...any) error }) (*access.Role, error) {
	var r access.Role
	var created int64
	if err := row.Scan(&r.InstanceID, &r.AccountID, &r.PermissionSetID, &r.Name, &r.RoleID, &r.Path, &created); err != nil {
		return nil, notFound(err)
	}
	r.CreatedAt = fromMicros(created)
	return &r, nil
}

// PutRole implements store.Tx.
func (t *Tx) PutRole(ctx context.Context, r *access.Role) error {
	return t.statement(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO provisioned_roles (`+roleCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			r.InstanceID, r.AccountID, r.PermissionSetID, r.Name, r.RoleID, r.Path, micros(r.CreatedAt))
		return err
	})
}

// DeleteRole implements store.Tx.
func (t *Tx) DeleteRole(ctx context.Context, instanceID, accountID, psID string) error {
	return t.execOne(ctx, `DELETE FROM provisioned_roles WHERE instance_id = $1 AND account_id = $2 AND permission_set_id = $3`, instanceID, accountID, psID)
}

// GetRole implements store.Tx.
func (t *Tx) GetRole(ctx context.Context, instanceID, accountID, name string) (*access.Role, error) {
	return scanRole(t.tx.QueryRowContext(ctx, `SELECT `+roleCols+` FROM provisioned_roles WHERE instance_id = $1 AND account_id = $2 AND name = $3`,
		instanceID, accountID, name))
}

// ListRoles implements store.Tx.
func (t *Tx) ListRoles(ctx context.Context, instanceID, accountID string, p store.Page) ([]access.Role, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+roleCols+` FROM provisioned_roles WHERE instance_id = $1 AND account_id = $2 AND name > $3 ORDER BY name LIMIT $4`,
		instanceID, accountID, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Role
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}
