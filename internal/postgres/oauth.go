package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// CreateOAuthClient inserts c and sets its id.
func (s *Store) CreateOAuthClient(ctx context.Context, realmID int64, c *directory.OAuthClient) error {
	c.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO oauth_clients (realm_id, uid, secret_hash, name, confidential, redirect_uris, scopes, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			realmID, c.UID, c.SecretHash, c.Name, c.Confidential, strings.Join(c.RedirectURIs, " "), strings.Join(c.Scopes, " "), at(c.CreatedAt)).Scan(&c.ID)
	})
}

const oauthClientColumns = `id, realm_id, uid, secret_hash, name, confidential, redirect_uris, scopes, created_at`

func scanOAuthClient(row pgx.CollectableRow) (directory.OAuthClient, error) {
	var c directory.OAuthClient
	var uris, scopes string
	err := row.Scan(&c.ID, &c.RealmID, &c.UID, &c.SecretHash, &c.Name, &c.Confidential, &uris, &scopes, &c.CreatedAt)
	c.RedirectURIs, c.Scopes, c.CreatedAt = strings.Fields(uris), strings.Fields(scopes), c.CreatedAt.UTC()
	return c, err
}

// OAuthClientByUID finds a client of the realm by its client_id.
func (s *Store) OAuthClientByUID(ctx context.Context, realmID int64, uid string) (*directory.OAuthClient, error) {
	return one(ctx, s.pool, scanOAuthClient, `SELECT `+oauthClientColumns+` FROM oauth_clients WHERE realm_id = $1 AND uid = $2`, realmID, uid)
}

// ListOAuthClients returns the realm's clients by id.
func (s *Store) ListOAuthClients(ctx context.Context, realmID int64) ([]directory.OAuthClient, error) {
	return all(ctx, s.pool, scanOAuthClient, `SELECT `+oauthClientColumns+` FROM oauth_clients WHERE realm_id = $1 ORDER BY id`, realmID)
}

// DeleteOAuthClient removes a client; its codes and tokens go with it.
func (s *Store) DeleteOAuthClient(ctx context.Context, realmID int64, uid string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM oauth_clients WHERE realm_id = $1 AND uid = $2`, realmID, uid)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// CreateOAuthCode inserts c and sets its id.
func (s *Store) CreateOAuthCode(ctx context.Context, realmID int64, c *directory.OAuthCode) error {
	c.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO oauth_codes (realm_id, client_id, user_id, session_id, hash, redirect_uri, scopes, challenge, challenge_method, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			realmID, c.ClientID, c.UserID, c.SessionID, c.Hash, c.RedirectURI, strings.Join(c.Scopes, " "), c.Challenge, c.ChallengeMethod,
			at(c.CreatedAt), at(c.ExpiresAt)).Scan(&c.ID)
	})
}

// OAuthCodeByHash finds a code of the realm.
func (s *Store) OAuthCodeByHash(ctx context.Context, realmID int64, hash string) (*directory.OAuthCode, error) {
	return one(ctx, s.pool, func(row pgx.CollectableRow) (directory.OAuthCode, error) {
		var c directory.OAuthCode
		var scopes string
		var used *time.Time
		err := row.Scan(&c.ID, &c.RealmID, &c.ClientID, &c.UserID, &c.SessionID, &c.Hash, &c.RedirectURI, &scopes, &c.Challenge, &c.ChallengeMethod, &c.CreatedAt, &c.ExpiresAt, &used)
		c.Scopes = strings.Fields(scopes)
		c.CreatedAt, c.ExpiresAt, c.UsedAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC(), fromNullTime(used)
		return c, err
	}, `SELECT id, realm_id, client_id, user_id, session_id, hash, redirect_uri, scopes, challenge, challenge_method, created_at, expires_at, used_at
		FROM oauth_codes WHERE realm_id = $1 AND hash = $2`, realmID, hash)
}

// RedeemOAuthCode spends the code and inserts its token in one
// transaction; a second use deletes the first use's token instead.
func (s *Store) RedeemOAuthCode(ctx context.Context, realmID, codeID int64, when time.Time, t *directory.AccessToken) error {
	reused := false
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE oauth_codes SET used_at = $1 WHERE realm_id = $2 AND id = $3 AND used_at IS NULL`, at(when), realmID, codeID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			reused = true
			_, err := tx.Exec(ctx, `DELETE FROM access_tokens WHERE realm_id = $1 AND code_id = $2`, realmID, codeID)
			return err
		}
		t.RealmID = realmID
		return insertAccessToken(ctx, tx, realmID, t, codeID)
	})
	if err == nil && reused {
		return directory.Errorf(directory.KindConflict, "authorization code already used")
	}
	return err
}

// RevokeAccessToken deletes the client's token with that hash, if any.
func (s *Store) RevokeAccessToken(ctx context.Context, realmID, clientID int64, hash string) error {
	_, err := s.writer(ctx).Exec(ctx, `DELETE FROM access_tokens WHERE realm_id = $1 AND client_id = $2 AND hash = $3`, realmID, clientID, hash)
	return err
}
