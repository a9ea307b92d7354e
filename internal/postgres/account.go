package postgres

import (
	"context"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// Account returns the install's account.
func (s *Store) Account(ctx context.Context) (*directory.Account, error) {
	return one(ctx, s.pool, func(row pgx.CollectableRow) (directory.Account, error) {
		var a directory.Account
		var ttl int64
		err := row.Scan(&a.UUID, &a.DeliverySecret, &ttl, &a.CreatedAt)
		a.DeliveryTokenTTL, a.CreatedAt = time.Duration(ttl)*time.Second, a.CreatedAt.UTC()
		return a, err
	}, `SELECT uuid, delivery_secret, delivery_token_ttl_s, created_at FROM account WHERE id = 1`)
}

// CreateAccountIfMissing inserts a unless the account exists; of nodes
// racing to make it, the primary key lets one insert and the others do
// nothing.
func (s *Store) CreateAccountIfMissing(ctx context.Context, a *directory.Account) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO account (id, uuid, delivery_secret, delivery_token_ttl_s, created_at)
			VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
			a.UUID, a.DeliverySecret, int64(a.DeliveryTokenTTL/time.Second), at(a.CreatedAt))
		return err
	})
}

// SetDeliveryTokenTTL changes the delivery tokens' lifetime.
func (s *Store) SetDeliveryTokenTTL(ctx context.Context, ttl time.Duration) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE account SET delivery_token_ttl_s = $1 WHERE id = 1`, int64(ttl/time.Second))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}
