package postgres

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// userColumns lists the users columns in the order scanUser reads them.
const userColumns = `id, realm_id, uuid, name, first_name, last_name, second_last_name, username,
	email, phone, shared_phone_number, external_id, alias, signature, details, notes, remote_photo_url,
	role, custom_role_id, default_group_id, organization_id, ticket_restriction, moderator, only_private_comments,
	time_zone, iana_time_zone, locale, locale_id, verified, suspended, tags, user_fields, password_hash,
	last_login_at, created_at, updated_at, deleted_at, erased`

// userWriteColumns are the columns insertUserSQL and updateUserSQL write,
// realm_id first; userArgs gives their values. Password hash and last login
// have methods of their own and are written only on insert (the last two
// columns), so an update from an older read cannot undo them.
// organization_id is written by neither: it mirrors the user's default
// membership (organization.go).
var userWriteColumns = []string{"realm_id", "uuid", "name", "first_name", "last_name", "second_last_name", "username",
	"email", "phone", "shared_phone_number", "external_id", "external_id_key", "alias", "signature", "details", "notes", "remote_photo_url",
	"role", "custom_role_id", "default_group_id", "ticket_restriction", "moderator", "only_private_comments",
	"time_zone", "iana_time_zone", "locale", "locale_id", "verified", "suspended", "tags", "user_fields",
	"created_at", "updated_at", "deleted_at", "erased", "search_text", "name_key", "password_hash", "last_login_at"}

// insertOnlyColumns is how many of userWriteColumns, at its end, only an
// insert writes.
const insertOnlyColumns = 2

// insertUserSQL writes every column of userWriteColumns ($1 is realm_id);
// updateUserSQL rewrites all but realm_id and the insert-only ones, finding
// the row by realm_id ($1) and id (the parameter after the last value).
var insertUserSQL, updateUserSQL = userWriteSQL()

func userWriteSQL() (insert, update string) {
	values := make([]string, len(userWriteColumns))
	var p params
	for i := range userWriteColumns {
		values[i] = p.add(nil)
	}
	insert = `INSERT INTO users (` + strings.Join(userWriteColumns, ", ") + `) VALUES (` + strings.Join(values, ", ") + `) RETURNING id`
	n := len(userWriteColumns) - insertOnlyColumns
	set := make([]string, 0, n)
	for i := 1; i < n; i++ { // realm_id is never rewritten
		set = append(set, userWriteColumns[i]+" = "+values[i])
	}
	update = `UPDATE users SET ` + strings.Join(set, ", ") + ` WHERE realm_id = $1 AND id = $` + strconv.Itoa(n+1)
	return insert, update
}

func scanUser(row pgx.CollectableRow) (directory.User, error) {
	var u directory.User
	var email, phone, externalID *string
	var role string
	var lastLogin, deleted *time.Time
	err := row.Scan(&u.ID, &u.RealmID, &u.UUID, &u.Name, &u.FirstName, &u.LastName, &u.SecondLastName, &u.Username,
		&email, &phone, &u.SharedPhoneNumber, &externalID, &u.Alias, &u.Signature, &u.Details, &u.Notes, &u.RemotePhotoURL,
		&role, &u.CustomRoleID, &u.DefaultGroupID, &u.OrganizationID, &u.TicketRestriction, &u.Moderator, &u.OnlyPrivateComments,
		&u.TimeZone, &u.IANATimeZone, &u.Locale, &u.LocaleID, &u.Verified, &u.Suspended, &u.Tags, &u.UserFields, &u.PasswordHash,
		&lastLogin, &u.CreatedAt, &u.UpdatedAt, &deleted, &u.Erased)
	if err != nil {
		return u, err
	}
	u.Email, u.Phone, u.ExternalID = fromNullText(email), fromNullText(phone), fromNullText(externalID)
	u.Role = directory.Role(role)
	if u.Tags == nil {
		u.Tags = []string{}
	}
	if u.UserFields == nil {
		u.UserFields = map[string]any{}
	}
	u.LastLoginAt, u.DeletedAt = fromNullTime(lastLogin), fromNullTime(deleted)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}

