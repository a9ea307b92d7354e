package directory

import (
	"context"
	"time"
)

// Group is a team of agents and admins in a realm, as Zendesk Support's
// groups: tickets are routed to groups, and every staff member of a realm
// with groups belongs to at least one. One group of the realm is its
// default group, which new staff members join.
type Group struct {
	ID          int64
	RealmID     int64
	Name        string // unique among the realm's groups, compared case-insensitively
	Description string
	Default     bool
	IsPublic    bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// DeletedAt is set when the group was deleted: it is kept, marked
	// deleted, as Zendesk keeps it, but listed nowhere and joined by no one.
	DeletedAt time.Time
}

// Deleted reports whether the group has been deleted.
func (g *Group) Deleted() bool { return !g.DeletedAt.IsZero() }

// GroupInput carries the writable fields of a group create or partial
// update; a nil pointer means "not sent".
type GroupInput struct {
	Name        *string
	Description *string
	// Default true makes the group the realm's default group; false is
	// ignored, since a realm with groups always has one default group.
	Default  *bool
	IsPublic *bool
}

// GroupFilter selects groups in a list or count. Deleted groups are never
// selected.
type GroupFilter struct {
	UserID int64 // only the groups this user is a member of; 0 means any
	// Assignable selects the groups tickets may be assigned to: those with
	// at least one assignable member (see GroupMembershipFilter).
	Assignable bool
}

