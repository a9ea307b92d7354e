package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clientele/clientele/internal/directory"
)

// userColumns lists the users columns in the order scanUser reads them.
const userColumns = `id, realm_id, uuid, name, first_name, last_name, second_last_name, username,
	email, phone, shared_phone_number, external_id, alias, signature, details, notes, remote_photo_url,
	role, custom_role_id, default_group_id, organization_id, ticket_restriction, moderator, only_private_comments,
	time_zone, iana_time_zone, locale, locale_id, verified, suspended, tags, user_fields, password_hash,
	last_login_at, created_at, updated_at, deleted_at, erased`

type scanner interface{ Scan(...any) error }

func scanUser(row scanner) (*directory.User, error) {
	var u directory.User
	var email, phone, externalID sql.NullString
	var role, tags, fields string
	var lastLogin, created, updated, deleted sql.NullInt64
	err := row.Scan(&u.ID, &u.RealmID, &u.UUID, &u.Name, &u.FirstName, &u.LastName, &u.SecondLastName, &u.Username,
		&email, &phone, &u.SharedPhoneNumber, &externalID, &u.Alias, &u.Signature, &u.Details, &u.Notes, &u.RemotePhotoURL,
		&role, &u.CustomRoleID, &u.DefaultGroupID, &u.OrganizationID, &u.TicketRestriction, &u.Moderator, &u.OnlyPrivateComments,
		&u.TimeZone, &u.IANATimeZone, &u.Locale, &u.LocaleID, &u.Verified, &u.Suspended, &tags, &fields, &u.PasswordHash,
		&lastLogin, &created, &updated, &deleted, &u.Erased)
	if err != nil {
		return nil, mapError(err)
	}
	u.Email, u.Phone, u.ExternalID = email.String, phone.String, externalID.String
	if err := finishUser(&u, role, tags, fields, lastLogin, created, updated, deleted); err != nil {
		return nil, err
	}
	return &u, nil
}

// finishUser sets the fields of u that are not stored as they are read:
// the role, the tags and custom fields (JSON text) and the times (Unix
// seconds, NULL for none). Both scanUser and decodePackedUser end with it.
func finishUser(u *directory.User, role, tags, fields string, lastLogin, created, updated, deleted sql.NullInt64) error {
	u.Role = directory.Role(role)
	var err error
	if u.Tags, err = decodeTags(tags); err != nil {
		return fmt.Errorf("sqlite: user %d tags: %w", u.ID, err)
	}
	if fields != "{}" {
		if err := json.Unmarshal([]byte(fields), &u.UserFields); err != nil {
			return fmt.Errorf("sqlite: user %d user_fields: %w", u.ID, err)
		}
	}
	if u.UserFields == nil {
		u.UserFields = map[string]any{}
	}
	u.LastLoginAt, u.CreatedAt, u.UpdatedAt, u.DeletedAt = fromUnix(lastLogin), fromUnix(created), fromUnix(updated), fromUnix(deleted)
	return nil
}

// userPacked is userColumns as one value: a JSON array SQLite writes, in
// userColumns' order. The driver (modernc.org/sqlite) costs about half a
// microsecond per result column and query (a name, a declared type, a type
// and a value, each a call into SQLite under the connection's mutex, and
// database/sql's conversion), so a user read as one text costs less: a
// point read by id took 29 µs of CPU and 23 allocations, against 40 µs
// and 140 column by column (100,000 users). SQLite escapes only ", \ and
// the control characters in a string and passes every other byte through,
// invalid UTF-8 included, so decodePackedUser gets back exactly the text
// scanUser would read. It relies on the text columns holding TEXT: the
// store never binds []byte to them, and SQLite would read a BLOB as JSONB.
const userPacked = `json_array(` + userColumns + `)`