// userArgs returns the values of userWriteColumns for insertUserSQL;
// updateUserArgs those of updateUserSQL.
func userArgs(realmID int64, u *directory.User) []any {
	tags := u.Tags
	if tags == nil {
		tags = []string{}
	}
	fields := u.UserFields
	if fields == nil {
		fields = map[string]any{}
	}
	return []any{realmID, u.UUID, u.Name, u.FirstName, u.LastName, u.SecondLastName, u.Username,
		nullText(u.Email), nullText(u.Phone), u.SharedPhoneNumber, nullText(u.ExternalID), nullText(directory.FoldKey(u.ExternalID)),
		u.Alias, u.Signature, u.Details, u.Notes, u.RemotePhotoURL,
		string(u.Role), u.CustomRoleID, u.DefaultGroupID, u.TicketRestriction, u.Moderator, u.OnlyPrivateComments,
		u.TimeZone, u.IANATimeZone, u.Locale, u.LocaleID, u.Verified, u.Suspended, tags, fields,
		at(u.CreatedAt), at(u.UpdatedAt), nullTime(u.DeletedAt), u.Erased, directory.SearchText(realmID, u), directory.NameKey(u.Name),
		u.PasswordHash, nullTime(u.LastLoginAt)}
}

func updateUserArgs(realmID int64, u *directory.User) []any {
	args := userArgs(realmID, u)
	return append(args[:len(args)-insertOnlyColumns], u.ID)
}

// CreateUser inserts u, its identities and its count in one transaction.
func (s *Store) CreateUser(ctx context.Context, realmID int64, u *directory.User, ids []directory.Identity) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		counts, err := insertUser(ctx, tx, realmID, u, ids)
		if err != nil {
			return err
		}
		// The counter comes last: its row is shared by every write to the
		// realm, so it stays locked only from here to the commit.
		return addCounts(ctx, tx, realmID, counts...)
	})
}

// insertUser is CreateUser's work inside tx, shared with the job path; it
// returns the counter change for the caller to apply last.
func insertUser(ctx context.Context, tx pgx.Tx, realmID int64, u *directory.User, ids []directory.Identity) ([]count, error) {
	if err := tx.QueryRow(ctx, insertUserSQL, userArgs(realmID, u)...).Scan(&u.ID); err != nil {
		return nil, err
	}
	u.RealmID = realmID
	for i := range ids {
		ids[i].UserID, ids[i].RealmID = u.ID, realmID
		if err := insertIdentity(ctx, tx, &ids[i]); err != nil {
			return nil, err
		}
	}
	if u.OrganizationID != 0 {
		if err := setUserOrganization(ctx, tx, realmID, u.ID, u.OrganizationID, u.CreatedAt); err != nil {
			return nil, err
		}
	}
	if err := syncUserGroups(ctx, tx, realmID, u, false); err != nil {
		return nil, err
	}
	return []count{countOf(u, 1)}, nil
}

