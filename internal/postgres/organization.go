package postgres

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// Organization and membership writes lock rows in one order: the user,
// then memberships, then the organization (its member counter), so that
// concurrent writes on several nodes wait for each other rather than
// deadlock.

// organizationColumns lists the organizations columns in the order
// scanOrganization reads them.
const organizationColumns = `id, realm_id, name, external_id, details, notes, group_id, shared_tickets, shared_comments,
	domain_names, tags, fields, created_at, updated_at`

func scanOrganization(row pgx.CollectableRow) (directory.Organization, error) {
	var o directory.Organization
	var externalID *string
	err := row.Scan(&o.ID, &o.RealmID, &o.Name, &externalID, &o.Details, &o.Notes, &o.GroupID, &o.SharedTickets, &o.SharedComments,
		&o.DomainNames, &o.Tags, &o.Fields, &o.CreatedAt, &o.UpdatedAt)
	o.ExternalID = fromNullText(externalID)
	if o.DomainNames == nil {
		o.DomainNames = []string{}
	}
	if o.Tags == nil {
		o.Tags = []string{}
	}
	if o.Fields == nil {
		o.Fields = map[string]any{}
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

// organizationWriteColumns are the columns an organization write stores,
// realm_id first; organizationArgs gives their values.
var organizationWriteColumns = []string{"realm_id", "name", "name_key", "external_id", "external_id_key", "details", "notes",
	"group_id", "shared_tickets", "shared_comments", "domain_names", "tags", "fields", "created_at", "updated_at", "search_text"}

func organizationArgs(realmID int64, o *directory.Organization) []any {
	domains, tags, fields := o.DomainNames, o.Tags, o.Fields
	if domains == nil {
		domains = []string{}
	}
	if tags == nil {
		tags = []string{}
	}
	if fields == nil {
		fields = map[string]any{}
	}
	return []any{realmID, o.Name, directory.FoldKey(o.Name), nullText(o.ExternalID), nullText(directory.FoldKey(o.ExternalID)),
		o.Details, o.Notes, o.GroupID, o.SharedTickets, o.SharedComments, domains, tags, fields, at(o.CreatedAt), at(o.UpdatedAt),
		directory.NameSearchText(realmID, o.Name)}
}

// CreateOrganization inserts o and counts it, in one transaction.
func (s *Store) CreateOrganization(ctx context.Context, realmID int64, o *directory.Organization) error {
	var p params
	values := make([]string, len(organizationWriteColumns))
	for i, v := range organizationArgs(realmID, o) {
		values[i] = p.add(v)
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO organizations (`+strings.Join(organizationWriteColumns, ", ")+`)
			VALUES (`+strings.Join(values, ", ")+`) RETURNING id`, p...).Scan(&o.ID); err != nil {
			return err
		}
		o.RealmID = realmID
		// The counter comes last: its row is shared by every organization
		// write of the realm.
		return addOrganizationCount(ctx, tx, realmID, 1)
	})
}

func addOrganizationCount(ctx context.Context, tx pgx.Tx, realmID int64, delta int) error {
	_, err := tx.Exec(ctx, `INSERT INTO organization_counts AS c (realm_id, n) VALUES ($1, $2)
		ON CONFLICT (realm_id) DO UPDATE SET n = c.n + excluded.n`, realmID, delta)
	return err
}

// UpdateOrganization writes every column of o.
func (s *Store) UpdateOrganization(ctx context.Context, realmID int64, o *directory.Organization) error {
	var p params
	args := organizationArgs(realmID, o)
	realm := p.add(args[0])
	set := make([]string, 0, len(args)-1)
	for i, v := range args[1:] {
		set = append(set, organizationWriteColumns[i+1]+" = "+p.add(v))
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE organizations SET `+strings.Join(set, ", ")+` WHERE realm_id = `+realm+` AND id = `+p.add(o.ID), p...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return nil
	})
}

// DeleteOrganization deletes the organization and its memberships, gives
// the members whose default it was their oldest other membership as
// default, and uncounts it, in one transaction.
func (s *Store) DeleteOrganization(ctx context.Context, realmID, id int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		// "organization_id <> 0" lets the planner use the partial index
		// users_realm_organization with a bound id.
		for _, stmt := range []string{
			`SELECT id FROM users WHERE realm_id = $1 AND organization_id = $2 AND organization_id <> 0 ORDER BY id FOR UPDATE`,
			// Then the organization: a membership being added to it
			// meanwhile waits, and fails once it is gone.
			`SELECT id FROM organizations WHERE realm_id = $1 AND id = $2 FOR UPDATE`,
			`DELETE FROM organization_memberships WHERE realm_id = $1 AND organization_id = $2`,
			`UPDATE organization_memberships SET is_default = true WHERE id IN (SELECT min(m.id) FROM organization_memberships m
				WHERE m.realm_id = $1 AND m.user_id IN (SELECT u.id FROM users u WHERE u.realm_id = $1 AND u.organization_id = $2 AND u.organization_id <> 0)
				GROUP BY m.user_id)`,
			`UPDATE users SET organization_id = coalesce((SELECT m.organization_id FROM organization_memberships m
				WHERE m.realm_id = users.realm_id AND m.user_id = users.id AND m.is_default), 0)
				WHERE realm_id = $1 AND organization_id = $2 AND organization_id <> 0`,
		} {
			if _, err := tx.Exec(ctx, stmt, realmID, id); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `DELETE FROM organizations WHERE realm_id = $1 AND id = $2`, realmID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return addOrganizationCount(ctx, tx, realmID, -1)
	})
}

