package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// SaveRealm inserts or updates r, and writes st when not nil, in one
// transaction.
func (s *Store) SaveRealm(ctx context.Context, r *directory.Realm, st *directory.SigninSettings) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if r.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO realms (uid, name, created_at, updated_at) VALUES ($1, $2, $3, $4) RETURNING id`,
				r.UID, r.Name, at(r.CreatedAt), at(r.UpdatedAt)).Scan(&r.ID); err != nil {
				return err
			}
		} else {
			tag, err := tx.Exec(ctx, `UPDATE realms SET name = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL`,
				r.Name, at(r.UpdatedAt), r.ID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return directory.ErrNotFound
			}
		}
		if st == nil {
			return nil
		}
		return writeSigninSettings(ctx, tx, r.ID, st)
	})
}

// DeleteRealm marks the realm deleted; its data stays.
func (s *Store) DeleteRealm(ctx context.Context, realmID int64, when time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE realms SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL`,
			at(when), realmID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// UserByUsername finds the user holding username, by the partial index
// users_realm_username.
func (s *Store) UserByUsername(ctx context.Context, realmID int64, username string) (*directory.User, error) {
	return one(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users
		WHERE realm_id = $1 AND username = $2 AND username <> '' ORDER BY id LIMIT 1`, realmID, username)
}

// UsersWithFieldValue reads the realm's active users' custom field
// values: no index holds them, so it costs a pass over the realm's users.
// The Service asks it only for values without words, which the search
// index cannot find (see Service.usersWithFieldValue).
func (s *Store) UsersWithFieldValue(ctx context.Context, realmID int64, key string, value any, limit int) ([]int64, error) {
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	return all(ctx, s.pool, pgx.RowTo[int64], `SELECT id FROM users WHERE realm_id = $1 AND deleted_at IS NULL
		AND user_fields -> $2 = $3::jsonb ORDER BY id LIMIT $4`, realmID, key, string(raw), limit)
}
