package postgres

import (
	"context"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// CreateAPIToken inserts t and sets its id.
func (s *Store) CreateAPIToken(ctx context.Context, realmID int64, t *directory.APIToken) error {
	t.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO api_tokens (realm_id, hash, hint, description, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			realmID, t.Hash, t.Hint, t.Description, at(t.CreatedAt)).Scan(&t.ID)
	})
}

const apiTokenColumns = `id, realm_id, hash, hint, description, created_at, last_used_at`

func scanAPIToken(row pgx.CollectableRow) (directory.APIToken, error) {
	var t directory.APIToken
	var used *time.Time
	err := row.Scan(&t.ID, &t.RealmID, &t.Hash, &t.Hint, &t.Description, &t.CreatedAt, &used)
	t.CreatedAt, t.LastUsedAt = t.CreatedAt.UTC(), fromNullTime(used)
	return t, err
}

// APITokenByHash finds a token of any realm by its hash.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (*directory.APIToken, error) {
	return one(ctx, s.pool, scanAPIToken, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE hash = $1`, hash)
}

// ListAPITokens returns the realm's tokens by id.
func (s *Store) ListAPITokens(ctx context.Context, realmID int64) ([]directory.APIToken, error) {
	return all(ctx, s.pool, scanAPIToken, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE realm_id = $1 ORDER BY id`, realmID)
}

// DeleteAPIToken removes one of the realm's tokens.
func (s *Store) DeleteAPIToken(ctx context.Context, realmID, id int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM api_tokens WHERE realm_id = $1 AND id = $2`, realmID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// TouchAPIToken records when the token was last used.
func (s *Store) TouchAPIToken(ctx context.Context, realmID, id int64, when time.Time) error {
	_, err := s.writer(ctx).Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE realm_id = $2 AND id = $3`, when.UTC().Truncate(time.Second), realmID, id)
	return err
}

// CreateAccessToken inserts t and sets its id.
func (s *Store) CreateAccessToken(ctx context.Context, realmID int64, t *directory.AccessToken) error {
	t.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error { return insertAccessToken(ctx, tx, realmID, t, 0) })
}

// insertAccessToken inserts t in tx, from the OAuth code codeID (0: none).
func insertAccessToken(ctx context.Context, tx pgx.Tx, realmID int64, t *directory.AccessToken, codeID int64) error {
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return tx.QueryRow(ctx, `INSERT INTO access_tokens (realm_id, user_id, hash, scopes, created_at, expires_at, session_id, client_id, code_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		realmID, t.UserID, t.Hash, scopes, at(t.CreatedAt), nullTime(t.ExpiresAt), nullID(t.SessionID), nullID(t.ClientID), nullID(codeID)).Scan(&t.ID)
}

// nullID stores an id of 0 as NULL, for optional references.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// AccessTokenByHash finds an access token of any realm by its hash.
func (s *Store) AccessTokenByHash(ctx context.Context, hash string) (*directory.AccessToken, error) {
	return one(ctx, s.pool, func(row pgx.CollectableRow) (directory.AccessToken, error) {
		var t directory.AccessToken
		var expires *time.Time
		var session, client *int64
		err := row.Scan(&t.ID, &t.RealmID, &t.UserID, &t.Hash, &t.Scopes, &t.CreatedAt, &expires, &session, &client)
		if t.Scopes == nil {
			t.Scopes = []string{}
		}
		t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), fromNullTime(expires)
		if session != nil {
			t.SessionID = *session
		}
		if client != nil {
			t.ClientID = *client
		}
		return t, err
	}, `SELECT id, realm_id, user_id, hash, scopes, created_at, expires_at, session_id, client_id FROM access_tokens WHERE hash = $1`, hash)
}