func insertIdentity(ctx context.Context, tx pgx.Tx, id *directory.Identity) error {
	return tx.QueryRow(ctx, `INSERT INTO identities (realm_id, user_id, type, value, verified, is_primary, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		id.RealmID, id.UserID, id.Type, id.Value, id.Verified, id.Primary, at(id.CreatedAt), at(id.UpdatedAt)).Scan(&id.ID)
}

// count is a change of one counter of user_counts.
type count struct {
	role         string
	customRoleID int64
	deleted      bool
	delta        int64
}

// countOf is the change of delta to the counter u belongs to.
func countOf(u *directory.User, delta int64) count {
	return count{role: string(u.Role), customRoleID: u.CustomRoleID, deleted: !u.Active(), delta: delta}
}

// addCounts applies changes to user_counts. It upserts the rows in key
// order, so that two transactions moving users in opposite directions lock
// them in the same order and never deadlock.
func addCounts(ctx context.Context, tx pgx.Tx, realmID int64, changes ...count) error {
	slices.SortFunc(changes, func(a, b count) int {
		return cmp.Or(strings.Compare(a.role, b.role), cmp.Compare(a.customRoleID, b.customRoleID), compareBool(a.deleted, b.deleted))
	})
	for _, c := range changes {
		if _, err := tx.Exec(ctx, `INSERT INTO user_counts AS c (realm_id, role, custom_role_id, deleted, n) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (realm_id, role, custom_role_id, deleted) DO UPDATE SET n = c.n + excluded.n`,
			realmID, c.role, c.customRoleID, c.deleted, c.delta); err != nil {
			return err
		}
	}
	return nil
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// lockCount locks the user's row until the end of tx and returns the
// counter it is in now. Counters move from what is stored, not from what
// the caller read earlier, so concurrent writes to one user (on several
// nodes) count each change once.
func lockCount(ctx context.Context, tx pgx.Tx, realmID, id int64) (count, error) {
	var c count
	err := tx.QueryRow(ctx, `SELECT role, custom_role_id, deleted_at IS NOT NULL FROM users WHERE realm_id = $1 AND id = $2 FOR UPDATE`,
		realmID, id).Scan(&c.role, &c.customRoleID, &c.deleted)
	return c, err
}

// writeUser locks and rewrites the row of u. It returns the counter changes
// that move u to its new counter when its role, custom role or deletion
// changed, for the caller to apply last (see CreateUser).
func writeUser(ctx context.Context, tx pgx.Tx, realmID int64, u *directory.User) ([]count, error) {
	old, err := lockCount(ctx, tx, realmID, u.ID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, updateUserSQL, updateUserArgs(realmID, u)...); err != nil {
		return nil, err
	}
	next := countOf(u, 1)
	if next.role == old.role && next.customRoleID == old.customRoleID && next.deleted == old.deleted {
		return nil, nil
	}
	old.delta = -1
	return []count{old, next}, nil
}

// UpdateUser writes u, applies the identity change and moves u between
// counters, in one transaction.
func (s *Store) UpdateUser(ctx context.Context, realmID int64, u *directory.User, change directory.IdentityChange) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		moves, err := updateUser(ctx, tx, realmID, u, change)
		if err != nil {
			return err
		}
		return addCounts(ctx, tx, realmID, moves...)
	})
}

// updateUser is UpdateUser's work inside tx, shared with the job path; it
// returns the counter moves for the caller to apply last.
func updateUser(ctx context.Context, tx pgx.Tx, realmID int64, u *directory.User, change directory.IdentityChange) ([]count, error) {
	moves, err := writeUser(ctx, tx, realmID, u)
	if err != nil {
		return nil, err
	}
	for _, id := range change.Delete {
		if _, err := tx.Exec(ctx, `DELETE FROM identities WHERE realm_id = $1 AND user_id = $2 AND id = $3`, realmID, u.ID, id); err != nil {
			return nil, err
		}
	}
	for _, id := range change.Update {
		if _, err := tx.Exec(ctx, `UPDATE identities SET value = $1, verified = $2, is_primary = $3, updated_at = $4
			WHERE realm_id = $5 AND user_id = $6 AND id = $7`, id.Value, id.Verified, id.Primary, at(id.UpdatedAt), realmID, u.ID, id.ID); err != nil {
			return nil, err
		}
	}
	for i := range change.Add {
		change.Add[i].UserID, change.Add[i].RealmID = u.ID, realmID
		if err := insertIdentity(ctx, tx, &change.Add[i]); err != nil {
			return nil, err
		}
	}
	if change.Organization != nil {
		if err := setUserOrganization(ctx, tx, realmID, u.ID, *change.Organization, u.UpdatedAt); err != nil {
			return nil, err
		}
	}
	if err := syncUserGroups(ctx, tx, realmID, u, wasStaff(u, moves)); err != nil {
		return nil, err
	}
	return moves, nil
}

// EraseUser overwrites the user with its erased form and removes its
// identities and credentials. Like UpdateUser it moves the user between
// counters if the erased form is counted elsewhere (the erased form keeps
// no custom role).
func (s *Store) EraseUser(ctx context.Context, realmID int64, u *directory.User) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		moves, err := writeUser(ctx, tx, realmID, u)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = '', last_login_at = NULL WHERE realm_id = $1 AND id = $2`, realmID, u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM identities WHERE realm_id = $1 AND user_id = $2`, realmID, u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM access_tokens WHERE realm_id = $1 AND user_id = $2`, realmID, u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM group_memberships WHERE realm_id = $1 AND user_id = $2`, realmID, u.ID); err != nil {
			return err
		}
		return addCounts(ctx, tx, realmID, moves...)
	})
}

// UserByID returns the user id of the realm.
func (s *Store) UserByID(ctx context.Context, realmID, id int64) (*directory.User, error) {
	return one(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users WHERE realm_id = $1 AND id = $2`, realmID, id)
}

