package directory

import (
	"context"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Op is the comparison of a search term.
type Op int

// The comparisons of Zendesk's query language: ":" and the four orderings,
// which apply to dates and numbers.
const (
	OpEq Op = iota // property:value
	OpLT           // property<value
	OpGT           // property>value
	OpLE           // property<=value
	OpGE           // property>=value
)

// Term is one condition of a search. A bare word has no Field and matches
// any of the user's text fields (name, email, notes, details, phone,
// external id).
type Term struct {
	// Field is the keyword, lowercased: "name", "email", "role",
	// "organization", "group", "tags", "phone", "external_id", "details",
	// "notes", "created", "updated", "user", or a custom field key; "" for
	// a bare term.
	Field string
	Op    Op
	// Value is the text as written, without quotes, not lowercased.
	Value string
	// Phrase is set when Value was in double quotes: its words must follow
	// each other, in order.
	Phrase bool
	// Wildcard is set when Value holds a * standing for any characters.
	Wildcard bool
	// Time is set, for created and updated, to the instant Value names
	// (absolute, or relative to the parse time: "2hours", "1year").
	Time time.Time
	// Negated is set by a leading '-': the term must not match.
	Negated bool
	// Bounds are set by the Service on a term comparing an integer,
	// decimal or date custom field: the stores answer it from their index
	// of those fields' values as numbers (a date as the Unix time of its
	// midnight UTC), not from the value's words, and the term holds when
	// the value passes every bound (Numeric).
	Bounds []Bound
}

// Bound is one comparison of a number field's value: value Op Value, Op
// being "=", "<", "<=", ">" or ">=", as SQL writes them.
type Bound struct {
	Op    string
	Value float64
}

// Numeric reports whether t compares a number or date field's value
// (Bounds), rather than matching words.
func (t Term) Numeric() bool { return len(t.Bounds) > 0 }

// UserQuery is a parsed search for users: every term must hold (AND).
type UserQuery struct {
	Terms []Term
	// Types are the record types named by type: ("user", "ticket"...);
	// empty means any. Only users exist, so a query naming other types
	// only finds nothing.
	Types []string
	// OrderBy is the sort field from order_by: ("created_at",
	// "updated_at", "name"); "" means Zendesk's relevance, which Clientele
	// answers in id order.
	OrderBy string
	// Descending is set by sort:desc.
	Descending bool
	// Suspended and Verified, when not nil, keep only the users whose
	// flag has that value (the Customers API's active= and verified=).
	Suspended *bool
	Verified  *bool
}

// FindsUsers reports whether q can find users: it names no type, or
// names type:user.
func (q UserQuery) FindsUsers() bool {
	if len(q.Types) == 0 {
		return true
	}
	for _, t := range q.Types {
		if t == "user" {
			return true
		}
	}
	return false
}

// SearchPage asks for one page of search results: Offset rows skipped,
// or, for an export, the rows after AfterID in id order.
type SearchPage struct {
	Limit   int
	Offset  int
	AfterID int64
}

// SearchStore is the part of Store that runs searches. Every text term is
// matched through an index over SearchText (word prefixes) or the
// structured columns' indexes, never by scanning the realm's users.
type SearchStore interface {
	// SearchUsers returns one page of the active users matching q.
	SearchUsers(ctx context.Context, realmID int64, q UserQuery, p SearchPage) ([]User, error)
	// CountSearchUsers counts the active users matching q, exactly.
	CountSearchUsers(ctx context.Context, realmID int64, q UserQuery) (int64, error)
	// AutocompleteUsers returns, ordered by name key then id, at most
	// limit active users whose NameKey starts with prefix (a NamePrefix),
	// read in that order from an index of the keys.
	AutocompleteUsers(ctx context.Context, realmID int64, prefix string, limit int) ([]User, error)
}

// Search fields with a meaning of their own; any other field is a custom
// user field key.
var searchFields = map[string]bool{
	"name": true, "email": true, "role": true, "organization": true, "group": true, "tags": true,
	"phone": true, "external_id": true, "details": true, "notes": true, "created": true, "updated": true,
	"user": true,
}

// TextFields are the fields a bare search word matches.
var TextFields = []string{"name", "email", "phone", "external_id", "details", "notes"}

// AnyField is the field of a bare term: the words of all TextFields.
const AnyField = ""

// fieldCode marks a field's tokens in SearchText: a letter and a zero
// keep the token one word for every tokenizer (FTS5's unicode61 and
// PostgreSQL's parser alike).
var fieldCode = map[string]string{
	"name": "n0", "email": "e0", "phone": "p0", "external_id": "x0", "details": "d0", "notes": "o0",
	AnyField: "a0",
}

// SearchText is what the search index holds for u, a user of realm
// realmID: the words of its text fields, case- and accent-folded, each
// written as a token that names the realm and the field
// (SearchToken(realm, "name", "jo") is "r12n0jo"), and once more under
// AnyField for bare terms. So a term is one prefix lookup that finds only
// the realm's users, and counts without reading them. Stores keep it
// beside the user, written in the same transaction; an inactive user has
// none, so the index holds only active users.
func SearchText(realmID int64, u *User) string {
	if !u.Active() {
		return ""
	}
	var fields, any strings.Builder
	for _, f := range TextFields {
		var v string
		switch f {
		case "name":
			v = u.Name + " " + u.FirstName + " " + u.LastName + " " + u.SecondLastName + " " + u.Username
		case "email":
			v = u.Email
		case "phone":
			v = u.Phone
		case "external_id":
			v = u.ExternalID
		case "details":
			v = u.Details
		case "notes":
			v = u.Notes + " " + u.Alias
		}
		words := SearchWords(v)
		for _, w := range words {
			fields.WriteString(SearchToken(realmID, f, w))
			fields.WriteByte(' ')
			any.WriteString(SearchToken(realmID, AnyField, w))
			any.WriteByte(' ')
		}
		if len(words) > 0 {
			// A token no query names, between two fields' words, so that a
			// phrase never runs from the end of one field into the next.
			any.WriteString(fieldBreak)
			any.WriteByte(' ')
		}
	}
	// Custom field values, under their key: not among a bare term's words
	// (Zendesk's bare terms look at the built-in fields).
	keys := make([]string, 0, len(u.UserFields))
	for k := range u.UserFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, w := range SearchWords(FieldValueText(u.UserFields[k])) {
			fields.WriteString(SearchToken(realmID, k, w))
			fields.WriteByte(' ')
		}
	}
	return strings.TrimSuffix(fields.String()+any.String(), " ")
}

