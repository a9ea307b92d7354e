package directory

import (
	"context"
	"strings"
	"time"
)

// Organization is a company or group of end users in a realm. Its name is
// unique in the realm and its external id too, both compared
// case-insensitively.
type Organization struct {
	ID             int64
	RealmID        int64
	Name           string
	ExternalID     string
	Details        string
	Notes          string
	GroupID        int64 // 0: none
	SharedTickets  bool
	SharedComments bool
	DomainNames    []string
	Tags           []string
	// Fields holds the organization_fields object as sent: keys are field
	// keys, values any JSON value.
	Fields    map[string]any
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OrganizationInput carries the writable fields of an organization create
// or partial update. A nil pointer means "not sent"; a pointer to "" (or 0)
// clears a nullable field.
type OrganizationInput struct {
	Name           *string
	ExternalID     *string
	Details        *string
	Notes          *string
	GroupID        *int64
	SharedTickets  *bool
	SharedComments *bool
	DomainNames    *[]string
	Tags           *[]string
	// Fields are merged into the stored organization_fields: a key sent
	// replaces the stored value, a key sent as null is removed. nil: not
	// sent.
	Fields map[string]any
}

// OrganizationFilter selects organizations in a list or count. The zero
// filter selects all of a realm's organizations, ordered by id.
type OrganizationFilter struct {
	ExternalID string // exact, case-insensitive
	Name       string // exact, case-insensitive
	// NamePrefix selects names starting with it, case-insensitively, and
	// orders by name (autocomplete).
	NamePrefix string
	// UserID selects the organizations the user is a member of.
	UserID int64
}

// Membership is a user's membership of an organization. Every user with
// memberships has exactly one default membership, and the user's
// OrganizationID is the organization of that default membership.
type Membership struct {
	ID               int64
	RealmID          int64
	UserID           int64
	OrganizationID   int64
	OrganizationName string // read from the organization
	Default          bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// MembershipFilter selects memberships: all of a realm's, a user's or an
// organization's.
type MembershipFilter struct {
	UserID         int64
	OrganizationID int64
}

// OrganizationStore is the part of Store that keeps organizations and
// their memberships. Every write is one transaction, and keeps these
// invariants whatever the caller sends: a user with memberships has exactly
// one default membership; the user's organization_id is its organization
// (0 with no membership); an organization's user count is its number of
// memberships; the realm's organization count is its number of
// organizations. A unique violation is a KindInvalid error on "name" or
// "external_id" (organizations) or "user_id" (a second membership of a
// user in one organization), code DuplicateValue.
type OrganizationStore interface {
	// CreateOrganization inserts o, sets o.ID and counts it.
	CreateOrganization(ctx context.Context, realmID int64, o *Organization) error
	// UpdateOrganization writes every column of o.
	UpdateOrganization(ctx context.Context, realmID int64, o *Organization) error
	// DeleteOrganization deletes the organization and its memberships. A
	// user whose default membership it was gets its oldest other
	// membership as default, or no organization.
	DeleteOrganization(ctx context.Context, realmID, id int64) error
	OrganizationByID(ctx context.Context, realmID, id int64) (*Organization, error)
	// OrganizationByExternalID compares case-insensitively.
	OrganizationByExternalID(ctx context.Context, realmID int64, externalID string) (*Organization, error)
	// OrganizationByName compares case-insensitively.
	OrganizationByName(ctx context.Context, realmID int64, name string) (*Organization, error)
	// OrganizationsByIDs returns the organizations found, ordered by id.
	OrganizationsByIDs(ctx context.Context, realmID int64, ids []int64) ([]Organization, error)
	// OrganizationsByExternalIDs returns the organizations found, ordered
	// by id.
	OrganizationsByExternalIDs(ctx context.Context, realmID int64, externalIDs []string) ([]Organization, error)
	// ListOrganizations returns one page of the organizations matching f,
	// ordered by id, or by name then id with f.NamePrefix (which pages by
	// offset only). Prefix matches are read from an index on the folded
	// name.
	ListOrganizations(ctx context.Context, realmID int64, f OrganizationFilter, p Page) ([]Organization, error)
	// CountOrganizations counts the organizations matching f; the zero
	// filter reads a counter kept with every write.
	CountOrganizations(ctx context.Context, realmID int64, f OrganizationFilter) (int64, error)
	// CountOrganizationUsers returns the organization's number of members
	// with one of roles: with no role, from a counter kept with every
	// membership write; else by an indexed count.
	CountOrganizationUsers(ctx context.Context, realmID, organizationID int64, roles []Role) (int64, error)
	// OrganizationUsers returns one page of the organization's members
	// with one of roles (any role when empty), ordered by user id.
	OrganizationUsers(ctx context.Context, realmID, organizationID int64, roles []Role, p Page) ([]User, error)

	// CreateMembership inserts m and sets m.ID. It becomes the user's
	// default when m.Default is set or the user has no membership yet, and
	// m.Default then tells which it is.
	CreateMembership(ctx context.Context, realmID int64, m *Membership) error
	// DeleteMembership deletes the membership id; when it was the user's
	// default, the user's oldest other membership becomes the default.
	DeleteMembership(ctx context.Context, realmID, id int64) error
	// MakeDefaultMembership makes the membership id its user's default.
	MakeDefaultMembership(ctx context.Context, realmID, id int64, at time.Time) error
	MembershipByID(ctx context.Context, realmID, id int64) (*Membership, error)
	// MembershipOf returns the user's membership of the organization.
	MembershipOf(ctx context.Context, realmID, userID, organizationID int64) (*Membership, error)
	// ListMemberships returns one page of the memberships matching f,
	// ordered by id; with f.UserID alone, the default first, then by
	// organization name (offset pages only).
	ListMemberships(ctx context.Context, realmID int64, f MembershipFilter, p Page) ([]Membership, error)
	// CountMemberships counts the memberships matching f.
	CountMemberships(ctx context.Context, realmID int64, f MembershipFilter) (int64, error)
}

// maxDomainNames bounds an organization's domain names, as maxTags bounds
// tags.
const maxDomainNames = 100

// NewOrganization returns an organization of realm realmID with Zendesk's
// defaults and no name.
func NewOrganization(realmID int64, now time.Time) *Organization {
	return &Organization{RealmID: realmID, DomainNames: []string{}, Tags: []string{}, Fields: map[string]any{},
		CreatedAt: now, UpdatedAt: now}
}

// applyOrganizationInput validates in and applies it to o, reporting every
// problem at once.
func applyOrganizationInput(o *Organization, in OrganizationInput, creating bool) error {
	var v Invalid
	if in.Name != nil || creating {
		name := ""
		if in.Name != nil {
			name = trimmed(*in.Name)
		}
		switch {
		case name == "":
			v.Add("name", "BlankValue", "cannot be blank")
		case !validText(name, maxShortText):
			v.Add("name", "InvalidValue", "is invalid or too long (maximum is 255 characters)")
		default:
			o.Name = name
		}
	}
	setText(&v, "external_id", in.ExternalID, &o.ExternalID, maxShortText)
	setText(&v, "details", in.Details, &o.Details, maxLongText)
	setText(&v, "notes", in.Notes, &o.Notes, maxLongText)
	if in.SharedTickets != nil {
		o.SharedTickets = *in.SharedTickets
	}
	if in.SharedComments != nil {
		o.SharedComments = *in.SharedComments
	}
	if in.DomainNames != nil {
		if names, ok := normalizeDomainNames(*in.DomainNames); ok {
			o.DomainNames = names
		} else {
			v.Add("domain_names", "InvalidValue", "must be at most 100 domain names such as example.com")
		}
	}
	if in.Tags != nil {
		if tags, ok := validTags(*in.Tags); ok {
			o.Tags = tags
		} else {
			v.Add("tags", "InvalidValue", "are invalid or too many (maximum is 100)")
		}
	}
	if in.Fields != nil {
		fields := make(map[string]any, len(o.Fields)+len(in.Fields))
		for k, val := range o.Fields {
			fields[k] = val
		}
		for k, val := range in.Fields {
			switch {
			case !validText(k, maxShortText) || trimmed(k) == "":
				v.Add("organization_fields", "InvalidValue", "has an invalid key")
			case val == nil:
				delete(fields, k)
			default:
				fields[k] = val
			}
		}
		o.Fields = fields
	}
	return v.Err()
}

// validTags normalises tags as user tags are and checks their number and
// length.
func validTags(in []string) ([]string, bool) {
	tags := NormalizeTags(in)
	if len(tags) > maxTags {
		return nil, false
	}
	for _, t := range tags {
		if !validText(t, maxShortText) {
			return nil, false
		}
	}
	return tags, true
}

// normalizeDomainNames lowercases and trims domain names, drops empty ones
// and duplicates, and checks each is a host name.
func normalizeDomainNames(in []string) ([]string, bool) {
	out := []string{}
	seen := map[string]bool{}
	for _, d := range in {
		d = strings.ToLower(trimmed(d))
		if d == "" || seen[d] {
			continue
		}
		if !validDomain(d) {
			return nil, false
		}
		seen[d] = true
		out = append(out, d)
	}
	return out, len(out) <= maxDomainNames
}

func validDomain(d string) bool {
	if len(d) > 253 || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	for _, r := range d {
		if r <= ' ' || strings.ContainsRune("/@:?#\\\"'<>,;", r) {
			return false
		}
	}
	return validText(d, 253)
}

// checkOrganizationUnique looks for another organization with o's name or
// external id, so the error names the value; the store's unique indexes
// still decide under concurrent writes.
func (s *Service) checkOrganizationUnique(ctx context.Context, realmID int64, o, old *Organization) error {
	var v Invalid
	if old == nil || !equalFold(o.Name, old.Name) {
		other, err := s.store.OrganizationByName(ctx, realmID, o.Name)
		switch {
		case err == nil && other.ID != o.ID:
			v.Add("name", "DuplicateValue", o.Name+" has already been taken")
		case err != nil && KindOf(err) != KindNotFound:
			return err
		}
	}
	if o.ExternalID != "" && (old == nil || !equalFold(o.ExternalID, old.ExternalID)) {
		other, err := s.store.OrganizationByExternalID(ctx, realmID, o.ExternalID)
		switch {
		case err == nil && other.ID != o.ID:
			v.Add("external_id", "DuplicateValue", o.ExternalID+" has already been taken")
		case err != nil && KindOf(err) != KindNotFound:
			return err
		}
	}
	return v.Err()
}

// CreateOrganization creates an organization from in. Admins only.
func (s *Service) CreateOrganization(ctx context.Context, a Actor, in OrganizationInput) (*Organization, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	o := NewOrganization(a.RealmID, s.Now())
	if err := joinInvalid(applyOrganizationInput(o, in, true), s.organizationGroup(ctx, o, in.GroupID)); err != nil {
		return nil, err
	}
	if err := s.checkOrganizationUnique(ctx, a.RealmID, o, nil); err != nil {
		return nil, err
	}
	if err := s.store.CreateOrganization(ctx, a.RealmID, o); err != nil {
		return nil, err
	}
	return o, nil
}

// UpdateOrganization applies the fields sent in in to the organization id.
// Admins only.
func (s *Service) UpdateOrganization(ctx context.Context, a Actor, id int64, in OrganizationInput) (*Organization, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	old, err := s.store.OrganizationByID(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	o := cloneOrganization(old)
	if err := joinInvalid(applyOrganizationInput(o, in, false), s.organizationGroup(ctx, o, in.GroupID)); err != nil {
		return nil, err
	}
	if err := s.checkOrganizationUnique(ctx, a.RealmID, o, old); err != nil {
		return nil, err
	}
	o.UpdatedAt = s.Now()
	if err := s.store.UpdateOrganization(ctx, a.RealmID, o); err != nil {
		return nil, err
	}
	return o, nil
}

// organizationGroup applies a group_id sent (nil: not sent) to o: it must
// name an active group of o's realm; null and 0, which go-zendesk sends
// for "none", clear it.
func (s *Service) organizationGroup(ctx context.Context, o *Organization, id *int64) error {
	if id == nil {
		return nil
	}
	if *id == 0 {
		o.GroupID = 0
		return nil
	}
	var v Invalid
	if err := s.checkGroupRef(ctx, o.RealmID, "group_id", *id, &v); err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	o.GroupID = *id
	return nil
}

// CreateOrUpdateOrganization updates the organization named by id, or else
// by in's external id (case-insensitively), and creates one when none
// matches. It reports whether it created. Admins only.
func (s *Service) CreateOrUpdateOrganization(ctx context.Context, a Actor, id int64, in OrganizationInput) (*Organization, bool, error) {
	if err := requireAdmin(a); err != nil {
		return nil, false, err
	}
	existing, err := (*Organization)(nil), error(ErrNotFound)
	if id != 0 {
		existing, err = s.store.OrganizationByID(ctx, a.RealmID, id)
	}
	if KindOf(err) == KindNotFound && in.ExternalID != nil && trimmed(*in.ExternalID) != "" {
		existing, err = s.store.OrganizationByExternalID(ctx, a.RealmID, trimmed(*in.ExternalID))
	}
	switch {
	case err == nil:
		o, err := s.UpdateOrganization(ctx, a, existing.ID, in)
		return o, false, err
	case KindOf(err) == KindNotFound:
		o, err := s.CreateOrganization(ctx, a, in)
		return o, err == nil, err
	}
	return nil, false, err
}

// DeleteOrganization deletes an organization and its memberships; its
// members' default organization moves to another of theirs, or is cleared.
// Admins only.
func (s *Service) DeleteOrganization(ctx context.Context, a Actor, id int64) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.store.DeleteOrganization(ctx, a.RealmID, id)
}

// Organization returns the organization id. Agents and admins.
func (s *Service) Organization(ctx context.Context, a Actor, id int64) (*Organization, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	return s.store.OrganizationByID(ctx, a.RealmID, id)
}

// OrganizationsByIDs returns the organizations among ids, ordered by id;
// unknown ids are skipped. At most 100 ids.
func (s *Service) OrganizationsByIDs(ctx context.Context, a Actor, ids []int64) ([]Organization, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if len(ids) > 100 {
		return nil, Errorf(KindTooMany, "Maximum 100 organizations may be requested per call")
	}
	return s.store.OrganizationsByIDs(ctx, a.RealmID, ids)
}

// OrganizationsByExternalIDs returns the organizations among externalIDs,
// ordered by id. At most 100.
func (s *Service) OrganizationsByExternalIDs(ctx context.Context, a Actor, externalIDs []string) ([]Organization, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if len(externalIDs) > 100 {
		return nil, Errorf(KindTooMany, "Maximum 100 organizations may be requested per call")
	}
	return s.store.OrganizationsByExternalIDs(ctx, a.RealmID, externalIDs)
}

// ListOrganizations returns one page of the organizations matching f. A
// user filter names a user of the realm (404 otherwise).
func (s *Service) ListOrganizations(ctx context.Context, a Actor, f OrganizationFilter, p Page) ([]Organization, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if f.UserID != 0 {
		if _, err := s.activeUser(ctx, a.RealmID, f.UserID); err != nil {
			return nil, err
		}
	}
	return s.store.ListOrganizations(ctx, a.RealmID, f, p)
}

// CountOrganizations counts the organizations matching f exactly.
func (s *Service) CountOrganizations(ctx context.Context, a Actor, f OrganizationFilter) (int64, error) {
	if err := requireStaff(a); err != nil {
		return 0, err
	}
	if f.UserID != 0 {
		if _, err := s.activeUser(ctx, a.RealmID, f.UserID); err != nil {
			return 0, err
		}
		return s.store.CountMemberships(ctx, a.RealmID, MembershipFilter{UserID: f.UserID})
	}
	return s.store.CountOrganizations(ctx, a.RealmID, f)
}

// OrganizationUsers returns one page of an organization's members with
// one of roles (any when empty).
func (s *Service) OrganizationUsers(ctx context.Context, a Actor, id int64, roles []Role, p Page) ([]User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if _, err := s.store.OrganizationByID(ctx, a.RealmID, id); err != nil {
		return nil, err
	}
	return s.store.OrganizationUsers(ctx, a.RealmID, id, roles, p)
}

// CountOrganizationUsers counts an organization's members with one of
// roles (any when empty), exactly.
func (s *Service) CountOrganizationUsers(ctx context.Context, a Actor, id int64, roles []Role) (int64, error) {
	if err := requireStaff(a); err != nil {
		return 0, err
	}
	return s.store.CountOrganizationUsers(ctx, a.RealmID, id, roles)
}

func cloneOrganization(o *Organization) *Organization {
	c := *o
	c.DomainNames = append([]string{}, o.DomainNames...)
	c.Tags = append([]string{}, o.Tags...)
	c.Fields = make(map[string]any, len(o.Fields))
	for k, v := range o.Fields {
		c.Fields[k] = v
	}
	return &c
}

// MembershipInput is a membership to create: the user and organization,
// named by the path or the body, and whether it is to be the default.
type MembershipInput struct {
	UserID         int64
	OrganizationID int64
	Default        bool
}

// CreateMembership adds a user to an organization. The user's first
// membership becomes its default. Both ids must name records of the realm
// (422 otherwise); a second membership of the same pair is a 422. Admins
// may add anyone, agents end users and themselves.
func (s *Service) CreateMembership(ctx context.Context, a Actor, in MembershipInput) (*Membership, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	var v Invalid
	var u *User
	var err error
	if in.UserID == 0 {
		v.Add("user_id", "BlankValue", "cannot be blank")
	} else if u, err = s.activeUser(ctx, a.RealmID, in.UserID); KindOf(err) == KindNotFound {
		v.Add("user_id", "InvalidValue", "is not a user of this account")
	} else if err != nil {
		return nil, err
	}
	var o *Organization
	if in.OrganizationID == 0 {
		v.Add("organization_id", "BlankValue", "cannot be blank")
	} else if o, err = s.store.OrganizationByID(ctx, a.RealmID, in.OrganizationID); KindOf(err) == KindNotFound {
		v.Add("organization_id", "InvalidValue", "is not an organization of this account")
	} else if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := authorizeWrite(a, u); err != nil {
		return nil, err
	}
	if _, err := s.store.MembershipOf(ctx, a.RealmID, u.ID, o.ID); err == nil {
		v.Add("user_id", "DuplicateValue", "is already a member of "+o.Name)
		return nil, v.Err()
	} else if KindOf(err) != KindNotFound {
		return nil, err
	}
	now := s.Now()
	m := &Membership{RealmID: a.RealmID, UserID: u.ID, OrganizationID: o.ID, OrganizationName: o.Name,
		Default: in.Default, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateMembership(ctx, a.RealmID, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Membership returns the membership id; with userID set it must be that
// user's (404 otherwise). Agents and admins.
func (s *Service) Membership(ctx context.Context, a Actor, userID, id int64) (*Membership, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	m, err := s.store.MembershipByID(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	if userID != 0 && m.UserID != userID {
		return nil, ErrNotFound
	}
	return m, nil
}

// DeleteMembership removes the membership id (of userID, when set). When
// it was the default, the user's oldest other membership becomes the
// default.
func (s *Service) DeleteMembership(ctx context.Context, a Actor, userID, id int64) error {
	m, err := s.Membership(ctx, a, userID, id)
	if err != nil {
		return err
	}
	if err := s.authorizeMembershipWrite(ctx, a, m.UserID); err != nil {
		return err
	}
	return s.store.DeleteMembership(ctx, a.RealmID, m.ID)
}

// LeaveOrganization removes the user's membership of the organization.
func (s *Service) LeaveOrganization(ctx context.Context, a Actor, userID, organizationID int64) error {
	if err := requireStaff(a); err != nil {
		return err
	}
	m, err := s.store.MembershipOf(ctx, a.RealmID, userID, organizationID)
	if err != nil {
		return err
	}
	if err := s.authorizeMembershipWrite(ctx, a, m.UserID); err != nil {
		return err
	}
	return s.store.DeleteMembership(ctx, a.RealmID, m.ID)
}

// MakeDefaultMembership makes the user's membership id its default and
// returns the user's memberships, default first.
func (s *Service) MakeDefaultMembership(ctx context.Context, a Actor, userID, id int64) ([]Membership, error) {
	m, err := s.Membership(ctx, a, userID, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeMembershipWrite(ctx, a, m.UserID); err != nil {
		return nil, err
	}
	if err := s.store.MakeDefaultMembership(ctx, a.RealmID, m.ID, s.Now()); err != nil {
		return nil, err
	}
	return s.store.ListMemberships(ctx, a.RealmID, MembershipFilter{UserID: m.UserID}, Page{Limit: -1})
}

// MakeDefaultOrganization makes the user's membership of the organization
// its default and returns that membership.
func (s *Service) MakeDefaultOrganization(ctx context.Context, a Actor, userID, organizationID int64) (*Membership, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	m, err := s.store.MembershipOf(ctx, a.RealmID, userID, organizationID)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeMembershipWrite(ctx, a, m.UserID); err != nil {
		return nil, err
	}
	if err := s.store.MakeDefaultMembership(ctx, a.RealmID, m.ID, s.Now()); err != nil {
		return nil, err
	}
	return s.store.MembershipByID(ctx, a.RealmID, m.ID)
}

// authorizeMembershipWrite checks that a may change the memberships of
// the user userID, as authorizeWrite for the user itself.
func (s *Service) authorizeMembershipWrite(ctx context.Context, a Actor, userID int64) error {
	if a.Role == RoleAdmin {
		return nil
	}
	u, err := s.store.UserByID(ctx, a.RealmID, userID)
	if err != nil {
		return err
	}
	return authorizeWrite(a, u)
}

// ListMemberships returns one page of memberships: all of the realm's, a
// user's (default first, then by organization name) or an
// organization's. A user or organization of another realm is a 404.
func (s *Service) ListMemberships(ctx context.Context, a Actor, f MembershipFilter, p Page) ([]Membership, error) {
	if err := s.checkOrganizationMembershipFilter(ctx, a, f); err != nil {
		return nil, err
	}
	return s.store.ListMemberships(ctx, a.RealmID, f, p)
}

// CountMemberships counts the memberships ListMemberships pages through.
func (s *Service) CountMemberships(ctx context.Context, a Actor, f MembershipFilter) (int64, error) {
	if err := s.checkOrganizationMembershipFilter(ctx, a, f); err != nil {
		return 0, err
	}
	return s.store.CountMemberships(ctx, a.RealmID, f)
}

func (s *Service) checkOrganizationMembershipFilter(ctx context.Context, a Actor, f MembershipFilter) error {
	if err := requireStaff(a); err != nil {
		return err
	}
	if f.UserID != 0 {
		if _, err := s.activeUser(ctx, a.RealmID, f.UserID); err != nil {
			return err
		}
	}
	if f.OrganizationID != 0 {
		if _, err := s.store.OrganizationByID(ctx, a.RealmID, f.OrganizationID); err != nil {
			return err
		}
	}
	return nil
}

// organizationChange validates an organization_id sent on a user create
// or update: 0 clears the user's organizations, any other id must name an
// organization of the realm (422 otherwise). It returns the change for the
// store, nil when none was sent.
func (s *Service) organizationChange(ctx context.Context, realmID int64, id *int64) (*int64, error) {
	if id == nil {
		return nil, nil
	}
	if *id != 0 {
		_, err := s.store.OrganizationByID(ctx, realmID, *id)
		if KindOf(err) == KindNotFound {
			var v Invalid
			v.Add("organization_id", "InvalidValue", "is not an organization of this account")
			return nil, v.Err()
		}
		if err != nil {
			return nil, err
		}
	}
	org := *id
	return &org, nil
}
