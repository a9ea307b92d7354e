package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// SigninSettings returns the realm's sign-in settings.
func (s *Store) SigninSettings(ctx context.Context, realmID int64) (*directory.SigninSettings, error) {
	var st directory.SigninSettings
	var lifetime, idle int64
	var origins string
	err := s.read.QueryRowContext(ctx, `SELECT signup_enabled, session_lifetime_s, idle_timeout_s, allowed_origins FROM signin_settings WHERE realm_id = ?`, realmID).
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
	return s.tx(ctx, func(tx *sql.Tx) error { return writeSigninSettings(ctx, tx, realmID, st) })
}

// writeSigninSettings inserts or replaces the realm's settings in tx.
func writeSigninSettings(ctx context.Context, tx *sql.Tx, realmID int64, st *directory.SigninSettings) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO signin_settings (realm_id, signup_enabled, session_lifetime_s, idle_timeout_s, allowed_origins)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (realm_id) DO UPDATE SET signup_enabled = excluded.signup_enabled,
		session_lifetime_s = excluded.session_lifetime_s, idle_timeout_s = excluded.idle_timeout_s, allowed_origins = excluded.allowed_origins`,
		realmID, st.SignupEnabled, int64(st.SessionLifetime/time.Second), int64(st.IdleTimeout/time.Second), strings.Join(st.AllowedOrigins, " "))
	return err
}

// CreateSigninToken inserts t and sets its id.
func (s *Store) CreateSigninToken(ctx context.Context, realmID int64, t *directory.SigninToken) error {
	t.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO signin_tokens (realm_id, user_id, kind, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, t.UserID, t.Kind, t.Hash, t.CreatedAt.Unix(), t.ExpiresAt.Unix()).Scan(&t.ID)
	})
}

// LatestSigninToken returns the user's newest link token of kind.
func (s *Store) LatestSigninToken(ctx context.Context, realmID, userID int64, kind string) (*directory.SigninToken, error) {
	return s.signinToken(ctx, `WHERE realm_id = ? AND user_id = ? AND kind = ? ORDER BY id DESC LIMIT 1`, realmID, userID, kind)
}

// SigninTokenByHash finds a link token of the realm.
func (s *Store) SigninTokenByHash(ctx context.Context, realmID int64, kind, hash string) (*directory.SigninToken, error) {
	return s.signinToken(ctx, `WHERE realm_id = ? AND kind = ? AND hash = ?`, realmID, kind, hash)
}

func (s *Store) signinToken(ctx context.Context, where string, args ...any) (*directory.SigninToken, error) {
	var t directory.SigninToken
	var created, expires, used sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT id, realm_id, user_id, kind, hash, created_at, expires_at, used_at FROM signin_tokens `+where, args...).
		Scan(&t.ID, &t.RealmID, &t.UserID, &t.Kind, &t.Hash, &created, &expires, &used)
	if err != nil {
		return nil, mapError(err)
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = fromUnix(created), fromUnix(expires), fromUnix(used)
	return &t, nil
}

// RedeemSigninToken spends the token and, with a password hash, sets it
// and revokes the user's sessions, in one transaction.
func (s *Store) RedeemSigninToken(ctx context.Context, realmID, tokenID int64, at time.Time, passwordHash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var userID int64
		err := tx.QueryRowContext(ctx, `UPDATE signin_tokens SET used_at = ? WHERE realm_id = ? AND id = ? AND used_at IS NULL RETURNING user_id`,
			at.Unix(), realmID, tokenID).Scan(&userID)
		if err == sql.ErrNoRows {
			return directory.Errorf(directory.KindConflict, "link already used")
		}
		if err != nil || passwordHash == "" {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE realm_id = ? AND id = ?`, passwordHash, realmID, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE realm_id = ? AND user_id = ? AND revoked_at IS NULL`, at.Unix(), realmID, userID)
		return err
	})
}

// LoginFailures returns key's failed logins in a row.
func (s *Store) LoginFailures(ctx context.Context, realmID int64, key string) (int, time.Time, error) {
	var n int
	var last sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT failures, last_at FROM login_failures WHERE realm_id = ? AND email_key = ?`, realmID, key).Scan(&n, &last)
	if err == sql.ErrNoRows {
		return 0, time.Time{}, nil
	}
	return n, fromUnix(last), err
}

// RecordLoginFailure counts one more failed login for key.
func (s *Store) RecordLoginFailure(ctx context.Context, realmID int64, key string, at time.Time) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO login_failures (realm_id, email_key, failures, last_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (realm_id, email_key) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at RETURNING failures`,
			realmID, key, at.Unix()).Scan(&n)
	})
	return n, err
}

// ClearLoginFailures forgets key's failed logins.
func (s *Store) ClearLoginFailures(ctx context.Context, realmID int64, key string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE realm_id = ? AND email_key = ?`, realmID, key)
		return err
	})
}
