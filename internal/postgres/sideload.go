package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
)

// IdentitiesOfUsers returns the identities of the users among userIDs, by
// user, primary first, then by id.
func (s *Store) IdentitiesOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]directory.Identity, error) {
	if len(userIDs) == 0 {
		return []directory.Identity{}, nil
	}
	return all(ctx, s.pool, scanIdentity, `SELECT id, realm_id, user_id, type, value, verified, is_primary, created_at, updated_at
		FROM identities WHERE realm_id = $1 AND user_id = ANY ($2)
		ORDER BY user_id, is_primary DESC, id`, realmID, userIDs)
}

// OrganizationsOfUsers returns, each once and by id, the organizations any
// of the users is a member of.
func (s *Store) OrganizationsOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]directory.Organization, error) {
	if len(userIDs) == 0 {
		return []directory.Organization{}, nil
	}
	return all(ctx, s.pool, scanOrganization, `SELECT `+organizationColumns+` FROM organizations
		WHERE realm_id = $1 AND id IN (SELECT organization_id FROM organization_memberships
			WHERE realm_id = $1 AND user_id = ANY ($2))
		ORDER BY id`, realmID, userIDs)
}

// GroupsOfUsers returns, each once and by id, the active groups any of the
// users is a member of.
func (s *Store) GroupsOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]directory.Group, error) {
	if len(userIDs) == 0 {
		return []directory.Group{}, nil
	}
	return all(ctx, s.pool, scanGroup, `SELECT `+groupColumns+` FROM groups
		WHERE realm_id = $1 AND deleted_at IS NULL AND id IN (SELECT group_id FROM group_memberships
			WHERE realm_id = $1 AND user_id = ANY ($2))
		ORDER BY id`, realmID, userIDs)
}
