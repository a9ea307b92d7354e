package directory

import (
	"context"
	"strings"
	"time"
)

// Role is a user's role in a realm, spelled as on the Zendesk wire.
type Role string

// The three roles of Zendesk Support.
const (
	RoleEndUser Role = "end-user"
	RoleAgent   Role = "agent"
	RoleAdmin   Role = "admin"
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool {
	return r == RoleEndUser || r == RoleAgent || r == RoleAdmin
}

// Staff reports whether r is an agent or an admin: someone who may read
// other users' full records.
func (r Role) Staff() bool { return r == RoleAgent || r == RoleAdmin }

// Ticket restrictions a user may have; "" stands for null (no restriction).
const (
	RestrictionOrganization = "organization"
	RestrictionGroups       = "groups"
	RestrictionAssigned     = "assigned"
	RestrictionRequested    = "requested"
)

// Defaults of a user created with only a name, as in Zendesk's recorded
// create response.
const (
	DefaultTimeZone = "America/New_York"
	DefaultLocale   = "en-US"
	DefaultLocaleID = 1
)

// PermanentlyDeletedName replaces the name of a user whose personal data has
// been erased.
const PermanentlyDeletedName = "Permanently Deleted User"

// User is a person in a realm: a customer (end user), an agent or an admin.
// Optional text fields use "" for "not set" (null on the wire).
type User struct {
	ID      int64
	RealmID int64
	UUID    string

	Name           string
	FirstName      string
	LastName       string
	SecondLastName string
	Username       string

	Email             string // primary email identity, lowercased
	Phone             string // E.164
	SharedPhoneNumber bool
	ExternalID        string
	Alias             string
	Signature         string
	Details           string
	Notes             string
	RemotePhotoURL    string

	Role                Role
	CustomRoleID        int64 // 0: none
	DefaultGroupID      int64 // 0: none
	OrganizationID      int64 // 0: none
	TicketRestriction   string
	Moderator           bool
	OnlyPrivateComments bool

	TimeZone     string // as stored: an ActiveSupport name or an IANA name
	IANATimeZone string
	Locale       string
	LocaleID     int

	Verified  bool
	Suspended bool
	Tags      []string
	// UserFields holds custom field values keyed by field key.
	UserFields map[string]any

	PasswordHash string // argon2id PHC string; "" when the user has no password
	LastLoginAt  time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// DeletedAt is set when the user is soft-deleted; the user is then
	// inactive and listed among deleted users.
	DeletedAt time.Time
	// Erased is set once the user's personal data has been permanently
	// deleted; the row stays as a tombstone so ids are never reused.
	Erased bool
}

// Active reports whether the user has not been deleted.
func (u *User) Active() bool { return u.DeletedAt.IsZero() }

// RoleType is Zendesk's numeric role id: 4 for admins, 0 for agents in a
// custom role, and null (ok=false) otherwise.
func (u *User) RoleType() (int, bool) {
	switch {
	case u.Role == RoleAdmin:
		return 4, true
	case u.Role == RoleAgent && u.CustomRoleID != 0:
		return 0, true
	}
	return 0, false
}

// RestrictedAgent mirrors Zendesk: true for end users and for agents with a
// ticket restriction, false for admins and unrestricted agents.
func (u *User) RestrictedAgent() bool {
	switch u.Role {
	case RoleAdmin:
		return false
	case RoleAgent:
		return u.TicketRestriction != ""
	}
	return true
}

// FoldKey is the case-folded form under which external ids are unique
// and looked up ("ian1" = "IAN1"). Stores index it rather than relying on
// the database's lower(), so SQLite and PostgreSQL fold alike (SQLite's
// lower() folds ASCII only).
func FoldKey(s string) string { return strings.ToLower(s) }

// UserInput carries the writable fields of a create or a partial update. A
// nil pointer means "not sent"; a pointer to "" (or to 0 for ids) clears a
// nullable field.
type UserInput struct {
	Name              *string
	FirstName         *string
	LastName          *string
	SecondLastName    *string
	Username          *string
	Email             *string
	Phone             *string
	SharedPhoneNumber *bool
	ExternalID        *string
	Alias             *string
	Signature         *string
	Details           *string
	Notes             *string
	RemotePhotoURL    *string

	Role                *string
	CustomRoleID        *int64
	DefaultGroupID      *int64
	OrganizationID      *int64
	TicketRestriction   *string // pointer to "" sends null
	Moderator           *bool
	OnlyPrivateComments *bool

	TimeZone *string
	Locale   *string
	LocaleID *int

	Verified   *bool
	Suspended  *bool
	Tags       *[]string
	UserFields map[string]any // nil: not sent

	// Identities are extra identities to create with a new user (create
	// only); emails among them become secondary email identities.
	Identities []IdentityInput

	// FieldRules enforces the custom fields' required and unique flags,
	// as the Customers API's writes do (the Zendesk API's do not).
	FieldRules bool
}

// UserFilter selects users in a list or count.
type UserFilter struct {
	Roles        []Role // any of these; empty means all roles
	CustomRoleID int64  // permission_set; 0 means any
	ExternalID   string // exact, case-insensitive; "" means any
	// Deleted selects soft-deleted users instead of active ones.
	Deleted bool
}

// Page asks for one page of a list ordered by id. With AfterID or BeforeID
// set it is a keyset page (never an OFFSET scan); otherwise Offset rows are
// skipped. Limit is the number of rows to return.
type Page struct {
	Limit    int
	Offset   int
	AfterID  int64
	BeforeID int64
	// Descending reverses the order (ids from high to low).
	Descending bool
}

// CreateUser creates a user from in. Agents may create end users; admins
// may create anyone. A user created with only a name gets Zendesk's
// defaults.
func (s *Service) CreateUser(ctx context.Context, a Actor, in UserInput) (*User, error) {
	return s.createUser(ctx, a, in, "")
}

// createUser is CreateUser storing passwordHash ("" for none) with the
// user, in the same transaction.
func (s *Service) createUser(ctx context.Context, a Actor, in UserInput, passwordHash string) (*User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	now := s.Now()
	u := s.newUser(a.RealmID, now)
	orgID := in.OrganizationID
	in.OrganizationID = nil // checked against the store, with the other fields
	org, orgErr := s.organizationChange(ctx, a.RealmID, orgID)
	// organization_id and default_group_id are checked even when other
	// fields fail, so that every problem is reported at once.
	if err := joinInvalid(s.applyUserInput(u, in, true), orgErr, s.userGroups(ctx, a, nil, u, in.DefaultGroupID)); err != nil {
		return nil, err
	}
	if err := s.applyUserFieldInput(ctx, u, in.UserFields); err != nil {
		return nil, err
	}
	if err := authorizeRole(a, u.Role); err != nil {
		return nil, err
	}
	ids, err := s.newUserIdentities(u, in, now)
	if err != nil {
		return nil, err
	}
	if err := s.checkUnique(ctx, a.RealmID, 0, ids, u.ExternalID); err != nil {
		return nil, err
	}
	if err := s.checkUsername(ctx, a.RealmID, 0, u.Username); err != nil {
		return nil, err
	}
	if in.FieldRules {
		if err := s.checkFieldRules(ctx, u, nil); err != nil {
			return nil, err
		}
	}
	if org != nil {
		u.OrganizationID = *org // the store makes it the default membership
	}
	u.PasswordHash = passwordHash
	if err := s.store.CreateUser(ctx, a.RealmID, u, ids); err != nil {
		return nil, err
	}
	return u, nil
}

// newUser is a user of realm realmID with Zendesk's defaults, as a create
// with only a name makes it.
func (s *Service) newUser(realmID int64, now time.Time) *User {
	return &User{
		RealmID:           realmID,
		UUID:              s.newUUID(),
		Role:              RoleEndUser,
		TimeZone:          DefaultTimeZone,
		IANATimeZone:      DefaultTimeZone,
		Locale:            DefaultLocale,
		LocaleID:          DefaultLocaleID,
		TicketRestriction: RestrictionRequested,
		Tags:              []string{},
		UserFields:        map[string]any{},
		CreatedAt:         now,
		UpdatedAt:         now,
	}
}

// CreateOrUpdateUser updates the user matching in by external_id (compared
// case-insensitively, then stored in the request's case) or else by email,
// and creates one when none matches. It reports whether it created.
func (s *Service) CreateOrUpdateUser(ctx context.Context, a Actor, in UserInput) (*User, bool, error) {
	if err := requireStaff(a); err != nil {
		return nil, false, err
	}
	// Match by external id first, then by email: a request with a new
	// external id and a known email updates that user and gives it the id.
	existing, err := (*User)(nil), error(ErrNotFound)
	if in.ExternalID != nil && trimmed(*in.ExternalID) != "" {
		existing, err = s.store.UserByExternalID(ctx, a.RealmID, trimmed(*in.ExternalID))
	}
	if KindOf(err) == KindNotFound && in.Email != nil && trimmed(*in.Email) != "" {
		existing, err = s.store.UserByIdentity(ctx, a.RealmID, IdentityEmail, NormalizeEmail(*in.Email))
	}
	switch {
	case err == nil && existing.Active():
		u, err := s.UpdateUser(ctx, a, existing.ID, in)
		return u, false, err
	case err == nil || KindOf(err) == KindNotFound:
		// No active match (a soft-deleted match keeps its identities, so the
		// create below reports the duplicate).
		u, err := s.CreateUser(ctx, a, in)
		return u, err == nil, err
	default:
		return nil, false, err
	}
}

// UpdateUser applies the fields sent in in to the user id. Sending an email
// adds a secondary email identity (or the primary one when the user has no
// email yet): the primary email changes only through identities. Agents may
// update end users and themselves; only admins may change roles or update
// other staff.
func (s *Service) UpdateUser(ctx context.Context, a Actor, id int64, in UserInput) (*User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	old, err := s.store.UserByID(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	if !old.Active() {
		return nil, ErrNotFound
	}
	if err := authorizeWrite(a, old); err != nil {
		return nil, err
	}
	u := cloneUser(old)
	in.Identities = nil // identities are create-only
	// Setting organization_id makes it the user's default organization
	// and removes the user's other memberships (seed 003, "Organization
	// ID"); null removes them all.
	orgID := in.OrganizationID
	in.OrganizationID = nil // checked against the store, with the other fields
	org, orgErr := s.organizationChange(ctx, a.RealmID, orgID)
	if err := joinInvalid(s.applyUserInput(u, in, false), orgErr); err != nil {
		return nil, err
	}
	if err := s.applyUserFieldInput(ctx, u, in.UserFields); err != nil {
		return nil, err
	}
	if err := authorizePrivileges(a, old, u); err != nil {
		return nil, err
	}
	if err := s.userGroups(ctx, a, old, u, in.DefaultGroupID); err != nil {
		return nil, err
	}
	current, err := s.store.IdentitiesByUser(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	change := identityChangeFor(u, old, in, current, now)
	change.Organization = org
	if org != nil {
		u.OrganizationID = *org
	}
	if err := s.checkUnique(ctx, a.RealmID, id, append(change.Add, change.Update...), externalIDChange(old, u)); err != nil {
		return nil, err
	}
	if u.Username != old.Username {
		if err := s.checkUsername(ctx, a.RealmID, id, u.Username); err != nil {
			return nil, err
		}
	}
	if in.FieldRules {
		if err := s.checkFieldRules(ctx, u, old); err != nil {
			return nil, err
		}
	}
	u.UpdatedAt = now
	if err := s.store.UpdateUser(ctx, a.RealmID, u, change); err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteUser soft-deletes a user: it becomes inactive, moves to the
// deleted users and leaves its organizations. Its identities stay, so its email is not free until the
// user is permanently deleted. Nobody may delete themselves.
func (s *Service) DeleteUser(ctx context.Context, a Actor, id int64) (*User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, ErrNotFound
	}
	if err := authorizeWrite(a, u); err != nil {
		return nil, err
	}
	if u.ID == a.UserID {
		return nil, forbidden()
	}
	now := s.Now()
	u.DeletedAt = now
	u.UpdatedAt = now
	// A deleted user belongs to no organization any more, as in Zendesk.
	none := int64(0)
	u.OrganizationID = 0
	if err := s.store.UpdateUser(ctx, a.RealmID, u, IdentityChange{Organization: &none}); err != nil {
		return nil, err
	}
	return u, nil
}

// User returns the user id, deleted or not. End users may read only
// themselves.
func (s *Service) User(ctx context.Context, a Actor, id int64) (*User, error) {
	if !a.Role.Staff() && id != a.UserID {
		return nil, forbidden()
	}
	return s.store.UserByID(ctx, a.RealmID, id)
}

// UsersByIDs returns the users among ids, ordered by id; unknown ids are
// skipped. At most 100 ids are allowed.
func (s *Service) UsersByIDs(ctx context.Context, a Actor, ids []int64) ([]User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if len(ids) > 100 {
		return nil, Errorf(KindTooMany, "Maximum 100 users may be requested per call")
	}
	return s.store.UsersByIDs(ctx, a.RealmID, ids)
}

// UsersByExternalIDs returns the users among externalIDs, ordered by id.
func (s *Service) UsersByExternalIDs(ctx context.Context, a Actor, externalIDs []string) ([]User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if len(externalIDs) > 100 {
		return nil, Errorf(KindTooMany, "Maximum 100 users may be requested per call")
	}
	return s.store.UsersByExternalIDs(ctx, a.RealmID, externalIDs)
}

// ListUsers returns one page of users matching f.
func (s *Service) ListUsers(ctx context.Context, a Actor, f UserFilter, p Page) ([]User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx, a.RealmID, f, p)
}

// CountUsers counts the users matching f exactly.
func (s *Service) CountUsers(ctx context.Context, a Actor, f UserFilter) (int64, error) {
	if err := requireStaff(a); err != nil {
		return 0, err
	}
	return s.store.CountUsers(ctx, a.RealmID, f)
}

// DeletedUser returns a soft-deleted (or erased) user.
func (s *Service) DeletedUser(ctx context.Context, a Actor, id int64) (*User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	if u.Active() {
		return nil, ErrNotFound
	}
	return u, nil
}

// EraseUser permanently deletes the personal data of a soft-deleted user:
// name, emails, phones, ids, notes, tags, fields and credentials. The user
// keeps its id, as a tombstone among the deleted users. Admins only.
func (s *Service) EraseUser(ctx context.Context, a Actor, id int64) (*User, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	u, err := s.DeletedUser(ctx, a, id)
	if err != nil {
		return nil, err
	}
	erased := &User{
		ID: u.ID, RealmID: u.RealmID, UUID: u.UUID,
		Name:         PermanentlyDeletedName,
		Role:         u.Role,
		TimeZone:     u.TimeZone,
		IANATimeZone: u.IANATimeZone,
		Locale:       u.Locale,
		LocaleID:     u.LocaleID,
		Tags:         []string{},
		UserFields:   map[string]any{},
		CreatedAt:    u.CreatedAt,
		UpdatedAt:    s.Now(),
		DeletedAt:    u.DeletedAt,
		Erased:       true,
	}
	if err := s.store.EraseUser(ctx, a.RealmID, erased); err != nil {
		return nil, err
	}
	return erased, nil
}

// authorizeRole checks that a may give a user the role r: agents create and
// keep end users only.
func authorizeRole(a Actor, r Role) error {
	if a.Role == RoleAdmin || r == RoleEndUser {
		return nil
	}
	return forbidden()
}

// authorizeWrite checks that a may change target: admins anyone, agents end
// users and themselves.
func authorizeWrite(a Actor, target *User) error {
	switch {
	case a.Role == RoleAdmin:
		return nil
	case a.Role == RoleAgent && (target.Role == RoleEndUser || target.ID == a.UserID):
		return nil
	}
	return forbidden()
}

// authorizePrivileges checks that only admins change what a user may do:
// the role, and for staff the custom role, ticket restriction, private
// comments and moderation. So an agent editing themself cannot lift their
// own restrictions.
func authorizePrivileges(a Actor, old, u *User) error {
	if a.Role == RoleAdmin {
		return nil
	}
	changed := u.Role != old.Role
	if old.Role.Staff() {
		changed = changed || u.CustomRoleID != old.CustomRoleID || u.TicketRestriction != old.TicketRestriction ||
			u.OnlyPrivateComments != old.OnlyPrivateComments || u.Moderator != old.Moderator
	}
	if changed {
		return forbidden()
	}
	return nil
}

func cloneUser(u *User) *User {
	c := *u
	c.Tags = append([]string{}, u.Tags...)
	c.UserFields = make(map[string]any, len(u.UserFields))
	for k, v := range u.UserFields {
		c.UserFields[k] = v
	}
	return &c
}

func externalIDChange(old, u *User) string {
	if u.ExternalID != "" && !equalFold(u.ExternalID, old.ExternalID) {
		return u.ExternalID
	}
	return ""
}

// checkUnique looks for another user already holding one of the new
// identities or the external id, so the error can name the value. The
// store's unique indexes still decide under concurrent writes.
func (s *Service) checkUnique(ctx context.Context, realmID, self int64, ids []Identity, externalID string) error {
	var v Invalid
	for _, id := range ids {
		other, err := s.store.UserByIdentity(ctx, realmID, id.Type, id.Value)
		field := "email"
		if id.Type == IdentityPhone {
			field = "phone"
		} else if id.Type != IdentityEmail {
			field = "identities"
		}
		switch {
		case err == nil && other.ID != self:
			v.Add(field, "DuplicateValue", id.Value+" is already being used by another user")
		case err != nil && KindOf(err) != KindNotFound:
			return err
		}
	}
	if externalID != "" {
		other, err := s.store.UserByExternalID(ctx, realmID, externalID)
		switch {
		case err == nil && other.ID != self:
			v.Add("external_id", "DuplicateValue", externalID+" has already been taken")
		case err != nil && KindOf(err) != KindNotFound:
			return err
		}
	}
	return v.Err()
}
