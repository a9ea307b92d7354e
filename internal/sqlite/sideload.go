package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/clientele/clientele/internal/directory"
)

// idList encodes ids as one JSON array parameter, read with json_each: a
// page of the time-based export may hold more users than SQLite allows
// parameters in one statement.
func idList(ids []int64) string {
	b, _ := json.Marshal(ids) // []int64 always encodes
	return string(b)
}

// IdentitiesOfUsers returns the identities of the users among userIDs, by
// user, primary first, then by id.
func (s *Store) IdentitiesOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]directory.Identity, error) {
	out := []directory.Identity{}
	if len(userIDs) == 0 {
		return out, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, realm_id, user_id, type, value, verified, is_primary, created_at, updated_at
		FROM identities WHERE realm_id = ? AND user_id IN (SELECT value FROM json_each(?))
		ORDER BY user_id, is_primary DESC, id`, realmID, idList(userIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
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

// OrganizationsOfUsers returns, each once and by id, the organizations any
// of the users is a member of.
func (s *Store) OrganizationsOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]directory.Organization, error) {
	if len(userIDs) == 0 {
		return []directory.Organization{}, nil
	}
	return s.queryOrganizations(ctx, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = ? AND id IN (SELECT organization_id FROM organization_memberships
			WHERE realm_id = ? AND user_id IN (SELECT value FROM json_each(?)))
		ORDER BY id`, realmID, realmID, idList(userIDs))
}

// GroupsOfUsers returns, each once and by id, the active groups any of the
// users is a member of.
func (s *Store) GroupsOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]directory.Group, error) {
	out := []directory.Group{}
	if len(userIDs) == 0 {
		return out, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+groupColumns+` FROM groups
		WHERE realm_id = ? AND deleted_at IS NULL AND id IN (SELECT group_id FROM group_memberships
			WHERE realm_id = ? AND user_id IN (SELECT value FROM json_each(?)))
		ORDER BY id`, realmID, realmID, idList(userIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, rows.Err()
}
