package directory

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Limits on text fields, so a single request cannot store megabytes in a
// name. Details and notes are free text and get more room.
const (
	maxShortText = 255
	maxLongText  = 65535
	maxTags      = 100
)

func trimmed(s string) string { return strings.TrimSpace(s) }

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

// validText reports whether s is valid UTF-8, has no control characters
// other than newlines and tabs, and has at most max runes.
func validText(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

// NormalizeEmail is the form emails are stored and compared in: trimmed
// and lowercased (all of Unicode, not only ASCII).
func NormalizeEmail(s string) string { return strings.ToLower(trimmed(s)) }

// validEmail accepts a bare address (no display name) with a dotted domain.
func validEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// normalizePhone returns the E.164 form of a phone number given with its
// country calling code ("+1 555 123 4567" -> "+15551234567"). It checks
// that the country code exists and the length is possible for it, not that
// the number is assigned: Zendesk's own examples (+15551234567) use
// fictional 555 numbers.
func normalizePhone(s string) (string, bool) {
	s = trimmed(s)
	if !strings.HasPrefix(s, "+") || len(s) > 32 {
		return "", false
	}
	n, err := phonenumbers.Parse(s, "")
	if err != nil || phonenumbers.IsPossibleNumberWithReason(n) != phonenumbers.IS_POSSIBLE ||
		phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode())) == "ZZ" {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// NormalizeTags lowercases tags, turns inner spaces into underscores, drops
// empty ones and duplicates, and keeps the first-seen order.
func NormalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.ToLower(trimmed(t))
		t = strings.Join(strings.Fields(t), "_")
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// setText validates an optional text field into *dst.
func setText(v *Invalid, field string, src *string, dst *string, max int) {
	if src == nil {
		return
	}
	s := trimmed(*src)
	if !validText(s, max) {
		v.Add(field, "InvalidValue", "is invalid or too long")
		return
	}
	*dst = s
}

// applyUserInput validates in and applies it to u. On create, fields not
// sent keep u's defaults. All problems are reported together and u is
// left partly changed only when an error is returned, which callers discard.
func (s *Service) applyUserInput(u *User, in UserInput, creating bool) error {
	var v Invalid
	oldRole := u.Role
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
			u.Name = name
		}
	}
	setText(&v, "first_name", in.FirstName, &u.FirstName, maxShortText)
	setText(&v, "last_name", in.LastName, &u.LastName, maxShortText)
	setText(&v, "second_last_name", in.SecondLastName, &u.SecondLastName, maxShortText)
	setText(&v, "username", in.Username, &u.Username, maxShortText)
	setText(&v, "alias", in.Alias, &u.Alias, maxShortText)
	setText(&v, "details", in.Details, &u.Details, maxLongText)
	setText(&v, "notes", in.Notes, &u.Notes, maxLongText)
	setText(&v, "signature", in.Signature, &u.Signature, maxLongText)
	setText(&v, "remote_photo_url", in.RemotePhotoURL, &u.RemotePhotoURL, 2048)
	setText(&v, "external_id", in.ExternalID, &u.ExternalID, maxShortText)

	if in.Email != nil {
		e := NormalizeEmail(*in.Email)
		if e != "" && !validEmail(e) {
			v.Add("email", "InvalidValue", *in.Email+" is not properly formatted")
		} else if creating {
			u.Email = e
		}
	}
	if in.Phone != nil {
		if trimmed(*in.Phone) == "" {
			u.Phone = ""
		} else if p, ok := normalizePhone(*in.Phone); ok {
			u.Phone = p
		} else {
			v.Add("phone", "InvalidValue", *in.Phone+" is not a valid E.164 phone number (it needs a + and the country code)")
		}
	}
	if in.SharedPhoneNumber != nil {
		u.SharedPhoneNumber = *in.SharedPhoneNumber
	}
	if in.Role != nil {
		r := Role(strings.ToLower(trimmed(*in.Role)))
		if r.Valid() {
			u.Role = r
		} else {
			v.Add("role", "InvalidValue", *in.Role+" is not one of end-user, agent, admin")
		}
	}
	if in.CustomRoleID != nil {
		u.CustomRoleID = *in.CustomRoleID
	}
	if in.Moderator != nil {
		u.Moderator = *in.Moderator
	}
	if in.OnlyPrivateComments != nil {
		u.OnlyPrivateComments = *in.OnlyPrivateComments
	}
	if in.Suspended != nil {
		u.Suspended = *in.Suspended
	}
	if in.Verified != nil {
		u.Verified = *in.Verified
	}
	// Every writer (CreateUser, UpdateUser, ImportUsers) checks
	// organization_id against the store and takes it out of in first, so
	// one reaching here was not checked: refused rather than stored
	// unchecked. Zero (null) is always accepted.
	if in.OrganizationID != nil && *in.OrganizationID != 0 {
		v.Add("organization_id", "InvalidValue", "is not an organization of this account")
	}
	// default_group_id is checked against the realm's groups by userGroups.
	if in.TimeZone != nil {
		if stored, iana, ok := ResolveTimeZone(*in.TimeZone); ok {
			u.TimeZone, u.IANATimeZone = stored, iana
		} else {
			v.Add("time_zone", "InvalidValue", *in.TimeZone+" is not a known time zone")
		}
	}
	// locale wins over locale_id when both are sent.
	switch {
	case in.Locale != nil:
		if l, ok := ResolveLocale(*in.Locale); ok {
			u.Locale, u.LocaleID = l.Tag, l.ID
		} else {
			v.Add("locale", "InvalidValue", *in.Locale+" is not a supported BCP-47 locale")
		}
	case in.LocaleID != nil:
		if l, ok := LocaleByID(*in.LocaleID); ok {
			u.Locale, u.LocaleID = l.Tag, l.ID
		} else {
			v.Add("locale_id", "InvalidValue", "is not a supported locale id")
		}
	}
	if in.Tags != nil {
		tags := NormalizeTags(*in.Tags)
		bad := len(tags) > maxTags
		for _, t := range tags {
			bad = bad || !validText(t, maxShortText)
		}
		if bad {
			v.Add("tags", "InvalidValue", "are invalid or too many (maximum is 100)")
		} else {
			u.Tags = tags
		}
	}
	// Custom user fields come with their own API; with no field defined,
	// every key is unknown and, as in Zendesk, ignored.

	if in.TicketRestriction != nil || in.Role != nil || creating {
		restriction := u.TicketRestriction
		switch {
		case in.TicketRestriction != nil:
			restriction = trimmed(*in.TicketRestriction)
		case creating || u.Role != oldRole:
			// A new role without a restriction sent gets that role's
			// default: end users see their own requests, staff everything.
			restriction = defaultTicketRestriction(u.Role)
		}
		if r, ok := ticketRestrictionFor(u.Role, restriction); ok {
			u.TicketRestriction = r
		} else {
			v.Add("ticket_restriction", "InvalidValue", restriction+" is not a valid ticket restriction for an "+string(u.Role))
		}
	}
	// Role-bound attributes: only agents have custom roles, only staff
	// have signatures.
	if u.Role != RoleAgent {
		u.CustomRoleID = 0
	}
	if u.Role == RoleEndUser {
		u.Signature = ""
	}
	return v.Err()
}