// OrganizationByID returns the organization id of the realm.
func (s *Store) OrganizationByID(ctx context.Context, realmID, id int64) (*directory.Organization, error) {
	return one(ctx, s.pool, scanOrganization, `SELECT `+organizationColumns+` FROM organizations WHERE realm_id = $1 AND id = $2`, realmID, id)
}

// OrganizationByExternalID compares case-insensitively.
func (s *Store) OrganizationByExternalID(ctx context.Context, realmID int64, externalID string) (*directory.Organization, error) {
	return one(ctx, s.pool, scanOrganization, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = $1 AND external_id_key = $2`, realmID, directory.FoldKey(externalID))
}

// OrganizationByName compares case-insensitively.
func (s *Store) OrganizationByName(ctx context.Context, realmID int64, name string) (*directory.Organization, error) {
	return one(ctx, s.pool, scanOrganization, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = $1 AND name_key = $2`, realmID, directory.FoldKey(name))
}

// OrganizationsByIDs returns the organizations among ids, by id.
func (s *Store) OrganizationsByIDs(ctx context.Context, realmID int64, ids []int64) ([]directory.Organization, error) {
	if len(ids) == 0 {
		return []directory.Organization{}, nil
	}
	return all(ctx, s.pool, scanOrganization, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = $1 AND id = ANY ($2) ORDER BY id`, realmID, ids)
}

// OrganizationsByExternalIDs returns the organizations among externalIDs,
// by id.
func (s *Store) OrganizationsByExternalIDs(ctx context.Context, realmID int64, externalIDs []string) ([]directory.Organization, error) {
	if len(externalIDs) == 0 {
		return []directory.Organization{}, nil
	}
	keys := make([]string, len(externalIDs))
	for i, x := range externalIDs {
		keys[i] = directory.FoldKey(x)
	}
	return all(ctx, s.pool, scanOrganization, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = $1 AND external_id_key = ANY ($2) ORDER BY id`, realmID, keys)
}

// organizationWhere builds the WHERE clause of a filter.
func organizationWhere(p *params, realmID int64, f directory.OrganizationFilter) string {
	realm := p.add(realmID)
	where := []string{"realm_id = " + realm}
	if f.ExternalID != "" {
		where = append(where, "external_id_key = "+p.add(directory.FoldKey(f.ExternalID)))
	}
	if f.Name != "" {
		where = append(where, "name_key = "+p.add(directory.FoldKey(f.Name)))
	}
	if f.NamePrefix != "" {
		// A range on the folded name (COLLATE "C", so bytewise), which the
		// name index answers: every string starting with the prefix sorts
		// before prefix+U+10FFFF.
		pre := directory.FoldKey(f.NamePrefix)
		where = append(where, "name_key >= "+p.add(pre)+" AND name_key < "+p.add(pre+"\U0010FFFF"))
	}
	if f.UserID != 0 {
		where = append(where, "id IN (SELECT organization_id FROM organization_memberships WHERE realm_id = "+realm+
			" AND user_id = "+p.add(f.UserID)+")")
	}
	return strings.Join(where, " AND ")
}

