package search

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/clientele/clientele/internal/directory"
)

// MaxQueryBytes is the longest query Parse accepts, in bytes.
const MaxQueryBytes = 1000

// MaxTerms is the most terms a query may hold, keywords such as type: and
// order_by: included. It bounds the work one query asks of the store.
const MaxTerms = 50

// Error is a query Parse rejects. The HTTP layer answers it as a client
// error, quoting Error().
type Error struct {
	// Pos is the byte offset, from 0, of the first character at fault.
	Pos int
	// Msg says what is wrong, in lower case, without the position.
	Msg string
}

// Error returns the message with its position, as in
// "search: at 12: unterminated quote".
func (e *Error) Error() string {
	return fmt.Sprintf("search: at %d: %s", e.Pos, e.Msg)
}

// Parse parses a Zendesk search query into a UserQuery. now is the time
// relative dates count back from. Every error is an *Error; Parse never
// panics, and it returns the same result for the same query and now.
//
// Values keep the case and characters they were written with (without the
// quotes of a phrase); the store folds case. A Wildcard value holds at least
// one character other than '*' and white space.
//
// For created and updated, Term.Time is the instant the value names, and Op
// is the comparison as written:
//
//   - A plain date such as 2022-01-01 names midnight at the start of that
//     day in now's location (pass now in UTC to read dates as UTC).
//   - An RFC 3339 time such as 2022-01-01T10:00:00Z or
//     2022-01-01T10:00:00+02:00 names that instant, in its own offset.
//   - A relative time <N><unit>, N from 0 to 999999, names now minus N
//     units: so created>2days finds users created in the last two days.
//     Units: minute, minutes, min, mins; hour, hours, h, hr, hrs; day, days,
//     d; week, weeks, w, wk, wks; month, months, mo; year, years, y, yr,
//     yrs; case-insensitive. Days, weeks, months and years are calendar
//     units in now's location (time.AddDate); "m" is refused as ambiguous.
//
// A date that falls, in UTC, before year 1 or after year 9999 is refused.
//
// With ":" (OpEq) a date means the whole calendar day it falls on: Parse
// sets Time to the start of that day (in the value's own offset, or in now's
// location for a plain date or relative time), and the store matches the
// half-open range [Time, Time.AddDate(0, 0, 1)). With < > <= >= the store
// compares with Time itself, so created<=2022-01-01 means up to midnight
// at the start of 2022-01-01.
func Parse(query string, now time.Time) (directory.UserQuery, error) {
	if len(query) > MaxQueryBytes {
		return directory.UserQuery{}, &Error{Pos: MaxQueryBytes, Msg: fmt.Sprintf("query longer than %d bytes", MaxQueryBytes)}
	}
	for i, r := range query {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(query[i:]); size == 1 {
				return directory.UserQuery{}, &Error{Pos: i, Msg: "invalid UTF-8"}
			}
		}
		// A control character is never meant in a search, and some stores
		// refuse NUL in text.
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return directory.UserQuery{}, &Error{Pos: i, Msg: fmt.Sprintf("control character %U", r)}
		}
	}
	p := parser{src: query, now: now.Round(0)}
	return p.parse()
}

// parser holds the state of one Parse.
type parser struct {
	src string
	pos int
	now time.Time
	q   directory.UserQuery

	orderBy, sort string // as set by order_by: and sort:, to catch conflicts
}

func (p *parser) parse() (directory.UserQuery, error) {
	n := 0
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			break
		}
		n++
		if n > MaxTerms {
			return directory.UserQuery{}, &Error{Pos: p.pos, Msg: fmt.Sprintf("more than %d terms", MaxTerms)}
		}
		if err := p.term(); err != nil {
			return directory.UserQuery{}, err
		}
	}
	if n == 0 {
		return directory.UserQuery{}, &Error{Pos: 0, Msg: "empty query"}
	}
	if p.q.OrderBy != "" && p.sort == "" {
		// Zendesk sorts descending unless told otherwise, as its
		// sort_order parameter does.
		p.q.Descending = true
	}
	return p.q, nil
}

// spaceAt reports whether a white space character starts at i.
func (p *parser) spaceAt(i int) bool {
	r, _ := utf8.DecodeRuneInString(p.src[i:])
	return unicode.IsSpace(r)
}

// endAt reports whether a term ends at i: at the end of the query or at
// white space.
func (p *parser) endAt(i int) bool {
	return i >= len(p.src) || p.spaceAt(i)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += size
	}
}