// readUser reads the one user matching where (a condition on users with
// its arguments) from its packed row, and falls back to scanUser, which
// also reports the error, when the query fails or the row holds anything
// decodePackedUser does not read exactly as scanUser would.
func (s *Store) readUser(ctx context.Context, where string, args ...any) (*directory.User, error) {
	// The read is one indexed row, done in microseconds, so it is not worth
	// interrupting: with a cancellable context (every request's) both
	// database/sql and modernc.org/sqlite start a goroutine per query to
	// watch it, and modernc installs a progress handler, which cost a fifth
	// of a point read's CPU (35.6 against 28.8 us). The context's values
	// stay: a read inside a bulk load still goes through the load's
	// connection.
	ctx = context.WithoutCancel(ctx)
	var packed string
	err := s.read.QueryRowContext(ctx, `SELECT `+userPacked+` FROM users WHERE `+where, args...).Scan(&packed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, directory.ErrNotFound
	}
	if err == nil {
		if u, ok, err := decodePackedUser(packed); ok {
			return u, err
		}
	}
	return scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, args...))
}

// decodePackedUser reads a userPacked value as scanUser reads the columns.
// ok is false when the value holds something it does not read the same way
// (a NULL or a string where scanUser wants a number, a real number, an
// escape it does not know): the caller reads the row column by column.
// Strings are slices of packed unless they hold an escape.
func decodePackedUser(packed string) (_ *directory.User, ok bool, _ error) {
	d := packedDecoder{s: packed, ok: strings.HasPrefix(packed, "[")}
	var u directory.User
	u.ID, u.RealmID, u.UUID = d.int(), d.int(), d.str()
	u.Name, u.FirstName, u.LastName, u.SecondLastName, u.Username = d.str(), d.str(), d.str(), d.str(), d.str()
	u.Email, u.Phone, u.SharedPhoneNumber, u.ExternalID = d.nullStr(), d.nullStr(), d.bool(), d.nullStr()
	u.Alias, u.Signature, u.Details, u.Notes, u.RemotePhotoURL = d.str(), d.str(), d.str(), d.str(), d.str()
	role := d.str()
	u.CustomRoleID, u.DefaultGroupID, u.OrganizationID = d.int(), d.int(), d.int()
	u.TicketRestriction, u.Moderator, u.OnlyPrivateComments = d.str(), d.bool(), d.bool()
	u.TimeZone, u.IANATimeZone, u.Locale, u.LocaleID = d.str(), d.str(), d.str(), int(d.int())
	u.Verified, u.Suspended = d.bool(), d.bool()
	tags, fields := d.str(), d.str()
	u.PasswordHash = d.str()
	lastLogin, created, updated, deleted := d.nullInt(), d.nullInt(), d.nullInt(), d.nullInt()
	u.Erased = d.bool()
	if !d.ok || d.i != len(d.s)-1 || d.s[d.i] != ']' {
		return nil, false, nil
	}
	if err := finishUser(&u, role, tags, fields, lastLogin, created, updated, deleted); err != nil {
		return nil, true, err
	}
	return &u, true, nil
}

// packedDecoder reads the elements of a JSON array as SQLite's json_array
// writes it (no white space): each read consumes the separator before the
// element ('[' or ','), and sets ok false on anything unexpected.
type packedDecoder struct {
	s  string
	i  int // the separator before the next element
	ok bool
}

// next returns the next element's text: a string's contents (unescaped),
// a number's digits, or "null" with null set.
func (d *packedDecoder) next() (text string, kind byte) {
	if !d.ok || d.i >= len(d.s) || (d.s[d.i] != '[' && d.s[d.i] != ',') {
		d.ok = false
		return "", 0
	}
	start := d.i + 1
	if start >= len(d.s) {
		d.ok = false
		return "", 0
	}
	switch c := d.s[start]; {
	case c == '"':
		for j := start + 1; j < len(d.s); j++ {
			switch d.s[j] {
			case '"':
				d.i = j + 1
				return d.s[start+1 : j], 's'
			case '\\':
				return d.escaped(start + 1)
			}
		}
	case c == 'n':
		if strings.HasPrefix(d.s[start:], "null") {
			d.i = start + 4
			return "", 'n'
		}
	case c == '-' || c >= '0' && c <= '9':
		j := start + 1
		for j < len(d.s) && d.s[j] >= '0' && d.s[j] <= '9' {
			j++
		}
		d.i = j
		return d.s[start:j], 'i'
	}
	d.ok = false
	return "", 0
}

