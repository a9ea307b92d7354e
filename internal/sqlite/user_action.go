package sqlite

import (
	"context"
	"database/sql"

	"github.com/clientele/clientele/internal/directory"
)

// MergeUsers moves the identities moved from source to target and writes
// both users, moving counters, in one transaction.
func (s *Store) MergeUsers(ctx context.Context, realmID int64, source, target *directory.User, moved []directory.Identity) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range moved {
			res, err := tx.ExecContext(ctx, `UPDATE identities SET user_id = ?, verified = ?, is_primary = ?, updated_at = ?
				WHERE realm_id = ? AND user_id = ? AND id = ?`,
				target.ID, id.Verified, id.Primary, id.UpdatedAt.Unix(), realmID, source.ID, id.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return directory.ErrNotFound
			}
		}
		for _, u := range []*directory.User{source, target} {
			if err := updateUser(ctx, tx, realmID, u, directory.IdentityChange{}); err != nil {
				return err
			}
		}
		return nil
	})
}

// RevokeAccessTokens deletes the access tokens of the users userIDs.
func (s *Store) RevokeAccessTokens(ctx context.Context, realmID int64, userIDs []int64) (int64, error) {
	if len(userIDs) == 0 {
		return 0, nil
	}
	args := []any{realmID}
	for _, id := range userIDs {
		args = append(args, id)
	}
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM access_tokens WHERE realm_id = ? AND user_id IN (`+placeholders(len(userIDs))+`)`, args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