// NameSearchText is what the search index of organizations and groups
// holds for a name in realm realmID: its folded words as name tokens of
// the realm, so that organization:NAME and group:NAME match names as
// name:NAME matches users' names (word prefixes, phrases), and a lookup
// finds only the realm's organizations or groups. A deleted group is
// written with "" and so is in no index.
func NameSearchText(realmID int64, name string) string {
	words := SearchWords(name)
	tokens := make([]string, len(words))
	for i, w := range words {
		tokens[i] = SearchToken(realmID, "name", w)
	}
	return strings.Join(tokens, " ")
}

// GroupSearchText is NameSearchText for a group: "" once it is deleted,
// so that only active groups are found.
func GroupSearchText(realmID int64, g *Group) string {
	if g.Deleted() {
		return ""
	}
	return NameSearchText(realmID, g.Name)
}

// LoneTerm returns q's term when q is exactly one positive term with no
// suspended or verified filter. Stores answer such a query from what they
// keep for that term alone (a counter, an index of its values); a filter
// beside it rules that out, as those keep nothing of the flags.
func LoneTerm(q UserQuery) (Term, bool) {
	if len(q.Terms) != 1 || !q.FindsUsers() || q.Suspended != nil || q.Verified != nil || q.Terms[0].Negated {
		return Term{}, false
	}
	return q.Terms[0], true
}

// Ranges are the positive Numeric terms of a query by field (NumberRanges).
type Ranges map[string][]Term

// NumberRanges groups the positive Numeric terms of q by field: a field's
// terms hold together, so stores read them as one range of their index of
// values (seats>5 seats<10).
func NumberRanges(q UserQuery) Ranges {
	var ranges Ranges
	for _, t := range q.Terms {
		if t.Numeric() && !t.Negated {
			if ranges == nil {
				ranges = Ranges{}
			}
			ranges[t.Field] = append(ranges[t.Field], t)
		}
	}
	return ranges
}

// Take returns the Numeric terms a store adds for t, a Numeric term of the
// query whose ranges r are, as it walks the query's terms: t alone when
// negated; when positive, the whole range of its field at the first of
// its terms (taken out of r), and nothing at the others.
func (r Ranges) Take(t Term) []Term {
	if t.Negated {
		return []Term{t}
	}
	terms := r[t.Field]
	delete(r, t.Field)
	return terms
}

