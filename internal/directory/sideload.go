package directory

import (
	"context"
	"slices"
)

// Sideloads.
//
// A list or show of users may carry, beside the users, the records they
// refer to: their identities, organizations and groups, their custom roles
// and what the caller may do to each of them. Each is read in one batched
// store call for the whole page, never one call per user.

// Sideload names a record set a user response may carry.
type Sideload string

// The sideloads of users, as Zendesk names them in include=.
const (
	SideloadIdentities    Sideload = "identities"
	SideloadOrganizations Sideload = "organizations"
	SideloadGroups        Sideload = "groups"
	SideloadRoles         Sideload = "roles"
	SideloadAbilities     Sideload = "abilities"
)

// UserSideloads lists the user sideloads Clientele knows, so that callers
// can ignore the names Zendesk has and Clientele has not.
var UserSideloads = []Sideload{SideloadIdentities, SideloadOrganizations, SideloadGroups,
	SideloadRoles, SideloadAbilities}

// Ability is what the caller may do to one user, as Zendesk's abilities
// sideload says it; each flag answers as the endpoint it stands for would.
type Ability struct {
	UserID int64
	// CanEdit: PUT /users/{id} would be allowed.
	CanEdit bool
	// CanEditPassword: the caller may set (admin) or change (self) the
	// user's password.
	CanEditPassword bool
	// CanManageIdentitiesOf: the caller may add, change and delete the
	// user's identities.
	CanManageIdentitiesOf bool
	// CanVerifyIdentities: the caller may mark the user's identities
	// verified.
	CanVerifyIdentities bool
}

// UserSideload holds the sideloaded records of a page of users; a field is
// set (possibly empty, never nil) only when its sideload was asked for.
type UserSideload struct {
	// Identities are grouped by user, in the page's order of users, each
	// user's primary first, then by id.
	Identities []Identity
	// Organizations are those any user of the page is a member of, each
	// once, by id.
	Organizations []Organization
	// Groups are the active groups any user of the page belongs to, each
	// once, by id.
	Groups []Group
	// Roles are the custom roles of the page's users. Clientele keeps no
	// custom roles, so it is always empty when asked for.
	Roles []struct{}
	// Abilities has one entry per user of the page, in its order.
	Abilities []Ability
}

// SideloadStore reads the records users refer to, for a whole page of
// users at once. Every method reads the realm's rows only, ignores ids it
// does not know, and answers an empty slice (never nil) for no rows.
type SideloadStore interface {
	// IdentitiesOfUsers returns the identities of the users among
	// userIDs, ordered by user id, then primary first, then by id.
	IdentitiesOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]Identity, error)
	// OrganizationsOfUsers returns, each once and by id, the organizations
	// any of the users is a member of.
	OrganizationsOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]Organization, error)
	// GroupsOfUsers returns, each once and by id, the active groups any of
	// the users is a member of.
	GroupsOfUsers(ctx context.Context, realmID int64, userIDs []int64) ([]Group, error)
}

// SideloadUsers reads the sideloads named in want for users, a page the
// caller a was allowed to read. Staff get every record; an end user (who
// only ever reads themself) gets their own email and phone identities once
// verified, as the identities API shows them. Organizations (whose details
// and notes are for agents) and groups (agents' teams) are staff-only, as
// their own endpoints are, so an end user gets them empty. Unknown names
// in want are ignored.
func (s *Service) SideloadUsers(ctx context.Context, a Actor, users []User, want []Sideload) (*UserSideload, error) {
	out := &UserSideload{}
	ids := make([]int64, 0, len(users))
	for i := range users {
		// A caller other than staff reads only itself; sideloads of any
		// other user it was shown would leak what the endpoints refuse.
		if a.Role.Staff() || users[i].ID == a.UserID {
			ids = append(ids, users[i].ID)
		}
	}
	for _, name := range want {
		var err error
		switch name {
		case SideloadIdentities:
			out.Identities, err = s.sideloadIdentities(ctx, a, users, ids)
		case SideloadOrganizations:
			out.Organizations = []Organization{}
			if a.Role.Staff() && len(ids) > 0 {
				out.Organizations, err = s.store.OrganizationsOfUsers(ctx, a.RealmID, ids)
			}
		case SideloadGroups:
			out.Groups = []Group{}
			if a.Role.Staff() && len(ids) > 0 {
				out.Groups, err = s.store.GroupsOfUsers(ctx, a.RealmID, ids)
			}
		case SideloadRoles:
			out.Roles = []struct{}{}
		case SideloadAbilities:
			out.Abilities = make([]Ability, len(users))
			for i := range users {
				out.Abilities[i] = abilities(a, &users[i])
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) sideloadIdentities(ctx context.Context, a Actor, users []User, ids []int64) ([]Identity, error) {
	if len(ids) == 0 {
		return []Identity{}, nil
	}
	all, err := s.store.IdentitiesOfUsers(ctx, a.RealmID, ids)
	if err != nil {
		return nil, err
	}
	// Group by user in the page's order, which need not be by id (search
	// sorts by date, lists may sort -id).
	pos := make(map[int64]int, len(users))
	for i := range users {
		if _, seen := pos[users[i].ID]; !seen {
			pos[users[i].ID] = i
		}
	}
	out := make([]Identity, 0, len(all))
	for _, ident := range all {
		if a.Role.Staff() {
			out = append(out, ident)
			continue
		}
		// The identities API's rule: an end user reads only their own
		// email and phone identities, and only once verified.
		if owner := users[pos[ident.UserID]]; owner.Verified && visibleIdentity(a, ident) {
			out = append(out, ident)
		}
	}
	slices.SortStableFunc(out, func(x, y Identity) int { return pos[x.UserID] - pos[y.UserID] })
	return out, nil
}

// abilities answers, for a user a was shown, what a may do to it, by the
// rules of the endpoints themselves: UpdateUser, SetPassword and
// ChangePassword, the identity writes, VerifyIdentity.
func abilities(a Actor, u *User) Ability {
	out := Ability{UserID: u.ID}
	if !u.Active() {
		return out // a deleted user can no longer be changed
	}
	staffWrite := a.Role.Staff() && authorizeWrite(a, u) == nil
	out.CanEdit = staffWrite
	out.CanEditPassword = a.Role == RoleAdmin || a.UserID == u.ID
	out.CanManageIdentitiesOf = staffWrite || (!a.Role.Staff() && a.UserID == u.ID && u.Verified)
	out.CanVerifyIdentities = staffWrite
	return out
}
