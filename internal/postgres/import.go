package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// ImportUsers writes a batch of validated users in one transaction. New
// users get ids drawn from the users identity sequence up front, so that
// they and their identities go in by COPY (which, like OVERRIDING SYSTEM
// VALUE, writes the id given); existing users are locked in id order and
// rewritten as UpdateUser does, in one round trip; the counters move last,
// once for the batch, in addCounts' order.
func (s *Store) ImportUsers(ctx context.Context, realmID int64, batch []directory.ImportUser) error {
	var creates []directory.ImportUser
	var updates []directory.ImportUser
	for _, op := range batch {
		if op.User.ID == 0 {
			creates = append(creates, op)
		} else {
			updates = append(updates, op)
		}
	}
	var ids []int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		moves, err := importUpdates(ctx, tx, realmID, updates)
		if err != nil {
			return err
		}
		if ids, err = copyUsers(ctx, tx, realmID, creates); err != nil {
			return err
		}
		if err := importOrganizations(ctx, tx, realmID, creates, ids, updates); err != nil {
			return err
		}
		sums := map[count]int64{}
		for _, op := range creates {
			c := countOf(op.User, 0)
			sums[c]++
		}
		for _, m := range moves {
			d := m.delta
			m.delta = 0
			sums[m] += d
		}
		changes := make([]count, 0, len(sums))
		for c, n := range sums {
			if n != 0 {
				c.delta = n
				changes = append(changes, c)
			}
		}
		return addCounts(ctx, tx, realmID, changes...)
	})
	if err != nil {
		return err
	}
	// Only a committed batch hands out its ids: a batch that failed is
	// still a batch of new users, to be written again or one by one.
	for i, op := range creates {
		op.User.ID, op.User.RealmID = ids[i], realmID
	}
	return nil
}

// copyUsers inserts new users and their identities by COPY and returns the
// users' ids, in order.
func copyUsers(ctx context.Context, tx pgx.Tx, realmID int64, creates []directory.ImportUser) ([]int64, error) {
	if len(creates) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('users', 'id')) FROM generate_series(1, $1)`, len(creates))
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	// organization_id too, the organization each user is created in:
	// insertNewMemberships writes the default memberships it mirrors.
	cols := append(append([]string{"id"}, userWriteColumns...), "organization_id")
	userRows := make([][]any, len(creates))
	var identityRows [][]any
	for i, op := range creates {
		userRows[i] = append(append([]any{ids[i]}, userArgs(realmID, op.User)...), op.User.OrganizationID)
		for _, id := range op.Identities {
			identityRows = append(identityRows, []any{realmID, ids[i], id.Type, id.Value, id.Verified, id.Primary, at(id.CreatedAt), at(id.UpdatedAt)})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, cols, pgx.CopyFromRows(userRows)); err != nil {
		return nil, err
	}
	if len(identityRows) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"identities"},
			[]string{"realm_id", "user_id", "type", "value", "verified", "is_primary", "created_at", "updated_at"},
			pgx.CopyFromRows(identityRows)); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// importUpdates locks the users of updates in id order, rewrites them and
// applies their identity changes in one batch of statements, and returns
// the counter moves (-1 from the old counter, +1 to the new) of those whose
// role, custom role or deletion changed.
func importUpdates(ctx context.Context, tx pgx.Tx, realmID int64, updates []directory.ImportUser) ([]count, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	userIDs := make([]int64, len(updates))
	for i, op := range updates {
		userIDs[i] = op.User.ID
	}
	rows, err := tx.Query(ctx, `SELECT id, role, custom_role_id, deleted_at IS NOT NULL FROM users
		WHERE realm_id = $1 AND id = ANY ($2) ORDER BY id FOR UPDATE`, realmID, userIDs)
	if err != nil {
		return nil, err
	}
	old := map[int64]count{}
	var id int64
	var c count
	_, err = pgx.ForEachRow(rows, []any{&id, &c.role, &c.customRoleID, &c.deleted}, func() error {
		old[id] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	var b pgx.Batch
	var moves []count
	for _, op := range updates {
		u := op.User
		was, ok := old[u.ID]
		if !ok {
			return nil, directory.ErrNotFound
		}
		b.Queue(updateUserSQL, updateUserArgs(realmID, u)...)
		for _, id := range op.Change.Delete {
			b.Queue(`DELETE FROM identities WHERE realm_id = $1 AND user_id = $2 AND id = $3`, realmID, u.ID, id)
		}
		for _, id := range op.Change.Update {
			b.Queue(`UPDATE identities SET value = $1, verified = $2, is_primary = $3, updated_at = $4
				WHERE realm_id = $5 AND user_id = $6 AND id = $7`, id.Value, id.Verified, id.Primary, at(id.UpdatedAt), realmID, u.ID, id.ID)
		}
		for _, id := range op.Change.Add {
			b.Queue(`INSERT INTO identities (realm_id, user_id, type, value, verified, is_primary, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, realmID, u.ID, id.Type, id.Value, id.Verified, id.Primary, at(id.CreatedAt), at(id.UpdatedAt))
		}
		next := countOf(u, 1)
		if next.role != was.role || next.customRoleID != was.customRoleID || next.deleted != was.deleted {
			was.delta = -1
			moves = append(moves, was, next)
		}
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, err
	}
	return moves, nil
}

// IdentitiesByValues returns the identities of type typ whose value is
// among values, compared case-insensitively, ordered by id.
func (s *Store) IdentitiesByValues(ctx context.Context, realmID int64, typ string, values []string) ([]directory.Identity, error) {
	if len(values) == 0 {
		return []directory.Identity{}, nil
	}
	return all(ctx, s.pool, scanIdentity, `SELECT id, realm_id, user_id, type, value, verified, is_primary, created_at, updated_at
		FROM identities WHERE realm_id = $1 AND type = $2
		AND lower(value) = ANY (SELECT lower(v) FROM unnest($3::text[]) AS v) ORDER BY id`, realmID, typ, values)
}

// IdentitiesByUsers returns the identities of the users userIDs, by user,
// primary first, then by id.
func (s *Store) IdentitiesByUsers(ctx context.Context, realmID int64, userIDs []int64) ([]directory.Identity, error) {
	if len(userIDs) == 0 {
		return []directory.Identity{}, nil
	}
	return all(ctx, s.pool, scanIdentity, `SELECT id, realm_id, user_id, type, value, verified, is_primary, created_at, updated_at
		FROM identities WHERE realm_id = $1 AND user_id = ANY ($2) ORDER BY user_id, is_primary DESC, id`, realmID, userIDs)
}