// LoneRange returns q's terms when they are all positive Numeric terms of
// one field, with no suspended or verified filter: one range, which a
// store counts from its index of values alone, without reading users.
func LoneRange(q UserQuery) ([]Term, bool) {
	if len(q.Terms) == 0 || !q.FindsUsers() || q.Suspended != nil || q.Verified != nil {
		return nil, false
	}
	for _, t := range q.Terms {
		if !t.Numeric() || t.Negated || t.Field != q.Terms[0].Field {
			return nil, false
		}
	}
	return q.Terms, true
}

// BroadRange is how many values a range of NumberRanges must hold for
// stores to test it user by user, a probe of each candidate's values,
// rather than read the range's users first and look them up: below it,
// reading the range costs about what testing as many candidates does,
// and above it a page of a hundred comes from a few hundred candidates
// (SQLite at 1,000,000 users: 360 ms to page a half of the realm from its
// range, 1.5 ms user by user).
const BroadRange = 10000

// LoneRole reports whether q is a LoneTerm role:VALUE naming a role, and
// which: such a search counts from the role's counter of active users,
// without reading an index.
func LoneRole(q UserQuery) (Role, bool) {
	t, ok := LoneTerm(q)
	role := Role(strings.ToLower(t.Value))
	if !ok || t.Field != "role" || t.Op != OpEq || t.Wildcard || !role.Valid() {
		return "", false
	}
	return role, true
}

// IsNone reports whether t's value is Zendesk's none (unquoted, any
// case), which means "no value": organization:none finds the users in no
// organization. A quoted "none" is a name like any other.
func IsNone(t Term) bool {
	return !t.Phrase && !t.Wildcard && strings.EqualFold(t.Value, "none")
}

// FieldValueText is the text a custom field value is searched by: a
// string as is, a number in its shortest form, a list of option values
// joined, a boolean as "true" or "false".
func FieldValueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, el := range x {
			parts = append(parts, FieldValueText(el))
		}
		return strings.Join(parts, " ")
	}
	return ""
}

// TextWords returns the folded words a text term (a bare word, name,
// details, notes...) looks for. A * is allowed only at the end, meaning a
// word prefix, which is how text terms match anyway; elsewhere it is a bad
// request. No words (punctuation only) means the term matches nothing.
func TextWords(t Term) ([]string, error) {
	value := t.Value
	prefixOnly := strings.HasSuffix(value, "*") && !strings.Contains(strings.TrimSuffix(value, "*"), "*")
	if t.Wildcard && !prefixOnly {
		return nil, Errorf(KindBadRequest,
			"a wildcard inside a word is supported on email, external_id and phone; elsewhere put * at the end of a word")
	}
	return SearchWords(strings.TrimSuffix(value, "*")), nil
}

// fieldBreak separates fields in the AnyField run of SearchText.
const fieldBreak = "z0"

// SearchToken returns the index token of word w in field (AnyField for a
// bare term, or a custom field key) of realm realmID. The realm's digits
// end at the field's letter, so no two realms share a token. A custom
// field's key, which may hold underscores and capitals, is written in hex
// between two k's (no hex digit), so the token stays one word.
func SearchToken(realmID int64, field, w string) string {
	code, ok := fieldCode[field]
	if !ok {
		code = "k" + hex.EncodeToString([]byte(field)) + "k"
	}
	return "r" + strconv.FormatInt(realmID, 10) + code + w
}

// IsCustomField reports whether a search term's field is a custom user
// field key rather than a keyword of the query language.
func IsCustomField(field string) bool { return field != AnyField && !searchFields[field] }

