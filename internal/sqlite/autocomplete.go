package sqlite

import (
	"context"
	"database/sql"

	"github.com/clientele/clientele/internal/directory"
)

// AutocompleteUsers returns the realm's active users whose name key starts
// with prefix (a directory.NamePrefix), by name key then id: one range of
// the users_realm_name_key index (migration 0026), read in its order and
// cut at limit, so it costs the same at any realm size.
func (s *Store) AutocompleteUsers(ctx context.Context, realmID int64, prefix string, limit int) ([]directory.User, error) {
	tail, args := autocompleteTail(realmID, prefix, limit)
	return s.readUsers(ctx, tail, args...)
}

// autocompleteTail is AutocompleteUsers' query after its SELECT list.
func autocompleteTail(realmID int64, prefix string, limit int) (string, []any) {
	query := `FROM users u WHERE u.realm_id = ? AND u.deleted_at IS NULL AND u.name_key >= ?`
	args := []any{realmID, prefix}
	if end := directory.PrefixEnd(prefix); end != "" {
		query += ` AND u.name_key < ?`
		args = append(args, end)
	}
	return query + ` ORDER BY u.name_key, u.id LIMIT ?`, append(args, limit)
}

// fillNameKeys fills name_key (migration 0026) for the users written
// before it existed, inside the migration's transaction, so that the
// migration is recorded only with every key written: a backfill cut off
// half-way would leave users autocomplete never finds.
func fillNameKeys(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		id  int64
		key string
	}
	var rows []row
	rs, err := tx.QueryContext(ctx, `SELECT id, name FROM users`)
	if err != nil {
		return err
	}
	for rs.Next() {
		var id int64
		var name string
		if err := rs.Scan(&id, &name); err != nil {
			rs.Close()
			return err
		}
		rows = append(rows, row{id, directory.NameKey(name)})
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name_key = ? WHERE id = ?`, r.key, r.id); err != nil {
			return err
		}
	}
	return nil
}