// term parses one term starting at p.pos, which is not white space, and
// adds it to p.q.
func (p *parser) term() error {
	start := p.pos
	negated := false
	if p.src[p.pos] == '-' {
		p.pos++
		// A lone '-' is refused rather than searched for: it is most
		// likely a stray space ("- smith" for "-smith"), and guessing
		// either way would change the results silently.
		if p.endAt(p.pos) {
			return &Error{Pos: start, Msg: "a '-' must be followed by the term it negates"}
		}
		if p.src[p.pos] == '-' {
			return &Error{Pos: p.pos, Msg: "a term can be negated only once"}
		}
		negated = true
	}

	keyStart := p.pos
	key, op, valStart, ok := p.property()
	if !ok {
		val, phrase, err := p.value()
		if err != nil {
			return err
		}
		if err := checkWildcard(val, keyStart); err != nil {
			return err
		}
		p.add(directory.Term{Value: val, Phrase: phrase, Negated: negated})
		return nil
	}
	field := canonical(key)
	opPos := keyStart + len(key)
	p.pos = valStart
	if p.endAt(p.pos) {
		return &Error{Pos: p.pos, Msg: fmt.Sprintf("%s needs a value", p.src[keyStart:valStart])}
	}
	val, phrase, err := p.value()
	if err != nil {
		return err
	}
	if err := checkWildcard(val, valStart); err != nil {
		return err
	}

	switch field {
	case "type", "order_by", "sort":
		if negated {
			return &Error{Pos: start, Msg: field + ": cannot be negated"}
		}
		if op != directory.OpEq {
			return &Error{Pos: opPos, Msg: field + " takes only ':'"}
		}
		return p.keyword(field, val, valStart)
	case "user":
		// user: names one user by id, name or email: an ordering means
		// nothing there.
		if op != directory.OpEq {
			return &Error{Pos: opPos, Msg: "user takes only ':'"}
		}
	case "created", "updated":
	default:
		// The other keywords hold words (names, emails, roles, tags,
		// organizations...), which the stores match, never order: an
		// ordering there would be read as ':'. A custom field's key is
		// the realm's to judge (directory's prepareSearch): number and
		// date fields take orderings.
		if op != directory.OpEq && !directory.IsCustomField(field) {
			return &Error{Pos: opPos, Msg: field + " takes only ':'; <, >, <= and >= compare the dates created and updated"}
		}
	}

	t := directory.Term{Field: field, Op: op, Value: val, Phrase: phrase, Negated: negated}
	if field == "created" || field == "updated" {
		tm, err := parseTime(val, op, p.now)
		if err != nil {
			return &Error{Pos: valStart, Msg: fmt.Sprintf("%s: %v", field, err)}
		}
		t.Time = tm
	} else if directory.IsCustomField(field) {
		// Only the realm knows whether the field holds dates: the time
		// is read here, where relative times have the parse's clock, for
		// the Service to use if it does.
		if tm, err := parseTime(val, op, p.now); err == nil {
			t.Time = tm
		}
	}
	p.add(t)
	return nil
}

// add appends t to the query, marking it Wildcard when its value holds a
// '*'. A '*' is a wildcard in a phrase too: Zendesk has no way to search
// for a literal one.
func (p *parser) add(t directory.Term) {
	t.Wildcard = strings.Contains(t.Value, "*")
	p.q.Terms = append(p.q.Terms, t)
}

// checkWildcard refuses a value made only of '*' (and white space, in a
// phrase): it would match every user, which is what no term does already.
func checkWildcard(val string, pos int) error {
	if strings.Contains(val, "*") && strings.IndexFunc(val, func(r rune) bool { return r != '*' && !unicode.IsSpace(r) }) < 0 {
		return &Error{Pos: pos, Msg: "a wildcard needs at least one other character"}
	}
	return nil
}

