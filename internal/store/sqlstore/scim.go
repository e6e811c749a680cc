package sqlstore

import (
	"context"
	"strconv"
	"time"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/store"
)

// where builds the conditions shared by the filtered listings; args holds
// the instance id as $1.
type where struct {
	sql  string
	args []any
}

func (w *where) add(cond string, vals ...any) {
	for _, v := range vals {
		w.args = append(w.args, v)
		cond = replaceFirst(cond, "?", "$"+strconv.Itoa(len(w.args)))
	}
	w.sql += " AND " + cond
}

func replaceFirst(s, old, repl string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + repl + s[i+len(old):]
		}
	}
	return s
}

func (w *where) page(after string, offset, limit int) string {
	q := ""
	if after != "" {
		w.add("id > ?", after)
	}
	q += " ORDER BY id"
	if limit <= 0 && offset > 0 {
		limit = 1<<31 - 1 // both engines need a LIMIT before OFFSET
	}
	if limit > 0 {
		w.args = append(w.args, limit)
		q += " LIMIT $" + strconv.Itoa(len(w.args))
	}
	if offset > 0 {
		w.args = append(w.args, offset)
		q += " OFFSET $" + strconv.Itoa(len(w.args))
	}
	return q
}

func userWhere(instanceID string, f store.UserFilter) *where {
	w := &where{sql: "instance_id = $1", args: []any{instanceID}}
	if f.ID != "" {
		w.add("id = ?", f.ID)
	}
	if f.UserName != "" {
		w.add("user_name_lower = ?", lower(f.UserName))
	}
	if f.Email != "" {
		w.add("email_lower = ?", lower(f.Email))
	}
	if f.External != nil {
		w.add("id IN (SELECT resource_id FROM external_ids WHERE instance_id = $1 AND kind = 'USER' AND issuer = ? AND ext_id = ?)", f.External.Issuer, f.External.ID)
	}
	if f.GroupID != "" {
		w.add("id IN (SELECT user_id FROM memberships WHERE instance_id = $1 AND group_id = ?)", f.GroupID)
	}
	return w
}

// ListUsersWhere implements store.Tx.
func (t *Tx) ListUsersWhere(ctx context.Context, instanceID string, f store.UserFilter) ([]directory.User, error) {
	w := userWhere(instanceID, f)
	tail := w.page(f.After, f.Offset, f.Limit)
	rows, err := t.tx.QueryContext(ctx, selectUsers+` WHERE `+w.sql+tail, w.args...)
	return collectInto(rows, err, f.Limit, f.ID != "" || f.UserName != "", scanUserInto)
}

// CountUsersWhere implements store.Tx.
func (t *Tx) CountUsersWhere(ctx context.Context, instanceID string, f store.UserFilter) (int, error) {
	w := userWhere(instanceID, f)
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM directory_users WHERE `+w.sql, w.args...).Scan(&n)
	return n, err
}

func groupWhere(instanceID string, f store.GroupFilter) *where {
	w := &where{sql: "instance_id = $1", args: []any{instanceID}}
	if f.ID != "" {
		w.add("id = ?", f.ID)
	}
	if f.DisplayName != "" {
		w.add("display_name_lower = ?", lower(f.DisplayName))
	}
	if f.External != nil {
		w.add("id IN (SELECT resource_id FROM external_ids WHERE instance_id = $1 AND kind = 'GROUP' AND issuer = ? AND ext_id = ?)", f.External.Issuer, f.External.ID)
	}
	if f.MemberID != "" {
		w.add("id IN (SELECT group_id FROM memberships WHERE instance_id = $1 AND user_id = ?)", f.MemberID)
	}
	return w
}

// ListGroupsWhere implements store.Tx.
func (t *Tx) ListGroupsWhere(ctx context.Context, instanceID string, f store.GroupFilter) ([]directory.Group, error) {
	w := groupWhere(instanceID, f)
	tail := w.page(f.After, f.Offset, f.Limit)
	rows, err := t.tx.QueryContext(ctx, selectGroups+` WHERE `+w.sql+tail, w.args...)
	return collectInto(rows, err, f.Limit, f.ID != "" || f.DisplayName != "", scanGroupInto)
}

// CountGroupsWhere implements store.Tx.
func (t *Tx) CountGroupsWhere(ctx context.Context, instanceID string, f store.GroupFilter) (int, error) {
	w := groupWhere(instanceID, f)
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM directory_groups WHERE `+w.sql, w.args...).Scan(&n)
	return n, err
}

func (t *Tx) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// GroupMemberIDs implements store.Tx.
func (t *Tx) GroupMemberIDs(ctx context.Context, instanceID, groupID string) ([]string, error) {
	return t.ids(ctx, `SELECT user_id FROM memberships WHERE instance_id = $1 AND group_id = $2 ORDER BY user_id`, instanceID, groupID)
}

// UserGroupIDs implements store.Tx.
func (t *Tx) UserGroupIDs(ctx context.Context, instanceID, userID string) ([]string, error) {
	return t.ids(ctx, `SELECT group_id FROM memberships WHERE instance_id = $1 AND user_id = $2 ORDER BY group_id`, instanceID, userID)
}

// CreateSCIMToken implements store.Tx.
func (t *Tx) CreateSCIMToken(ctx context.Context, k *store.SCIMToken) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO scim_tokens (id, instance_id, token_hash, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			k.ID, k.InstanceID, blob(k.Hash), micros(k.CreatedAt), micros(k.ExpiresAt), micros(k.RevokedAt))
		return err
	})
}

func scanToken(row interface{ Scan(...any) error }) (*store.SCIMToken, error) {
	var k store.SCIMToken
	var created, expires, revoked int64
	if err := row.Scan(&k.ID, &k.InstanceID, &k.Hash, &created, &expires, &revoked); err != nil {
		return nil, notFound(err)
	}
	k.CreatedAt, k.ExpiresAt, k.RevokedAt = fromMicros(created), fromMicros(expires), fromMicros(revoked)
	return &k, nil
}

// GetSCIMToken implements store.Tx.
func (t *Tx) GetSCIMToken(ctx context.Context, id string) (*store.SCIMToken, error) {
	return scanToken(t.tx.QueryRowContext(ctx, `SELECT id, instance_id, token_hash, created_at, expires_at, revoked_at FROM scim_tokens WHERE id = $1`, id))
}

// ListSCIMTokens implements store.Tx.
func (t *Tx) ListSCIMTokens(ctx context.Context, instanceID string) ([]store.SCIMToken, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, instance_id, token_hash, created_at, expires_at, revoked_at FROM scim_tokens WHERE instance_id = $1 ORDER BY created_at, id`, instanceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SCIMToken
	for rows.Next() {
		k, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, rows.Err()
}

// RevokeSCIMToken implements store.Tx.
func (t *Tx) RevokeSCIMToken(ctx context.Context, instanceID, id string, at time.Time) error {
	return t.execOne(ctx, `UPDATE scim_tokens SET revoked_at = $3 WHERE instance_id = $1 AND id = $2 AND revoked_at = 0`, instanceID, id, micros(at))
}
