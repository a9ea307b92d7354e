package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// organizationColumns lists the organizations columns in the order
// scanOrganization reads them.
const organizationColumns = `id, realm_id, name, external_id, details, notes, group_id, shared_tickets, shared_comments,
	domain_names, tags, fields, created_at, updated_at`

func scanOrganization(row scanner) (*directory.Organization, error) {
	var o directory.Organization
	var externalID sql.NullString
	var domains, tags, fields string
	var created, updated sql.NullInt64
	err := row.Scan(&o.ID, &o.RealmID, &o.Name, &externalID, &o.Details, &o.Notes, &o.GroupID, &o.SharedTickets, &o.SharedComments,
		&domains, &tags, &fields, &created, &updated)
	if err != nil {
		return nil, mapError(err)
	}
	o.ExternalID = externalID.String
	for _, f := range []struct {
		name string
		raw  string
		dst  any
	}{{"domain_names", domains, &o.DomainNames}, {"tags", tags, &o.Tags}, {"fields", fields, &o.Fields}} {
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return nil, fmt.Errorf("sqlite: organization %d %s: %w", o.ID, f.name, err)
		}
	}
	if o.DomainNames == nil {
		o.DomainNames = []string{}
	}
	if o.Tags == nil {
		o.Tags = []string{}
	}
	if o.Fields == nil {
		o.Fields = map[string]any{}
	}
	o.CreatedAt, o.UpdatedAt = fromUnix(created), fromUnix(updated)
	return &o, nil
}

// organizationWrite returns the columns a write stores and their values,
// realm_id first.
func organizationWrite(realmID int64, o *directory.Organization) ([]string, []any, error) {
	jsonOr := func(v any, empty string) (string, error) {
		b, err := json.Marshal(v)
		if err != nil || string(b) == "null" {
			return empty, err
		}
		return string(b), nil
	}
	domains, err := jsonOr(o.DomainNames, "[]")
	if err != nil {
		return nil, nil, err
	}
	tags, err := jsonOr(o.Tags, "[]")
	if err != nil {
		return nil, nil, err
	}
	fields, err := jsonOr(o.Fields, "{}")
	if err != nil {
		return nil, nil, err
	}
	cols := []string{"realm_id", "name", "name_key", "external_id", "external_id_key", "details", "notes", "group_id",
		"shared_tickets", "shared_comments", "domain_names", "tags", "fields", "created_at", "updated_at", "search_text"}
	vals := []any{realmID, o.Name, directory.FoldKey(o.Name), nullText(o.ExternalID), nullText(directory.FoldKey(o.ExternalID)),
		o.Details, o.Notes, o.GroupID, o.SharedTickets, o.SharedComments, domains, tags, fields, unix(o.CreatedAt), unix(o.UpdatedAt),
		directory.NameSearchText(realmID, o.Name)}
	return cols, vals, nil
}

// CreateOrganization inserts o and counts it, in one transaction.
func (s *Store) CreateOrganization(ctx context.Context, realmID int64, o *directory.Organization) error {
	cols, vals, err := organizationWrite(realmID, o)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO organizations (`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(len(vals))+`)
			RETURNING id`, vals...).Scan(&o.ID); err != nil {
			return err
		}
		o.RealmID = realmID
		return addOrganizationCount(ctx, tx, realmID, 1)
	})
}

func addOrganizationCount(ctx context.Context, tx *sql.Tx, realmID int64, delta int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO organization_counts (realm_id, n) VALUES (?, ?)
		ON CONFLICT (realm_id) DO UPDATE SET n = n + excluded.n`, realmID, delta)
	return err
}

