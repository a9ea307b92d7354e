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

// nameKeyBatch is how many users backfillNameKeys rewrites a transaction;
// a variable so that a test can cross batches with a few users.
var nameKeyBatch = 10000

// backfillNameKeys fills name_key (migration 0026) for the users written
// before it existed, a batch of rows per transaction so that a large
// database does not hold the write lock for the whole pass.
func (s *Store) backfillNameKeys(ctx context.Context) error {
	batch := nameKeyBatch
	for after := int64(0); ; {
		type row struct {
			id  int64
			key string
		}
		var rows []row
		err := s.tx(ctx, func(tx *sql.Tx) error {
			rs, err := tx.QueryContext(ctx, `SELECT id, name FROM users WHERE id > ? ORDER BY id LIMIT ?`, after, batch)
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
		})
		if err != nil || len(rows) < batch {
			return err
		}
		after = rows[len(rows)-1].id
	}
}