// GroupMembership links a staff user to a group. Each user with
// memberships has exactly one default membership, whose group is the
// user's DefaultGroupID.
type GroupMembership struct {
	ID        int64
	RealmID   int64
	UserID    int64
	GroupID   int64
	Default   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GroupMembershipFilter selects memberships in a list or count.
type GroupMembershipFilter struct {
	UserID  int64 // 0 means any
	GroupID int64 // 0 means any
	// Assignable selects the memberships of users tickets may be assigned
	// to: active, not suspended.
	Assignable bool
}

// GroupStore persists groups and their memberships. Like the rest of
// Store, every method is confined to one realm and every write is one
// transaction. A user's default_group_id always names the group of the
// user's default membership (0 when it has none): the store keeps the two
// together in every write that touches either.
type GroupStore interface {
	// CreateGroup inserts g and sets g.ID; when g.Default, the realm's
	// other default group stops being default. A name already used by an
	// active group of the realm is a KindInvalid "name" DuplicateValue.
	CreateGroup(ctx context.Context, realmID int64, g *Group) error
	// UpdateGroup rewrites g, with CreateGroup's rules on default and name.
	UpdateGroup(ctx context.Context, realmID int64, g *Group) error
	// DeleteGroup writes g, now deleted, makes promote the realm's default
	// group when it is not 0, and removes the group's memberships. Each user
	// whose default membership was in g gets the membership newDefaults
	// names as default (absent or 0: none), in the same transaction.
	DeleteGroup(ctx context.Context, realmID int64, g *Group, promote int64, newDefaults map[int64]int64) error
	// GroupByID returns a group, deleted or not.
	GroupByID(ctx context.Context, realmID, id int64) (*Group, error)
	// GroupByName returns the active group with the name, compared
	// case-insensitively.
	GroupByName(ctx context.Context, realmID int64, name string) (*Group, error)
	// DefaultGroup returns the realm's default group.
	DefaultGroup(ctx context.Context, realmID int64) (*Group, error)
	// ListGroups returns one page of the active groups matching f, by id.
	ListGroups(ctx context.Context, realmID int64, f GroupFilter, p Page) ([]Group, error)
	// CountGroups counts the active groups matching f.
	CountGroups(ctx context.Context, realmID int64, f GroupFilter) (int64, error)

	// CreateGroupMembership inserts m and sets m.ID. When m.Default, the
	// user's other membership stops being default and the user's
	// default_group_id becomes m.GroupID. The same user and group twice is
	// a KindInvalid "group_id" DuplicateValue.
	CreateGroupMembership(ctx context.Context, realmID int64, m *GroupMembership, at time.Time) error
	// DeleteGroupMembership removes membership id of user userID; when
	// promote is not 0 that membership of the same user becomes its
	// default. default_group_id follows.
	DeleteGroupMembership(ctx context.Context, realmID, userID, id, promote int64, at time.Time) error
	// SetDefaultGroupMembership makes membership id the default one of user
	// userID, and its group the user's default_group_id.
	SetDefaultGroupMembership(ctx context.Context, realmID, userID, id int64, at time.Time) error
	// GroupMembershipByID returns a membership.
	GroupMembershipByID(ctx context.Context, realmID, id int64) (*GroupMembership, error)
	// ListGroupMemberships returns one page of the memberships matching f,
	// by id; a negative p.Limit means all of them.
	ListGroupMemberships(ctx context.Context, realmID int64, f GroupMembershipFilter, p Page) ([]GroupMembership, error)
	// CountGroupMemberships counts the memberships matching f.
	CountGroupMemberships(ctx context.Context, realmID int64, f GroupMembershipFilter) (int64, error)
	// ListGroupUsers returns one page of the users matching f that are
	// members of group groupID, by id.
	ListGroupUsers(ctx context.Context, realmID, groupID int64, f UserFilter, p Page) ([]User, error)
	// CountGroupUsers counts the users matching f that are members of
	// group groupID.
	CountGroupUsers(ctx context.Context, realmID, groupID int64, f UserFilter) (int64, error)
}

// CreateGroup creates a group. Admins only. The realm's first group
// becomes its default group.
func (s *Service) CreateGroup(ctx context.Context, a Actor, in GroupInput) (*Group, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	now := s.Now()
	g := &Group{RealmID: a.RealmID, IsPublic: true, CreatedAt: now, UpdatedAt: now}
	if err := s.applyGroupInput(ctx, g, in, true); err != nil {
		return nil, err
	}
	if !g.Default {
		_, err := s.store.DefaultGroup(ctx, a.RealmID)
		switch {
		case KindOf(err) == KindNotFound:
			g.Default = true
		case err != nil:
			return nil, err
		}
	}
	if err := s.store.CreateGroup(ctx, a.RealmID, g); err != nil {
		return nil, err
	}
	return g, nil
}

// UpdateGroup applies the fields sent in in to group id. Admins only.
func (s *Service) UpdateGroup(ctx context.Context, a Actor, id int64, in GroupInput) (*Group, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	old, err := s.activeGroup(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	g := *old
	if err := s.applyGroupInput(ctx, &g, in, false); err != nil {
		return nil, err
	}
	if !old.IsPublic && g.IsPublic {
		var v Invalid
		v.Add("is_public", "InvalidValue", "a private group cannot be made public")
		return nil, v.Err()
	}
	g.UpdatedAt = s.Now()
	if err := s.store.UpdateGroup(ctx, a.RealmID, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// DeleteGroup deletes group id: it is marked deleted and its memberships
// are removed. Each member whose default group it was gets its oldest
// remaining membership as default, or none; when it was the realm's
// default group, the realm's oldest remaining group becomes the default.
// Admins only.
func (s *Service) DeleteGroup(ctx context.Context, a Actor, id int64) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	g, err := s.activeGroup(ctx, a.RealmID, id)
	if err != nil {
		return err
	}
	members, err := s.store.ListGroupMemberships(ctx, a.RealmID, GroupMembershipFilter{GroupID: id}, Page{Limit: -1})
	if err != nil {
		return err
	}
	newDefaults := map[int64]int64{}
	for _, m := range members {
		if !m.Default {
			continue
		}
		next, err := s.nextDefaultMembership(ctx, a.RealmID, m.UserID, m.ID)
		if err != nil {
			return err
		}
		newDefaults[m.UserID] = next
	}
	var promote int64
	if g.Default {
		others, err := s.store.ListGroups(ctx, a.RealmID, GroupFilter{}, Page{Limit: 2})
		if err != nil {
			return err
		}
		for _, o := range others {
			if o.ID != g.ID {
				promote = o.ID
				break
			}
		}
	}
	now := s.Now()
	g.DeletedAt, g.UpdatedAt, g.Default = now, now, false
	return s.store.DeleteGroup(ctx, a.RealmID, g, promote, newDefaults)
}

// Group returns group id, deleted or not. Staff only.
func (s *Service) Group(ctx context.Context, a Actor, id int64) (*Group, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	return s.store.GroupByID(ctx, a.RealmID, id)
}

// ListGroups returns one page of the active groups matching f. Staff only;
// a user named by f must exist in the realm.
func (s *Service) ListGroups(ctx context.Context, a Actor, f GroupFilter, p Page) ([]Group, error) {
	if err := s.checkGroupFilter(ctx, a, f); err != nil {
		return nil, err
	}
	return s.store.ListGroups(ctx, a.RealmID, f, p)
}

// CountGroups counts the active groups matching f exactly. Staff only.
func (s *Service) CountGroups(ctx context.Context, a Actor, f GroupFilter) (int64, error) {
	if err := s.checkGroupFilter(ctx, a, f); err != nil {
		return 0, err
	}
	return s.store.CountGroups(ctx, a.RealmID, f)
}

func (s *Service) checkGroupFilter(ctx context.Context, a Actor, f GroupFilter) error {
	if err := requireStaff(a); err != nil {
		return err
	}
	if f.UserID != 0 {
		if _, err := s.store.UserByID(ctx, a.RealmID, f.UserID); err != nil {
			return err
		}
	}
	return nil
}

// ListGroupUsers returns one page of the active users of group groupID
// matching f. Staff only; the group must exist in the realm.
func (s *Service) ListGroupUsers(ctx context.Context, a Actor, groupID int64, f UserFilter, p Page) ([]User, error) {
	if _, err := s.Group(ctx, a, groupID); err != nil {
		return nil, err
	}
	return s.store.ListGroupUsers(ctx, a.RealmID, groupID, f, p)
}

// CountGroupUsers counts the active users of group groupID matching f.
func (s *Service) CountGroupUsers(ctx context.Context, a Actor, groupID int64, f UserFilter) (int64, error) {
	if _, err := s.Group(ctx, a, groupID); err != nil {
		return 0, err
	}
	return s.store.CountGroupUsers(ctx, a.RealmID, groupID, f)
}

// CreateGroupMembership puts user m.UserID into group m.GroupID. Admins
// only. Only agents and admins may be members, once per group; a user's
// first membership becomes its default, as does one sent with Default.
func (s *Service) CreateGroupMembership(ctx context.Context, a Actor, m GroupMembership) (*GroupMembership, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var v Invalid
	var u *User
	if m.UserID == 0 {
		v.Add("user_id", "BlankValue", "is required")
	} else {
		var err error
		u, err = s.store.UserByID(ctx, a.RealmID, m.UserID)
		switch {
		case KindOf(err) == KindNotFound || err == nil && !u.Active():
			v.Add("user_id", "InvalidValue", "is not a user of this account")
		case err != nil:
			return nil, err
		case !u.Role.Staff():
			v.Add("user_id", "InvalidValue", "is an end user; only agents and admins can be members of a group")
		}
	}
	if m.GroupID == 0 {
		v.Add("group_id", "BlankValue", "is required")
	} else if err := s.checkGroupRef(ctx, a.RealmID, "group_id", m.GroupID, &v); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	current, err := s.store.ListGroupMemberships(ctx, a.RealmID, GroupMembershipFilter{UserID: m.UserID}, Page{Limit: -1})
	if err != nil {
		return nil, err
	}
	for _, c := range current {
		if c.GroupID == m.GroupID {
			v.Add("group_id", "DuplicateValue", "the user is already a member of this group")
			return nil, v.Err()
		}
	}
	now := s.Now()
	out := &GroupMembership{RealmID: a.RealmID, UserID: m.UserID, GroupID: m.GroupID,
		Default: m.Default || len(current) == 0, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateGroupMembership(ctx, a.RealmID, out, now); err != nil {
		return nil, err
	}
	return out, nil
}

// checkGroupRef adds a problem to v unless id is an active group of the
// realm.
func (s *Service) checkGroupRef(ctx context.Context, realmID int64, field string, id int64, v *Invalid) error {
	g, err := s.store.GroupByID(ctx, realmID, id)
	switch {
	case KindOf(err) == KindNotFound || err == nil && g.Deleted():
		v.Add(field, "InvalidValue", "is not a group of this account")
	case err != nil:
		return err
	}
	return nil
}

// GroupMembership returns membership id; with userID not 0 it must be a
// membership of that user. Staff only.
func (s *Service) GroupMembership(ctx context.Context, a Actor, userID, id int64) (*GroupMembership, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	m, err := s.store.GroupMembershipByID(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	if userID != 0 && m.UserID != userID {
		return nil, ErrNotFound
	}
	return m, nil
}

// DeleteGroupMembership removes membership id (of userID, when not 0).
// When it was the user's default, the user's oldest remaining membership
// becomes the default, or the user has none. Admins only.
func (s *Service) DeleteGroupMembership(ctx context.Context, a Actor, userID, id int64) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	m, err := s.GroupMembership(ctx, a, userID, id)
	if err != nil {
		return err
	}
	var promote int64
	if m.Default {
		if promote, err = s.nextDefaultMembership(ctx, a.RealmID, m.UserID, m.ID); err != nil {
			return err
		}
	}
	return s.store.DeleteGroupMembership(ctx, a.RealmID, m.UserID, m.ID, promote, s.Now())
}

// nextDefaultMembership is the membership of userID that becomes its
// default when membership leaving goes: the oldest other one, or 0.
func (s *Service) nextDefaultMembership(ctx context.Context, realmID, userID, leaving int64) (int64, error) {
	ms, err := s.store.ListGroupMemberships(ctx, realmID, GroupMembershipFilter{UserID: userID}, Page{Limit: 2})
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		if m.ID != leaving {
			return m.ID, nil
		}
	}
	return 0, nil
}

// MakeDefaultGroupMembership makes membership id the default one of user
// userID and returns all the user's memberships. Admins may do it for
// anyone, agents for themselves.
func (s *Service) MakeDefaultGroupMembership(ctx context.Context, a Actor, userID, id int64) ([]GroupMembership, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if a.Role != RoleAdmin && userID != a.UserID {
		return nil, forbidden()
	}
	m, err := s.GroupMembership(ctx, a, userID, id)
	if err != nil {
		return nil, err
	}
	if !m.Default {
		if err := s.store.SetDefaultGroupMembership(ctx, a.RealmID, userID, id, s.Now()); err != nil {
			return nil, err
		}
	}
	return s.store.ListGroupMemberships(ctx, a.RealmID, GroupMembershipFilter{UserID: userID}, Page{Limit: -1})
}

// ListGroupMemberships returns one page of the memberships matching f.
// Staff only; a user or group named by f must exist in the realm.
func (s *Service) ListGroupMemberships(ctx context.Context, a Actor, f GroupMembershipFilter, p Page) ([]GroupMembership, error) {
	if err := s.checkMembershipFilter(ctx, a, f); err != nil {
		return nil, err
	}
	return s.store.ListGroupMemberships(ctx, a.RealmID, f, p)
}

// CountGroupMemberships counts the memberships matching f exactly.
func (s *Service) CountGroupMemberships(ctx context.Context, a Actor, f GroupMembershipFilter) (int64, error) {
	if err := s.checkMembershipFilter(ctx, a, f); err != nil {
		return 0, err
	}
	return s.store.CountGroupMemberships(ctx, a.RealmID, f)
}

func (s *Service) checkMembershipFilter(ctx context.Context, a Actor, f GroupMembershipFilter) error {
	if err := s.checkGroupFilter(ctx, a, GroupFilter{UserID: f.UserID}); err != nil {
		return err
	}
	if f.GroupID != 0 {
		if _, err := s.store.GroupByID(ctx, a.RealmID, f.GroupID); err != nil {
			return err
		}
	}
	return nil
}

// activeGroup returns group id unless it is missing or deleted.
func (s *Service) activeGroup(ctx context.Context, realmID, id int64) (*Group, error) {
	g, err := s.store.GroupByID(ctx, realmID, id)
	if err != nil {
		return nil, err
	}
	if g.Deleted() {
		return nil, ErrNotFound
	}
	return g, nil
}

// applyGroupInput validates in and applies it to g, reporting every
// problem at once; the name must be free among the realm's other groups.
func (s *Service) applyGroupInput(ctx context.Context, g *Group, in GroupInput, creating bool) error {
	var v Invalid
	if in.Name != nil || creating {
		name := ""
		if in.Name != nil {
			name = trimmed(*in.Name)
		}
		switch {
		case name == "":
			v.Add("name", "BlankValue", "is too short (minimum is 1 characters)")
		case !validText(name, maxShortText):
			v.Add("name", "InvalidValue", "is invalid or too long (maximum is 255 characters)")
		default:
			other, err := s.store.GroupByName(ctx, g.RealmID, name)
			switch {
			case err == nil && other.ID != g.ID:
				v.Add("name", "DuplicateValue", name+" has already been taken")
			case err != nil && KindOf(err) != KindNotFound:
				return err
			}
			g.Name = name
		}
	}
	setText(&v, "description", in.Description, &g.Description, maxLongText)
	if in.Default != nil && *in.Default {
		g.Default = true
	}
	if in.IsPublic != nil {
		g.IsPublic = *in.IsPublic
	}
	return v.Err()
}

// userGroups works out the default group of u, a user being created (old
// nil) or updated from old, as the rest of the write will store it; the
// store then keeps the user's memberships in line with it, in the same
// transaction (see GroupStore):
//
//   - a user that is or becomes an end user leaves every group;
//   - default_group_id names an active group of the realm, which the user
//     joins if it is not a member, as its default (only admins may name a
//     group the user is not in yet); null changes nothing, since a member
//     of groups always has a default one;
//   - a new agent or admin, and an end user made one, joins the realm's
//     default group when no default_group_id is sent, as in Zendesk.
func (s *Service) userGroups(ctx context.Context, a Actor, old, u *User, sent *int64) error {
	if u.Role == RoleEndUser {
		if sent != nil && *sent != 0 {
			var v Invalid
			v.Add("default_group_id", "InvalidValue", "cannot be set on an end user: only agents and admins belong to groups")
			return v.Err()
		}
		u.DefaultGroupID = 0
		return nil
	}
	if sent != nil && *sent != 0 {
		if old != nil && *sent == old.DefaultGroupID {
			return nil
		}
		var v Invalid
		if err := s.checkGroupRef(ctx, a.RealmID, "default_group_id", *sent, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if a.Role != RoleAdmin {
			// Agents may choose among their own groups, not join others.
			member := false
			if old != nil {
				ms, err := s.store.ListGroupMemberships(ctx, a.RealmID, GroupMembershipFilter{UserID: old.ID, GroupID: *sent}, Page{Limit: 1})
				if err != nil {
					return err
				}
				member = len(ms) > 0
			}
			if !member {
				return forbidden()
			}
		}
		u.DefaultGroupID = *sent
		return nil
	}
	if old == nil || old.Role == RoleEndUser {
		g, err := s.store.DefaultGroup(ctx, a.RealmID)
		switch {
		case err == nil:
			u.DefaultGroupID = g.ID
		case KindOf(err) != KindNotFound:
			return err
		}
	}
	return nil
}

// importGroups refuses what a user import cannot do, since it writes no
// group memberships: naming a default group, and making an end user of a
// member of groups (which would have to leave them). Use the group
// memberships API for both.
func importGroups(old, u *User, in UserInput) error {
	var v Invalid
	if in.DefaultGroupID != nil && *in.DefaultGroupID != 0 && (old == nil || *in.DefaultGroupID != old.DefaultGroupID) {
		v.Add("default_group_id", "InvalidValue", "cannot be set by an import; use the group memberships API")
	}
	if old != nil && old.DefaultGroupID != 0 && u.Role == RoleEndUser {
		v.Add("role", "InvalidValue", "cannot make an end user of a member of groups in an import; remove the group memberships first")
	}
	return v.Err()
}
