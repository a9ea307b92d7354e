package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const groupColumns = `id, realm_id, name, description, is_default, is_public, created_at, updated_at, deleted_at`

func scanGroup(row pgx.CollectableRow) (directory.Group, error) {
	var g directory.Group
	var deleted *time.Time
	err := row.Scan(&g.ID, &g.RealmID, &g.Name, &g.Description, &g.Default, &g.IsPublic, &g.CreatedAt, &g.UpdatedAt, &deleted)
	g.CreatedAt, g.UpdatedAt, g.DeletedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC(), fromNullTime(deleted)
	return g, err
}

const groupMembershipColumns = `id, realm_id, user_id, group_id, is_default, created_at, updated_at`

func scanGroupMembership(row pgx.CollectableRow) (directory.GroupMembership, error) {
	var m directory.GroupMembership
	err := row.Scan(&m.ID, &m.RealmID, &m.UserID, &m.GroupID, &m.Default, &m.CreatedAt, &m.UpdatedAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

// groupFields maps the unique indexes of groups and memberships to the
// field they protect.
var groupFields = map[string]string{
	"groups_realm_name":            "name",
	"group_memberships_user_group": "group_id",
}

// groupError maps those unique violations to duplicate errors, and those
// of the one-default indexes, which only two concurrent writes making
// different defaults can hit, to a conflict for the client to retry.
func groupError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		if field, ok := groupFields[pe.ConstraintName]; ok {
			return &directory.Error{Kind: directory.KindInvalid, Message: "Record validation errors",
				Fields: []directory.FieldError{{Field: field, Code: "DuplicateValue", Message: "has already been taken"}}}
		}
		if pe.ConstraintName == "groups_realm_default" || pe.ConstraintName == "group_memberships_user_default" {
			return &directory.Error{Kind: directory.KindConflict, Message: "a concurrent write collided; try again"}
		}
	}
	return err
}

// groupTx is s.tx with groupError's mapping.
func groupTx(ctx context.Context, s *Store, fn func(pgx.Tx) error) error {
	return groupError(s.tx(ctx, fn))
}

// clearDefaultGroup makes every group of the realm but keep non-default.
func clearDefaultGroup(ctx context.Context, tx pgx.Tx, realmID, keep int64) error {
	_, err := tx.Exec(ctx, `UPDATE groups SET is_default = false WHERE realm_id = $1 AND is_default AND id <> $2`, realmID, keep)
	return err
}

// CreateGroup inserts g, taking the default from the realm's other group
// when g is the default.
func (s *Store) CreateGroup(ctx context.Context, realmID int64, g *directory.Group) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if g.Default {
			if err := clearDefaultGroup(ctx, tx, realmID, 0); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO groups (realm_id, name, name_key, description, is_default, is_public, created_at, updated_at, deleted_at, search_text)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			realmID, g.Name, directory.FoldKey(g.Name), g.Description, g.Default, g.IsPublic, at(g.CreatedAt), at(g.UpdatedAt), nullTime(g.DeletedAt),
			directory.GroupSearchText(realmID, g)).Scan(&g.ID)
	})
	if err != nil {
		return groupError(err)
	}
	g.RealmID = realmID
	return nil
}

// UpdateGroup rewrites g, taking the default from the realm's other group
// when g is the default.
func (s *Store) UpdateGroup(ctx context.Context, realmID int64, g *directory.Group) error {
	return groupError(s.tx(ctx, func(tx pgx.Tx) error { return writeGroup(ctx, tx, realmID, g) }))
}

