package directory

import (
	"context"
	"slices"
)

// Modyo's rules for usernames and for the required and unique flags of
// custom fields.

// ValidUsername reports whether name uses only the characters Modyo
// allows in a username, A-Z a-z 0-9 and | # @ % . _ - ' + /, no spaces,
// and has at most 255 of them.
func ValidUsername(name string) bool {
	if name == "" || len(name) > maxShortText {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '|' || c == '#' || c == '@' || c == '%' || c == '.' || c == '_' || c == '-' || c == '\'' || c == '+' || c == '/':
		default:
			return false
		}
	}
	return true
}

// checkUsername refuses a username with characters Modyo does not allow,
// or one another user of the realm (self aside) already holds, deleted
// users included: like an email, a username is freed only when its user
// is erased. An empty username is no username.
func (s *Service) checkUsername(ctx context.Context, realmID, self int64, username string) error {
	if username == "" {
		return nil
	}
	var v Invalid
	if !ValidUsername(username) {
		v.Add("username", "InvalidValue", "may contain only letters, digits and | # @ % . _ - ' + /, without spaces")
		return v.Err()
	}
	other, err := s.store.UserByUsername(ctx, realmID, username)
	switch {
	case err == nil && other.ID != self:
		v.Add("username", "DuplicateValue", "has already been taken")
	case err != nil && KindOf(err) != KindNotFound:
		return err
	}
	return v.Err()
}

// uniqueFieldTypes are the field types whose values can be unique:
// single values compared as text or number.
var uniqueFieldTypes = []UserFieldType{FieldText, FieldTextarea, FieldRegexp, FieldDate, FieldInteger, FieldDecimal, FieldDropdown}

// checkFieldRules enforces the required and unique flags of the realm's
// active fields on u, as written through the Customers API: a required
// field must have a value after a create and cannot be cleared by an
// update (old is nil on a create), and a unique field's new value may be
// held by no other active user. A field added as required later does not
// make every update of older users fail: only its clearing does.
func (s *Service) checkFieldRules(ctx context.Context, u, old *User) error {
	fields, err := s.store.UserFields(ctx, u.RealmID)
	if err != nil {
		return err
	}
	var v Invalid
	for _, f := range fields {
		if !f.Active || (!f.Required && !f.Unique) {
			continue
		}
		value, has := u.UserFields[f.Key]
		has = has && value != nil
		if f.Required && !has && (old == nil || old.UserFields[f.Key] != nil) {
			v.Add("user_fields."+f.Key, "BlankValue", "can't be blank")
		}
		if !f.Unique || !has || !slices.Contains(uniqueFieldTypes, f.Type) {
			continue
		}
		if old != nil && sameFieldValue(old.UserFields[f.Key], value) {
			continue
		}
		ids, err := s.usersWithFieldValue(ctx, u.RealmID, f.Key, value)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(ids, func(id int64) bool { return id != u.ID }) {
			v.Add("user_fields."+f.Key, "DuplicateValue", "has already been taken")
		}
	}
	return v.Err()
}

// sameFieldValue compares two single field values as stored.
func sameFieldValue(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	}
	return false
}

// uniqueCandidatesPage is how many users a uniqueness check reads at a
// time from the search index.
const uniqueCandidatesPage = 100

// usersWithFieldValue returns (at most two of) the realm's active users
// whose custom field key holds exactly value. The search index holds
// every custom field value's words under its key, so the users whose
// value has the same words, as a phrase, are found through it and then
// compared exactly: a few rows, where reading the values themselves
// would pass over every user of the realm. A value without words
// (punctuation only) falls back to that pass, and so does a key spelled
// like a search keyword (role, created, ...), which the query language
// reads as the built-in field.
func (s *Service) usersWithFieldValue(ctx context.Context, realmID int64, key string, value any) ([]int64, error) {
	text := FieldValueText(value)
	if len(SearchWords(text)) == 0 || !IsCustomField(key) {
		return s.store.UsersWithFieldValue(ctx, realmID, key, value, 2)
	}
	q := UserQuery{Terms: []Term{{Field: key, Op: OpEq, Value: text, Phrase: true}}}
	ids := []int64{}
	var after int64
	for {
		users, err := s.store.SearchUsers(ctx, realmID, q, SearchPage{Limit: uniqueCandidatesPage, AfterID: after})
		if err != nil {
			return nil, err
		}
		for i := range users {
			if sameFieldValue(users[i].UserFields[key], value) {
				if ids = append(ids, users[i].ID); len(ids) == 2 {
					return ids, nil
				}
			}
		}
		if len(users) < uniqueCandidatesPage {
			return ids, nil
		}
		after = users[len(users)-1].ID
	}
}