// defaultTicketRestriction is the restriction a user of role r gets when
// none is sent: "requested" for end users, none for agents and admins.
func defaultTicketRestriction(r Role) string {
	if r == RoleEndUser {
		return RestrictionRequested
	}
	return ""
}

// ticketRestrictionFor applies Zendesk's rule for a role: admins have none;
// end users may see their organization's or their own requests, and any
// other value becomes "requested"; agents may have any restriction or none.
func ticketRestrictionFor(role Role, r string) (string, bool) {
	switch role {
	case RoleAdmin:
		return "", true
	case RoleEndUser:
		if r == RestrictionOrganization {
			return r, true
		}
		return RestrictionRequested, true
	}
	switch r {
	case "", RestrictionOrganization, RestrictionGroups, RestrictionAssigned, RestrictionRequested:
		return r, true
	}
	return "", false
}

// newUserIdentities builds the identities of a new user: its primary email
// and direct phone line, then the extra identities sent with it.
func (s *Service) newUserIdentities(u *User, in UserInput, now time.Time) ([]Identity, error) {
	var ids []Identity
	seen := map[string]bool{}
	add := func(typ, value string, primary bool) {
		key := typ + "\x00" + value
		if seen[key] {
			return
		}
		seen[key] = true
		ids = append(ids, Identity{RealmID: u.RealmID, Type: typ, Value: value, Primary: primary,
			Verified: primary && u.Verified, CreatedAt: now, UpdatedAt: now})
	}
	if u.Email != "" {
		add(IdentityEmail, u.Email, true)
	}
	if u.Phone != "" && !u.SharedPhoneNumber {
		add(IdentityPhone, u.Phone, true)
	}
	var v Invalid
	for i, id := range in.Identities {
		typ := strings.ToLower(trimmed(id.Type))
		value := trimmed(id.Value)
		switch typ {
		case IdentityEmail:
			value = NormalizeEmail(value)
			if !validEmail(value) {
				v.Add("identities", "InvalidValue", id.Value+" is not properly formatted")
				continue
			}
			// The first email becomes primary when the user has none.
			primary := u.Email == ""
			if primary {
				u.Email = value
			}
			add(typ, value, primary)
		case IdentityPhone:
			p, ok := normalizePhone(value)
			if !ok {
				v.Add("identities", "InvalidValue", id.Value+" is not a valid E.164 phone number")
				continue
			}
			add(typ, p, false)
		case IdentityTwitter, IdentityFacebook, IdentityGoogle:
			if value == "" || !validText(value, maxShortText) {
				v.Add("identities", "InvalidValue", "identity "+strconv.Itoa(i)+" has an invalid value")
				continue
			}
			add(typ, value, false)
		default:
			v.Add("identities", "InvalidValue", "identity "+strconv.Itoa(i)+" has an unsupported type "+id.Type)
		}
	}
	return ids, v.Err()
}