func writeGroup(ctx context.Context, tx pgx.Tx, realmID int64, g *directory.Group) error {
	if g.Default {
		if err := clearDefaultGroup(ctx, tx, realmID, g.ID); err != nil {
			return err
		}
	}
	tag, err := tx.Exec(ctx, `UPDATE groups SET name = $1, name_key = $2, description = $3, is_default = $4, is_public = $5,
		updated_at = $6, deleted_at = $7, search_text = $10 WHERE realm_id = $8 AND id = $9`,
		g.Name, directory.FoldKey(g.Name), g.Description, g.Default, g.IsPublic, at(g.UpdatedAt), nullTime(g.DeletedAt), realmID, g.ID,
		directory.GroupSearchText(realmID, g))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// DeleteGroup writes g as deleted, promotes the realm's new default group,
// removes the group's memberships and gives their users new defaults.
func (s *Store) DeleteGroup(ctx context.Context, realmID int64, g *directory.Group, promote int64, newDefaults map[int64]int64) error {
	return groupTx(ctx, s, func(tx pgx.Tx) error {
		if err := writeGroup(ctx, tx, realmID, g); err != nil {
			return err
		}
		if promote != 0 {
			if _, err := tx.Exec(ctx, `UPDATE groups SET is_default = true WHERE realm_id = $1 AND id = $2 AND deleted_at IS NULL`, realmID, promote); err != nil {
				return err
			}
		}
		users, err := all(ctx, tx, pgx.RowTo[int64], `DELETE FROM group_memberships WHERE realm_id = $1 AND group_id = $2 RETURNING user_id`, realmID, g.ID)
		if err != nil {
			return err
		}
		// Users in a fixed order, so two writes never lock them crosswise.
		slices.Sort(users)
		for _, u := range users {
			if next := newDefaults[u]; next != 0 {
				if err := setDefaultMembership(ctx, tx, realmID, u, next, g.UpdatedAt); err != nil {
					return err
				}
			}
			if err := mirrorDefaultGroup(ctx, tx, realmID, u, g.UpdatedAt); err != nil {
				return err
			}
		}
		return nil
	})
}

// GroupByID returns a group of the realm, deleted or not.
func (s *Store) GroupByID(ctx context.Context, realmID, id int64) (*directory.Group, error) {
	return one(ctx, s.pool, scanGroup, `SELECT `+groupColumns+` FROM groups WHERE realm_id = $1 AND id = $2`, realmID, id)
}

// GroupByName returns the active group with the name, case-insensitively.
func (s *Store) GroupByName(ctx context.Context, realmID int64, name string) (*directory.Group, error) {
	return one(ctx, s.pool, scanGroup, `SELECT `+groupColumns+` FROM groups
		WHERE realm_id = $1 AND name_key = $2 AND deleted_at IS NULL`, realmID, directory.FoldKey(name))
}

// DefaultGroup returns the realm's default group.
func (s *Store) DefaultGroup(ctx context.Context, realmID int64) (*directory.Group, error) {
	return one(ctx, s.pool, scanGroup, `SELECT `+groupColumns+` FROM groups
		WHERE realm_id = $1 AND is_default AND deleted_at IS NULL`, realmID)
}

// assignableMember is the condition on a membership m that its user may
// be assigned tickets: active and not suspended.
const assignableMember = `EXISTS (SELECT 1 FROM users u WHERE u.realm_id = m.realm_id AND u.id = m.user_id
	AND u.deleted_at IS NULL AND NOT u.suspended AND u.role IN ('agent', 'admin'))`

func groupWhere(p *params, realmID int64, f directory.GroupFilter) string {
	where := []string{"realm_id = " + p.add(realmID), "deleted_at IS NULL"}
	if f.UserID != 0 {
		where = append(where, "id IN (SELECT group_id FROM group_memberships WHERE realm_id = "+p.add(realmID)+" AND user_id = "+p.add(f.UserID)+")")
	}
	if f.Assignable {
		where = append(where, "EXISTS (SELECT 1 FROM group_memberships m WHERE m.realm_id = groups.realm_id AND m.group_id = groups.id AND "+assignableMember+")")
	}
	return strings.Join(where, " AND ")
}

// ListGroups returns one page of the realm's active groups matching f.
func (s *Store) ListGroups(ctx context.Context, realmID int64, f directory.GroupFilter, pg directory.Page) ([]directory.Group, error) {
	var p params
	query, backwards := keysetPage(&p, `SELECT `+groupColumns+` FROM groups`, "id", groupWhere(&p, realmID, f), pg)
	out, err := all(ctx, s.pool, scanGroup, query, p...)
	if err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(out)
	}
	return out, nil
}

