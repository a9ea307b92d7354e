package directory

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Identity types a user may have. The user endpoints create email and
// phone_number identities; the identities API creates every type a person
// can add (email, phone_number, twitter, facebook, google,
// agent_forwarding, foreign). The others exist in Zendesk for its own
// channels and are accepted only as list filters.
const (
	IdentityEmail           = "email"
	IdentityPhone           = "phone_number"
	IdentityTwitter         = "twitter"
	IdentityFacebook        = "facebook"
	IdentityGoogle          = "google"
	IdentityAgentForwarding = "agent_forwarding"
	IdentityForeign         = "foreign"
	IdentityAnyChannel      = "any_channel"
	IdentitySDK             = "sdk"
	IdentityMessaging       = "messaging"
	IdentityMicrosoft       = "microsoft"
)

// creatableIdentityTypes are the types the identities API creates.
var creatableIdentityTypes = []string{IdentityEmail, IdentityPhone, IdentityTwitter, IdentityFacebook,
	IdentityGoogle, IdentityAgentForwarding, IdentityForeign}

// ValidIdentityType reports whether t is an identity type Zendesk knows,
// for the type[] filter of a list.
func ValidIdentityType(t string) bool {
	return slices.Contains(creatableIdentityTypes, t) ||
		slices.Contains([]string{IdentityAnyChannel, IdentitySDK, IdentityMessaging, IdentityMicrosoft}, t)
}

