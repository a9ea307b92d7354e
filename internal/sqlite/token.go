package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// CreateAPIToken inserts t and sets its id.
func (s *Store) CreateAPIToken(ctx context.Context, realmID int64, t *directory.APIToken) error {
	t.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (realm_id, hash, hint, description, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			realmID, t.Hash, t.Hint, t.Description, t.CreatedAt.Unix()).Scan(&t.ID)
	})
}

const apiTokenColumns = `id, realm_id, hash, hint, description, created_at, last_used_at`

func scanAPIToken(row scanner) (*directory.APIToken, error) {
	var t directory.APIToken
	var created, used sql.NullInt64
	if err := row.Scan(&t.ID, &t.RealmID, &t.Hash, &t.Hint, &t.Description, &created, &used); err != nil {
		return nil, mapError(err)
	}
	t.CreatedAt, t.LastUsedAt = fromUnix(created), fromUnix(used)
	return &t, nil
}

// APITokenByHash finds a token of any realm by its hash.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (*directory.APIToken, error) {
	return scanAPIToken(s.read.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE hash = ?`, hash))
}

// ListAPITokens returns the realm's tokens by id.
func (s *Store) ListAPITokens(ctx context.Context, realmID int64) ([]directory.APIToken, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE realm_id = ? ORDER BY id`, realmID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.APIToken{}
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// DeleteAPIToken removes one of the realm's tokens.
func (s *Store) DeleteAPIToken(ctx context.Context, realmID, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE realm_id = ? AND id = ?`, realmID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// TouchAPIToken records when the token was last used.
func (s *Store) TouchAPIToken(ctx context.Context, realmID, id int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE realm_id = ? AND id = ?`, at.Unix(), realmID, id)
		return err
	})
}

// CreateAccessToken inserts t and sets its id.
func (s *Store) CreateAccessToken(ctx context.Context, realmID int64, t *directory.AccessToken) error {
	t.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error { return insertAccessToken(ctx, tx, realmID, t, 0) })
}

// insertAccessToken inserts t in tx, from the OAuth code codeID (0: none).
func insertAccessToken(ctx context.Context, tx *sql.Tx, realmID int64, t *directory.AccessToken, codeID int64) error {
	return tx.QueryRowContext(ctx, `INSERT INTO access_tokens (realm_id, user_id, hash, scopes, created_at, expires_at, session_id, client_id, code_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		realmID, t.UserID, t.Hash, strings.Join(t.Scopes, " "), t.CreatedAt.Unix(), unix(t.ExpiresAt), nullID(t.SessionID), nullID(t.ClientID), nullID(codeID)).Scan(&t.ID)
}

// nullID stores an id of 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AccessTokenByHash finds an access token of any realm by its hash.
func (s *Store) AccessTokenByHash(ctx context.Context, hash string) (*directory.AccessToken, error) {
	var t directory.AccessToken
	var scopes string
	var created, expires, session, client sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT id, realm_id, user_id, hash, scopes, created_at, expires_at, session_id, client_id FROM access_tokens WHERE hash = ?`, hash).
		Scan(&t.ID, &t.RealmID, &t.UserID, &t.Hash, &scopes, &created, &expires, &session, &client)
	if err != nil {
		return nil, mapError(err)
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.ExpiresAt = fromUnix(created), fromUnix(expires)
	t.SessionID, t.ClientID = session.Int64, client.Int64
	return &t, nil
}