// CountGroups counts the realm's active groups matching f.
func (s *Store) CountGroups(ctx context.Context, realmID int64, f directory.GroupFilter) (int64, error) {
	var p params
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM groups WHERE `+groupWhere(&p, realmID, f), p...).Scan(&n)
	return n, err
}

// setDefaultMembership makes membership id the only default one of user.
func setDefaultMembership(ctx context.Context, tx pgx.Tx, realmID, userID, id int64, t time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE group_memberships SET is_default = false, updated_at = $1
		WHERE realm_id = $2 AND user_id = $3 AND is_default AND id <> $4`, at(t), realmID, userID, id); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `UPDATE group_memberships SET is_default = true, updated_at = $1
		WHERE realm_id = $2 AND user_id = $3 AND id = $4`, at(t), realmID, userID, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// mirrorDefaultGroup sets the user's default_group_id to the group of its
// default membership, or 0, touching the user only when it changes.
func mirrorDefaultGroup(ctx context.Context, tx pgx.Tx, realmID, userID int64, t time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE users SET default_group_id = g.id, updated_at = $1
		FROM (SELECT coalesce((SELECT group_id FROM group_memberships WHERE realm_id = $2 AND user_id = $3 AND is_default), 0) AS id) AS g
		WHERE users.realm_id = $2 AND users.id = $3 AND users.default_group_id <> g.id`, at(t), realmID, userID)
	return err
}

// syncUserGroups keeps the memberships of u, just written, in line with
// it, inside the user write's transaction: an end user has none; a staff
// user's default membership is the one in u.DefaultGroupID, created if
// missing, or none when it is 0. wasStaff tells whether the row was an
// agent's or admin's before the write (false for a new user): otherwise
// the user has no memberships, and writes of end users, the most common
// by far, cost no statement here.
func syncUserGroups(ctx context.Context, tx pgx.Tx, realmID int64, u *directory.User, wasStaff bool) error {
	if u.Role == directory.RoleEndUser {
		if !wasStaff {
			return nil
		}
		_, err := tx.Exec(ctx, `DELETE FROM group_memberships WHERE realm_id = $1 AND user_id = $2`, realmID, u.ID)
		return err
	}
	if u.DefaultGroupID == 0 {
		if !wasStaff {
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE group_memberships SET is_default = false, updated_at = $1
			WHERE realm_id = $2 AND user_id = $3 AND is_default`, at(u.UpdatedAt), realmID, u.ID)
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE group_memberships SET is_default = false, updated_at = $1
		WHERE realm_id = $2 AND user_id = $3 AND is_default AND group_id <> $4`, at(u.UpdatedAt), realmID, u.ID, u.DefaultGroupID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO group_memberships AS m (realm_id, user_id, group_id, is_default, created_at, updated_at)
		VALUES ($1, $2, $3, true, $4, $4)
		ON CONFLICT (realm_id, user_id, group_id) DO UPDATE SET is_default = true, updated_at = excluded.updated_at WHERE NOT m.is_default`,
		realmID, u.ID, u.DefaultGroupID, at(u.UpdatedAt))
	return err
}

// wasStaff tells from the counter moves of writeUser (the old counter
// first, when the role, custom role or deletion changed) whether u was an
// agent or admin before the write.
func wasStaff(u *directory.User, moves []count) bool {
	if len(moves) == 0 {
		return u.Role.Staff()
	}
	return directory.Role(moves[0].role).Staff()
}

// CreateGroupMembership inserts m, making it the user's only default one
// when m.Default.
func (s *Store) CreateGroupMembership(ctx context.Context, realmID int64, m *directory.GroupMembership, t time.Time) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO group_memberships (realm_id, user_id, group_id, is_default, created_at, updated_at)
			VALUES ($1, $2, $3, false, $4, $5) RETURNING id`, realmID, m.UserID, m.GroupID, at(m.CreatedAt), at(m.UpdatedAt)).Scan(&m.ID); err != nil {
			return err
		}
		if !m.Default {
			return nil
		}
		if err := setDefaultMembership(ctx, tx, realmID, m.UserID, m.ID, t); err != nil {
			return err
		}
		return mirrorDefaultGroup(ctx, tx, realmID, m.UserID, t)
	})
	if err != nil {
		return groupError(err)
	}
	m.RealmID = realmID
	return nil
}

// DeleteGroupMembership removes a membership and promotes another.
func (s *Store) DeleteGroupMembership(ctx context.Context, realmID, userID, id, promote int64, t time.Time) error {
	return groupTx(ctx, s, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM group_memberships WHERE realm_id = $1 AND user_id = $2 AND id = $3`, realmID, userID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		if promote != 0 {
			if err := setDefaultMembership(ctx, tx, realmID, userID, promote, t); err != nil {
				return err
			}
		}
		return mirrorDefaultGroup(ctx, tx, realmID, userID, t)
	})
}

