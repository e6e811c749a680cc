package sqlstore

import (
	"context"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/store"
)

const awsPolicyCols = `arn, name, path, description, default_version_id, document, source, created_at, updated_at`

func scanAWSPolicy(row interface{ Scan(...any) error }) (*access.AWSManagedPolicy, error) {
	var p access.AWSManagedPolicy
	var created, updated int64
	if err := row.Scan(&p.ARN, &p.Name, &p.Path, &p.Description, &p.DefaultVersionID, &p.Document, &p.Source, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &p, nil
}

// GetAWSManagedPolicy implements store.Tx.
func (t *Tx) GetAWSManagedPolicy(ctx context.Context, arn string) (*access.AWSManagedPolicy, error) {
	return scanAWSPolicy(t.tx.QueryRowContext(ctx, `SELECT `+awsPolicyCols+` FROM aws_managed_policies WHERE arn = $1`, arn))
}

// PutAWSManagedPolicy implements store.Tx.
func (t *Tx) PutAWSManagedPolicy(ctx context.Context, p *access.AWSManagedPolicy) error {
	return t.atomic(ctx, func() error {
		_, err := t.exec(ctx, `INSERT INTO aws_managed_policies (`+awsPolicyCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (arn) DO UPDATE SET name = excluded.name, path = excluded.path, description = excluded.description,
			default_version_id = excluded.default_version_id, document = excluded.document, source = excluded.source,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
			p.ARN, p.Name, p.Path, p.Description, p.DefaultVersionID, p.Document, p.Source, micros(p.CreatedAt), micros(p.UpdatedAt))
		return err
	})
}

// ListAWSManagedPolicies implements store.Tx.
func (t *Tx) ListAWSManagedPolicies(ctx context.Context, p store.Page) ([]access.AWSManagedPolicy, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+awsPolicyCols+` FROM aws_managed_policies WHERE arn > $1 ORDER BY arn LIMIT $2`, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.AWSManagedPolicy
	for rows.Next() {
		pol, err := scanAWSPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *pol)
	}
	return out, rows.Err()
}
