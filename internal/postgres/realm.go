package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// CreateRealm inserts r and sets its id.
func (s *Store) CreateRealm(ctx context.Context, r *directory.Realm) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO realms (uid, name, created_at, updated_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			r.UID, r.Name, at(r.CreatedAt), at(r.UpdatedAt)).Scan(&r.ID)
	})
}

const realmColumns = `id, uid, name, created_at, updated_at`

func scanRealm(row pgx.CollectableRow) (directory.Realm, error) {
	var r directory.Realm
	err := row.Scan(&r.ID, &r.UID, &r.Name, &r.CreatedAt, &r.UpdatedAt)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

// RealmByUID returns the live (not deleted) realm with the given uid.
func (s *Store) RealmByUID(ctx context.Context, uid string) (*directory.Realm, error) {
	return one(ctx, s.pool, scanRealm, `SELECT `+realmColumns+` FROM realms WHERE uid = $1 AND deleted_at IS NULL`, uid)
}

// RealmByID returns the live realm with the given id.
func (s *Store) RealmByID(ctx context.Context, id int64) (*directory.Realm, error) {
	return one(ctx, s.pool, scanRealm, `SELECT `+realmColumns+` FROM realms WHERE id = $1 AND deleted_at IS NULL`, id)
}

// ListRealms returns every live realm ordered by uid, byte by byte (as SQLite
// orders text) whatever the database's collation.
func (s *Store) ListRealms(ctx context.Context) ([]directory.Realm, error) {
	return all(ctx, s.pool, scanRealm, `SELECT `+realmColumns+` FROM realms WHERE deleted_at IS NULL ORDER BY uid COLLATE "C"`)
}