// keysetPage completes a list query: the page's condition on the id
// column, the order, the limit and (for offset pages) the offset.
// backwards is set when the rows come in reverse and must be turned round.
func keysetPage(p *params, selectFrom, idCol, where string, pg directory.Page) (string, bool) {
	desc := pg.Descending
	switch {
	case pg.AfterID != 0 && !desc, pg.BeforeID != 0 && desc:
		where += " AND " + idCol + " > " + p.add(max(pg.AfterID, pg.BeforeID))
	case pg.AfterID != 0 && desc, pg.BeforeID != 0 && !desc:
		where += " AND " + idCol + " < " + p.add(max(pg.AfterID, pg.BeforeID))
	}
	backwards := pg.BeforeID != 0
	order := "ASC"
	if desc != backwards {
		order = "DESC"
	}
	query := selectFrom + ` WHERE ` + where + ` ORDER BY ` + idCol + ` ` + order + ` LIMIT ` + p.add(limitArg(pg.Limit))
	if pg.Offset > 0 && pg.AfterID == 0 && pg.BeforeID == 0 {
		query += ` OFFSET ` + p.add(pg.Offset)
	}
	return query, backwards
}

// ListOrganizations returns one page of the organizations matching f.
func (s *Store) ListOrganizations(ctx context.Context, realmID int64, f directory.OrganizationFilter, pg directory.Page) ([]directory.Organization, error) {
	var p params
	where := organizationWhere(&p, realmID, f)
	if f.NamePrefix != "" {
		return all(ctx, s.pool, scanOrganization, `SELECT `+organizationColumns+` FROM organizations WHERE `+where+`
			ORDER BY name_key, id LIMIT `+p.add(limitArg(pg.Limit))+` OFFSET `+p.add(pg.Offset), p...)
	}
	query, backwards := keysetPage(&p, `SELECT `+organizationColumns+` FROM organizations`, "id", where, pg)
	orgs, err := all(ctx, s.pool, scanOrganization, query, p...)
	if err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(orgs)
	}
	return orgs, nil
}

// CountOrganizations counts from the realm's counter, or by an indexed
// count for a filter.
func (s *Store) CountOrganizations(ctx context.Context, realmID int64, f directory.OrganizationFilter) (int64, error) {
	var n int64
	if f == (directory.OrganizationFilter{}) {
		err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(n), 0)::bigint FROM organization_counts WHERE realm_id = $1`, realmID).Scan(&n)
		return n, err
	}
	var p params
	where := organizationWhere(&p, realmID, f)
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM organizations WHERE `+where, p...).Scan(&n)
	return n, err
}

// CountOrganizationUsers reads the organization's member counter, or
// counts the members with one of roles.
func (s *Store) CountOrganizationUsers(ctx context.Context, realmID, organizationID int64, roles []directory.Role) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT users_count FROM organizations WHERE realm_id = $1 AND id = $2`, realmID, organizationID).Scan(&n)
	if err != nil || len(roles) == 0 {
		return n, mapError(err)
	}
	var p params
	realm := p.add(realmID)
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE realm_id = `+realm+` AND id IN
		(SELECT user_id FROM organization_memberships WHERE realm_id = `+realm+` AND organization_id = `+p.add(organizationID)+`)
		AND `+roleCond(&p, roles), p...).Scan(&n)
	return n, err
}

// OrganizationUsers pages an organization's members by user id.
func (s *Store) OrganizationUsers(ctx context.Context, realmID, organizationID int64, roles []directory.Role, pg directory.Page) ([]directory.User, error) {
	var p params
	realm := p.add(realmID)
	where := "realm_id = " + realm + " AND id IN (SELECT user_id FROM organization_memberships WHERE realm_id = " + realm +
		" AND organization_id = " + p.add(organizationID) + ")"
	if len(roles) > 0 {
		where += " AND " + roleCond(&p, roles)
	}
	query, backwards := keysetPage(&p, `SELECT `+userColumns+` FROM users`, "id", where, pg)
	users, err := all(ctx, s.pool, scanUser, query, p...)
	if err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(users)
	}
	return users, nil
}

// membershipColumns reads a membership with its organization's name.
const membershipColumns = `m.id, m.realm_id, m.user_id, m.organization_id, o.name, m.is_default, m.created_at, m.updated_at`

const membershipFrom = ` FROM organization_memberships m JOIN organizations o ON o.id = m.organization_id`