// property reads "key op" at p.pos without moving. ok is false when the
// term is a bare word: no key, an all-digit key ("10:30"), a key followed by
// something other than an operator, or a URL ("http://x").
func (p *parser) property() (key string, op directory.Op, valStart int, ok bool) {
	i := p.pos
	digits := true
	for i < len(p.src) && isKeyByte(p.src[i]) {
		digits = digits && p.src[i] >= '0' && p.src[i] <= '9'
		i++
	}
	if i == p.pos || digits || i >= len(p.src) {
		return "", 0, 0, false
	}
	key = p.src[p.pos:i]
	switch p.src[i] {
	case ':':
		if strings.HasPrefix(p.src[i+1:], "//") {
			return "", 0, 0, false
		}
		return key, directory.OpEq, i + 1, true
	case '<':
		if strings.HasPrefix(p.src[i+1:], "=") {
			return key, directory.OpLE, i + 2, true
		}
		return key, directory.OpLT, i + 1, true
	case '>':
		if strings.HasPrefix(p.src[i+1:], "=") {
			return key, directory.OpGE, i + 2, true
		}
		return key, directory.OpGT, i + 1, true
	}
	return "", 0, 0, false
}

func isKeyByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// canonical lowercases a key and maps Zendesk's aliases to one name.
func canonical(key string) string {
	key = strings.ToLower(key)
	switch key {
	case "tag":
		return "tags"
	case "created_at":
		return "created"
	case "updated_at":
		return "updated"
	}
	return key
}

// value reads a phrase or a word at p.pos, which is not at a term's end,
// and moves past it.
func (p *parser) value() (val string, phrase bool, err error) {
	start := p.pos
	if p.src[p.pos] != '"' {
		for !p.endAt(p.pos) {
			// A quote inside a word is most likely a phrase opened in the
			// wrong place (name:amy" moore"); refusing it beats guessing.
			if p.src[p.pos] == '"' {
				return "", false, &Error{Pos: p.pos, Msg: `a '"' may only open a value: quote the whole value`}
			}
			_, size := utf8.DecodeRuneInString(p.src[p.pos:])
			p.pos += size
		}
		return p.src[start:p.pos], false, nil
	}

	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '"' || p.src[p.pos+1] == '\\'):
			// \" is a quote and \\ a backslash, so that a phrase can end
			// in one; any other backslash is kept as written.
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		case c == '"':
			p.pos++
			if !p.endAt(p.pos) {
				return "", false, &Error{Pos: p.pos, Msg: "a closing quote must be followed by a space or the end of the query"}
			}
			val = b.String()
			if strings.TrimSpace(val) == "" {
				return "", false, &Error{Pos: start, Msg: "empty phrase"}
			}
			return val, true, nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", false, &Error{Pos: start, Msg: "unterminated quote"}
}

// typeNames maps the values of type: Zendesk knows, and their plurals, to
// the singular.
var typeNames = map[string]string{
	"user": "user", "users": "user",
	"ticket": "ticket", "tickets": "ticket",
	"organization": "organization", "organizations": "organization",
	"group": "group", "groups": "group",
}

// orderNames maps the values of order_by: that apply to users to
// UserQuery.OrderBy. Zendesk's ticket orders (priority, status...) are
// refused rather than ignored.
var orderNames = map[string]string{
	"created_at": "created_at", "created": "created_at",
	"updated_at": "updated_at", "updated": "updated_at",
	"name": "name",
}

// keyword applies type:, order_by: or sort: to p.q. Their values are
// case-insensitive.
func (p *parser) keyword(field, val string, pos int) error {
	v := strings.ToLower(val)
	switch field {
	case "type":
		name, ok := typeNames[v]
		if !ok {
			return &Error{Pos: pos, Msg: fmt.Sprintf("unknown type %q: want user, ticket, organization or group", val)}
		}
		// Several type: terms list the types wanted; a repeat adds nothing.
		if !slices.Contains(p.q.Types, name) {
			p.q.Types = append(p.q.Types, name)
		}
	case "order_by":
		name, ok := orderNames[v]
		if !ok {
			return &Error{Pos: pos, Msg: fmt.Sprintf("unknown order_by %q: want created_at, updated_at or name", val)}
		}
		if p.orderBy != "" && p.orderBy != name {
			return &Error{Pos: pos, Msg: fmt.Sprintf("order_by given twice: %s and %s", p.orderBy, name)}
		}
		p.orderBy = name
		p.q.OrderBy = name
	case "sort":
		if v != "asc" && v != "desc" {
			return &Error{Pos: pos, Msg: fmt.Sprintf("unknown sort %q: want asc or desc", val)}
		}
		if p.sort != "" && p.sort != v {
			return &Error{Pos: pos, Msg: "sort given twice: asc and desc"}
		}
		p.sort = v
		p.q.Descending = v == "desc"
	}
	return nil
}