// UpdateOrganization writes every column of o.
func (s *Store) UpdateOrganization(ctx context.Context, realmID int64, o *directory.Organization) error {
	cols, vals, err := organizationWrite(realmID, o)
	if err != nil {
		return err
	}
	set := make([]string, 0, len(cols))
	for _, c := range cols[1:] {
		set = append(set, c+" = ?")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organizations SET `+strings.Join(set, ", ")+` WHERE realm_id = ? AND id = ?`,
			append(vals[1:], realmID, o.ID)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// DeleteOrganization deletes the organization and its memberships, gives
// the members whose default it was their oldest other membership as
// default, and uncounts it, in one transaction.
func (s *Store) DeleteOrganization(ctx context.Context, realmID, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// "organization_id <> 0" lets the planner use the partial index
		// users_realm_organization with a bound id.
		for _, stmt := range []string{
			`DELETE FROM organization_memberships WHERE realm_id = ? AND organization_id = ?`,
			`UPDATE organization_memberships SET is_default = TRUE WHERE id IN (SELECT min(m.id) FROM organization_memberships m
				WHERE m.realm_id = ?1 AND m.user_id IN (SELECT u.id FROM users u WHERE u.realm_id = ?1 AND u.organization_id = ?2 AND u.organization_id <> 0)
				GROUP BY m.user_id)`,
			`UPDATE users SET organization_id = coalesce((SELECT m.organization_id FROM organization_memberships m
				WHERE m.realm_id = users.realm_id AND m.user_id = users.id AND m.is_default), 0)
				WHERE realm_id = ? AND organization_id = ? AND organization_id <> 0`,
		} {
			if _, err := tx.ExecContext(ctx, stmt, realmID, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM organizations WHERE realm_id = ? AND id = ?`, realmID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return addOrganizationCount(ctx, tx, realmID, -1)
	})
}

// OrganizationByID returns the organization id of the realm.
func (s *Store) OrganizationByID(ctx context.Context, realmID, id int64) (*directory.Organization, error) {
	return scanOrganization(s.read.QueryRowContext(ctx, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = ? AND id = ?`, realmID, id))
}

// OrganizationByExternalID compares case-insensitively.
func (s *Store) OrganizationByExternalID(ctx context.Context, realmID int64, externalID string) (*directory.Organization, error) {
	return scanOrganization(s.read.QueryRowContext(ctx, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = ? AND external_id_key = ?`, realmID, directory.FoldKey(externalID)))
}