func scanMembership(row pgx.CollectableRow) (directory.Membership, error) {
	var m directory.Membership
	err := row.Scan(&m.ID, &m.RealmID, &m.UserID, &m.OrganizationID, &m.OrganizationName, &m.Default, &m.CreatedAt, &m.UpdatedAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

// lockUser locks the user's row until the end of tx, first of the rows a
// membership write locks.
func lockUser(ctx context.Context, tx pgx.Tx, realmID, userID int64) error {
	var id int64
	return tx.QueryRow(ctx, `SELECT id FROM users WHERE realm_id = $1 AND id = $2 FOR UPDATE`, realmID, userID).Scan(&id)
}

// insertMembership inserts m in tx, counts it in its organization and
// keeps the user's default and organization_id in step. The caller holds
// the user's row. An organization missing from the realm is a KindInvalid
// error on organization_id.
func insertMembership(ctx context.Context, tx pgx.Tx, realmID int64, m *directory.Membership) error {
	if m.Default {
		if _, err := tx.Exec(ctx, `UPDATE organization_memberships SET is_default = false, updated_at = $1
			WHERE realm_id = $2 AND user_id = $3 AND is_default`, at(m.UpdatedAt), realmID, m.UserID); err != nil {
			return err
		}
	}
	if err := tx.QueryRow(ctx, `INSERT INTO organization_memberships (realm_id, user_id, organization_id, is_default, created_at, updated_at)
		SELECT $1, $2, id, $4, $5, $6 FROM organizations WHERE realm_id = $1 AND id = $3 RETURNING id`,
		realmID, m.UserID, m.OrganizationID, m.Default, at(m.CreatedAt), at(m.UpdatedAt)).Scan(&m.ID); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			var v directory.Invalid
			v.Add("organization_id", "InvalidValue", "is not an organization of this account")
			return v.Err()
		}
		return err
	}
	m.RealmID = realmID
	if err := syncDefault(ctx, tx, realmID, m.UserID); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `SELECT is_default FROM organization_memberships WHERE realm_id = $1 AND id = $2`, realmID, m.ID).Scan(&m.Default); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE organizations SET users_count = users_count + 1 WHERE realm_id = $1 AND id = $2`, realmID, m.OrganizationID)
	return err
}

// syncDefault gives a user with memberships but no default its oldest
// membership as default, and sets the user's organization_id to its
// default organization (0 without one).
func syncDefault(ctx context.Context, tx pgx.Tx, realmID, userID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE organization_memberships SET is_default = true
		WHERE id = (SELECT id FROM organization_memberships WHERE realm_id = $1 AND user_id = $2 ORDER BY id LIMIT 1)
		AND NOT EXISTS (SELECT 1 FROM organization_memberships WHERE realm_id = $1 AND user_id = $2 AND is_default)`,
		realmID, userID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE users SET organization_id = coalesce((SELECT organization_id FROM organization_memberships
		WHERE realm_id = $1 AND user_id = $2 AND is_default), 0) WHERE realm_id = $1 AND id = $2`, realmID, userID)
	return err
}

// setUserOrganization makes organizationID the user's only membership, as
// its default, or removes every membership for 0. The caller holds the
// user's row.
func setUserOrganization(ctx context.Context, tx pgx.Tx, realmID, userID, organizationID int64, now time.Time) error {
	rows, err := tx.Query(ctx, `DELETE FROM organization_memberships WHERE realm_id = $1 AND user_id = $2 AND organization_id <> $3
		RETURNING organization_id`, realmID, userID, organizationID)
	if err != nil {
		return err
	}
	left, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if organizationID != 0 {
		tag, err := tx.Exec(ctx, `UPDATE organization_memberships SET is_default = true, updated_at = $1
			WHERE realm_id = $2 AND user_id = $3 AND organization_id = $4`, at(now), realmID, userID, organizationID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			m := &directory.Membership{UserID: userID, OrganizationID: organizationID, Default: true, CreatedAt: now, UpdatedAt: now}
			if err := insertMembership(ctx, tx, realmID, m); err != nil {
				return err
			}
		}
	}
	if err := syncDefault(ctx, tx, realmID, userID); err != nil {
		return err
	}
	// Organizations in id order, so two such writes lock them alike.
	slices.Sort(left)
	for _, org := range left {
		if _, err := tx.Exec(ctx, `UPDATE organizations SET users_count = users_count - 1 WHERE realm_id = $1 AND id = $2`, realmID, org); err != nil {
			return err
		}
	}
	return nil
}

// CreateMembership inserts m, in one transaction.
func (s *Store) CreateMembership(ctx context.Context, realmID int64, m *directory.Membership) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := lockUser(ctx, tx, realmID, m.UserID); err != nil {
			return err
		}
		return insertMembership(ctx, tx, realmID, m)
	})
}

// DeleteMembership deletes the membership, uncounts it and moves the
// user's default if it was the default, in one transaction.
func (s *Store) DeleteMembership(ctx context.Context, realmID, id int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var userID, orgID int64
		if err := tx.QueryRow(ctx, `SELECT user_id FROM organization_memberships WHERE realm_id = $1 AND id = $2`, realmID, id).Scan(&userID); err != nil {
			return err
		}
		if err := lockUser(ctx, tx, realmID, userID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `DELETE FROM organization_memberships WHERE realm_id = $1 AND id = $2 RETURNING organization_id`,
			realmID, id).Scan(&orgID); err != nil {
			return err
		}
		if err := syncDefault(ctx, tx, realmID, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE organizations SET users_count = users_count - 1 WHERE realm_id = $1 AND id = $2`, realmID, orgID)
		return err
	})
}