// UserByIdentity returns the owner of an identity, compared case-insensitively.
func (s *Store) UserByIdentity(ctx context.Context, realmID int64, typ, value string) (*directory.User, error) {
	return one(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users WHERE realm_id = $1 AND id =
		(SELECT user_id FROM identities WHERE realm_id = $1 AND type = $2 AND lower(value) = lower($3))`, realmID, typ, value)
}

// UsersWithPassword returns the users of any realm that own the email and
// may sign in with a password, by id.
func (s *Store) UsersWithPassword(ctx context.Context, email string, limit int) ([]directory.User, error) {
	return all(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users
		WHERE deleted_at IS NULL AND NOT suspended AND password_hash <> ''
		AND realm_id IN (SELECT id FROM realms WHERE deleted_at IS NULL) AND id IN
		(SELECT user_id FROM identities WHERE type = 'email' AND lower(value) = lower($1)) ORDER BY id LIMIT $2`, email, limitArg(limit))
}

// UserByExternalID returns the user with the external id, compared
// case-insensitively.
func (s *Store) UserByExternalID(ctx context.Context, realmID int64, externalID string) (*directory.User, error) {
	return one(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users
		WHERE realm_id = $1 AND external_id_key = $2`, realmID, directory.FoldKey(externalID))
}

// UsersByIDs returns the users among ids, ordered by id.
func (s *Store) UsersByIDs(ctx context.Context, realmID int64, ids []int64) ([]directory.User, error) {
	if len(ids) == 0 {
		return []directory.User{}, nil
	}
	return all(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users WHERE realm_id = $1 AND id = ANY ($2) ORDER BY id`, realmID, ids)
}