// OrganizationByName compares case-insensitively.
func (s *Store) OrganizationByName(ctx context.Context, realmID int64, name string) (*directory.Organization, error) {
	return scanOrganization(s.read.QueryRowContext(ctx, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = ? AND name_key = ?`, realmID, directory.FoldKey(name)))
}

func (s *Store) queryOrganizations(ctx context.Context, query string, args ...any) ([]directory.Organization, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Organization{}
	for rows.Next() {
		o, err := scanOrganization(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

// OrganizationsByIDs returns the organizations among ids, by id.
func (s *Store) OrganizationsByIDs(ctx context.Context, realmID int64, ids []int64) ([]directory.Organization, error) {
	if len(ids) == 0 {
		return []directory.Organization{}, nil
	}
	args := []any{realmID}
	for _, id := range ids {
		args = append(args, id)
	}
	return s.queryOrganizations(ctx, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = ? AND id IN (`+placeholders(len(ids))+`) ORDER BY id`, args...)
}

// OrganizationsByExternalIDs returns the organizations among externalIDs,
// by id.
func (s *Store) OrganizationsByExternalIDs(ctx context.Context, realmID int64, externalIDs []string) ([]directory.Organization, error) {
	if len(externalIDs) == 0 {
		return []directory.Organization{}, nil
	}
	args := []any{realmID}
	for _, x := range externalIDs {
		args = append(args, directory.FoldKey(x))
	}
	return s.queryOrganizations(ctx, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = ? AND external_id_key IN (`+placeholders(len(externalIDs))+`) ORDER BY id`, args...)
}

// organizationWhere builds the WHERE clause of a filter.
func organizationWhere(realmID int64, f directory.OrganizationFilter) (string, []any) {
	where := []string{"realm_id = ?"}
	args := []any{realmID}
	if f.ExternalID != "" {
		where = append(where, "external_id_key = ?")
		args = append(args, directory.FoldKey(f.ExternalID))
	}
	if f.Name != "" {
		where = append(where, "name_key = ?")
		args = append(args, directory.FoldKey(f.Name))
	}
	if f.NamePrefix != "" {
		// A range on the folded name, which the name index answers: every
		// string starting with the prefix sorts before prefix+U+10FFFF.
		p := directory.FoldKey(f.NamePrefix)
		where = append(where, "name_key >= ? AND name_key < ?")
		args = append(args, p, p+"\U0010FFFF")
	}
	if f.UserID != 0 {
		where = append(where, "id IN (SELECT organization_id FROM organization_memberships WHERE realm_id = ? AND user_id = ?)")
		args = append(args, realmID, f.UserID)
	}
	return strings.Join(where, " AND "), args
}

// ListOrganizations returns one page of the organizations matching f.
func (s *Store) ListOrganizations(ctx context.Context, realmID int64, f directory.OrganizationFilter, p directory.Page) ([]directory.Organization, error) {
	where, args := organizationWhere(realmID, f)
	if f.NamePrefix != "" {
		return s.queryOrganizations(ctx, `SELECT `+organizationColumns+` FROM organizations WHERE `+where+`
			ORDER BY name_key, id LIMIT ? OFFSET ?`, append(args, p.Limit, p.Offset)...)
	}
	query, args, backwards := keysetPage(`SELECT `+organizationColumns+` FROM organizations`, "id", where, args, p)
	orgs, err := s.queryOrganizations(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	if backwards {
		reverse(orgs)
	}
	return orgs, nil
}

// keysetPage completes a list query: the page's condition on the id
// column, the order, the limit and (for offset pages) the offset.
// backwards is set when the rows come in reverse and must be turned round.
func keysetPage(selectFrom, idCol, where string, args []any, p directory.Page) (string, []any, bool) {
	desc := p.Descending
	switch {
	case p.AfterID != 0 && !desc, p.BeforeID != 0 && desc:
		where += " AND " + idCol + " > ?"
		args = append(args, max(p.AfterID, p.BeforeID))
	case p.AfterID != 0 && desc, p.BeforeID != 0 && !desc:
		where += " AND " + idCol + " < ?"
		args = append(args, max(p.AfterID, p.BeforeID))
	}
	backwards := p.BeforeID != 0
	order := "ASC"
	if desc != backwards {
		order = "DESC"
	}
	query := selectFrom + ` WHERE ` + where + ` ORDER BY ` + idCol + ` ` + order + ` LIMIT ?`
	args = append(args, p.Limit)
	if p.Offset > 0 && p.AfterID == 0 && p.BeforeID == 0 {
		query += ` OFFSET ?`
		args = append(args, p.Offset)
	}
	return query, args, backwards
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// CountOrganizations counts from the realm's counter, or by an indexed
// count for a filter.
func (s *Store) CountOrganizations(ctx context.Context, realmID int64, f directory.OrganizationFilter) (int64, error) {
	var n int64
	if f == (directory.OrganizationFilter{}) {
		err := s.read.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM organization_counts WHERE realm_id = ?`, realmID).Scan(&n)
		return n, err
	}
	where, args := organizationWhere(realmID, f)
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM organizations WHERE `+where, args...).Scan(&n)
	return n, err
}

// CountOrganizationUsers reads the organization's member counter, or
// counts the members with one of roles.
func (s *Store) CountOrganizationUsers(ctx context.Context, realmID, organizationID int64, roles []directory.Role) (int64, error) {
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT users_count FROM organizations WHERE realm_id = ? AND id = ?`, realmID, organizationID).Scan(&n)
	if err != nil || len(roles) == 0 {
		return n, mapError(err)
	}
	args := []any{realmID, realmID, organizationID}
	for _, r := range roles {
		args = append(args, string(r))
	}
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE realm_id = ? AND id IN
		(SELECT user_id FROM organization_memberships WHERE realm_id = ? AND organization_id = ?)
		AND role IN (`+placeholders(len(roles))+`)`, args...).Scan(&n)
	return n, err
}

// OrganizationUsers pages an organization's members by user id, through
// the (realm_id, organization_id, user_id) index.
func (s *Store) OrganizationUsers(ctx context.Context, realmID, organizationID int64, roles []directory.Role, p directory.Page) ([]directory.User, error) {
	where := "realm_id = ? AND id IN (SELECT user_id FROM organization_memberships WHERE realm_id = ? AND organization_id = ?)"
	args := []any{realmID, realmID, organizationID}
	if len(roles) > 0 {
		where += " AND role IN (" + placeholders(len(roles)) + ")"
		for _, r := range roles {
			args = append(args, string(r))
		}
	}
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

// membershipColumns reads a membership with its organization's name.
const membershipColumns = `m.id, m.realm_id, m.user_id, m.organization_id, o.name, m.is_default, m.created_at, m.updated_at`

const membershipFrom = ` FROM organization_memberships m JOIN organizations o ON o.id = m.organization_id`

func scanMembership(row scanner) (*directory.Membership, error) {
	var m directory.Membership
	var created, updated sql.NullInt64
	if err := row.Scan(&m.ID, &m.RealmID, &m.UserID, &m.OrganizationID, &m.OrganizationName, &m.Default, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	m.CreatedAt, m.UpdatedAt = fromUnix(created), fromUnix(updated)
	return &m, nil
}

// addMembers counts n more members in the organization; one missing from
// the realm is a KindInvalid error on organization_id.
func addMembers(ctx context.Context, tx *sql.Tx, realmID, organizationID, n int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE organizations SET users_count = users_count + ? WHERE realm_id = ? AND id = ?`,
		n, realmID, organizationID)
	if err != nil {
		return err
	}
	if changed, _ := res.RowsAffected(); changed == 0 {
		var v directory.Invalid
		v.Add("organization_id", "InvalidValue", "is not an organization of this account")
		return v.Err()
	}
	return nil
}