// SetDefaultGroupMembership makes a membership the user's default.
func (s *Store) SetDefaultGroupMembership(ctx context.Context, realmID, userID, id int64, t time.Time) error {
	return groupTx(ctx, s, func(tx pgx.Tx) error {
		if err := setDefaultMembership(ctx, tx, realmID, userID, id, t); err != nil {
			return err
		}
		return mirrorDefaultGroup(ctx, tx, realmID, userID, t)
	})
}

// GroupMembershipByID returns a membership of the realm.
func (s *Store) GroupMembershipByID(ctx context.Context, realmID, id int64) (*directory.GroupMembership, error) {
	return one(ctx, s.pool, scanGroupMembership, `SELECT `+groupMembershipColumns+` FROM group_memberships WHERE realm_id = $1 AND id = $2`, realmID, id)
}

func groupMembershipWhere(p *params, realmID int64, f directory.GroupMembershipFilter) string {
	where := []string{"realm_id = " + p.add(realmID)}
	if f.UserID != 0 {
		where = append(where, "user_id = "+p.add(f.UserID))
	}
	if f.GroupID != 0 {
		where = append(where, "group_id = "+p.add(f.GroupID))
	}
	if f.Assignable {
		where = append(where, assignableMember)
	}
	return strings.Join(where, " AND ")
}

// ListGroupMemberships returns one page of the memberships matching f.
func (s *Store) ListGroupMemberships(ctx context.Context, realmID int64, f directory.GroupMembershipFilter, pg directory.Page) ([]directory.GroupMembership, error) {
	var p params
	query, backwards := keysetPage(&p, `SELECT `+groupMembershipColumns+` FROM group_memberships m`, "id", groupMembershipWhere(&p, realmID, f), pg)
	out, err := all(ctx, s.pool, scanGroupMembership, query, p...)
	if err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(out)
	}
	return out, nil
}

// CountGroupMemberships counts the memberships matching f.
func (s *Store) CountGroupMemberships(ctx context.Context, realmID int64, f directory.GroupMembershipFilter) (int64, error) {
	var p params
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM group_memberships m WHERE `+groupMembershipWhere(&p, realmID, f), p...).Scan(&n)
	return n, err
}

// groupUsersWhere is userWhere narrowed to the members of a group.
func groupUsersWhere(p *params, realmID, groupID int64, f directory.UserFilter) string {
	return userWhere(p, realmID, f) + " AND id IN (SELECT user_id FROM group_memberships WHERE realm_id = " +
		p.add(realmID) + " AND group_id = " + p.add(groupID) + ")"
}

// ListGroupUsers returns one page of a group's users matching f.
func (s *Store) ListGroupUsers(ctx context.Context, realmID, groupID int64, f directory.UserFilter, pg directory.Page) ([]directory.User, error) {
	var p params
	query, backwards := keysetPage(&p, `SELECT `+userColumns+` FROM users`, "id", groupUsersWhere(&p, realmID, groupID, f), pg)
	users, err := all(ctx, s.pool, scanUser, query, p...)
	if err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(users)
	}
	return users, nil
}

// CountGroupUsers counts a group's users matching f.
func (s *Store) CountGroupUsers(ctx context.Context, realmID, groupID int64, f directory.UserFilter) (int64, error) {
	var p params
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE `+groupUsersWhere(&p, realmID, groupID, f), p...).Scan(&n)
	return n, err
}