// identityChangeFor works out what an update does to the identities: a new
// email becomes a secondary identity (primary if the user had no email), and
// the primary phone identity follows the phone field of a direct line.
func identityChangeFor(u, old *User, in UserInput, current []Identity, now time.Time) IdentityChange {
	var ch IdentityChange
	if in.Email != nil {
		e := NormalizeEmail(*in.Email)
		has := false
		for _, id := range current {
			has = has || (id.Type == IdentityEmail && id.Value == e)
		}
		if e != "" && !has {
			primary := old.Email == ""
			if primary {
				u.Email = e
			}
			ch.Add = append(ch.Add, Identity{RealmID: u.RealmID, UserID: u.ID, Type: IdentityEmail, Value: e,
				Primary: primary, CreatedAt: now, UpdatedAt: now})
		}
	}
	var phoneID *Identity
	for i := range current {
		if current[i].Type == IdentityPhone && current[i].Primary {
			phoneID = &current[i]
		}
	}
	wantPhone := u.Phone != "" && !u.SharedPhoneNumber
	switch {
	case phoneID != nil && !wantPhone:
		ch.Delete = append(ch.Delete, phoneID.ID)
	case phoneID != nil && phoneID.Value != u.Phone:
		p := *phoneID
		p.Value, p.Verified, p.UpdatedAt = u.Phone, false, now
		ch.Update = append(ch.Update, p)
	case phoneID == nil && wantPhone:
		ch.Add = append(ch.Add, Identity{RealmID: u.RealmID, UserID: u.ID, Type: IdentityPhone, Value: u.Phone,
			Primary: true, CreatedAt: now, UpdatedAt: now})
	}
	return ch
}
