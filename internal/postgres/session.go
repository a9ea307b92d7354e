package postgres

import (
	"context"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// CreateSession inserts sess and sets its id.
func (s *Store) CreateSession(ctx context.Context, realmID int64, sess *directory.Session) error {
	sess.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO sessions (realm_id, user_id, hash, method, user_agent, created_at, last_seen_at, expires_at, idle_timeout_s)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			realmID, sess.UserID, sess.Hash, sess.Method, sess.UserAgent, at(sess.CreatedAt), at(sess.LastSeenAt), at(sess.ExpiresAt),
			int64(sess.IdleTimeout/time.Second)).Scan(&sess.ID)
	})
}

const sessionColumns = `id, realm_id, user_id, hash, method, user_agent, created_at, last_seen_at, expires_at, idle_timeout_s, revoked_at`

func scanSession(row pgx.CollectableRow) (directory.Session, error) {
	var sess directory.Session
	var revoked *time.Time
	var idle int64
	err := row.Scan(&sess.ID, &sess.RealmID, &sess.UserID, &sess.Hash, &sess.Method, &sess.UserAgent, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt, &idle, &revoked)
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt, sess.RevokedAt = sess.CreatedAt.UTC(), sess.LastSeenAt.UTC(), sess.ExpiresAt.UTC(), fromNullTime(revoked)
	sess.IdleTimeout = time.Duration(idle) * time.Second
	return sess, err
}

// SessionByHash finds a session of the realm by its hash.
func (s *Store) SessionByHash(ctx context.Context, realmID int64, hash string) (*directory.Session, error) {
	return one(ctx, s.pool, scanSession, `SELECT `+sessionColumns+` FROM sessions WHERE realm_id = $1 AND hash = $2`, realmID, hash)
}

// SessionByID finds a session of the realm by id.
func (s *Store) SessionByID(ctx context.Context, realmID, id int64) (*directory.Session, error) {
	return one(ctx, s.pool, scanSession, `SELECT `+sessionColumns+` FROM sessions WHERE realm_id = $1 AND id = $2`, realmID, id)
}

// TouchSession records the session's last use.
func (s *Store) TouchSession(ctx context.Context, realmID, id int64, when time.Time) error {
	_, err := s.writer(ctx).Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE realm_id = $2 AND id = $3`, at(when), realmID, id)
	return err
}

// RevokeSession ends a session.
func (s *Store) RevokeSession(ctx context.Context, realmID, id int64, when time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = coalesce(revoked_at, $1) WHERE realm_id = $2 AND id = $3`, at(when), realmID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}
