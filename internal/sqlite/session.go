package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// CreateSession inserts sess and sets its id.
func (s *Store) CreateSession(ctx context.Context, realmID int64, sess *directory.Session) error {
	sess.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO sessions (realm_id, user_id, hash, method, user_agent, created_at, last_seen_at, expires_at, idle_timeout_s)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, sess.UserID, sess.Hash, sess.Method, sess.UserAgent, sess.CreatedAt.Unix(), sess.LastSeenAt.Unix(), sess.ExpiresAt.Unix(),
			int64(sess.IdleTimeout/time.Second)).Scan(&sess.ID)
	})
}

const sessionColumns = `id, realm_id, user_id, hash, method, user_agent, created_at, last_seen_at, expires_at, idle_timeout_s, revoked_at`

func scanSession(row scanner) (*directory.Session, error) {
	var sess directory.Session
	var created, seen, expires, revoked sql.NullInt64
	var idle int64
	if err := row.Scan(&sess.ID, &sess.RealmID, &sess.UserID, &sess.Hash, &sess.Method, &sess.UserAgent, &created, &seen, &expires, &idle, &revoked); err != nil {
		return nil, mapError(err)
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt, sess.RevokedAt = fromUnix(created), fromUnix(seen), fromUnix(expires), fromUnix(revoked)
	sess.IdleTimeout = time.Duration(idle) * time.Second
	return &sess, nil
}

// SessionByHash finds a session of the realm by its hash.
func (s *Store) SessionByHash(ctx context.Context, realmID int64, hash string) (*directory.Session, error) {
	return scanSession(s.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE realm_id = ? AND hash = ?`, realmID, hash))
}

// SessionByID finds a session of the realm by id.
func (s *Store) SessionByID(ctx context.Context, realmID, id int64) (*directory.Session, error) {
	return scanSession(s.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE realm_id = ? AND id = ?`, realmID, id))
}

// TouchSession records the session's last use.
func (s *Store) TouchSession(ctx context.Context, realmID, id int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE realm_id = ? AND id = ?`, at.Unix(), realmID, id)
		return err
	})
}

// RevokeSession ends a session.
func (s *Store) RevokeSession(ctx context.Context, realmID, id int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE realm_id = ? AND id = ?`, at.Unix(), realmID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}
