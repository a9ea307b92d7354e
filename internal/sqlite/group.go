package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const groupColumns = `id, realm_id, name, description, is_default, is_public, created_at, updated_at, deleted_at`

func scanGroup(row scanner) (*directory.Group, error) {
	var g directory.Group
	var created, updated, deleted sql.NullInt64
	if err := row.Scan(&g.ID, &g.RealmID, &g.Name, &g.Description, &g.Default, &g.IsPublic, &created, &updated, &deleted); err != nil {
		return nil, mapError(err)
	}
	g.CreatedAt, g.UpdatedAt, g.DeletedAt = fromUnix(created), fromUnix(updated), fromUnix(deleted)
	return &g, nil
}

const groupMembershipColumns = `id, realm_id, user_id, group_id, is_default, created_at, updated_at`

func scanGroupMembership(row scanner) (*directory.GroupMembership, error) {
	var m directory.GroupMembership
	var created, updated sql.NullInt64
	if err := row.Scan(&m.ID, &m.RealmID, &m.UserID, &m.GroupID, &m.Default, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	m.CreatedAt, m.UpdatedAt = fromUnix(created), fromUnix(updated)
	return &m, nil
}

// groupError maps the unique indexes of groups and memberships to the
// field they protect.
func groupError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		field := ""
		switch {
		case strings.Contains(se.Error(), "groups.realm_id, groups.name_key"):
			field = "name"
		case strings.Contains(se.Error(), "group_memberships.realm_id, group_memberships.user_id, group_memberships.group_id"):
			field = "group_id"
		}
		if field != "" {
			return &directory.Error{Kind: directory.KindInvalid, Message: "Record validation errors",
				Fields: []directory.FieldError{{Field: field, Code: "DuplicateValue", Message: "has already been taken"}}}
		}
	}
	return err
}

// clearDefaultGroup makes every group of the realm but keep non-default.
func clearDefaultGroup(ctx context.Context, tx *sql.Tx, realmID, keep int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE groups SET is_default = 0 WHERE realm_id = ? AND is_default = 1 AND id <> ?`, realmID, keep)
	return err
}

// CreateGroup inserts g, taking the default from the realm's other group
// when g is the default.
func (s *Store) CreateGroup(ctx context.Context, realmID int64, g *directory.Group) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if g.Default {
			if err := clearDefaultGroup(ctx, tx, realmID, 0); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `INSERT INTO groups (realm_id, name, name_key, description, is_default, is_public, created_at, updated_at, deleted_at, search_text)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, g.Name, directory.FoldKey(g.Name), g.Description, g.Default, g.IsPublic, unix(g.CreatedAt), unix(g.UpdatedAt), unix(g.DeletedAt),
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
	return groupError(s.tx(ctx, func(tx *sql.Tx) error { return writeGroup(ctx, tx, realmID, g) }))
}

func writeGroup(ctx context.Context, tx *sql.Tx, realmID int64, g *directory.Group) error {
	if g.Default {
		if err := clearDefaultGroup(ctx, tx, realmID, g.ID); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE groups SET name = ?, name_key = ?, description = ?, is_default = ?, is_public = ?,
		updated_at = ?, deleted_at = ?, search_text = ? WHERE realm_id = ? AND id = ?`,
		g.Name, directory.FoldKey(g.Name), g.Description, g.Default, g.IsPublic, unix(g.UpdatedAt), unix(g.DeletedAt),
		directory.GroupSearchText(realmID, g), realmID, g.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// DeleteGroup writes g as deleted, promotes the realm's new default group,
// removes the group's memberships and gives their users new defaults.
func (s *Store) DeleteGroup(ctx context.Context, realmID int64, g *directory.Group, promote int64, newDefaults map[int64]int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := writeGroup(ctx, tx, realmID, g); err != nil {
			return err
		}
		if promote != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE groups SET is_default = 1 WHERE realm_id = ? AND id = ? AND deleted_at IS NULL`, realmID, promote); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM group_memberships WHERE realm_id = ? AND group_id = ? RETURNING user_id`, realmID, g.ID)
		if err != nil {
			return err
		}
		var users []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			users = append(users, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
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
	return scanGroup(s.read.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE realm_id = ? AND id = ?`, realmID, id))
}

// GroupByName returns the active group with the name, case-insensitively.
func (s *Store) GroupByName(ctx context.Context, realmID int64, name string) (*directory.Group, error) {
	return scanGroup(s.read.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups
		WHERE realm_id = ? AND name_key = ? AND deleted_at IS NULL`, realmID, directory.FoldKey(name)))
}

// DefaultGroup returns the realm's default group.
func (s *Store) DefaultGroup(ctx context.Context, realmID int64) (*directory.Group, error) {
	return scanGroup(s.read.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups
		WHERE realm_id = ? AND is_default = 1 AND deleted_at IS NULL`, realmID))
}

