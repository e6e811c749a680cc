package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	fastjson "github.com/segmentio/encoding/json"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/store"
)

const userCols = `instance_id, id, status, attrs, revision, created_at, created_by, updated_at, updated_by`

// selectUsers reads users with the identity store id of their instance;
// conditions follow it as on the table alone, and bind the instance's id as
// $1 (instance_id = $1): the identity store id is then read once per query,
// not once per row.
const selectUsers = `SELECT instance_id, (SELECT i.identity_store_id FROM instances i WHERE i.id = $1),
	id, status, attrs, revision, created_at, created_by, updated_at, updated_by FROM directory_users`

// scanUser reads a user row. Its attributes decode with segmentio's
// encoding/json, which reads what the standard library wrote (attrs) at
// three times its speed: a page of users spent a sixth of the server's
// time decoding them.
func scanUser(row interface{ Scan(...any) error }) (*directory.User, error) {
	var u directory.User
	if err := scanUserInto(row, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// scanUserInto reads a user row into u, which must be zero.
func scanUserInto(row interface{ Scan(...any) error }, u *directory.User) error {
	var status string
	var attrs []byte
	var created, updated int64
	if err := row.Scan(&u.InstanceID, &u.IdentityStoreID, &u.UserID, &status, &attrs, &u.Revision, &created, &u.CreatedBy, &updated, &u.UpdatedBy); err != nil {
		return notFound(err)
	}
	if err := fastjson.Unmarshal(attrs, u); err != nil {
		return err
	}
	u.Status = directory.UserStatus(status)
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

func (t *Tx) putExternalIDs(ctx context.Context, instanceID, kind, id string, ids []directory.ExternalID) error {
	if _, err := t.exec(ctx, `DELETE FROM external_ids WHERE instance_id = $1 AND kind = $2 AND resource_id = $3`, instanceID, kind, id); err != nil {
		return err
	}
	for _, x := range ids {
		if _, err := t.exec(ctx, `INSERT INTO external_ids (instance_id, kind, issuer, ext_id, resource_id) VALUES ($1, $2, $3, $4, $5)`,
			instanceID, kind, x.Issuer, x.ID, id); err != nil {
			return err
		}
	}
	return nil
}

// CreateUser implements store.Tx.
func (t *Tx) CreateUser(ctx context.Context, u *directory.User) error {
	attrs, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return t.atomic(ctx, func() error {
		if _, err := t.exec(ctx, `INSERT INTO directory_users (`+userCols+`, user_name_lower, email_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			u.InstanceID, u.UserID, string(u.Status), string(attrs), u.Revision, micros(u.CreatedAt), u.CreatedBy, micros(u.UpdatedAt), u.UpdatedBy,
			lower(u.UserName), lower(u.PrimaryEmail())); err != nil {
			return err
		}
		return t.putExternalIDs(ctx, u.InstanceID, "USER", u.UserID, u.ExternalIDs)
	})
}

// GetUser implements store.Tx.
func (t *Tx) GetUser(ctx context.Context, instanceID, userID string) (*directory.User, error) {
	return scanUser(t.tx.QueryRowContext(ctx, selectUsers+` WHERE instance_id = $1 AND id = $2`, instanceID, userID))
}

// UpdateUser implements store.Tx.
func (t *Tx) UpdateUser(ctx context.Context, u *directory.User) error {
	attrs, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return t.atomic(ctx, func() error {
		if err := t.execOne(ctx, `UPDATE directory_users SET status = $3, attrs = $4, revision = $5, updated_at = $6, updated_by = $7, user_name_lower = $8, email_lower = $9 WHERE instance_id = $1 AND id = $2`,
			u.InstanceID, u.UserID, string(u.Status), string(attrs), u.Revision, micros(u.UpdatedAt), u.UpdatedBy, lower(u.UserName), lower(u.PrimaryEmail())); err != nil {
			return err
		}
		return t.putExternalIDs(ctx, u.InstanceID, "USER", u.UserID, u.ExternalIDs)
	})
}

// DeleteUser implements store.Tx. Memberships go with the user.
func (t *Tx) DeleteUser(ctx context.Context, instanceID, userID string) error {
	// The row goes first, so that a missing one changes nothing; its
	// memberships go with it (ON DELETE CASCADE), its account assignments
	// and external ids after it.
	if err := t.execOne(ctx, `DELETE FROM directory_users WHERE instance_id = $1 AND id = $2`, instanceID, userID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM account_assignments WHERE instance_id = $1 AND principal_type = 'USER' AND principal_id = $2`, instanceID, userID); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM external_ids WHERE instance_id = $1 AND kind = 'USER' AND resource_id = $2`, instanceID, userID)
	return err
}

// ListUsers implements store.Tx.
func (t *Tx) ListUsers(ctx context.Context, instanceID string, q store.UserQuery) ([]directory.User, error) {
	return t.ListUsersWhere(ctx, instanceID, store.UserFilter{UserName: q.UserName, Email: q.Email, After: q.After, Limit: limit(q.Page)})
}

// CountUsers implements store.Tx.
func (t *Tx) CountUsers(ctx context.Context, instanceID string) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM directory_users WHERE instance_id = $1`, instanceID).Scan(&n)
	return n, err
}

const groupCols = `instance_id, id, attrs, revision, created_at, created_by, updated_at, updated_by`

// selectGroups reads groups as selectUsers reads users.
const selectGroups = `SELECT instance_id, (SELECT i.identity_store_id FROM instances i WHERE i.id = $1),
	id, attrs, revision, created_at, created_by, updated_at, updated_by FROM directory_groups`

func scanGroup(row interface{ Scan(...any) error }) (*directory.Group, error) {
	var g directory.Group
	if err := scanGroupInto(row, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// scanGroupInto reads a group row into g, which must be zero.
func scanGroupInto(row interface{ Scan(...any) error }, g *directory.Group) error {
	var attrs []byte
	var created, updated int64
	if err := row.Scan(&g.InstanceID, &g.IdentityStoreID, &g.GroupID, &attrs, &g.Revision, &created, &g.CreatedBy, &updated, &g.UpdatedBy); err != nil {
		return notFound(err)
	}
	if err := fastjson.Unmarshal(attrs, g); err != nil {
		return err
	}
	g.CreatedAt, g.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

// CreateGroup implements store.Tx.
func (t *Tx) CreateGroup(ctx context.Context, g *directory.Group) error {
	attrs, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return t.atomic(ctx, func() error {
		if _, err := t.exec(ctx, `INSERT INTO directory_groups (`+groupCols+`, display_name_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			g.InstanceID, g.GroupID, string(attrs), g.Revision, micros(g.CreatedAt), g.CreatedBy, micros(g.UpdatedAt), g.UpdatedBy, lower(g.DisplayName)); err != nil {
			return err
		}
		return t.putExternalIDs(ctx, g.InstanceID, "GROUP", g.GroupID, g.ExternalIDs)
	})
}

// GetGroup implements store.Tx.
func (t *Tx) GetGroup(ctx context.Context, instanceID, groupID string) (*directory.Group, error) {
	return scanGroup(t.tx.QueryRowContext(ctx, selectGroups+` WHERE instance_id = $1 AND id = $2`, instanceID, groupID))
}

// UpdateGroup implements store.Tx.
func (t *Tx) UpdateGroup(ctx context.Context, g *directory.Group) error {
	attrs, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return t.atomic(ctx, func() error {
		if err := t.execOne(ctx, `UPDATE directory_groups SET attrs = $3, revision = $4, updated_at = $5, updated_by = $6, display_name_lower = $7 WHERE instance_id = $1 AND id = $2`,
			g.InstanceID, g.GroupID, string(attrs), g.Revision, micros(g.UpdatedAt), g.UpdatedBy, lower(g.DisplayName)); err != nil {
			return err
		}
		return t.putExternalIDs(ctx, g.InstanceID, "GROUP", g.GroupID, g.ExternalIDs)
	})
}

// DeleteGroup implements store.Tx. Memberships go with the group.
func (t *Tx) DeleteGroup(ctx context.Context, instanceID, groupID string) error {
	// The row goes first, so that a missing one changes nothing; its
	// memberships go with it (ON DELETE CASCADE), its account assignments
	// and external ids after it.
	if err := t.execOne(ctx, `DELETE FROM directory_groups WHERE instance_id = $1 AND id = $2`, instanceID, groupID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM account_assignments WHERE instance_id = $1 AND principal_type = 'GROUP' AND principal_id = $2`, instanceID, groupID); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM external_ids WHERE instance_id = $1 AND kind = 'GROUP' AND resource_id = $2`, instanceID, groupID)
	return err
}

// ListGroups implements store.Tx.
func (t *Tx) ListGroups(ctx context.Context, instanceID string, q store.GroupQuery) ([]directory.Group, error) {
	return t.ListGroupsWhere(ctx, instanceID, store.GroupFilter{DisplayName: q.DisplayName, After: q.After, Limit: limit(q.Page)})
}

// FindByExternalID implements store.Tx.
func (t *Tx) FindByExternalID(ctx context.Context, instanceID, kind string, x directory.ExternalID) (string, error) {
	var id string
	err := t.tx.QueryRowContext(ctx, `SELECT resource_id FROM external_ids WHERE instance_id = $1 AND kind = $2 AND issuer = $3 AND ext_id = $4`,
		instanceID, kind, x.Issuer, x.ID).Scan(&id)
	return id, notFound(err)
}

const membershipCols = `instance_id, id, group_id, user_id, created_at, created_by, updated_at, updated_by`

// selectMemberships reads memberships as selectUsers reads users.
const selectMemberships = `SELECT instance_id, (SELECT i.identity_store_id FROM instances i WHERE i.id = $1),
	id, group_id, user_id, created_at, created_by, updated_at, updated_by FROM memberships`

func scanMembership(row interface{ Scan(...any) error }) (*directory.Membership, error) {
	var m directory.Membership
	var created, updated int64
	if err := row.Scan(&m.InstanceID, &m.IdentityStoreID, &m.MembershipID, &m.GroupID, &m.UserID, &created, &m.CreatedBy, &updated, &m.UpdatedBy); err != nil {
		return nil, notFound(err)
	}
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &m, nil
}

// CreateMembership implements store.Tx.
func (t *Tx) CreateMembership(ctx context.Context, m *directory.Membership) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO memberships (`+membershipCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			m.InstanceID, m.MembershipID, m.GroupID, m.UserID, micros(m.CreatedAt), m.CreatedBy, micros(m.UpdatedAt), m.UpdatedBy)
		return err
	})
}

// GetMembership implements store.Tx.
func (t *Tx) GetMembership(ctx context.Context, instanceID, id string) (*directory.Membership, error) {
	return scanMembership(t.tx.QueryRowContext(ctx, selectMemberships+` WHERE instance_id = $1 AND id = $2`, instanceID, id))
}

// FindMembership implements store.Tx.
func (t *Tx) FindMembership(ctx context.Context, instanceID, groupID, userID string) (*directory.Membership, error) {
	return scanMembership(t.tx.QueryRowContext(ctx, selectMemberships+` WHERE instance_id = $1 AND group_id = $2 AND user_id = $3`, instanceID, groupID, userID))
}

// DeleteMembership implements store.Tx.
func (t *Tx) DeleteMembership(ctx context.Context, instanceID, id string) error {
	return t.execOne(ctx, `DELETE FROM memberships WHERE instance_id = $1 AND id = $2`, instanceID, id)
}

func (t *Tx) listMemberships(ctx context.Context, col, instanceID, key string, p store.Page) ([]directory.Membership, error) {
	rows, err := t.tx.QueryContext(ctx, selectMemberships+` WHERE instance_id = $1 AND `+col+` = $2 AND id > $3 ORDER BY id LIMIT $4`,
		instanceID, key, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []directory.Membership
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// ListMembershipsOfGroup implements store.Tx.
func (t *Tx) ListMembershipsOfGroup(ctx context.Context, instanceID, groupID string, p store.Page) ([]directory.Membership, error) {
	return t.listMemberships(ctx, "group_id", instanceID, groupID, p)
}

// ListMembershipsOfUser implements store.Tx.
func (t *Tx) ListMembershipsOfUser(ctx context.Context, instanceID, userID string, p store.Page) ([]directory.Membership, error) {
	return t.listMemberships(ctx, "user_id", instanceID, userID, p)
}

// inRows is how many values one statement of the bulk methods below binds
// in a list: well under the parameter limits of both engines.
const inRows = 500

// placeholders returns "($n+1, …, $n+k)".
func placeholders(b *strings.Builder, n, k int) {
	b.WriteByte('(')
	for i := range k {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n + i + 1))
	}
	b.WriteByte(')')
}

// inSize is the length a list of n ≤ inRows ids is padded to: the next
// power of two, or inRows above 256.
func inSize(n int) int {
	if n > 256 {
		return inRows
	}
	size := 1
	for size < n {
		size *= 2
	}
	return size
}

// chunks calls fn with successive parts of ids of at most n each.
func chunks(ids []string, n int, fn func([]string) error) error {
	for start := 0; start < len(ids); start += n {
		if err := fn(ids[start:min(start+n, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

// membershipRows is how many memberships one INSERT statement writes.
const membershipRows = 100

// CreateMemberships implements store.Tx.
func (t *Tx) CreateMemberships(ctx context.Context, ms []directory.Membership) error {
	if len(ms) == 0 {
		return nil
	}
	return t.atomic(ctx, func() error {
		for start := 0; start < len(ms); start += membershipRows {
			batch := ms[start:min(start+membershipRows, len(ms))]
			var b strings.Builder
			b.WriteString(`INSERT INTO memberships (` + membershipCols + `) VALUES `)
			args := make([]any, 0, 8*len(batch))
			for i, m := range batch {
				if i > 0 {
					b.WriteString(", ")
				}
				placeholders(&b, len(args), 8)
				args = append(args, m.InstanceID, m.MembershipID, m.GroupID, m.UserID, micros(m.CreatedAt), m.CreatedBy, micros(m.UpdatedAt), m.UpdatedBy)
			}
			if _, err := t.exec(ctx, b.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteGroupMembers implements store.Tx.
func (t *Tx) DeleteGroupMembers(ctx context.Context, instanceID, groupID string, userIDs []string) error {
	ids := distinct(userIDs)
	if len(ids) == 0 {
		return nil
	}
	return t.atomic(ctx, func() error {
		return chunks(ids, inRows, func(part []string) error {
			var b strings.Builder
			b.WriteString(`DELETE FROM memberships WHERE instance_id = $1 AND group_id = $2 AND user_id IN `)
			placeholders(&b, 2, len(part))
			args := make([]any, 0, 2+len(part))
			args = append(args, instanceID, groupID)
			for _, id := range part {
				args = append(args, id)
			}
			r, err := t.exec(ctx, b.String(), args...)
			if err != nil {
				return err
			}
			n, err := r.RowsAffected()
			if err != nil {
				return err
			}
			if n != int64(len(part)) {
				return store.ErrNotFound
			}
			return nil
		})
	})
}

// distinct returns ids without repeats, in their first order.
func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// inQuery runs prefix + "(…ids…)" + suffix for each chunk of ids, with
// instanceID as $1, and calls scan for each row. Each list is padded to
// inSize's length with its last id again, which selects nothing more: a
// few statement texts serve every length, and the engines' statement
// caches (by text) keep them prepared.
func (t *Tx) inQuery(ctx context.Context, prefix, suffix, instanceID string, ids []string, scan func(*sql.Rows) error) error {
	return chunks(distinct(ids), inRows, func(part []string) error {
		n := inSize(len(part))
		var b strings.Builder
		b.WriteString(prefix)
		placeholders(&b, 1, n)
		b.WriteString(suffix)
		args := make([]any, 0, 1+n)
		args = append(args, instanceID)
		for _, id := range part {
			args = append(args, id)
		}
		for len(args) < 1+n {
			args = append(args, part[len(part)-1])
		}
		rows, err := t.tx.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// UserStatuses implements store.Tx.
func (t *Tx) UserStatuses(ctx context.Context, instanceID string, ids []string) (map[string]directory.UserStatus, error) {
	out := make(map[string]directory.UserStatus, len(ids))
	err := t.inQuery(ctx, `SELECT id, status FROM directory_users WHERE instance_id = $1 AND id IN `, ``, instanceID, ids, func(rows *sql.Rows) error {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			return err
		}
		out[id] = directory.UserStatus(status)
		return nil
	})
	return out, err
}

// GroupIDsOfUsers implements store.Tx.
func (t *Tx) GroupIDsOfUsers(ctx context.Context, instanceID string, userIDs []string) (map[string][]string, error) {
	out := make(map[string][]string)
	err := t.inQuery(ctx, `SELECT user_id, group_id FROM memberships WHERE instance_id = $1 AND user_id IN `, ` ORDER BY user_id, group_id`, instanceID, userIDs, func(rows *sql.Rows) error {
		var u, g string
		if err := rows.Scan(&u, &g); err != nil {
			return err
		}
		out[u] = append(out[u], g)
		return nil
	})
	return out, err
}