// insertMembership inserts m in tx, counts it in its organization and
// keeps the user's default and organization_id in step. An organization
// missing from the realm is a KindInvalid error on organization_id.
func insertMembership(ctx context.Context, tx *sql.Tx, realmID int64, m *directory.Membership) error {
	if err := addMembers(ctx, tx, realmID, m.OrganizationID, 1); err != nil {
		return err
	}
	if m.Default {
		if _, err := tx.ExecContext(ctx, `UPDATE organization_memberships SET is_default = FALSE, updated_at = ?
			WHERE realm_id = ? AND user_id = ? AND is_default`, unix(m.UpdatedAt), realmID, m.UserID); err != nil {
			return err
		}
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO organization_memberships (realm_id, user_id, organization_id, is_default, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, realmID, m.UserID, m.OrganizationID, m.Default, unix(m.CreatedAt), unix(m.UpdatedAt)).Scan(&m.ID); err != nil {
		return err
	}
	m.RealmID = realmID
	if err := syncDefault(ctx, tx, realmID, m.UserID); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `SELECT is_default FROM organization_memberships WHERE realm_id = ? AND id = ?`, realmID, m.ID).Scan(&m.Default)
}

// syncDefault gives a user with memberships but no default its oldest
// membership as default, and sets the user's organization_id to its
// default organization (0 without one).
func syncDefault(ctx context.Context, tx *sql.Tx, realmID, userID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE organization_memberships SET is_default = TRUE
		WHERE id = (SELECT id FROM organization_memberships WHERE realm_id = ?1 AND user_id = ?2 ORDER BY id LIMIT 1)
		AND NOT EXISTS (SELECT 1 FROM organization_memberships WHERE realm_id = ?1 AND user_id = ?2 AND is_default)`,
		realmID, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE users SET organization_id = coalesce((SELECT organization_id FROM organization_memberships
		WHERE realm_id = ?1 AND user_id = ?2 AND is_default), 0) WHERE realm_id = ?1 AND id = ?2`, realmID, userID)
	return err
}

// uncountOtherMemberships and deleteOtherMemberships take a user (?1 the
// realm, ?2 the user) out of every organization but ?3. They name the
// user's index: with "organization_id <> ?" and no statistics for the
// table (a new database until its first optimize, as during a first
// seed or import), SQLite chose the (realm, organization, user) index
// on the realm alone, reading every membership of the realm for each
// user: a seed of 10,000 users with organizations took 10 s of CPU, and
// one of 100,000 did not finish in 10 minutes (TestMembershipPlansWithoutStatistics).
const (
	uncountOtherMemberships = `UPDATE organizations SET users_count = users_count - 1 WHERE realm_id = ?1 AND id IN
		(SELECT organization_id FROM organization_memberships INDEXED BY organization_memberships_user
		WHERE realm_id = ?1 AND user_id = ?2 AND organization_id <> ?3)`
	deleteOtherMemberships = `DELETE FROM organization_memberships INDEXED BY organization_memberships_user
		WHERE realm_id = ?1 AND user_id = ?2 AND organization_id <> ?3`
)

