package zendesk

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// The full user object is what every list, search and autocomplete page
// repeats a hundred times, so it is written here field by field instead of
// through encoding/json's reflection over the user struct: no pointer per
// optional field, no map per user for user_fields, and the pieces a page's
// users share (the start of their url, the realm's custom field keys)
// worked out once per page. The bytes are exactly those encoding/json
// makes of fullUser (TestUserJSONMatchesEncodingJSON compares them); any
// string that needs escaping is handed to encoding/json itself.

// userJSON is a user as the full user object (with result_type when it
// is a search result). It is what userView, fullView and searchResults
// hand to writeBody, which writes it with a userEncoder shared by the
// page; elsewhere encoding/json calls MarshalJSON.
type userJSON struct {
	h          *Handler
	r          *http.Request
	u          *directory.User
	resultType bool
}

// MarshalJSON writes the full user object, for encoding/json.
func (v userJSON) MarshalJSON() ([]byte, error) {
	return v.h.newUserEncoder(v.r, v.u.RealmID).appendUser(nil, v.u, v.resultType), nil
}

func (v userJSON) appendJSON(b []byte) []byte {
	return v.h.newUserEncoder(v.r, v.u.RealmID).appendUser(b, v.u, v.resultType)
}

// appendRecords appends the JSON array of items, as encoding/json writes
// a []any, with one userEncoder for all the users of one request and
// realm.
func appendRecords(b []byte, items []any) ([]byte, error) {
	b = append(b, '[')
	var enc *userEncoder
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := it.(type) {
		case userJSON:
			if enc == nil || enc.r != v.r || enc.realmID != v.u.RealmID {
				enc = v.h.newUserEncoder(v.r, v.u.RealmID)
			}
			b = enc.appendUser(b, v.u, v.resultType)
		default:
			m, err := marshal(it)
			if err != nil {
				return nil, err
			}
			b = append(b, m...)
		}
	}
	return append(b, ']'), nil
}

// userEncoder writes full user objects for one request and realm.
type userEncoder struct {
	r       *http.Request
	realmID int64
	// urlPrefix is the url of a user up to its id, as a JSON string
	// without its closing quote: `"https://host/api/v2/users/`.
	urlPrefix []byte
	// fieldKeys are the realm's custom field keys in the order
	// encoding/json writes a map's keys (sorted), each with its encoded
	// `"key":`.
	fieldKeys []string
	keyJSON   [][]byte
}

// newUserEncoder prepares the pieces the users of realmID share in the
// response to r.
func (h *Handler) newUserEncoder(r *http.Request, realmID int64) *userEncoder {
	e := &userEncoder{r: r, realmID: realmID}
	prefix := appendString(nil, h.baseURL(r)+"/api/v2/users/")
	e.urlPrefix = prefix[:len(prefix)-1]
	keys, err := h.svc.UserFieldKeys(r.Context(), realmID)
	if err != nil {
		// As presentUserFields: the users are still worth answering.
		h.log.ErrorContext(r.Context(), "loading user fields", "err", err)
	}
	e.fieldKeys = slices.Clone(keys)
	slices.Sort(e.fieldKeys)
	e.fieldKeys = slices.Compact(e.fieldKeys)
	e.keyJSON = make([][]byte, len(e.fieldKeys))
	for i, k := range e.fieldKeys {
		e.keyJSON[i] = append(appendString(nil, k), ':')
	}
	return e
}