// Identity is one way to reach or recognise a user: an email address, a
// phone number, a social account. Values are unique per realm and type.
// A user has at most one primary identity of each type; the user's email
// and phone are its primary email and phone identities.
type Identity struct {
	ID        int64
	RealmID   int64
	UserID    int64
	Type      string
	Value     string
	Verified  bool
	Primary   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IdentityInput is an identity sent along with a new user.
type IdentityInput struct {
	Type  string
	Value string
}

// IdentityChange is what a user update does to the user's identities, all
// in the same transaction as the user row.
type IdentityChange struct {
	Add    []Identity
	Update []Identity
	Delete []int64
	// Organization, when set, makes that organization the user's only
	// membership, as its default (no membership for 0); organization_id
	// follows. Without it the update leaves memberships and
	// organization_id as stored (see organization.go).
	Organization *int64
}

// NewIdentity is an identity added through the identities API. Primary
// and Verified are honoured on create only.
type NewIdentity struct {
	Type     string
	Value    string
	Verified bool
	Primary  bool
}

// IdentityUpdate is a change of one identity; nil means "not sent". The
// primary flag is not here: only make_primary changes it.
type IdentityUpdate struct {
	Value    *string
	Verified *bool
}

// Identities returns the identities of user userID, primary first, then
// by id, keeping only the types listed (all when types is empty). End users
// see only their own email and phone identities.
func (s *Service) Identities(ctx context.Context, a Actor, userID int64, types []string) ([]Identity, error) {
	if _, err := s.identityOwner(ctx, a, userID, false); err != nil {
		return nil, err
	}
	ids, err := s.store.IdentitiesByUser(ctx, a.RealmID, userID)
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for _, id := range ids {
		if (len(types) == 0 || slices.Contains(types, id.Type)) && visibleIdentity(a, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// Identity returns one identity of user userID.
func (s *Service) Identity(ctx context.Context, a Actor, userID, id int64) (*Identity, error) {
	if _, err := s.identityOwner(ctx, a, userID, false); err != nil {
		return nil, err
	}
	_, ident, err := s.findIdentity(ctx, a, userID, id)
	return ident, err
}

// CreateIdentity adds an identity to user userID. Emails are lowercased,
// phone numbers (phone_number, agent_forwarding) put in E.164. The new
// identity becomes the primary one of its type when asked to, or when the
// user has none of that type yet; the user's email and phone follow their
// primary identities. Staff may add any type, end users only an email or a
// phone number to themselves, never verified and never primary by asking.
func (s *Service) CreateIdentity(ctx context.Context, a Actor, userID int64, in NewIdentity) (*Identity, error) {
	u, err := s.identityOwner(ctx, a, userID, true)
	if err != nil {
		return nil, err
	}
	var v Invalid
	typ := trimmed(in.Type)
	switch {
	case typ == "":
		v.Add("type", "BlankValue", "can't be blank")
	case !slices.Contains(creatableIdentityTypes, typ):
		v.Add("type", "InvalidValue", typ+" is not a supported identity type")
	case !a.Role.Staff() && typ != IdentityEmail && typ != IdentityPhone:
		v.Add("type", "InvalidValue", "end users may only add email and phone_number identities")
	}
	value, ok := normalizeIdentityValue(typ, in.Value)
	if typ != "" && !ok {
		v.Add("value", "InvalidValue", identityValueProblem(typ, in.Value))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	current, err := s.store.IdentitiesByUser(ctx, a.RealmID, userID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if !a.Role.Staff() {
		// An end user cannot vouch for their own identity, nor make an
		// unverified email primary by creating it so.
		in.Verified, in.Primary = false, false
	}
	ident := Identity{RealmID: a.RealmID, UserID: userID, Type: typ, Value: value,
		Verified: in.Verified, CreatedAt: now, UpdatedAt: now}
	if err := s.checkIdentityUnique(ctx, a.RealmID, userID, ident); err != nil {
		return nil, err
	}
	var change IdentityChange
	ident.Primary = in.Primary || primaryOf(current, typ) == nil
	if ident.Primary {
		change.Update = demotePrimary(current, typ, now)
	}
	change.Add = []Identity{ident}
	all := append(applyChange(current, change), ident)
	s.followIdentities(u, all)
	u.UpdatedAt = now
	if err := s.store.UpdateUser(ctx, a.RealmID, u, change); err != nil {
		return nil, identityStoreError(err)
	}
	return &change.Add[0], nil
}

// UpdateIdentity changes the value or the verified flag of an identity.
// A new value is unverified unless verified is sent with it. Agents and
// admins only, as are verifying and deleting.
func (s *Service) UpdateIdentity(ctx context.Context, a Actor, userID, id int64, in IdentityUpdate) (*Identity, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if _, err := s.identityOwner(ctx, a, userID, true); err != nil {
		return nil, err
	}
	return s.changeIdentity(ctx, a, userID, id, func(ident *Identity) error {
		if in.Value != nil {
			value, ok := normalizeIdentityValue(ident.Type, *in.Value)
			if !ok {
				var v Invalid
				v.Add("value", "InvalidValue", identityValueProblem(ident.Type, *in.Value))
				return v.Err()
			}
			if value != ident.Value {
				ident.Value, ident.Verified = value, false
				if err := s.checkIdentityUnique(ctx, a.RealmID, userID, *ident); err != nil {
					return err
				}
			}
		}
		if in.Verified != nil {
			ident.Verified = *in.Verified
		}
		return nil
	})
}

// VerifyIdentity marks an identity verified.
func (s *Service) VerifyIdentity(ctx context.Context, a Actor, userID, id int64) (*Identity, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if _, err := s.identityOwner(ctx, a, userID, true); err != nil {
		return nil, err
	}
	return s.changeIdentity(ctx, a, userID, id, func(ident *Identity) error {
		ident.Verified = true
		return nil
	})
}

// RequestVerification checks that a may ask user userID to verify the
// identity id. Clientele sends no email: the request is only validated.
func (s *Service) RequestVerification(ctx context.Context, a Actor, userID, id int64) error {
	if err := requireStaff(a); err != nil {
		return err
	}
	if _, err := s.identityOwner(ctx, a, userID, true); err != nil {
		return err
	}
	_, _, err := s.findIdentity(ctx, a, userID, id)
	return err
}

// MakePrimaryIdentity makes an identity the primary one of its type and
// returns all the user's identities. End users may make primary only their
// own verified emails and their phone numbers.
func (s *Service) MakePrimaryIdentity(ctx context.Context, a Actor, userID, id int64) ([]Identity, error) {
	u, err := s.identityOwner(ctx, a, userID, true)
	if err != nil {
		return nil, err
	}
	current, ident, err := s.findIdentity(ctx, a, userID, id)
	if err != nil {
		return nil, err
	}
	if !a.Role.Staff() && ident.Type == IdentityEmail && !ident.Verified {
		var v Invalid
		v.Add("identity", "InvalidValue", "must be verified before it can be made primary")
		return nil, v.Err()
	}
	if !ident.Primary {
		now := s.Now()
		change := IdentityChange{Update: demotePrimary(current, ident.Type, now)}
		promoted := *ident
		promoted.Primary, promoted.UpdatedAt = true, now
		change.Update = append(change.Update, promoted)
		s.followIdentities(u, applyChange(current, change))
		u.UpdatedAt = now
		if err := s.store.UpdateUser(ctx, a.RealmID, u, change); err != nil {
			return nil, err
		}
	}
	return s.Identities(ctx, a, userID, nil)
}

// DeleteIdentity removes an identity. When it was the primary one of its
// type, the oldest other identity of that type takes its place, or the
// user's email or phone is cleared.
func (s *Service) DeleteIdentity(ctx context.Context, a Actor, userID, id int64) error {
	if err := requireStaff(a); err != nil {
		return err
	}
	u, err := s.identityOwner(ctx, a, userID, true)
	if err != nil {
		return err
	}
	current, ident, err := s.findIdentity(ctx, a, userID, id)
	if err != nil {
		return err
	}
	now := s.Now()
	change := IdentityChange{Delete: []int64{ident.ID}}
	if ident.Primary {
		for _, other := range current {
			if other.Type == ident.Type && other.ID != ident.ID {
				other.Primary, other.UpdatedAt = true, now
				change.Update = []Identity{other}
				break
			}
		}
	}
	s.followIdentities(u, applyChange(current, change))
	u.UpdatedAt = now
	return s.store.UpdateUser(ctx, a.RealmID, u, change)
}

// changeIdentity reads identity id of user userID, lets edit change it and
// stores it with the user, whose email, phone and verified flag follow.
func (s *Service) changeIdentity(ctx context.Context, a Actor, userID, id int64, edit func(*Identity) error) (*Identity, error) {
	u, err := s.store.UserByID(ctx, a.RealmID, userID)
	if err != nil {
		return nil, err
	}
	current, ident, err := s.findIdentity(ctx, a, userID, id)
	if err != nil {
		return nil, err
	}
	changed := *ident
	if err := edit(&changed); err != nil {
		return nil, err
	}
	if changed == *ident {
		return ident, nil
	}
	now := s.Now()
	changed.UpdatedAt = now
	change := IdentityChange{Update: []Identity{changed}}
	s.followIdentities(u, applyChange(current, change))
	u.UpdatedAt = now
	if err := s.store.UpdateUser(ctx, a.RealmID, u, change); err != nil {
		return nil, identityStoreError(err)
	}
	return &changed, nil
}

// identityOwner returns the user whose identities a works on, checking
// that a may read them (write=false) or change them (write=true): staff
// read anyone's, agents change end users' and their own, admins anyone's;
// an end user reads and changes only their own, and only once verified.
func (s *Service) identityOwner(ctx context.Context, a Actor, userID int64, write bool) (*User, error) {
	if !a.Role.Staff() && a.UserID != userID {
		return nil, forbidden()
	}
	u, err := s.store.UserByID(ctx, a.RealmID, userID)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, ErrNotFound
	}
	switch {
	case !a.Role.Staff() && !u.Verified:
		return nil, forbidden()
	case write && a.Role.Staff():
		if err := authorizeWrite(a, u); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// findIdentity returns the user's identities and the one with id, which
// must be visible to a.
func (s *Service) findIdentity(ctx context.Context, a Actor, userID, id int64) ([]Identity, *Identity, error) {
	current, err := s.store.IdentitiesByUser(ctx, a.RealmID, userID)
	if err != nil {
		return nil, nil, err
	}
	for i := range current {
		if current[i].ID == id && visibleIdentity(a, current[i]) {
			ident := current[i]
			return current, &ident, nil
		}
	}
	return nil, nil, ErrNotFound
}

// visibleIdentity reports whether a may see ident: end users see only
// email and phone identities.
func visibleIdentity(a Actor, ident Identity) bool {
	return a.Role.Staff() || ident.Type == IdentityEmail || ident.Type == IdentityPhone
}

// normalizeIdentityValue returns the stored form of an identity value of
// type typ, and whether it is valid.
func normalizeIdentityValue(typ, value string) (string, bool) {
	switch typ {
	case IdentityEmail:
		e := NormalizeEmail(value)
		return e, validEmail(e)
	case IdentityPhone, IdentityAgentForwarding:
		return normalizePhone(value)
	}
	v := trimmed(value)
	return v, v != "" && validText(v, maxShortText)
}

func identityValueProblem(typ, value string) string {
	switch typ {
	case IdentityEmail:
		return value + " is not properly formatted"
	case IdentityPhone, IdentityAgentForwarding:
		return value + " is not a valid E.164 phone number (it needs a + and the country code)"
	}
	return "can't be blank and must be at most 255 characters"
}

// checkIdentityUnique reports, in Zendesk's words, a value another user
// (or this user, in another identity) already holds. The store's unique
// index still decides under concurrent writes.
func (s *Service) checkIdentityUnique(ctx context.Context, realmID, userID int64, ident Identity) error {
	other, err := s.store.UserByIdentity(ctx, realmID, ident.Type, ident.Value)
	switch {
	case err == nil:
		var v Invalid
		if other.ID == userID {
			v.Add("value", "DuplicateValue", ident.Value+" has already been taken")
		} else {
			v.Add("value", "DuplicateValue", ident.Value+" is already being used by another user")
		}
		return v.Err()
	case KindOf(err) != KindNotFound:
		return err
	}
	return nil
}

// identityStoreError names the identity's value in a duplicate reported
// by the store's unique index, which knows only the column.
func identityStoreError(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Kind == KindInvalid && len(e.Fields) == 1 && e.Fields[0].Code == "DuplicateValue" {
		var v Invalid
		v.Add("value", "DuplicateValue", "is already being used by another user")
		return v.Err()
	}
	return err
}

// primaryOf returns the primary identity of type typ, or nil.
func primaryOf(ids []Identity, typ string) *Identity {
	for i := range ids {
		if ids[i].Type == typ && ids[i].Primary {
			return &ids[i]
		}
	}
	return nil
}

// demotePrimary returns the updates that make the identities of type typ
// secondary.
func demotePrimary(ids []Identity, typ string, now time.Time) []Identity {
	var out []Identity
	for _, id := range ids {
		if id.Type == typ && id.Primary {
			id.Primary, id.UpdatedAt = false, now
			out = append(out, id)
		}
	}
	return out
}

// applyChange returns ids with change's updates and deletes applied (not
// its additions, which have no id yet).
func applyChange(ids []Identity, change IdentityChange) []Identity {
	out := make([]Identity, 0, len(ids))
	for _, id := range ids {
		if slices.Contains(change.Delete, id.ID) {
			continue
		}
		for _, up := range change.Update {
			if up.ID == id.ID {
				id = up
			}
		}
		out = append(out, id)
	}
	return out
}

// followIdentities makes u's email and phone those of its primary email
// and phone identities, and u verified when any identity is. A phone
// without an identity (a shared number) stays as it is.
func (s *Service) followIdentities(u *User, ids []Identity) {
	u.Email = ""
	if p := primaryOf(ids, IdentityEmail); p != nil {
		u.Email = p.Value
	}
	if p := primaryOf(ids, IdentityPhone); p != nil {
		u.Phone, u.SharedPhoneNumber = p.Value, false
	} else if !u.SharedPhoneNumber {
		u.Phone = ""
	}
	if len(ids) > 0 {
		u.Verified = slices.ContainsFunc(ids, func(id Identity) bool { return id.Verified })
	}
}