// escaped unescapes the string starting at from, which holds a backslash.
func (d *packedDecoder) escaped(from int) (string, byte) {
	b := make([]byte, 0, 64)
	for j := from; j < len(d.s); j++ {
		c := d.s[j]
		switch c {
		case '"':
			d.i = j + 1
			return string(b), 's'
		case '\\':
		default:
			b = append(b, c)
			continue
		}
		if j+1 >= len(d.s) {
			break
		}
		j++
		switch d.s[j] {
		case '"', '\\', '/':
			b = append(b, d.s[j])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			// SQLite writes \u00XX for the other control characters;
			// anything beyond ASCII (a surrogate, say) is left to scanUser.
			if j+4 >= len(d.s) {
				d.ok = false
				return "", 0
			}
			v, err := strconv.ParseUint(d.s[j+1:j+5], 16, 16)
			if err != nil || v >= utf8.RuneSelf {
				d.ok = false
				return "", 0
			}
			b = append(b, byte(v))
			j += 4
		default:
			d.ok = false
			return "", 0
		}
	}
	d.ok = false
	return "", 0
}

// str reads a string that scanUser reads into a string: NULL is not one.
func (d *packedDecoder) str() string {
	s, kind := d.next()
	if kind != 's' {
		d.ok = false
	}
	return s
}

// nullStr reads a string or NULL (""), as a sql.NullString.
func (d *packedDecoder) nullStr() string {
	s, kind := d.next()
	if kind != 's' && kind != 'n' {
		d.ok = false
	}
	return s
}

// int reads an integer; the number must end there (no fraction or
// exponent) and fit an int64.
func (d *packedDecoder) int() int64 {
	s, kind := d.next()
	if kind != 'i' {
		d.ok = false
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.ok = false
	}
	return v
}

// nullInt reads an integer or NULL, as a sql.NullInt64.
func (d *packedDecoder) nullInt() sql.NullInt64 {
	s, kind := d.next()
	if kind == 'n' {
		return sql.NullInt64{}
	}
	if kind != 'i' {
		d.ok = false
		return sql.NullInt64{}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.ok = false
	}
	return sql.NullInt64{Int64: v, Valid: true}
}

// bool reads 0 or 1, the only integers database/sql converts to a bool.
func (d *packedDecoder) bool() bool {
	s, kind := d.next()
	if kind != 'i' || (s != "0" && s != "1") {
		d.ok = false
	}
	return s == "1"
}

// decodeTags reads the tags column, a JSON array of strings as
// json.Marshal writes it. Pages of users read a hundred of them, so the
// common form, strings with nothing escaped (no backslash anywhere), is
// split without encoding/json's reflection; anything else goes through
// json.Unmarshal.
func decodeTags(s string) ([]string, error) {
	if s == "[]" {
		return []string{}, nil
	}
	if inner, ok := strings.CutPrefix(s, `["`); ok && strings.IndexByte(s, '\\') < 0 {
		if inner, ok = strings.CutSuffix(inner, `"]`); ok {
			tags := strings.Split(inner, `","`)
			plain := true
			for _, t := range tags {
				// A quote left in a piece means the text was not
				// json.Marshal's (white space between elements, say).
				plain = plain && strings.IndexByte(t, '"') < 0
			}
			if plain {
				return tags, nil
			}
		}
	}
	var tags []string
	if err := json.Unmarshal([]byte(s), &tags); err != nil {
		return nil, err
	}
	if tags == nil {
		tags = []string{}
	}
	return tags, nil
}