// MakeDefaultMembership makes the membership its user's default, in one
// transaction.
func (s *Store) MakeDefaultMembership(ctx context.Context, realmID, id int64, when time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var userID int64
		if err := tx.QueryRow(ctx, `SELECT user_id FROM organization_memberships WHERE realm_id = $1 AND id = $2`, realmID, id).Scan(&userID); err != nil {
			return err
		}
		if err := lockUser(ctx, tx, realmID, userID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE organization_memberships SET is_default = (id = $1), updated_at = $2
			WHERE realm_id = $3 AND user_id = $4 AND (is_default OR id = $1)`, id, at(when), realmID, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound // deleted meanwhile
		}
		return syncDefault(ctx, tx, realmID, userID)
	})
}

// MembershipByID returns the membership id of the realm.
func (s *Store) MembershipByID(ctx context.Context, realmID, id int64) (*directory.Membership, error) {
	return one(ctx, s.pool, scanMembership, `SELECT `+membershipColumns+membershipFrom+` WHERE m.realm_id = $1 AND m.id = $2`, realmID, id)
}

// MembershipOf returns the user's membership of the organization.
func (s *Store) MembershipOf(ctx context.Context, realmID, userID, organizationID int64) (*directory.Membership, error) {
	return one(ctx, s.pool, scanMembership, `SELECT `+membershipColumns+membershipFrom+`
		WHERE m.realm_id = $1 AND m.organization_id = $2 AND m.user_id = $3`, realmID, organizationID, userID)
}

func membershipWhere(p *params, realmID int64, f directory.MembershipFilter) string {
	where := []string{"m.realm_id = " + p.add(realmID)}
	if f.UserID != 0 {
		where = append(where, "m.user_id = "+p.add(f.UserID))
	}
	if f.OrganizationID != 0 {
		where = append(where, "m.organization_id = "+p.add(f.OrganizationID))
	}
	return strings.Join(where, " AND ")
}

// ListMemberships returns one page of the memberships matching f.
func (s *Store) ListMemberships(ctx context.Context, realmID int64, f directory.MembershipFilter, pg directory.Page) ([]directory.Membership, error) {
	var p params
	where := membershipWhere(&p, realmID, f)
	if f.UserID != 0 && f.OrganizationID == 0 {
		return all(ctx, s.pool, scanMembership, `SELECT `+membershipColumns+membershipFrom+` WHERE `+where+`
			ORDER BY m.is_default DESC, o.name_key, m.id LIMIT `+p.add(limitArg(pg.Limit))+` OFFSET `+p.add(pg.Offset), p...)
	}
	query, backwards := keysetPage(&p, `SELECT `+membershipColumns+membershipFrom, "m.id", where, pg)
	ms, err := all(ctx, s.pool, scanMembership, query, p...)
	if err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(ms)
	}
	return ms, nil
}

// CountMemberships counts the memberships matching f through their
// indexes.
func (s *Store) CountMemberships(ctx context.Context, realmID int64, f directory.MembershipFilter) (int64, error) {
	var p params
	where := membershipWhere(&p, realmID, f)
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM organization_memberships m WHERE `+where, p...).Scan(&n)
	return n, err
}