// setUserOrganization makes organizationID the user's only membership, as
// its default, or removes every membership for 0.
func setUserOrganization(ctx context.Context, tx *sql.Tx, realmID, userID, organizationID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, uncountOtherMemberships, realmID, userID, organizationID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, deleteOtherMemberships, realmID, userID, organizationID); err != nil {
		return err
	}
	if organizationID != 0 {
		res, err := tx.ExecContext(ctx, `UPDATE organization_memberships SET is_default = TRUE, updated_at = ?
			WHERE realm_id = ? AND user_id = ? AND organization_id = ? AND NOT is_default`, unix(now), realmID, userID, organizationID)
		if err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM organization_memberships
			WHERE realm_id = ? AND user_id = ? AND organization_id = ?)`, realmID, userID, organizationID).Scan(&exists); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 && !exists {
			m := &directory.Membership{UserID: userID, OrganizationID: organizationID, Default: true, CreatedAt: now, UpdatedAt: now}
			return insertMembership(ctx, tx, realmID, m)
		}
	}
	return syncDefault(ctx, tx, realmID, userID)
}

// CreateMembership inserts m, in one transaction.
func (s *Store) CreateMembership(ctx context.Context, realmID int64, m *directory.Membership) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return insertMembership(ctx, tx, realmID, m) })
}

// DeleteMembership deletes the membership, uncounts it and moves the
// user's default if it was the default, in one transaction.
func (s *Store) DeleteMembership(ctx context.Context, realmID, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var userID, orgID int64
		if err := tx.QueryRowContext(ctx, `DELETE FROM organization_memberships WHERE realm_id = ? AND id = ?
			RETURNING user_id, organization_id`, realmID, id).Scan(&userID, &orgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE organizations SET users_count = users_count - 1 WHERE realm_id = ? AND id = ?`,
			realmID, orgID); err != nil {
			return err
		}
		return syncDefault(ctx, tx, realmID, userID)
	})
}

// MakeDefaultMembership makes the membership its user's default, in one
// transaction.
func (s *Store) MakeDefaultMembership(ctx context.Context, realmID, id int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var userID int64
		if err := tx.QueryRowContext(ctx, `SELECT user_id FROM organization_memberships WHERE realm_id = ? AND id = ?`,
			realmID, id).Scan(&userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE organization_memberships SET is_default = (id = ?1), updated_at = ?2
			WHERE realm_id = ?3 AND user_id = ?4 AND (is_default OR id = ?1)`, id, unix(at), realmID, userID); err != nil {
			return err
		}
		return syncDefault(ctx, tx, realmID, userID)
	})
}

// MembershipByID returns the membership id of the realm.
func (s *Store) MembershipByID(ctx context.Context, realmID, id int64) (*directory.Membership, error) {
	return scanMembership(s.read.QueryRowContext(ctx, `SELECT `+membershipColumns+membershipFrom+`
		WHERE m.realm_id = ? AND m.id = ?`, realmID, id))
}

// MembershipOf returns the user's membership of the organization.
func (s *Store) MembershipOf(ctx context.Context, realmID, userID, organizationID int64) (*directory.Membership, error) {
	return scanMembership(s.read.QueryRowContext(ctx, `SELECT `+membershipColumns+membershipFrom+`
		WHERE m.realm_id = ? AND m.organization_id = ? AND m.user_id = ?`, realmID, organizationID, userID))
}

func membershipWhere(realmID int64, f directory.MembershipFilter) (string, []any) {
	where := []string{"m.realm_id = ?"}
	args := []any{realmID}
	if f.UserID != 0 {
		where = append(where, "m.user_id = ?")
		args = append(args, f.UserID)
	}
	if f.OrganizationID != 0 {
		where = append(where, "m.organization_id = ?")
		args = append(args, f.OrganizationID)
	}
	return strings.Join(where, " AND "), args
}

// ListMemberships returns one page of the memberships matching f.
func (s *Store) ListMemberships(ctx context.Context, realmID int64, f directory.MembershipFilter, p directory.Page) ([]directory.Membership, error) {
	where, args := membershipWhere(realmID, f)
	var query string
	backwards := false
	if f.UserID != 0 && f.OrganizationID == 0 {
		query = `SELECT ` + membershipColumns + membershipFrom + ` WHERE ` + where + `
			ORDER BY m.is_default DESC, o.name_key, m.id LIMIT ? OFFSET ?`
		args = append(args, p.Limit, p.Offset)
	} else {
		query, args, backwards = keysetPage(`SELECT `+membershipColumns+membershipFrom, "m.id", where, args, p)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Membership{}
	for rows.Next() {
		m, err := scanMembership(rows)
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

// CountMemberships counts the memberships matching f through their
// indexes.
func (s *Store) CountMemberships(ctx context.Context, realmID int64, f directory.MembershipFilter) (int64, error) {
	where, args := membershipWhere(realmID, f)
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM organization_memberships m WHERE `+where, args...).Scan(&n)
	return n, err
}