// UsersByExternalIDs returns the users among externalIDs, compared
// case-insensitively, ordered by id.
func (s *Store) UsersByExternalIDs(ctx context.Context, realmID int64, externalIDs []string) ([]directory.User, error) {
	if len(externalIDs) == 0 {
		return []directory.User{}, nil
	}
	keys := make([]string, len(externalIDs))
	for i, x := range externalIDs {
		keys[i] = directory.FoldKey(x)
	}
	return all(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users WHERE realm_id = $1
		AND external_id_key = ANY ($2) ORDER BY id`, realmID, keys)
}

// roleCond is the condition on role of a filter on roles. One role is an
// equality, so that an index on (realm_id, role, id) also gives the order
// by id; several are role = ANY ($n).
func roleCond(p *params, roles []directory.Role) string {
	if len(roles) == 1 {
		return "role = " + p.add(string(roles[0]))
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return "role = ANY (" + p.add(names) + ")"
}

// userWhere builds the WHERE clause of a filter.
func userWhere(p *params, realmID int64, f directory.UserFilter) string {
	where := []string{"realm_id = " + p.add(realmID)}
	if f.Deleted {
		where = append(where, "deleted_at IS NOT NULL")
	} else {
		where = append(where, "deleted_at IS NULL")
	}
	if len(f.Roles) > 0 {
		where = append(where, roleCond(p, f.Roles))
	}
	if f.CustomRoleID != 0 {
		where = append(where, "custom_role_id = "+p.add(f.CustomRoleID))
	}
	if f.ExternalID != "" {
		where = append(where, "external_id_key = "+p.add(directory.FoldKey(f.ExternalID)))
	}
	return strings.Join(where, " AND ")
}

// limitArg is the argument of LIMIT: a negative limit means none (LIMIT
// NULL), as LIMIT -1 does in SQLite.
func limitArg(limit int) any {
	if limit < 0 {
		return nil
	}
	return limit
}

// ListUsers returns one page of the users matching f, ordered by id. Keyset
// pages seek on the id index; offset pages skip rows.
func (s *Store) ListUsers(ctx context.Context, realmID int64, f directory.UserFilter, pg directory.Page) ([]directory.User, error) {
	var p params
	where := userWhere(&p, realmID, f)
	desc := pg.Descending
	switch {
	case pg.AfterID != 0 && !desc, pg.BeforeID != 0 && desc:
		where += " AND id > " + p.add(max(pg.AfterID, pg.BeforeID))
	case pg.AfterID != 0 && desc, pg.BeforeID != 0 && !desc:
		where += " AND id < " + p.add(max(pg.AfterID, pg.BeforeID))
	}
	// A "before" page is read backwards from the cursor, then turned round.
	backwards := pg.BeforeID != 0
	order := "ASC"
	if desc != backwards {
		order = "DESC"
	}
	query := `SELECT ` + userColumns + ` FROM users WHERE ` + where + ` ORDER BY id ` + order + ` LIMIT ` + p.add(limitArg(pg.Limit))
	if pg.Offset > 0 && pg.AfterID == 0 && pg.BeforeID == 0 {
		query += ` OFFSET ` + p.add(pg.Offset)
	}
	users, err := all(ctx, s.pool, scanUser, query, p...)
	if err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(users)
	}
	return users, nil
}

// CountUsers counts the users matching f: from the counters when the filter
// is on role, custom role and deletion only, else by an indexed count.
func (s *Store) CountUsers(ctx context.Context, realmID int64, f directory.UserFilter) (int64, error) {
	var p params
	var n int64
	if f.ExternalID != "" {
		where := userWhere(&p, realmID, f)
		err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE `+where, p...).Scan(&n)
		return n, err
	}
	where := []string{"realm_id = " + p.add(realmID), "deleted = " + p.add(f.Deleted)}
	if len(f.Roles) > 0 {
		where = append(where, roleCond(&p, f.Roles))
	}
	if f.CustomRoleID != 0 {
		where = append(where, "custom_role_id = "+p.add(f.CustomRoleID))
	}
	err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(n), 0)::bigint FROM user_counts WHERE `+strings.Join(where, " AND "), p...).Scan(&n)
	return n, err
}

func scanIdentity(row pgx.CollectableRow) (directory.Identity, error) {
	var id directory.Identity
	err := row.Scan(&id.ID, &id.RealmID, &id.UserID, &id.Type, &id.Value, &id.Verified, &id.Primary, &id.CreatedAt, &id.UpdatedAt)
	id.CreatedAt, id.UpdatedAt = id.CreatedAt.UTC(), id.UpdatedAt.UTC()
	return id, err
}

// IdentitiesByUser returns the user's identities, primary first, then by id.
func (s *Store) IdentitiesByUser(ctx context.Context, realmID, userID int64) ([]directory.Identity, error) {
	return all(ctx, s.pool, scanIdentity, `SELECT id, realm_id, user_id, type, value, verified, is_primary, created_at, updated_at
		FROM identities WHERE realm_id = $1 AND user_id = $2 ORDER BY is_primary DESC, id`, realmID, userID)
}

// SetPasswordHash replaces the user's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, realmID, userID int64, hash string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE realm_id = $2 AND id = $3`, hash, realmID, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// TouchLogin records the user's last sign-in or API call. Like the SQLite
// store it does not report a missing user.
func (s *Store) TouchLogin(ctx context.Context, realmID, userID int64, t time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET last_login_at = $1 WHERE realm_id = $2 AND id = $3`, nullTime(t), realmID, userID)
		return err
	})
}