// MembershipCounts returns how many organization memberships each of the
// users has; users with none are left out.
func (s *Store) MembershipCounts(ctx context.Context, realmID int64, userIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(userIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT user_id, count(*) FROM organization_memberships
		WHERE realm_id = $1 AND user_id = ANY ($2) GROUP BY user_id`, realmID, userIDs)
	if err != nil {
		return nil, err
	}
	var id, n int64
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error {
		out[id] = n
		return nil
	})
	return out, err
}

// importOrganizations gives the users of an import batch, already written
// (and the existing ones locked), their organization as CreateUser and
// UpdateUser do: a new user (id ids[i] for creates[i]) with an
// OrganizationID, and an existing user with a Change.Organization, get
// that organization as their only, default membership. The new users'
// memberships go in together (insertNewMemberships; copyUsers wrote their
// organization_id);
// then, in organization order, so that two batches lock the
// organizations' counters alike, each organization counts its new members
// in one statement before the existing users who join it change one at a
// time (setUserOrganization, which takes them out of other
// organizations).
func importOrganizations(ctx context.Context, tx pgx.Tx, realmID int64, creates []directory.ImportUser, ids []int64, updates []directory.ImportUser) error {
	added, err := insertNewMemberships(ctx, tx, realmID, creates, ids)
	if err != nil {
		return err
	}
	type set struct {
		userID, organizationID int64
		at                     time.Time
	}
	var sets []set
	for _, op := range updates {
		if op.Change.Organization != nil {
			sets = append(sets, set{op.User.ID, *op.Change.Organization, op.User.UpdatedAt})
		}
	}
	slices.SortFunc(sets, func(a, b set) int {
		return cmp.Or(cmp.Compare(a.organizationID, b.organizationID), cmp.Compare(a.userID, b.userID))
	})
	next := 0
	change := func(before int64) error {
		for ; next < len(sets) && sets[next].organizationID < before; next++ {
			s := sets[next]
			if err := setUserOrganization(ctx, tx, realmID, s.userID, s.organizationID, s.at); err != nil {
				return err
			}
		}
		return nil
	}
	for _, org := range slices.Sorted(maps.Keys(added)) {
		if err := change(org); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE organizations SET users_count = users_count + $1 WHERE realm_id = $2 AND id = $3`,
			added[org], realmID, org); err != nil {
			return err
		}
	}
	return change(math.MaxInt64)
}

// insertNewMemberships writes the memberships that setUserOrganization
// would for each new user of a batch (ids[i] for creates[i]) with an
// OrganizationID, in one statement for the whole batch instead of several
// a user, and returns how many members each organization gains, for the
// caller to count. A new user has no membership to leave or to keep the
// default of, so its membership is its default, created and updated when
// the user was created. The memberships go in by (organization, user),
// the per-user path's order. An organization missing from the realm is a
// KindInvalid error on organization_id, as insertMembership's.
func insertNewMemberships(ctx context.Context, tx pgx.Tx, realmID int64, creates []directory.ImportUser, ids []int64) (map[int64]int64, error) {
	type pair struct {
		userID, organizationID int64
		at                     time.Time
	}
	var pairs []pair
	added := map[int64]int64{}
	for i, op := range creates {
		if org := op.User.OrganizationID; org != 0 {
			pairs = append(pairs, pair{ids[i], org, at(op.User.CreatedAt)})
			added[org]++
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(cmp.Compare(a.organizationID, b.organizationID), cmp.Compare(a.userID, b.userID))
	})
	users := make([]int64, len(pairs))
	orgs := make([]int64, len(pairs))
	times := make([]time.Time, len(pairs))
	for i, p := range pairs {
		users[i], orgs[i], times[i] = p.userID, p.organizationID, p.at
	}
	tag, err := tx.Exec(ctx, `INSERT INTO organization_memberships (realm_id, user_id, organization_id, is_default, created_at, updated_at)
		SELECT $1, p.user_id, o.id, true, p.at, p.at
		FROM unnest($2::bigint[], $3::bigint[], $4::timestamptz[]) WITH ORDINALITY AS p (user_id, organization_id, at, n)
		JOIN organizations o ON o.realm_id = $1 AND o.id = p.organization_id
		ORDER BY p.n`, realmID, users, orgs, times)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() != int64(len(pairs)) {
		var v directory.Invalid
		v.Add("organization_id", "InvalidValue", "is not an organization of this account")
		return nil, v.Err()
	}
	// The users were copied in with their organization_id (copyUsers).
	return added, nil
}
