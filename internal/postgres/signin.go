package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// SigninSettings returns the realm's sign-in settings.
func (s *Store) SigninSettings(ctx context.Context, realmID int64) (*directory.SigninSettings, error) {
	var st directory.SigninSettings
	var lifetime, idle int64
	var origins string
	err := s.pool.QueryRow(ctx, `SELECT signup_enabled, session_lifetime_s, idle_timeout_s, allowed_origins FROM signin_settings WHERE realm_id = $1`, realmID).
		Scan(&st.SignupEnabled, &lifetime, &idle, &origins)
	if err != nil {
		return nil, mapError(err)
	}
	st.SessionLifetime, st.IdleTimeout = time.Duration(lifetime)*time.Second, time.Duration(idle)*time.Second
	st.AllowedOrigins = strings.Fields(origins)
	return &st, nil
}

// SetSigninSettings inserts or replaces the realm's sign-in settings.
func (s *Store) SetSigninSettings(ctx context.Context, realmID int64, st *directory.SigninSettings) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return writeSigninSettings(ctx, tx, realmID, st) })
}

// writeSigninSettings inserts or replaces the realm's settings in tx.
func writeSigninSettings(ctx context.Context, tx pgx.Tx, realmID int64, st *directory.SigninSettings) error {
	_, err := tx.Exec(ctx, `INSERT INTO signin_settings (realm_id, signup_enabled, session_lifetime_s, idle_timeout_s, allowed_origins)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (realm_id) DO UPDATE SET signup_enabled = excluded.signup_enabled,
		session_lifetime_s = excluded.session_lifetime_s, idle_timeout_s = excluded.idle_timeout_s, allowed_origins = excluded.allowed_origins`,
		realmID, st.SignupEnabled, int64(st.SessionLifetime/time.Second), int64(st.IdleTimeout/time.Second), strings.Join(st.AllowedOrigins, " "))
	return err
}

// CreateSigninToken inserts t and sets its id.
func (s *Store) CreateSigninToken(ctx context.Context, realmID int64, t *directory.SigninToken) error {
	t.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO signin_tokens (realm_id, user_id, kind, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			realmID, t.UserID, t.Kind, t.Hash, at(t.CreatedAt), at(t.ExpiresAt)).Scan(&t.ID)
	})
}

// LatestSigninToken returns the user's newest link token of kind.
func (s *Store) LatestSigninToken(ctx context.Context, realmID, userID int64, kind string) (*directory.SigninToken, error) {
	return s.signinToken(ctx, `WHERE realm_id = $1 AND user_id = $2 AND kind = $3 ORDER BY id DESC LIMIT 1`, realmID, userID, kind)
}

// SigninTokenByHash finds a link token of the realm.
func (s *Store) SigninTokenByHash(ctx context.Context, realmID int64, kind, hash string) (*directory.SigninToken, error) {
	return s.signinToken(ctx, `WHERE realm_id = $1 AND kind = $2 AND hash = $3`, realmID, kind, hash)
}

func (s *Store) signinToken(ctx context.Context, where string, args ...any) (*directory.SigninToken, error) {
	return one(ctx, s.pool, func(row pgx.CollectableRow) (directory.SigninToken, error) {
		var t directory.SigninToken
		var used *time.Time
		err := row.Scan(&t.ID, &t.RealmID, &t.UserID, &t.Kind, &t.Hash, &t.CreatedAt, &t.ExpiresAt, &used)
		t.CreatedAt, t.ExpiresAt, t.UsedAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC(), fromNullTime(used)
		return t, err
	}, `SELECT id, realm_id, user_id, kind, hash, created_at, expires_at, used_at FROM signin_tokens `+where, args...)
}

// RedeemSigninToken spends the token and, with a password hash, sets it
// and revokes the user's sessions, in one transaction.
func (s *Store) RedeemSigninToken(ctx context.Context, realmID, tokenID int64, when time.Time, passwordHash string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var userID int64
		err := tx.QueryRow(ctx, `UPDATE signin_tokens SET used_at = $1 WHERE realm_id = $2 AND id = $3 AND used_at IS NULL RETURNING user_id`,
			at(when), realmID, tokenID).Scan(&userID)
		if errors.Is(err, pgx.ErrNoRows) {
			return directory.Errorf(directory.KindConflict, "link already used")
		}
		if err != nil || passwordHash == "" {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE realm_id = $2 AND id = $3`, passwordHash, realmID, userID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE sessions SET revoked_at = $1 WHERE realm_id = $2 AND user_id = $3 AND revoked_at IS NULL`, at(when), realmID, userID)
		return err
	})
}

// LoginFailures returns key's failed logins in a row.
func (s *Store) LoginFailures(ctx context.Context, realmID int64, key string) (int, time.Time, error) {
	var n int
	var last time.Time
	err := s.pool.QueryRow(ctx, `SELECT failures, last_at FROM login_failures WHERE realm_id = $1 AND email_key = $2`, realmID, key).Scan(&n, &last)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	return n, last.UTC(), err
}

// RecordLoginFailure counts one more failed login for key.
func (s *Store) RecordLoginFailure(ctx context.Context, realmID int64, key string, when time.Time) (int, error) {
	var n int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO login_failures (realm_id, email_key, failures, last_at) VALUES ($1, $2, 1, $3)
			ON CONFLICT (realm_id, email_key) DO UPDATE SET failures = login_failures.failures + 1, last_at = excluded.last_at RETURNING failures`,
			realmID, key, at(when)).Scan(&n)
	})
	return n, err
}

// ClearLoginFailures forgets key's failed logins.
func (s *Store) ClearLoginFailures(ctx context.Context, realmID int64, key string) error {
	_, err := s.writer(ctx).Exec(ctx, `DELETE FROM login_failures WHERE realm_id = $1 AND email_key = $2`, realmID, key)
	return err
}