// MembershipCounts returns how many organization memberships each of the
// users has; users with none are left out.
func (s *Store) MembershipCounts(ctx context.Context, realmID int64, userIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	for chunk := range slices.Chunk(userIDs, lookupChunk) {
		args := []any{realmID}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := s.read.QueryContext(ctx, `SELECT user_id, count(*) FROM organization_memberships
			WHERE realm_id = ? AND user_id IN (`+placeholders(len(chunk))+`) GROUP BY user_id`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// importOrganizations gives the users of an import batch, already written,
// their organization as CreateUser and UpdateUser do: a new user (id
// ids[i] for creates[i]) with an OrganizationID, and an existing user with
// a Change.Organization, get that organization as their only, default
// membership. The new users' memberships go in together
// (insertNewMemberships); the existing users' changes, which may take
// them out of other organizations, one user at a time, in organization
// order.
func importOrganizations(ctx context.Context, tx *sql.Tx, realmID int64, creates []directory.ImportUser, ids []int64, updates []directory.ImportUser) error {
	if err := insertNewMemberships(ctx, tx, realmID, creates, ids); err != nil {
		return err
	}
	for _, set := range organizationSets(updates) {
		if err := setUserOrganization(ctx, tx, realmID, set.userID, set.organizationID, set.at); err != nil {
			return err
		}
	}
	return nil
}

// insertNewMemberships writes what setUserOrganization would for each new
// user of a batch (ids[i] for creates[i]) with an OrganizationID, in a
// few statements for the whole batch instead of about eight a user. A new
// user has no membership to leave or to keep the default of, so its
// membership is its default, created and updated when the user was
// created, and its organization_id (written with the user, userWrite)
// that organization; each organization counts its new members once. The
// memberships go in by (organization, user), the order, and so the ids,
// of the per-user path. An organization missing from the realm is a
// KindInvalid error on organization_id, as insertMembership's.
func insertNewMemberships(ctx context.Context, tx *sql.Tx, realmID int64, creates []directory.ImportUser, ids []int64) error {
	var pairs [][3]int64 // user, organization, created_at
	added := map[int64]int64{}
	for i, op := range creates {
		if org := op.User.OrganizationID; org != 0 {
			pairs = append(pairs, [3]int64{ids[i], org, op.User.CreatedAt.Unix()})
			added[org]++
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	for _, org := range slices.Sorted(maps.Keys(added)) {
		if err := addMembers(ctx, tx, realmID, org, added[org]); err != nil {
			return err
		}
	}
	slices.SortFunc(pairs, func(a, b [3]int64) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) })
	list, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	// The users were inserted with their organization_id (userWrite).
	_, err = tx.ExecContext(ctx, `INSERT INTO organization_memberships (realm_id, user_id, organization_id, is_default, created_at, updated_at)
		SELECT ?1, value ->> 0, value ->> 1, TRUE, value ->> 2, value ->> 2 FROM json_each(?2) ORDER BY key`,
		realmID, string(list))
	return err
}

// organizationSet is one user's organization change in an import.
type organizationSet struct {
	userID, organizationID int64
	at                     time.Time
}

// organizationSets lists the organization changes of an import batch's
// existing users, ordered by organization, then user.
func organizationSets(updates []directory.ImportUser) []organizationSet {
	var sets []organizationSet
	for _, op := range updates {
		if op.Change.Organization != nil {
			sets = append(sets, organizationSet{op.User.ID, *op.Change.Organization, op.User.UpdatedAt})
		}
	}
	slices.SortFunc(sets, func(a, b organizationSet) int {
		return cmp.Or(cmp.Compare(a.organizationID, b.organizationID), cmp.Compare(a.userID, b.userID))
	})
	return sets
}