// SearchWords splits s into folded words: lowercase, accents removed
// ("Élan" -> "elan"), split at anything that is not a letter or a digit.
func SearchWords(s string) []string {
	return strings.FieldsFunc(foldName(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// SearchUsers runs q for an agent or admin: one page of matching users.
func (s *Service) SearchUsers(ctx context.Context, a Actor, q UserQuery, p SearchPage) ([]User, error) {
	q, err := s.prepareSearch(ctx, a, q)
	if err != nil {
		return nil, err
	}
	return s.store.SearchUsers(ctx, a.RealmID, q, p)
}

// CountSearchUsers counts the users matching q, exactly.
func (s *Service) CountSearchUsers(ctx context.Context, a Actor, q UserQuery) (int64, error) {
	q, err := s.prepareSearch(ctx, a, q)
	if err != nil {
		return 0, err
	}
	return s.store.CountSearchUsers(ctx, a.RealmID, q)
}

// AutocompleteUsers returns up to limit users whose name starts with
// prefix, ignoring case, accents and repeated spaces (NameKey), ordered by
// name, as Zendesk's autocomplete does.
func (s *Service) AutocompleteUsers(ctx context.Context, a Actor, prefix string, limit int) ([]User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	key := NamePrefix(prefix)
	if key == "" {
		return nil, Errorf(KindBadRequest, "name is required")
	}
	return s.store.AutocompleteUsers(ctx, a.RealmID, key, limit)
}

// prepareSearch refuses searches by end users and queries on fields that
// are neither keywords nor the realm's custom field keys, and returns q
// with its terms on integer, decimal and date fields given Bounds: those
// compare values (seats>5, renewal_date<2027-01-01, seats:5), where the
// other custom fields match words and take only ':'.
func (s *Service) prepareSearch(ctx context.Context, a Actor, q UserQuery) (UserQuery, error) {
	if err := requireStaff(a); err != nil {
		return q, err
	}
	if !q.FindsUsers() {
		return q, nil // keywords of other record types are theirs to judge
	}
	var fields []UserField
	terms := slices.Clone(q.Terms)
	for i, t := range terms {
		if t.Field == "group" && IsNone(t) {
			// No index tells the users in no group without reading every
			// user; refused rather than read as a group named "none".
			return q, Errorf(KindBadRequest, "group:none is not supported: search for the members of a group by its name or id")
		}
		if !IsCustomField(t.Field) {
			continue
		}
		if fields == nil {
			var err error
			if fields, err = s.store.UserFields(ctx, a.RealmID); err != nil {
				return q, err
			}
		}
		f, err := findUserField(fields, t.Field)
		if err != nil || isNumericKey(t.Field) {
			return q, Errorf(KindBadRequest, "%s is not a search keyword or a user field key", t.Field)
		}
		if terms[i], err = numericTerm(f, t); err != nil {
			return q, err
		}
	}
	q.Terms = terms
	return q, nil
}

// numericTerm returns t, a term on the custom field f, with its Bounds
// when f is an integer, decimal or date field. A wildcard with ':' stays a
// match of the value's words (seats:1*); an ordering on any other type of
// field is refused.
func numericTerm(f *UserField, t Term) (Term, error) {
	var n float64
	switch {
	case t.Wildcard && t.Op == OpEq:
		return t, nil
	case f.Type == FieldInteger || f.Type == FieldDecimal:
		// A decimal comma reads as a point, as in a written value.
		var err error
		n, err = strconv.ParseFloat(strings.Replace(strings.TrimSpace(t.Value), ",", ".", 1), 64)
		if err != nil || t.Wildcard || math.IsInf(n, 0) || math.IsNaN(n) {
			return t, Errorf(KindBadRequest, "%s is a number field: search it with a number, as %s>10 or %s:10", t.Field, t.Field, t.Field)
		}
	case f.Type == FieldDate:
		if t.Time.IsZero() || t.Wildcard {
			return t, Errorf(KindBadRequest, "%s is a date field: search it with a date (2027-01-01), a time (2027-01-01T10:00:00Z) or a relative time (3days)", t.Field)
		}
		n = float64(t.Time.Unix())
		if t.Op == OpEq || len(t.Value) == len(time.DateOnly) {
			// The field's values are days at midnight UTC: a day named in
			// the query is that day, whatever the server's time zone.
			day := time.Date(t.Time.Year(), t.Time.Month(), t.Time.Day(), 0, 0, 0, 0, time.UTC)
			n = float64(day.Unix())
		}
		if t.Op == OpEq {
			// ':' on a date is that whole day.
			t.Bounds = []Bound{{">=", n}, {"<", n + 24*60*60}}
			return t, nil
		}
	case t.Op != OpEq:
		return t, Errorf(KindBadRequest, "%s is a %s field: search it with %s:value; <, >, <= and >= compare number and date fields", t.Field, f.Type, t.Field)
	default:
		return t, nil
	}
	t.Bounds = []Bound{{boundOps[t.Op], n}}
	return t, nil
}

// boundOps are the Bound operators of the query language's operators.
var boundOps = map[Op]string{OpEq: "=", OpLT: "<", OpGT: ">", OpLE: "<=", OpGE: ">="}

// isNumericKey reports a key made of digits only, which findUserField
// would take for an id; keys are never all digits.
func isNumericKey(k string) bool {
	_, err := strconv.ParseInt(k, 10, 64)
	return err == nil
}
