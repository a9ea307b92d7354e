package sqlite

import (
	"context"
	"database/sql"

	"github.com/clientele/clientele/internal/directory"
)

// PutZendeskIntegration inserts or replaces the realm's Zendesk integration.
func (s *Store) PutZendeskIntegration(ctx context.Context, realmID int64, z *directory.ZendeskIntegration) error {
	z.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO zendesk_integrations (realm_id, name, host, sealed_secret, secret_hint, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (realm_id) DO UPDATE SET name = excluded.name, host = excluded.host, sealed_secret = excluded.sealed_secret,
				secret_hint = excluded.secret_hint, updated_at = excluded.updated_at`,
			realmID, z.Name, z.Host, z.SealedSecret, z.SecretHint, z.CreatedAt.Unix(), z.UpdatedAt.Unix())
		return err
	})
}

// ZendeskIntegration returns the realm's Zendesk integration.
func (s *Store) ZendeskIntegration(ctx context.Context, realmID int64) (*directory.ZendeskIntegration, error) {
	var z directory.ZendeskIntegration
	var created, updated sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT realm_id, name, host, sealed_secret, secret_hint, created_at, updated_at
		FROM zendesk_integrations WHERE realm_id = ?`, realmID).
		Scan(&z.RealmID, &z.Name, &z.Host, &z.SealedSecret, &z.SecretHint, &created, &updated)
	if err != nil {
		return nil, mapError(err)
	}
	z.CreatedAt, z.UpdatedAt = fromUnix(created), fromUnix(updated)
	return &z, nil
}

// DeleteZendeskIntegration removes the realm's Zendesk integration.
func (s *Store) DeleteZendeskIntegration(ctx context.Context, realmID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM zendesk_integrations WHERE realm_id = ?`, realmID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}
