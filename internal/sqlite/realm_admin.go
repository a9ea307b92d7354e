package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// SaveRealm inserts or updates r, and writes st when not nil, in one
// transaction.
func (s *Store) SaveRealm(ctx context.Context, r *directory.Realm, st *directory.SigninSettings) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if r.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO realms (uid, name, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
				r.UID, r.Name, r.CreatedAt.Unix(), r.UpdatedAt.Unix()).Scan(&r.ID); err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE realms SET name = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
				r.Name, r.UpdatedAt.Unix(), r.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
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
func (s *Store) DeleteRealm(ctx context.Context, realmID int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE realms SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
			at.Unix(), at.Unix(), realmID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// UserByUsername finds the user holding username, by the partial index
// users_realm_username.
func (s *Store) UserByUsername(ctx context.Context, realmID int64, username string) (*directory.User, error) {
	return scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE realm_id = ? AND username = ? AND username <> '' ORDER BY id LIMIT 1`, realmID, username))
}

// UsersWithFieldValue reads the realm's active users' custom field
// values: no index holds them, so it costs a pass over the realm's users.
// The Service asks it only for values without words, which the search
// index cannot find (see Service.usersWithFieldValue).
func (s *Store) UsersWithFieldValue(ctx context.Context, realmID int64, key string, value any, limit int) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM users WHERE realm_id = ? AND deleted_at IS NULL
		AND json_extract(user_fields, ?) = ? ORDER BY id LIMIT ?`, realmID, `$."`+key+`"`, value, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
