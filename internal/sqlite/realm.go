package sqlite

import (
	"context"
	"database/sql"

	"github.com/clientele/clientele/internal/directory"
)

// CreateRealm inserts r and sets its id.
func (s *Store) CreateRealm(ctx context.Context, r *directory.Realm) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO realms (uid, name, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
			r.UID, r.Name, r.CreatedAt.Unix(), r.UpdatedAt.Unix()).Scan(&r.ID)
	})
}

// RealmByUID returns the live (not deleted) realm with the given uid.
func (s *Store) RealmByUID(ctx context.Context, uid string) (*directory.Realm, error) {
	return s.realm(ctx, `WHERE uid = ? AND deleted_at IS NULL`, uid)
}

// RealmByID returns the live realm with the given id.
func (s *Store) RealmByID(ctx context.Context, id int64) (*directory.Realm, error) {
	return s.realm(ctx, `WHERE id = ? AND deleted_at IS NULL`, id)
}

func (s *Store) realm(ctx context.Context, where string, arg any) (*directory.Realm, error) {
	var r directory.Realm
	var created, updated sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT id, uid, name, created_at, updated_at FROM realms `+where, arg).
		Scan(&r.ID, &r.UID, &r.Name, &created, &updated)
	if err != nil {
		return nil, mapError(err)
	}
	r.CreatedAt, r.UpdatedAt = fromUnix(created), fromUnix(updated)
	return &r, nil
}

// ListRealms returns every live realm ordered by uid.
func (s *Store) ListRealms(ctx context.Context) ([]directory.Realm, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, uid, name, created_at, updated_at FROM realms WHERE deleted_at IS NULL ORDER BY uid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Realm{}
	for rows.Next() {
		var r directory.Realm
		var created, updated sql.NullInt64
		if err := rows.Scan(&r.ID, &r.UID, &r.Name, &created, &updated); err != nil {
			return nil, err
		}
		r.CreatedAt, r.UpdatedAt = fromUnix(created), fromUnix(updated)
		out = append(out, r)
	}
	return out, rows.Err()
}
