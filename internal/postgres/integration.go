package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// PutZendeskIntegration inserts or replaces the realm's Zendesk integration.
func (s *Store) PutZendeskIntegration(ctx context.Context, realmID int64, z *directory.ZendeskIntegration) error {
	z.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO zendesk_integrations (realm_id, name, host, sealed_secret, secret_hint, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (realm_id) DO UPDATE SET name = excluded.name, host = excluded.host, sealed_secret = excluded.sealed_secret,
				secret_hint = excluded.secret_hint, updated_at = excluded.updated_at`,
			realmID, z.Name, z.Host, z.SealedSecret, z.SecretHint, at(z.CreatedAt), at(z.UpdatedAt))
		return err
	})
}

// ZendeskIntegration returns the realm's Zendesk integration.
func (s *Store) ZendeskIntegration(ctx context.Context, realmID int64) (*directory.ZendeskIntegration, error) {
	return one(ctx, s.pool, func(row pgx.CollectableRow) (directory.ZendeskIntegration, error) {
		var z directory.ZendeskIntegration
		err := row.Scan(&z.RealmID, &z.Name, &z.Host, &z.SealedSecret, &z.SecretHint, &z.CreatedAt, &z.UpdatedAt)
		z.CreatedAt, z.UpdatedAt = z.CreatedAt.UTC(), z.UpdatedAt.UTC()
		return z, err
	}, `SELECT realm_id, name, host, sealed_secret, secret_hint, created_at, updated_at FROM zendesk_integrations WHERE realm_id = $1`, realmID)
}

// DeleteZendeskIntegration removes the realm's Zendesk integration.
func (s *Store) DeleteZendeskIntegration(ctx context.Context, realmID int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM zendesk_integrations WHERE realm_id = $1`, realmID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}
