package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// MergeUsers moves the identities moved from source to target and writes
// both users, in one transaction. The users are written in id order, so
// two merges of the same pair in opposite directions lock alike.
func (s *Store) MergeUsers(ctx context.Context, realmID int64, source, target *directory.User, moved []directory.Identity) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		first, second := source, target
		if second.ID < first.ID {
			first, second = second, first
		}
		var moves []count
		for _, u := range []*directory.User{first, second} {
			m, err := writeUser(ctx, tx, realmID, u)
			if err != nil {
				return err
			}
			moves = append(moves, m...)
		}
		for _, id := range moved {
			tag, err := tx.Exec(ctx, `UPDATE identities SET user_id = $1, verified = $2, is_primary = $3, updated_at = $4
				WHERE realm_id = $5 AND user_id = $6 AND id = $7`,
				target.ID, id.Verified, id.Primary, at(id.UpdatedAt), realmID, source.ID, id.ID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return directory.ErrNotFound
			}
		}
		return addCounts(ctx, tx, realmID, moves...)
	})
}

// RevokeAccessTokens deletes the access tokens of the users userIDs.
func (s *Store) RevokeAccessTokens(ctx context.Context, realmID int64, userIDs []int64) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM access_tokens WHERE realm_id = $1 AND user_id = ANY($2)`, realmID, userIDs)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
