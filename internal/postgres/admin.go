package postgres

import (
	"context"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

const adminTokenColumns = `id, hash, hint, description, created_at, last_used_at`

// CreateAdminToken inserts t and sets its id.
func (s *Store) CreateAdminToken(ctx context.Context, t *directory.AdminToken) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO admin_tokens (hash, hint, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			t.Hash, t.Hint, t.Description, at(t.CreatedAt)).Scan(&t.ID)
	})
}

func scanAdminToken(row pgx.CollectableRow) (directory.AdminToken, error) {
	var t directory.AdminToken
	var used *time.Time
	err := row.Scan(&t.ID, &t.Hash, &t.Hint, &t.Description, &t.CreatedAt, &used)
	t.CreatedAt, t.LastUsedAt = t.CreatedAt.UTC(), fromNullTime(used)
	return t, err
}

// AdminTokenByHash finds an admin token by its hash.
func (s *Store) AdminTokenByHash(ctx context.Context, hash string) (*directory.AdminToken, error) {
	return one(ctx, s.pool, scanAdminToken, `SELECT `+adminTokenColumns+` FROM admin_tokens WHERE hash = $1`, hash)
}

// TouchAdminToken records when the token was last used.
func (s *Store) TouchAdminToken(ctx context.Context, id int64, when time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE admin_tokens SET last_used_at = $1 WHERE id = $2`, at(when), id)
		return err
	})
}

// ListAdminTokens returns every admin token by id.
func (s *Store) ListAdminTokens(ctx context.Context) ([]directory.AdminToken, error) {
	return all(ctx, s.pool, scanAdminToken, `SELECT `+adminTokenColumns+` FROM admin_tokens ORDER BY id`)
}

// DeleteAdminToken removes an admin token.
func (s *Store) DeleteAdminToken(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM admin_tokens WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}
