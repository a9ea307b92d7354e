package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// AutocompleteUsers returns the realm's active users whose name key starts
// with prefix (a directory.NamePrefix), by name key then id: one range of
// the users_realm_name_key index (migration 0026), whose "C" collation
// orders keys as bytes, read in its order and cut at limit.
func (s *Store) AutocompleteUsers(ctx context.Context, realmID int64, prefix string, limit int) ([]directory.User, error) {
	query, args := autocompleteQuery(realmID, prefix, limit)
	return all(ctx, s.pool, scanUser, query, args...)
}

// autocompleteQuery is AutocompleteUsers' query and its arguments.
func autocompleteQuery(realmID int64, prefix string, limit int) (string, []any) {
	var p params
	where := `u.realm_id = ` + p.add(realmID) + ` AND u.deleted_at IS NULL AND u.name_key >= ` + p.add(prefix)
	if end := directory.PrefixEnd(prefix); end != "" {
		where += ` AND u.name_key < ` + p.add(end)
	}
	return `SELECT ` + searchColumns + ` FROM users u WHERE ` + where + ` ORDER BY u.name_key, u.id LIMIT ` + p.add(limit), p
}

// backfillNameKeys fills name_key (migration 0026) for the users written
// before it existed, in the migration's transaction.
func backfillNameKeys(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT id, name FROM users`)
	if err != nil {
		return err
	}
	type row struct {
		id   int64
		name string
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.id, &x.name)
		return x, err
	})
	if err != nil {
		return err
	}
	ids, keys := make([]int64, len(users)), make([]string, len(users))
	for i, u := range users {
		ids[i], keys[i] = u.id, directory.NameKey(u.name)
	}
	// One statement for every row: the arrays are unnested side by side.
	_, err = tx.Exec(ctx, `UPDATE users SET name_key = k.key FROM unnest($1::bigint[], $2::text[]) AS k(id, key)
		WHERE users.id = k.id`, ids, keys)
	return err
}