// appendUser appends u as the full user object, the bytes encoding/json
// writes for fullUser (and for searchResult when resultType is set).
func (e *userEncoder) appendUser(b []byte, u *directory.User, resultType bool) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, u.ID, 10)
	b = append(b, `,"url":`...)
	b = append(b, e.urlPrefix...)
	b = strconv.AppendInt(b, u.ID, 10)
	b = append(b, `.json","name":`...)
	b = appendString(b, u.Name)
	b = append(b, `,"email":`...)
	b = appendNullString(b, u.Email)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, u.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, u.UpdatedAt)
	b = append(b, `,"time_zone":`...)
	b = appendString(b, u.TimeZone)
	b = append(b, `,"iana_time_zone":`...)
	b = appendString(b, u.IANATimeZone)
	b = append(b, `,"phone":`...)
	b = appendNullString(b, u.Phone)
	b = append(b, `,"shared_phone_number":`...)
	if u.Phone == "" {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendBool(b, u.SharedPhoneNumber)
	}
	b = append(b, `,"photo":`...)
	if u.RemotePhotoURL == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"content_url":`...)
		b = appendString(b, u.RemotePhotoURL)
		b = append(b, `,"url":`...)
		b = appendString(b, u.RemotePhotoURL)
		b = append(b, `,"content_type":"image"}`...)
	}
	b = append(b, `,"locale_id":`...)
	b = strconv.AppendInt(b, int64(u.LocaleID), 10)
	b = append(b, `,"locale":`...)
	b = appendString(b, u.Locale)
	b = append(b, `,"organization_id":`...)
	b = appendNullID(b, u.OrganizationID)
	b = append(b, `,"role":`...)
	b = appendString(b, string(u.Role))
	b = append(b, `,"verified":`...)
	b = strconv.AppendBool(b, u.Verified)
	b = append(b, `,"external_id":`...)
	b = appendNullString(b, u.ExternalID)
	b = append(b, `,"tags":[`...)
	for i, t := range u.Tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, t)
	}
	b = append(b, `],"alias":`...)
	b = appendNullString(b, u.Alias)
	b = append(b, `,"active":`...)
	b = strconv.AppendBool(b, u.Active())
	b = append(b, `,"shared":false,"shared_agent":false,"last_login_at":`...)
	if u.LastLoginAt.IsZero() {
		b = append(b, "null"...)
	} else {
		b = appendTime(b, u.LastLoginAt)
	}
	b = append(b, `,"two_factor_auth_enabled":false,"signature":`...)
	b = appendNullString(b, u.Signature)
	b = append(b, `,"details":`...)
	b = appendNullString(b, u.Details)
	b = append(b, `,"notes":`...)
	b = appendNullString(b, u.Notes)
	b = append(b, `,"role_type":`...)
	if rt, ok := u.RoleType(); ok {
		b = strconv.AppendInt(b, int64(rt), 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"custom_role_id":`...)
	b = appendNullID(b, u.CustomRoleID)
	b = append(b, `,"moderator":`...)
	b = strconv.AppendBool(b, u.Moderator)
	b = append(b, `,"ticket_restriction":`...)
	b = appendNullString(b, u.TicketRestriction)
	b = append(b, `,"only_private_comments":`...)
	b = strconv.AppendBool(b, u.OnlyPrivateComments)
	b = append(b, `,"restricted_agent":`...)
	b = strconv.AppendBool(b, u.RestrictedAgent())
	b = append(b, `,"suspended":`...)
	b = strconv.AppendBool(b, u.Suspended)
	b = append(b, `,"chat_only":false,"default_group_id":`...)
	b = appendNullID(b, u.DefaultGroupID)
	b = append(b, `,"report_csv":false,"user_fields":{`...)
	for i, k := range e.fieldKeys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e.keyJSON[i]...)
		b = appendValue(b, u.UserFields[k])
	}
	b = append(b, `},"first_name":`...)
	b = appendNullString(b, u.FirstName)
	b = append(b, `,"last_name":`...)
	b = appendNullString(b, u.LastName)
	b = append(b, `,"second_last_name":`...)
	b = appendNullString(b, u.SecondLastName)
	b = append(b, `,"username":`...)
	b = appendNullString(b, u.Username)
	b = append(b, `,"uuid":`...)
	b = appendString(b, u.UUID)
	if resultType {
		b = append(b, `,"result_type":"user"`...)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string. Printable ASCII other than "
// and \ is written as is, which is what encoding/json does with it; any
// other string goes through encoding/json.
func appendString(b []byte, s string) []byte {
	if !plainASCII(s) {
		return appendMarshal(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainASCII reports whether s is printable ASCII without " and \, which
// encoding/json writes unescaped.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendNullString is appendString with "" as null (nullString).
func appendNullString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// appendNullID appends an id, 0 as null (nullID).
func appendNullID(b []byte, id int64) []byte {
	if id == 0 {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, id, 10)
}

// appendTime appends t as timestamp does, quoted: RFC 3339 in UTC, which
// needs no escaping.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

// appendValue appends what encoding/json (without HTML escaping) makes of
// v; a value it cannot encode, which a decoded custom field value never
// is, is written as null.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		return appendString(b, x)
	}
	return appendMarshal(b, v)
}

// appendMarshal appends marshal(v), or null when v has no encoding.
func appendMarshal(b []byte, v any) []byte {
	m, err := marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, m...)
}
