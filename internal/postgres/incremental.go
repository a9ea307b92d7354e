package postgres

import (
	"context"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// UsersChangedAfter returns the realm's users after (after, afterID) in
// (updated_at, id) order and changed before until, deleted ones included.
func (s *Store) UsersChangedAfter(ctx context.Context, realmID int64, after time.Time, afterID int64, until time.Time, limit int) ([]directory.User, error) {
	return all(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users
		WHERE realm_id = $1 AND (updated_at, id) > ($2, $3) AND updated_at < $4
		ORDER BY updated_at, id LIMIT $5`, realmID, at(after), afterID, at(until), limit)
}
