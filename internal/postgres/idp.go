package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// CreateIdP inserts p and sets its id.
func (s *Store) CreateIdP(ctx context.Context, realmID int64, p *directory.IdentityProvider) error {
	p.RealmID = realmID
	mapping, err := json.Marshal(p.ClaimsMapping)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO identity_providers (realm_id, uid, name, issuer, client_id, sealed_secret, scopes, auth_method, pkce,
			claims_mapping, enable_refresh, refresh_anticipation_s, show_delegation, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			realmID, p.UID, p.Name, p.Issuer, p.ClientID, p.SealedSecret, strings.Join(p.Scopes, " "), p.AuthMethod, p.PKCE, string(mapping),
			p.EnableRefresh, int64(p.RefreshAnticipation/time.Second), p.ShowDelegation, at(p.CreatedAt)).Scan(&p.ID)
	})
}

const idpColumns = `id, realm_id, uid, name, issuer, client_id, sealed_secret, scopes, auth_method, pkce, claims_mapping, enable_refresh,
	refresh_anticipation_s, show_delegation, created_at`

func scanIdP(row pgx.CollectableRow) (directory.IdentityProvider, error) {
	var p directory.IdentityProvider
	var scopes, mapping string
	var anticipation int64
	if err := row.Scan(&p.ID, &p.RealmID, &p.UID, &p.Name, &p.Issuer, &p.ClientID, &p.SealedSecret, &scopes, &p.AuthMethod, &p.PKCE, &mapping,
		&p.EnableRefresh, &anticipation, &p.ShowDelegation, &p.CreatedAt); err != nil {
		return p, err
	}
	p.Scopes, p.RefreshAnticipation, p.CreatedAt = strings.Fields(scopes), time.Duration(anticipation)*time.Second, p.CreatedAt.UTC()
	return p, json.Unmarshal([]byte(mapping), &p.ClaimsMapping)
}

// IdPByUID finds a provider of the realm by uid.
func (s *Store) IdPByUID(ctx context.Context, realmID int64, uid string) (*directory.IdentityProvider, error) {
	return one(ctx, s.pool, scanIdP, `SELECT `+idpColumns+` FROM identity_providers WHERE realm_id = $1 AND uid = $2`, realmID, uid)
}

// IdPByID finds a provider of the realm by id.
func (s *Store) IdPByID(ctx context.Context, realmID, id int64) (*directory.IdentityProvider, error) {
	return one(ctx, s.pool, scanIdP, `SELECT `+idpColumns+` FROM identity_providers WHERE realm_id = $1 AND id = $2`, realmID, id)
}

// ListIdPs returns the realm's providers by id.
func (s *Store) ListIdPs(ctx context.Context, realmID int64) ([]directory.IdentityProvider, error) {
	return all(ctx, s.pool, scanIdP, `SELECT `+idpColumns+` FROM identity_providers WHERE realm_id = $1 ORDER BY id`, realmID)
}

// DeleteIdP removes a provider; links, states and tokens go with it.
func (s *Store) DeleteIdP(ctx context.Context, realmID int64, uid string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM identity_providers WHERE realm_id = $1 AND uid = $2`, realmID, uid)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// CreateIdPState inserts a pending login.
func (s *Store) CreateIdPState(ctx context.Context, realmID int64, st *directory.IdPState) error {
	st.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		// Logins abandoned at the provider are swept here, so the table
		// holds only live ones.
		if _, err := tx.Exec(ctx, `DELETE FROM idp_states WHERE realm_id = $1 AND expires_at < $2`, realmID, at(st.ExpiresAt.Add(-2*directory.IdPStateValidity))); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO idp_states (realm_id, hash, idp_id, nonce, verifier, redirect_uri, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			realmID, st.Hash, st.IdPID, st.Nonce, st.Verifier, st.RedirectURI, at(st.ExpiresAt))
		return err
	})
}

// TakeIdPState deletes and returns a pending login.
func (s *Store) TakeIdPState(ctx context.Context, realmID int64, hash string) (*directory.IdPState, error) {
	return one(ctx, s.pool, func(row pgx.CollectableRow) (directory.IdPState, error) {
		var st directory.IdPState
		err := row.Scan(&st.RealmID, &st.Hash, &st.IdPID, &st.Nonce, &st.Verifier, &st.RedirectURI, &st.ExpiresAt)
		st.ExpiresAt = st.ExpiresAt.UTC()
		return st, err
	}, `DELETE FROM idp_states WHERE realm_id = $1 AND hash = $2 RETURNING realm_id, hash, idp_id, nonce, verifier, redirect_uri, expires_at`, realmID, hash)
}

// IdPLink returns the user linked to a provider's subject.
func (s *Store) IdPLink(ctx context.Context, realmID, idpID int64, subject string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT user_id FROM idp_links WHERE realm_id = $1 AND idp_id = $2 AND subject = $3`, realmID, idpID, subject).Scan(&id)
	return id, mapError(err)
}

// LinkIdP links a provider's subject to a user.
func (s *Store) LinkIdP(ctx context.Context, realmID, idpID int64, subject string, userID int64) error {
	_, err := s.writer(ctx).Exec(ctx, `INSERT INTO idp_links (realm_id, idp_id, subject, user_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (realm_id, idp_id, subject) DO UPDATE SET user_id = excluded.user_id`, realmID, idpID, subject, userID)
	return err
}

// SaveDelegatedToken inserts or replaces a session's provider tokens.
func (s *Store) SaveDelegatedToken(ctx context.Context, realmID int64, t *directory.DelegatedToken) error {
	t.RealmID = realmID
	return s.writer(ctx).QueryRow(ctx, `INSERT INTO delegated_tokens (realm_id, uuid, session_id, user_id, idp_id, sealed_access_token, sealed_refresh_token, expires_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (realm_id, session_id) DO UPDATE SET uuid = excluded.uuid, user_id = excluded.user_id,
		idp_id = excluded.idp_id, sealed_access_token = excluded.sealed_access_token, sealed_refresh_token = excluded.sealed_refresh_token,
		expires_at = excluded.expires_at, updated_at = excluded.updated_at RETURNING id`,
		realmID, t.UUID, t.SessionID, t.UserID, t.IdPID, t.SealedAccessToken, t.SealedRefreshToken, nullTime(t.ExpiresAt), at(t.UpdatedAt)).Scan(&t.ID)
}

// DelegatedTokenBySession returns a session's provider tokens.
func (s *Store) DelegatedTokenBySession(ctx context.Context, realmID, sessionID int64) (*directory.DelegatedToken, error) {
	return one(ctx, s.pool, func(row pgx.CollectableRow) (directory.DelegatedToken, error) {
		var t directory.DelegatedToken
		var expires *time.Time
		err := row.Scan(&t.ID, &t.RealmID, &t.UUID, &t.SessionID, &t.UserID, &t.IdPID, &t.SealedAccessToken, &t.SealedRefreshToken, &expires, &t.UpdatedAt)
		t.ExpiresAt, t.UpdatedAt = fromNullTime(expires), t.UpdatedAt.UTC()
		return t, err
	}, `SELECT id, realm_id, uuid, session_id, user_id, idp_id, sealed_access_token, sealed_refresh_token, expires_at, updated_at
		FROM delegated_tokens WHERE realm_id = $1 AND session_id = $2`, realmID, sessionID)
}