// assignableMember is the condition on a membership m that its user may
// be assigned tickets: active and not suspended.
const assignableMember = `EXISTS (SELECT 1 FROM users u WHERE u.realm_id = m.realm_id AND u.id = m.user_id
	AND u.deleted_at IS NULL AND u.suspended = 0 AND u.role IN ('agent', 'admin'))`

func groupWhere(realmID int64, f directory.GroupFilter) (string, []any) {
	where := []string{"realm_id = ?", "deleted_at IS NULL"}
	args := []any{realmID}
	if f.UserID != 0 {
		where = append(where, "id IN (SELECT group_id FROM group_memberships WHERE realm_id = ? AND user_id = ?)")
		args = append(args, realmID, f.UserID)
	}
	if f.Assignable {
		where = append(where, "EXISTS (SELECT 1 FROM group_memberships m WHERE m.realm_id = groups.realm_id AND m.group_id = groups.id AND "+assignableMember+")")
	}
	return strings.Join(where, " AND "), args
}

// ListGroups returns one page of the realm's active groups matching f.
func (s *Store) ListGroups(ctx context.Context, realmID int64, f directory.GroupFilter, p directory.Page) ([]directory.Group, error) {
	where, args := groupWhere(realmID, f)
	query, args, backwards := keysetPage(`SELECT `+groupColumns+` FROM groups`, "id", where, args, p)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	if backwards {
		reverse(out)
	}
	return out, rows.Err()
}

// CountGroups counts the realm's active groups matching f.
func (s *Store) CountGroups(ctx context.Context, realmID int64, f directory.GroupFilter) (int64, error) {
	where, args := groupWhere(realmID, f)
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM groups WHERE `+where, args...).Scan(&n)
	return n, err
}

// setDefaultMembership makes membership id the only default one of user.
func setDefaultMembership(ctx context.Context, tx *sql.Tx, realmID, userID, id int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE group_memberships SET is_default = 0, updated_at = ?
		WHERE realm_id = ? AND user_id = ? AND is_default = 1 AND id <> ?`, at.Unix(), realmID, userID, id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE group_memberships SET is_default = 1, updated_at = ?
		WHERE realm_id = ? AND user_id = ? AND id = ?`, at.Unix(), realmID, userID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// mirrorDefaultGroup sets the user's default_group_id to the group of its
// default membership, or 0, touching the user only when it changes.
func mirrorDefaultGroup(ctx context.Context, tx *sql.Tx, realmID, userID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET default_group_id = g.id, updated_at = ?
		FROM (SELECT coalesce((SELECT group_id FROM group_memberships WHERE realm_id = ? AND user_id = ? AND is_default = 1), 0) AS id) AS g
		WHERE users.realm_id = ? AND users.id = ? AND users.default_group_id <> g.id`, at.Unix(), realmID, userID, realmID, userID)
	return err
}

// syncUserGroups keeps the memberships of u, just written, in line with
// it, inside the user write's transaction: an end user has none; a staff
// user's default membership is the one in u.DefaultGroupID, created if
// missing, or none when it is 0. wasStaff tells whether the row was an
// agent's or admin's before the write (false for a new user): otherwise
// the user has no memberships, and writes of end users, the most common
// by far, cost no statement here.
func syncUserGroups(ctx context.Context, tx *sql.Tx, realmID int64, u *directory.User, wasStaff bool) error {
	if u.Role == directory.RoleEndUser {
		if !wasStaff {
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM group_memberships WHERE realm_id = ? AND user_id = ?`, realmID, u.ID)
		return err
	}
	if u.DefaultGroupID == 0 {
		if !wasStaff {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE group_memberships SET is_default = 0, updated_at = ?
			WHERE realm_id = ? AND user_id = ? AND is_default = 1`, u.UpdatedAt.Unix(), realmID, u.ID)
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE group_memberships SET is_default = 0, updated_at = ?
		WHERE realm_id = ? AND user_id = ? AND is_default = 1 AND group_id <> ?`, u.UpdatedAt.Unix(), realmID, u.ID, u.DefaultGroupID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO group_memberships (realm_id, user_id, group_id, is_default, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, ?)
		ON CONFLICT (realm_id, user_id, group_id) DO UPDATE SET is_default = 1, updated_at = excluded.updated_at WHERE is_default = 0`,
		realmID, u.ID, u.DefaultGroupID, u.UpdatedAt.Unix(), u.UpdatedAt.Unix())
	return err
}