// userWrite returns the columns a write stores and their values, realm_id
// first. Password hash and last login have methods of their own and are
// written only on insert, so an update from an older read cannot undo
// them. organization_id mirrors the user's default membership
// (organization.go): only an insert writes it, the organization the user
// is created in, whose membership the same transaction writes
// (insertUser, insertNewMemberships).
func userWrite(realmID int64, u *directory.User, insert bool) ([]string, []any, error) {
	tags, err := json.Marshal(u.Tags)
	if err != nil {
		return nil, nil, err
	}
	if u.Tags == nil {
		tags = []byte("[]")
	}
	fields, err := json.Marshal(u.UserFields)
	if err != nil {
		return nil, nil, err
	}
	if u.UserFields == nil {
		fields = []byte("{}")
	}
	cols := []string{"realm_id", "uuid", "name", "first_name", "last_name", "second_last_name", "username",
		"email", "phone", "shared_phone_number", "external_id", "external_id_key", "alias", "signature", "details", "notes", "remote_photo_url",
		"role", "custom_role_id", "default_group_id", "ticket_restriction", "moderator", "only_private_comments",
		"time_zone", "iana_time_zone", "locale", "locale_id", "verified", "suspended", "tags", "user_fields",
		"created_at", "updated_at", "deleted_at", "erased", "search_text", "name_key"}
	vals := []any{realmID, u.UUID, u.Name, u.FirstName, u.LastName, u.SecondLastName, u.Username,
		nullText(u.Email), nullText(u.Phone), u.SharedPhoneNumber, nullText(u.ExternalID), nullText(directory.FoldKey(u.ExternalID)),
		u.Alias, u.Signature, u.Details, u.Notes, u.RemotePhotoURL,
		string(u.Role), u.CustomRoleID, u.DefaultGroupID, u.TicketRestriction, u.Moderator, u.OnlyPrivateComments,
		u.TimeZone, u.IANATimeZone, u.Locale, u.LocaleID, u.Verified, u.Suspended, string(tags), string(fields),
		unix(u.CreatedAt), unix(u.UpdatedAt), unix(u.DeletedAt), u.Erased, directory.SearchText(realmID, u),
		directory.NameKey(u.Name)}
	if insert {
		cols = append(cols, "password_hash", "last_login_at", "organization_id")
		vals = append(vals, u.PasswordHash, unix(u.LastLoginAt), u.OrganizationID)
	}
	return cols, vals, nil
}

// CreateUser inserts u, its identities and its count in one transaction.
func (s *Store) CreateUser(ctx context.Context, realmID int64, u *directory.User, ids []directory.Identity) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return insertUser(ctx, tx, realmID, u, ids) })
}

// insertUser is CreateUser's work inside tx, shared with the job path.
func insertUser(ctx context.Context, tx *sql.Tx, realmID int64, u *directory.User, ids []directory.Identity) error {
	cols, vals, err := userWrite(realmID, u, true)
	if err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO users (`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(len(vals))+`) RETURNING id`,
		vals...).Scan(&u.ID)
	if err != nil {
		return err
	}
	u.RealmID = realmID
	for i := range ids {
		ids[i].UserID, ids[i].RealmID = u.ID, realmID
		if err := insertIdentity(ctx, tx, &ids[i]); err != nil {
			return err
		}
	}
	if u.OrganizationID != 0 {
		if err := setUserOrganization(ctx, tx, realmID, u.ID, u.OrganizationID, u.CreatedAt); err != nil {
			return err
		}
	}
	if err := syncUserGroups(ctx, tx, realmID, u, false); err != nil {
		return err
	}
	return addCount(ctx, tx, realmID, u, 1)
}

func insertIdentity(ctx context.Context, tx *sql.Tx, id *directory.Identity) error {
	return tx.QueryRowContext(ctx, `INSERT INTO identities (realm_id, user_id, type, value, verified, is_primary, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		id.RealmID, id.UserID, id.Type, id.Value, id.Verified, id.Primary, id.CreatedAt.Unix(), id.UpdatedAt.Unix()).Scan(&id.ID)
}

