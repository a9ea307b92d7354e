package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// CreateOAuthClient inserts c and sets its id.
func (s *Store) CreateOAuthClient(ctx context.Context, realmID int64, c *directory.OAuthClient) error {
	c.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO oauth_clients (realm_id, uid, secret_hash, name, confidential, redirect_uris, scopes, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, c.UID, c.SecretHash, c.Name, c.Confidential, strings.Join(c.RedirectURIs, " "), strings.Join(c.Scopes, " "), c.CreatedAt.Unix()).Scan(&c.ID)
	})
}

const oauthClientColumns = `id, realm_id, uid, secret_hash, name, confidential, redirect_uris, scopes, created_at`

func scanOAuthClient(row scanner) (*directory.OAuthClient, error) {
	var c directory.OAuthClient
	var uris, scopes string
	var created sql.NullInt64
	if err := row.Scan(&c.ID, &c.RealmID, &c.UID, &c.SecretHash, &c.Name, &c.Confidential, &uris, &scopes, &created); err != nil {
		return nil, mapError(err)
	}
	c.RedirectURIs, c.Scopes, c.CreatedAt = strings.Fields(uris), strings.Fields(scopes), fromUnix(created)
	return &c, nil
}

// OAuthClientByUID finds a client of the realm by its client_id.
func (s *Store) OAuthClientByUID(ctx context.Context, realmID int64, uid string) (*directory.OAuthClient, error) {
	return scanOAuthClient(s.read.QueryRowContext(ctx, `SELECT `+oauthClientColumns+` FROM oauth_clients WHERE realm_id = ? AND uid = ?`, realmID, uid))
}

// ListOAuthClients returns the realm's clients by id.
func (s *Store) ListOAuthClients(ctx context.Context, realmID int64) ([]directory.OAuthClient, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+oauthClientColumns+` FROM oauth_clients WHERE realm_id = ? ORDER BY id`, realmID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.OAuthClient{}
	for rows.Next() {
		c, err := scanOAuthClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// DeleteOAuthClient removes a client; its codes and tokens go with it.
func (s *Store) DeleteOAuthClient(ctx context.Context, realmID int64, uid string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM oauth_clients WHERE realm_id = ? AND uid = ?`, realmID, uid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// CreateOAuthCode inserts c and sets its id.
func (s *Store) CreateOAuthCode(ctx context.Context, realmID int64, c *directory.OAuthCode) error {
	c.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO oauth_codes (realm_id, client_id, user_id, session_id, hash, redirect_uri, scopes, challenge, challenge_method, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, c.ClientID, c.UserID, c.SessionID, c.Hash, c.RedirectURI, strings.Join(c.Scopes, " "), c.Challenge, c.ChallengeMethod,
			c.CreatedAt.Unix(), c.ExpiresAt.Unix()).Scan(&c.ID)
	})
}

// OAuthCodeByHash finds a code of the realm.
func (s *Store) OAuthCodeByHash(ctx context.Context, realmID int64, hash string) (*directory.OAuthCode, error) {
	var c directory.OAuthCode
	var scopes string
	var created, expires, used sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT id, realm_id, client_id, user_id, session_id, hash, redirect_uri, scopes, challenge, challenge_method, created_at, expires_at, used_at
		FROM oauth_codes WHERE realm_id = ? AND hash = ?`, realmID, hash).
		Scan(&c.ID, &c.RealmID, &c.ClientID, &c.UserID, &c.SessionID, &c.Hash, &c.RedirectURI, &scopes, &c.Challenge, &c.ChallengeMethod, &created, &expires, &used)
	if err != nil {
		return nil, mapError(err)
	}
	c.Scopes = strings.Fields(scopes)
	c.CreatedAt, c.ExpiresAt, c.UsedAt = fromUnix(created), fromUnix(expires), fromUnix(used)
	return &c, nil
}

// RedeemOAuthCode spends the code and inserts its token in one
// transaction; a second use deletes the first use's token instead.
func (s *Store) RedeemOAuthCode(ctx context.Context, realmID, codeID int64, at time.Time, t *directory.AccessToken) error {
	reused := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE oauth_codes SET used_at = ? WHERE realm_id = ? AND id = ? AND used_at IS NULL`, at.Unix(), realmID, codeID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			reused = true
			_, err := tx.ExecContext(ctx, `DELETE FROM access_tokens WHERE realm_id = ? AND code_id = ?`, realmID, codeID)
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
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM access_tokens WHERE realm_id = ? AND client_id = ? AND hash = ?`, realmID, clientID, hash)
		return err
	})
}