// CreateGroupMembership inserts m, making it the user's only default one
// when m.Default.
func (s *Store) CreateGroupMembership(ctx context.Context, realmID int64, m *directory.GroupMembership, at time.Time) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO group_memberships (realm_id, user_id, group_id, is_default, created_at, updated_at)
			VALUES (?, ?, ?, 0, ?, ?) RETURNING id`, realmID, m.UserID, m.GroupID, unix(m.CreatedAt), unix(m.UpdatedAt)).Scan(&m.ID); err != nil {
			return err
		}
		if !m.Default {
			return nil
		}
		if err := setDefaultMembership(ctx, tx, realmID, m.UserID, m.ID, at); err != nil {
			return err
		}
		return mirrorDefaultGroup(ctx, tx, realmID, m.UserID, at)
	})
	if err != nil {
		return groupError(err)
	}
	m.RealmID = realmID
	return nil
}

// DeleteGroupMembership removes a membership and promotes another.
func (s *Store) DeleteGroupMembership(ctx context.Context, realmID, userID, id, promote int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM group_memberships WHERE realm_id = ? AND user_id = ? AND id = ?`, realmID, userID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		if promote != 0 {
			if err := setDefaultMembership(ctx, tx, realmID, userID, promote, at); err != nil {
				return err
			}
		}
		return mirrorDefaultGroup(ctx, tx, realmID, userID, at)
	})
}

// SetDefaultGroupMembership makes a membership the user's default.
func (s *Store) SetDefaultGroupMembership(ctx context.Context, realmID, userID, id int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := setDefaultMembership(ctx, tx, realmID, userID, id, at); err != nil {
			return err
		}
		return mirrorDefaultGroup(ctx, tx, realmID, userID, at)
	})
}

// GroupMembershipByID returns a membership of the realm.
func (s *Store) GroupMembershipByID(ctx context.Context, realmID, id int64) (*directory.GroupMembership, error) {
	return scanGroupMembership(s.read.QueryRowContext(ctx, `SELECT `+groupMembershipColumns+` FROM group_memberships m
		WHERE realm_id = ? AND id = ?`, realmID, id))
}

func groupMembershipWhere(realmID int64, f directory.GroupMembershipFilter) (string, []any) {
	where := []string{"realm_id = ?"}
	args := []any{realmID}
	if f.UserID != 0 {
		where = append(where, "user_id = ?")
		args = append(args, f.UserID)
	}
	if f.GroupID != 0 {
		where = append(where, "group_id = ?")
		args = append(args, f.GroupID)
	}
	if f.Assignable {
		where = append(where, assignableMember)
	}
	return strings.Join(where, " AND "), args
}

// ListGroupMemberships returns one page of the memberships matching f.
func (s *Store) ListGroupMemberships(ctx context.Context, realmID int64, f directory.GroupMembershipFilter, p directory.Page) ([]directory.GroupMembership, error) {
	where, args := groupMembershipWhere(realmID, f)
	query, args, backwards := keysetPage(`SELECT `+groupMembershipColumns+` FROM group_memberships m`, "id", where, args, p)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.GroupMembership{}
	for rows.Next() {
		m, err := scanGroupMembership(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	if backwards {
		reverse(out)
	}
	return out, rows.Err()
}

// CountGroupMemberships counts the memberships matching f.
func (s *Store) CountGroupMemberships(ctx context.Context, realmID int64, f directory.GroupMembershipFilter) (int64, error) {
	where, args := groupMembershipWhere(realmID, f)
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM group_memberships m WHERE `+where, args...).Scan(&n)
	return n, err
}

// groupUsersWhere is userWhere narrowed to the members of a group.
func groupUsersWhere(realmID, groupID int64, f directory.UserFilter) (string, []any) {
	where, args := userWhere(realmID, f)
	where += " AND id IN (SELECT user_id FROM group_memberships WHERE realm_id = ? AND group_id = ?)"
	return where, append(args, realmID, groupID)
}

// ListGroupUsers returns one page of a group's users matching f.
func (s *Store) ListGroupUsers(ctx context.Context, realmID, groupID int64, f directory.UserFilter, p directory.Page) ([]directory.User, error) {
	where, args := groupUsersWhere(realmID, groupID, f)
	query, args, backwards := keysetPage(`SELECT `+userColumns+` FROM users`, "id", where, args, p)
	users, err := s.queryUsers(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	if backwards {
		reverse(users)
	}
	return users, nil
}

// CountGroupUsers counts a group's users matching f.
func (s *Store) CountGroupUsers(ctx context.Context, realmID, groupID int64, f directory.UserFilter) (int64, error) {
	where, args := groupUsersWhere(realmID, groupID, f)
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE `+where, args...).Scan(&n)
	return n, err
}
