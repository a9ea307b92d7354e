package sqlite

import (
	"context"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// UsersChangedAfter returns the realm's users after (after, afterID) in
// (updated_at, id) order and changed before until, deleted ones included.
func (s *Store) UsersChangedAfter(ctx context.Context, realmID int64, after time.Time, afterID int64, until time.Time, limit int) ([]directory.User, error) {
	return s.queryUsers(ctx, `SELECT `+userColumns+` FROM users
		WHERE realm_id = ? AND (updated_at, id) > (?, ?) AND updated_at < ?
		ORDER BY updated_at, id LIMIT ?`, realmID, after.Unix(), afterID, until.Unix(), limit)
}
