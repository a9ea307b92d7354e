package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// Account returns the install's account.
func (s *Store) Account(ctx context.Context) (*directory.Account, error) {
	var a directory.Account
	var ttl int64
	var created sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT uuid, delivery_secret, delivery_token_ttl_s, created_at FROM account WHERE id = 1`).
		Scan(&a.UUID, &a.DeliverySecret, &ttl, &created)
	if err != nil {
		return nil, mapError(err)
	}
	a.DeliveryTokenTTL, a.CreatedAt = time.Duration(ttl)*time.Second, fromUnix(created)
	return &a, nil
}

// CreateAccountIfMissing inserts a unless the account exists.
func (s *Store) CreateAccountIfMissing(ctx context.Context, a *directory.Account) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account (id, uuid, delivery_secret, delivery_token_ttl_s, created_at)
			VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			a.UUID, a.DeliverySecret, int64(a.DeliveryTokenTTL/time.Second), a.CreatedAt.Unix())
		return err
	})
}

// SetDeliveryTokenTTL changes the delivery tokens' lifetime.
func (s *Store) SetDeliveryTokenTTL(ctx context.Context, ttl time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE account SET delivery_token_ttl_s = ? WHERE id = 1`, int64(ttl/time.Second))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}