// addCount moves the counter of u's role, custom role and deletion state
// by delta.
func addCount(ctx context.Context, tx *sql.Tx, realmID int64, u *directory.User, delta int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_counts (realm_id, role, custom_role_id, deleted, n) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (realm_id, role, custom_role_id, deleted) DO UPDATE SET n = n + excluded.n`,
		realmID, string(u.Role), u.CustomRoleID, !u.Active(), delta)
	return err
}

// UpdateUser writes u, applies the identity change and moves u between
// counters, in one transaction.
func (s *Store) UpdateUser(ctx context.Context, realmID int64, u *directory.User, change directory.IdentityChange) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return updateUser(ctx, tx, realmID, u, change) })
}

// updateUser is UpdateUser's work inside tx, shared with the job path.
func updateUser(ctx context.Context, tx *sql.Tx, realmID int64, u *directory.User, change directory.IdentityChange) error {
	old, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE realm_id = ? AND id = ?`, realmID, u.ID))
	if err != nil {
		return err
	}
	if err := updateUserRow(ctx, tx, realmID, u); err != nil {
		return err
	}
	for _, id := range change.Delete {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identities WHERE realm_id = ? AND user_id = ? AND id = ?`, realmID, u.ID, id); err != nil {
			return err
		}
	}
	for _, id := range change.Update {
		if _, err := tx.ExecContext(ctx, `UPDATE identities SET value = ?, verified = ?, is_primary = ?, updated_at = ?
			WHERE realm_id = ? AND user_id = ? AND id = ?`, id.Value, id.Verified, id.Primary, id.UpdatedAt.Unix(), realmID, u.ID, id.ID); err != nil {
			return err
		}
	}
	for i := range change.Add {
		change.Add[i].UserID, change.Add[i].RealmID = u.ID, realmID
		if err := insertIdentity(ctx, tx, &change.Add[i]); err != nil {
			return err
		}
	}
	if change.Organization != nil {
		if err := setUserOrganization(ctx, tx, realmID, u.ID, *change.Organization, u.UpdatedAt); err != nil {
			return err
		}
	}
	if err := syncUserGroups(ctx, tx, realmID, u, old.Role.Staff()); err != nil {
		return err
	}
	return moveCount(ctx, tx, realmID, old, u)
}

// moveCount moves a user from the counter of its old row to the counter of
// its new one, when role, custom role or deletion changed.
func moveCount(ctx context.Context, tx *sql.Tx, realmID int64, old, u *directory.User) error {
	if old.Role == u.Role && old.CustomRoleID == u.CustomRoleID && old.Active() == u.Active() {
		return nil
	}
	if err := addCount(ctx, tx, realmID, old, -1); err != nil {
		return err
	}
	return addCount(ctx, tx, realmID, u, 1)
}

func updateUserRow(ctx context.Context, tx *sql.Tx, realmID int64, u *directory.User) error {
	cols, vals, err := userWrite(realmID, u, false)
	if err != nil {
		return err
	}
	set := make([]string, 0, len(cols))
	for _, c := range cols[1:] { // realm_id never changes
		set = append(set, c+" = ?")
	}
	res, err := tx.ExecContext(ctx, `UPDATE users SET `+strings.Join(set, ", ")+` WHERE realm_id = ? AND id = ?`,
		append(vals[1:], realmID, u.ID)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// EraseUser overwrites the user with its erased form, removes its
// password, identities and credentials, and moves its count if the erased
// form is counted elsewhere.
func (s *Store) EraseUser(ctx context.Context, realmID int64, u *directory.User) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE realm_id = ? AND id = ?`, realmID, u.ID))
		if err != nil {
			return err
		}
		if err := updateUserRow(ctx, tx, realmID, u); err != nil {
			return err
		}
		for _, stmt := range []string{
			`UPDATE users SET password_hash = '', last_login_at = NULL WHERE realm_id = ? AND id = ?`,
			`DELETE FROM identities WHERE realm_id = ? AND user_id = ?`,
			`DELETE FROM access_tokens WHERE realm_id = ? AND user_id = ?`,
			`DELETE FROM group_memberships WHERE realm_id = ? AND user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, stmt, realmID, u.ID); err != nil {
				return err
			}
		}
		return moveCount(ctx, tx, realmID, old, u)
	})
}

// UserByID returns the user id of the realm.
func (s *Store) UserByID(ctx context.Context, realmID, id int64) (*directory.User, error) {
	return s.readUser(ctx, `realm_id = ? AND id = ?`, realmID, id)
}

// UserByIdentity returns the owner of an identity, compared case-insensitively.
func (s *Store) UserByIdentity(ctx context.Context, realmID int64, typ, value string) (*directory.User, error) {
	return s.readUser(ctx, `realm_id = ? AND id =
		(SELECT user_id FROM identities WHERE realm_id = ? AND type = ? AND lower(value) = lower(?))`, realmID, realmID, typ, value)
}

// UsersWithPassword returns the users of any realm that own the email and
// may sign in with a password.
func (s *Store) UsersWithPassword(ctx context.Context, email string, limit int) ([]directory.User, error) {
	return s.readUsers(ctx, `FROM users
		WHERE deleted_at IS NULL AND suspended = 0 AND password_hash <> ''
		AND realm_id IN (SELECT id FROM realms WHERE deleted_at IS NULL) AND id IN
		(SELECT user_id FROM identities WHERE type = 'email' AND lower(value) = lower(?)) ORDER BY id LIMIT ?`, email, limit)
}

// UserByExternalID returns the user with the external id, compared
// case-insensitively.
func (s *Store) UserByExternalID(ctx context.Context, realmID int64, externalID string) (*directory.User, error) {
	return s.readUser(ctx, `realm_id = ? AND external_id_key = ?`, realmID, directory.FoldKey(externalID))
}

// UsersByIDs returns the users among ids, ordered by id.
func (s *Store) UsersByIDs(ctx context.Context, realmID int64, ids []int64) ([]directory.User, error) {
	if len(ids) == 0 {
		return []directory.User{}, nil
	}
	args := []any{realmID}
	for _, id := range ids {
		args = append(args, id)
	}
	return s.readUsers(ctx, `FROM users WHERE realm_id = ? AND id IN (`+placeholders(len(ids))+`) ORDER BY id`, args...)
}

// UsersByExternalIDs returns the users among externalIDs, ordered by id.
func (s *Store) UsersByExternalIDs(ctx context.Context, realmID int64, externalIDs []string) ([]directory.User, error) {
	if len(externalIDs) == 0 {
		return []directory.User{}, nil
	}
	args := []any{realmID}
	for _, x := range externalIDs {
		args = append(args, directory.FoldKey(x))
	}
	return s.readUsers(ctx, `FROM users WHERE realm_id = ?
		AND external_id_key IN (`+placeholders(len(externalIDs))+`) ORDER BY id`, args...)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// readUsers reads the users of a query given from FROM on (tail), packed
// as readUser reads one (a page of 100 users read column by column spent
// most of its time in the driver's per-column calls). When the packed
// query fails or any row holds something decodePackedUser does not read
// as scanUser would, the whole query runs again column by column, so the
// answer is that query's, from one snapshot, errors included.
func (s *Store) readUsers(ctx context.Context, tail string, args ...any) ([]directory.User, error) {
	if users, ok := s.readPackedUsers(ctx, tail, args...); ok {
		return users, nil
	}
	return s.queryUsers(ctx, `SELECT `+userColumns+` `+tail, args...)
}

// readPackedUsers is readUsers' packed query; ok is false when its answer
// is not to be trusted and the caller should read the columns.
func (s *Store) readPackedUsers(ctx context.Context, tail string, args ...any) (_ []directory.User, ok bool) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userPacked+` `+tail, args...)
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	out := []directory.User{}
	var packed string
	for rows.Next() {
		if err := rows.Scan(&packed); err != nil {
			return nil, false
		}
		u, ok, err := decodePackedUser(packed)
		if !ok || err != nil {
			return nil, false
		}
		out = append(out, *u)
	}
	return out, rows.Err() == nil
}

func (s *Store) queryUsers(ctx context.Context, query string, args ...any) ([]directory.User, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// userWhere builds the WHERE clause of a filter.
func userWhere(realmID int64, f directory.UserFilter) (string, []any) {
	where := []string{"realm_id = ?"}
	args := []any{realmID}
	if f.Deleted {
		where = append(where, "deleted_at IS NOT NULL")
	} else {
		where = append(where, "deleted_at IS NULL")
	}
	if len(f.Roles) > 0 {
		where = append(where, "role IN ("+placeholders(len(f.Roles))+")")
		for _, r := range f.Roles {
			args = append(args, string(r))
		}
	}
	if f.CustomRoleID != 0 {
		where = append(where, "custom_role_id = ?")
		args = append(args, f.CustomRoleID)
	}
	if f.ExternalID != "" {
		where = append(where, "external_id_key = ?")
		args = append(args, directory.FoldKey(f.ExternalID))
	}
	return strings.Join(where, " AND "), args
}

// ListUsers returns one page of the users matching f, ordered by id. Keyset
// pages seek on the id index; offset pages skip rows.
func (s *Store) ListUsers(ctx context.Context, realmID int64, f directory.UserFilter, p directory.Page) ([]directory.User, error) {
	where, args := userWhere(realmID, f)
	desc := p.Descending
	switch {
	case p.AfterID != 0 && !desc, p.BeforeID != 0 && desc:
		where += " AND id > ?"
		args = append(args, max(p.AfterID, p.BeforeID))
	case p.AfterID != 0 && desc, p.BeforeID != 0 && !desc:
		where += " AND id < ?"
		args = append(args, max(p.AfterID, p.BeforeID))
	}
	// A "before" page is read backwards from the cursor, then turned round.
	backwards := p.BeforeID != 0
	order := "ASC"
	if desc != backwards {
		order = "DESC"
	}
	query := `FROM users WHERE ` + where + ` ORDER BY id ` + order + ` LIMIT ?`
	args = append(args, p.Limit)
	if p.Offset > 0 && p.AfterID == 0 && p.BeforeID == 0 {
		query += ` OFFSET ?`
		args = append(args, p.Offset)
	}
	users, err := s.readUsers(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	if backwards {
		for i, j := 0, len(users)-1; i < j; i, j = i+1, j-1 {
			users[i], users[j] = users[j], users[i]
		}
	}
	return users, nil
}

// CountUsers counts the users matching f: from the counters when the filter
// is on role, custom role and deletion only, else by an indexed count.
func (s *Store) CountUsers(ctx context.Context, realmID int64, f directory.UserFilter) (int64, error) {
	if f.ExternalID != "" {
		where, args := userWhere(realmID, f)
		var n int64
		err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE `+where, args...).Scan(&n)
		return n, err
	}
	where := []string{"realm_id = ?", "deleted = ?"}
	args := []any{realmID, f.Deleted}
	if len(f.Roles) > 0 {
		where = append(where, "role IN ("+placeholders(len(f.Roles))+")")
		for _, r := range f.Roles {
			args = append(args, string(r))
		}
	}
	if f.CustomRoleID != 0 {
		where = append(where, "custom_role_id = ?")
		args = append(args, f.CustomRoleID)
	}
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM user_counts WHERE `+strings.Join(where, " AND "), args...).Scan(&n)
	return n, err
}

// IdentitiesByUser returns the user's identities, primary first, then by id.
func (s *Store) IdentitiesByUser(ctx context.Context, realmID, userID int64) ([]directory.Identity, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, realm_id, user_id, type, value, verified, is_primary, created_at, updated_at
		FROM identities WHERE realm_id = ? AND user_id = ? ORDER BY is_primary DESC, id`, realmID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Identity{}
	for rows.Next() {
		var id directory.Identity
		var created, updated sql.NullInt64
		if err := rows.Scan(&id.ID, &id.RealmID, &id.UserID, &id.Type, &id.Value, &id.Verified, &id.Primary, &created, &updated); err != nil {
			return nil, err
		}
		id.CreatedAt, id.UpdatedAt = fromUnix(created), fromUnix(updated)
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetPasswordHash replaces the user's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, realmID, userID int64, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE realm_id = ? AND id = ?`, hash, realmID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// TouchLogin records the user's last sign-in or API call.
func (s *Store) TouchLogin(ctx context.Context, realmID, userID int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = ? WHERE realm_id = ? AND id = ?`, at.Unix(), realmID, userID)
		return err
	})
}
