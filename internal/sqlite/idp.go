package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// CreateIdP inserts p and sets its id.
func (s *Store) CreateIdP(ctx context.Context, realmID int64, p *directory.IdentityProvider) error {
	p.RealmID = realmID
	mapping, err := json.Marshal(p.ClaimsMapping)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO identity_providers (realm_id, uid, name, issuer, client_id, sealed_secret, scopes, auth_method, pkce,
			claims_mapping, enable_refresh, refresh_anticipation_s, show_delegation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, p.UID, p.Name, p.Issuer, p.ClientID, p.SealedSecret, strings.Join(p.Scopes, " "), p.AuthMethod, p.PKCE, string(mapping),
			p.EnableRefresh, int64(p.RefreshAnticipation/time.Second), p.ShowDelegation, p.CreatedAt.Unix()).Scan(&p.ID)
	})
}

const idpColumns = `id, realm_id, uid, name, issuer, client_id, sealed_secret, scopes, auth_method, pkce, claims_mapping, enable_refresh,
	refresh_anticipation_s, show_delegation, created_at`

func scanIdP(row scanner) (*directory.IdentityProvider, error) {
	var p directory.IdentityProvider
	var scopes, mapping string
	var anticipation int64
	var created sql.NullInt64
	if err := row.Scan(&p.ID, &p.RealmID, &p.UID, &p.Name, &p.Issuer, &p.ClientID, &p.SealedSecret, &scopes, &p.AuthMethod, &p.PKCE, &mapping,
		&p.EnableRefresh, &anticipation, &p.ShowDelegation, &created); err != nil {
		return nil, mapError(err)
	}
	p.Scopes, p.RefreshAnticipation, p.CreatedAt = strings.Fields(scopes), time.Duration(anticipation)*time.Second, fromUnix(created)
	if err := json.Unmarshal([]byte(mapping), &p.ClaimsMapping); err != nil {
		return nil, err
	}
	return &p, nil
}

// IdPByUID finds a provider of the realm by uid.
func (s *Store) IdPByUID(ctx context.Context, realmID int64, uid string) (*directory.IdentityProvider, error) {
	return scanIdP(s.read.QueryRowContext(ctx, `SELECT `+idpColumns+` FROM identity_providers WHERE realm_id = ? AND uid = ?`, realmID, uid))
}

// IdPByID finds a provider of the realm by id.
func (s *Store) IdPByID(ctx context.Context, realmID, id int64) (*directory.IdentityProvider, error) {
	return scanIdP(s.read.QueryRowContext(ctx, `SELECT `+idpColumns+` FROM identity_providers WHERE realm_id = ? AND id = ?`, realmID, id))
}

// ListIdPs returns the realm's providers by id.
func (s *Store) ListIdPs(ctx context.Context, realmID int64) ([]directory.IdentityProvider, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+idpColumns+` FROM identity_providers WHERE realm_id = ? ORDER BY id`, realmID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.IdentityProvider{}
	for rows.Next() {
		p, err := scanIdP(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// DeleteIdP removes a provider; links, states and tokens go with it.
func (s *Store) DeleteIdP(ctx context.Context, realmID int64, uid string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_providers WHERE realm_id = ? AND uid = ?`, realmID, uid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// CreateIdPState inserts a pending login.
func (s *Store) CreateIdPState(ctx context.Context, realmID int64, st *directory.IdPState) error {
	st.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Logins abandoned at the provider are swept here, so the table
		// holds only live ones.
		if _, err := tx.ExecContext(ctx, `DELETE FROM idp_states WHERE realm_id = ? AND expires_at < ?`, realmID, st.ExpiresAt.Add(-2*directory.IdPStateValidity).Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO idp_states (realm_id, hash, idp_id, nonce, verifier, redirect_uri, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			realmID, st.Hash, st.IdPID, st.Nonce, st.Verifier, st.RedirectURI, st.ExpiresAt.Unix())
		return err
	})
}

// TakeIdPState deletes and returns a pending login.
func (s *Store) TakeIdPState(ctx context.Context, realmID int64, hash string) (*directory.IdPState, error) {
	var st directory.IdPState
	var expires sql.NullInt64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `DELETE FROM idp_states WHERE realm_id = ? AND hash = ? RETURNING realm_id, hash, idp_id, nonce, verifier, redirect_uri, expires_at`,
			realmID, hash).Scan(&st.RealmID, &st.Hash, &st.IdPID, &st.Nonce, &st.Verifier, &st.RedirectURI, &expires)
	})
	if err != nil {
		return nil, err
	}
	st.ExpiresAt = fromUnix(expires)
	return &st, nil
}

// IdPLink returns the user linked to a provider's subject.
func (s *Store) IdPLink(ctx context.Context, realmID, idpID int64, subject string) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT user_id FROM idp_links WHERE realm_id = ? AND idp_id = ? AND subject = ?`, realmID, idpID, subject).Scan(&id)
	return id, mapError(err)
}

// LinkIdP links a provider's subject to a user.
func (s *Store) LinkIdP(ctx context.Context, realmID, idpID int64, subject string, userID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO idp_links (realm_id, idp_id, subject, user_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (realm_id, idp_id, subject) DO UPDATE SET user_id = excluded.user_id`, realmID, idpID, subject, userID)
		return err
	})
}

// SaveDelegatedToken inserts or replaces a session's provider tokens.
func (s *Store) SaveDelegatedToken(ctx context.Context, realmID int64, t *directory.DelegatedToken) error {
	t.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO delegated_tokens (realm_id, uuid, session_id, user_id, idp_id, sealed_access_token, sealed_refresh_token, expires_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (realm_id, session_id) DO UPDATE SET uuid = excluded.uuid, user_id = excluded.user_id,
			idp_id = excluded.idp_id, sealed_access_token = excluded.sealed_access_token, sealed_refresh_token = excluded.sealed_refresh_token,
			expires_at = excluded.expires_at, updated_at = excluded.updated_at RETURNING id`,
			realmID, t.UUID, t.SessionID, t.UserID, t.IdPID, t.SealedAccessToken, t.SealedRefreshToken, unix(t.ExpiresAt), t.UpdatedAt.Unix()).Scan(&t.ID)
	})
}

// DelegatedTokenBySession returns a session's provider tokens.
func (s *Store) DelegatedTokenBySession(ctx context.Context, realmID, sessionID int64) (*directory.DelegatedToken, error) {
	var t directory.DelegatedToken
	var expires, updated sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT id, realm_id, uuid, session_id, user_id, idp_id, sealed_access_token, sealed_refresh_token, expires_at, updated_at
		FROM delegated_tokens WHERE realm_id = ? AND session_id = ?`, realmID, sessionID).
		Scan(&t.ID, &t.RealmID, &t.UUID, &t.SessionID, &t.UserID, &t.IdPID, &t.SealedAccessToken, &t.SealedRefreshToken, &expires, &updated)
	if err != nil {
		return nil, mapError(err)
	}
	t.ExpiresAt, t.UpdatedAt = fromUnix(expires), fromUnix(updated)
	return &t, nil
}
