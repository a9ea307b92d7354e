package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

const adminTokenColumns = `id, hash, hint, description, created_at, last_used_at`

// CreateAdminToken inserts t and sets its id.
func (s *Store) CreateAdminToken(ctx context.Context, t *directory.AdminToken) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO admin_tokens (hash, hint, description, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			t.Hash, t.Hint, t.Description, t.CreatedAt.Unix()).Scan(&t.ID)
	})
}

func scanAdminToken(row scanner) (*directory.AdminToken, error) {
	var t directory.AdminToken
	var created, used sql.NullInt64
	if err := row.Scan(&t.ID, &t.Hash, &t.Hint, &t.Description, &created, &used); err != nil {
		return nil, mapError(err)
	}
	t.CreatedAt, t.LastUsedAt = fromUnix(created), fromUnix(used)
	return &t, nil
}

// AdminTokenByHash finds an admin token by its hash.
func (s *Store) AdminTokenByHash(ctx context.Context, hash string) (*directory.AdminToken, error) {
	return scanAdminToken(s.read.QueryRowContext(ctx, `SELECT `+adminTokenColumns+` FROM admin_tokens WHERE hash = ?`, hash))
}

// TouchAdminToken records when the token was last used.
func (s *Store) TouchAdminToken(ctx context.Context, id int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE admin_tokens SET last_used_at = ? WHERE id = ?`, at.Unix(), id)
		return err
	})
}

// ListAdminTokens returns every admin token by id.
func (s *Store) ListAdminTokens(ctx context.Context) ([]directory.AdminToken, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+adminTokenColumns+` FROM admin_tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.AdminToken{}
	for rows.Next() {
		t, err := scanAdminToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// DeleteAdminToken removes an admin token.
func (s *Store) DeleteAdminToken(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM admin_tokens WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}
