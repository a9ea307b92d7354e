package search_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/search"
)

// now is the clock every table case parses with: a Friday, 12:30 UTC.
var now = time.Date(2024, 3, 15, 12, 30, 0, 0, time.UTC)

func date(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// terms builds the UserQuery holding just ts.
func terms(ts ...directory.Term) directory.UserQuery {
	return directory.UserQuery{Terms: ts}
}

func bare(v string) directory.Term { return directory.Term{Value: v} }

func eq(field, v string) directory.Term { return directory.Term{Field: field, Value: v} }

var parseCases = []struct {
	name  string
	query string
	want  directory.UserQuery
}{
	// Bare words and white space.
	{"bare word", "smith", terms(bare("smith"))},
	{"bare words are ANDed", "  amy   moore  ", terms(bare("amy"), bare("moore"))},
	{"any white space separates", "a\tb\nc\u00a0d\u3000e", terms(bare("a"), bare("b"), bare("c"), bare("d"), bare("e"))},
	{"case kept", "McDonald", terms(bare("McDonald"))},
	{"non-ASCII word", "日本 José", terms(bare("日本"), bare("José"))},
	{"hyphen inside a word", "smith-jones", terms(bare("smith-jones"))},
	{"plus is not special", "+foo", terms(bare("+foo"))},
	{"apostrophe", "o'neil", terms(bare("o'neil"))},

	// Properties.
	{"name", "name:Amy", terms(eq("name", "Amy"))},
	{"property lowercased", "NAME:Amy Email:A@B.com", terms(eq("name", "Amy"), eq("email", "A@B.com"))},
	{"every keyword", "role:agent organization:Acme group:Support tags:vip phone:+15551234 external_id:abc-1 details:x notes:y",
		terms(eq("role", "agent"), eq("organization", "Acme"), eq("group", "Support"), eq("tags", "vip"),
			eq("phone", "+15551234"), eq("external_id", "abc-1"), eq("details", "x"), eq("notes", "y"))},
	{"tag is tags", "tag:vip", terms(eq("tags", "vip"))},
	{"custom field", "plan_tier:gold", terms(eq("plan_tier", "gold"))},
	{"custom field lowercased", "Field2:x", terms(eq("field2", "x"))},
	{"custom field of digits and letters", "2fa:yes _x:1", terms(eq("2fa", "yes"), eq("_x", "1"))},
	{"value keeps further colons", "a:b:c", terms(eq("a", "b:c"))},
	{"value starting with a colon", "name::x", terms(eq("name", ":x"))},
	{"value starting with <", "name:<x", terms(eq("name", "<x"))},
	{"value starting with -", "tags:-vip", terms(eq("tags", "-vip"))},

	// Operators.
	{"less", "score<5", terms(directory.Term{Field: "score", Op: directory.OpLT, Value: "5"})},
	{"greater", "score>5", terms(directory.Term{Field: "score", Op: directory.OpGT, Value: "5"})},
	{"less or equal", "score<=5", terms(directory.Term{Field: "score", Op: directory.OpLE, Value: "5"})},
	{"greater or equal", "score>=5", terms(directory.Term{Field: "score", Op: directory.OpGE, Value: "5"})},
	// A custom field's value that reads as a time carries it, for the
	// Service to use if the field holds dates.
	{"custom field date", "birthday>2000-01-01", terms(directory.Term{Field: "birthday", Op: directory.OpGT, Value: "2000-01-01", Time: date(2000, 1, 1, 0, 0)})},
	{"custom field time on a day", "birthday:2000-01-01T10:00:00Z", terms(directory.Term{Field: "birthday", Value: "2000-01-01T10:00:00Z", Time: date(2000, 1, 1, 0, 0)})},
	{"custom field relative time", "renewal<1year", terms(directory.Term{Field: "renewal", Op: directory.OpLT, Value: "1year", Time: date(2023, 3, 15, 12, 30)})},
	{"custom field number is no time", "seats>2000", terms(directory.Term{Field: "seats", Op: directory.OpGT, Value: "2000"})},

	// Words that are not properties.
	{"time of day", "10:30", terms(bare("10:30"))},
	{"URL", "http://example.com/x https://a.b", terms(bare("http://example.com/x"), bare("https://a.b"))},
	{"leading colon", ":x", terms(bare(":x"))},
	{"leading operator", "<5 >=3", terms(bare("<5"), bare(">=3"))},
	{"dotted key", "a.b:c", terms(bare("a.b:c"))},
	{"hyphenated key", "external-id:x", terms(bare("external-id:x"))},
	{"non-ASCII key", "café:x", terms(bare("café:x"))},
	{"equals sign", "name=amy", terms(bare("name=amy"))},
	{"key alone", "name", terms(bare("name"))},

	// Negation.
	{"negated property", "-tags:vip", terms(directory.Term{Field: "tags", Value: "vip", Negated: true})},
	{"negated word", "-smith", terms(directory.Term{Value: "smith", Negated: true})},
	{"negated phrase", `-"amy moore"`, terms(directory.Term{Value: "amy moore", Phrase: true, Negated: true})},
	{"negated user", "-user:amy@example.com", terms(directory.Term{Field: "user", Value: "amy@example.com", Negated: true})},

	// Phrases.
	{"property phrase", `name:"Amy Moore"`, terms(directory.Term{Field: "name", Value: "Amy Moore", Phrase: true})},
	{"bare phrase", `"amy moore"`, terms(directory.Term{Value: "amy moore", Phrase: true})},
	{"one-word phrase", `"amy"`, terms(directory.Term{Value: "amy", Phrase: true})},
	{"nothing trimmed in quotes", `"  two  spaces "`, terms(directory.Term{Value: "  two  spaces ", Phrase: true})},
	{"escaped quote", `"say \"hi\""`, terms(directory.Term{Value: `say "hi"`, Phrase: true})},
	{"escaped backslash", `"back\\" x`, terms(directory.Term{Value: `back\`, Phrase: true}, bare("x"))},
	{"other backslash kept", `"C:\dir"`, terms(directory.Term{Value: `C:\dir`, Phrase: true})},
	{"phrase keeps special characters", `notes:"a:b -c *d"`, terms(directory.Term{Field: "notes", Value: "a:b -c *d", Phrase: true, Wildcard: true})},
	{"phrase then words", `"a b" c`, terms(directory.Term{Value: "a b", Phrase: true}, bare("c"))},
	{"quoted URL", `"http://x"`, terms(directory.Term{Value: "http://x", Phrase: true})},

	// Wildcards.
	{"leading wildcard", "email:*@example.com", terms(directory.Term{Field: "email", Value: "*@example.com", Wildcard: true})},
	{"trailing wildcard", "name:jo*", terms(directory.Term{Field: "name", Value: "jo*", Wildcard: true})},
	{"inner wildcard", "jo*n", terms(directory.Term{Value: "jo*n", Wildcard: true})},
	{"wildcard in a phrase", `"amy mo*"`, terms(directory.Term{Value: "amy mo*", Phrase: true, Wildcard: true})},
	{"negated wildcard", "-name:**x", terms(directory.Term{Field: "name", Value: "**x", Wildcard: true, Negated: true})},
	{"wildcard user", "user:amy*", terms(directory.Term{Field: "user", Value: "amy*", Wildcard: true})},

	// type:, order_by:, sort:.
	{"type only", "type:user", directory.UserQuery{Types: []string{"user"}}},
	{"type plural and case", "type:Users", directory.UserQuery{Types: []string{"user"}}},
	{"type quoted", `type:"user"`, directory.UserQuery{Types: []string{"user"}}},
	{"types listed once each", "type:user type:tickets type:user type:organization type:groups",
		directory.UserQuery{Types: []string{"user", "ticket", "organization", "group"}}},
	{"order_by created", "order_by:created", directory.UserQuery{OrderBy: "created_at", Descending: true}},
	{"order_by created_at", "order_by:created_at", directory.UserQuery{OrderBy: "created_at", Descending: true}},
	{"order_by updated", "order_by:updated", directory.UserQuery{OrderBy: "updated_at", Descending: true}},
	{"order_by updated_at", "order_by:updated_at", directory.UserQuery{OrderBy: "updated_at", Descending: true}},
	{"order_by name any case", "ORDER_BY:Name", directory.UserQuery{OrderBy: "name", Descending: true}},
	{"order_by repeated alike", "order_by:created order_by:created_at", directory.UserQuery{OrderBy: "created_at", Descending: true}},
	{"sort asc", "sort:asc", directory.UserQuery{}},
	{"order_by ascending", "order_by:name sort:asc", directory.UserQuery{OrderBy: "name"}},
	{"sort asc before order_by", "sort:asc order_by:created", directory.UserQuery{OrderBy: "created_at"}},
	{"sort desc any case", "sort:DESC", directory.UserQuery{Descending: true}},
	{"sort repeated alike", "sort:desc sort:desc", directory.UserQuery{Descending: true}},
	{"sort before order_by", "sort:desc smith order_by:name",
		directory.UserQuery{Terms: []directory.Term{bare("smith")}, OrderBy: "name", Descending: true}},

	// user:.
	{"user by id", "user:52789480", terms(eq("user", "52789480"))},
	{"user by name", `user:"amy moore"`, terms(directory.Term{Field: "user", Value: "amy moore", Phrase: true})},

	// Dates.
	{"date", "created>2022-01-01",
		terms(directory.Term{Field: "created", Op: directory.OpGT, Value: "2022-01-01", Time: date(2022, 1, 1, 0, 0)})},
	{"date equality is the day's start", "created:2022-01-01",
		terms(directory.Term{Field: "created", Value: "2022-01-01", Time: date(2022, 1, 1, 0, 0)})},
	{"created_at and >=", "created_at>=2023-09-14T00:39:54Z",
		terms(directory.Term{Field: "created", Op: directory.OpGE, Value: "2023-09-14T00:39:54Z", Time: time.Date(2023, 9, 14, 0, 39, 54, 0, time.UTC)})},
	{"updated_at with an offset", "updated_at<=2022-01-01T10:00:00+02:00",
		terms(directory.Term{Field: "updated", Op: directory.OpLE, Value: "2022-01-01T10:00:00+02:00", Time: date(2022, 1, 1, 8, 0)})},
	{"time equality is the day in its own offset", "created:2022-01-01T23:00:00-05:00",
		terms(directory.Term{Field: "created", Value: "2022-01-01T23:00:00-05:00", Time: date(2022, 1, 1, 5, 0)})},
	{"lower-case t and z", "updated<2022-01-01t10:00:00z",
		terms(directory.Term{Field: "updated", Op: directory.OpLT, Value: "2022-01-01t10:00:00z", Time: date(2022, 1, 1, 10, 0)})},
	{"fractional seconds", "updated>2022-01-01T10:00:00.5Z",
		terms(directory.Term{Field: "updated", Op: directory.OpGT, Value: "2022-01-01T10:00:00.5Z", Time: time.Date(2022, 1, 1, 10, 0, 0, 5e8, time.UTC)})},
	{"quoted date", `created>"2022-01-01"`,
		terms(directory.Term{Field: "created", Op: directory.OpGT, Value: "2022-01-01", Phrase: true, Time: date(2022, 1, 1, 0, 0)})},
	{"negated date", "-created>2022-01-01",
		terms(directory.Term{Field: "created", Op: directory.OpGT, Value: "2022-01-01", Time: date(2022, 1, 1, 0, 0), Negated: true})},
	{"relative year", "created<1year",
		terms(directory.Term{Field: "created", Op: directory.OpLT, Value: "1year", Time: date(2023, 3, 15, 12, 30)})},
	{"relative hours", "updated>2hours",
		terms(directory.Term{Field: "updated", Op: directory.OpGT, Value: "2hours", Time: date(2024, 3, 15, 10, 30)})},
	{"relative short forms", "created>15min created>30mins created>1h created>5hrs created>3d created>1wk created>1mo created>2y",
		terms(
			directory.Term{Field: "created", Op: directory.OpGT, Value: "15min", Time: date(2024, 3, 15, 12, 15)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "30mins", Time: date(2024, 3, 15, 12, 0)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "1h", Time: date(2024, 3, 15, 11, 30)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "5hrs", Time: date(2024, 3, 15, 7, 30)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "3d", Time: date(2024, 3, 12, 12, 30)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "1wk", Time: date(2024, 3, 8, 12, 30)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "1mo", Time: date(2024, 2, 15, 12, 30)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "2y", Time: date(2022, 3, 15, 12, 30)},
		)},
	{"relative long forms any case", "created>1Minute created>2WEEKS created>1month created>3days created>1hour",
		terms(
			directory.Term{Field: "created", Op: directory.OpGT, Value: "1Minute", Time: date(2024, 3, 15, 12, 29)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "2WEEKS", Time: date(2024, 3, 1, 12, 30)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "1month", Time: date(2024, 2, 15, 12, 30)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "3days", Time: date(2024, 3, 12, 12, 30)},
			directory.Term{Field: "created", Op: directory.OpGT, Value: "1hour", Time: date(2024, 3, 15, 11, 30)},
		)},
	{"zero is now", "updated<0days",
		terms(directory.Term{Field: "updated", Op: directory.OpLT, Value: "0days", Time: now})},
	{"relative equality is that day", "created:2days",
		terms(directory.Term{Field: "created", Value: "2days", Time: date(2024, 3, 13, 0, 0)})},
	{"earliest date", "created>=0001-01-01", terms(directory.Term{Field: "created", Op: directory.OpGE, Value: "0001-01-01", Time: date(1, 1, 1, 0, 0)})},
	{"latest date", "created<9999-12-31T23:59:59Z", terms(directory.Term{Field: "created", Op: directory.OpLT, Value: "9999-12-31T23:59:59Z", Time: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)})},
	{"largest relative", "created>999999minutes",
		terms(directory.Term{Field: "created", Op: directory.OpGT, Value: "999999minutes", Time: now.Add(-999999 * time.Minute)})},

	// Everything at once.
	{"combination", `-name:"amy moore" created>2022-01-01 type:user order_by:created sort:desc tags:vip email:*@example.com`,
		directory.UserQuery{
			Terms: []directory.Term{
				{Field: "name", Value: "amy moore", Phrase: true, Negated: true},
				{Field: "created", Op: directory.OpGT, Value: "2022-01-01", Time: date(2022, 1, 1, 0, 0)},
				{Field: "tags", Value: "vip"},
				{Field: "email", Value: "*@example.com", Wildcard: true},
			},
			Types:      []string{"user"},
			OrderBy:    "created_at",
			Descending: true,
		}},
	{"exactly the most terms", strings.Repeat("a ", search.MaxTerms),
		terms(func() []directory.Term {
			ts := make([]directory.Term, search.MaxTerms)
			for i := range ts {
				ts[i] = bare("a")
			}
			return ts
		}()...)},
	{"exactly the longest query", strings.Repeat("x", search.MaxQueryBytes), terms(bare(strings.Repeat("x", search.MaxQueryBytes)))},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := search.Parse(tc.query, now)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.query, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tc.query, diff)
			}
		})
	}
}

var errorCases = []struct {
	name  string
	query string
	want  search.Error
}{
	{"empty", "", search.Error{Pos: 0, Msg: "empty query"}},
	{"only white space", " \t\n\u00a0", search.Error{Pos: 0, Msg: "empty query"}},
	{"too long", strings.Repeat("x", search.MaxQueryBytes+1), search.Error{Pos: 1000, Msg: "query longer than 1000 bytes"}},
	{"too many terms", strings.Repeat("ab ", search.MaxTerms) + "cd", search.Error{Pos: 150, Msg: "more than 50 terms"}},
	{"keywords count as terms", strings.Repeat("type:user ", search.MaxTerms) + "x", search.Error{Pos: 500, Msg: "more than 50 terms"}},
	{"invalid UTF-8", "\xff", search.Error{Pos: 0, Msg: "invalid UTF-8"}},
	{"invalid UTF-8 later", "ab \xe2\x82x", search.Error{Pos: 3, Msg: "invalid UTF-8"}},
	{"NUL", "a\x00b", search.Error{Pos: 1, Msg: "control character U+0000"}},
	{"escape character", "name:\x1b[31m", search.Error{Pos: 5, Msg: "control character U+001B"}},

	{"unterminated property phrase", `name:"amy`, search.Error{Pos: 5, Msg: "unterminated quote"}},
	{"unterminated bare phrase", `a "amy moore`, search.Error{Pos: 2, Msg: "unterminated quote"}},
	{"escaped quote does not close", `"amy\"`, search.Error{Pos: 0, Msg: "unterminated quote"}},
	{"lone quote", `"`, search.Error{Pos: 0, Msg: "unterminated quote"}},
	{"text after closing quote", `name:"amy"x`, search.Error{Pos: 10, Msg: "a closing quote must be followed by a space or the end of the query"}},
	{"phrase then phrase", `"a""b"`, search.Error{Pos: 3, Msg: "a closing quote must be followed by a space or the end of the query"}},
	{"quote inside a word", `name:amy"moore"`, search.Error{Pos: 8, Msg: `a '"' may only open a value: quote the whole value`}},
	{"quoted key", `"name":x`, search.Error{Pos: 6, Msg: "a closing quote must be followed by a space or the end of the query"}},
	{"empty phrase", `""`, search.Error{Pos: 0, Msg: "empty phrase"}},
	{"blank phrase", `name:"  "`, search.Error{Pos: 5, Msg: "empty phrase"}},

	{"bare wildcard", "*", search.Error{Pos: 0, Msg: "a wildcard needs at least one other character"}},
	{"double wildcard", "a **", search.Error{Pos: 2, Msg: "a wildcard needs at least one other character"}},
	{"property wildcard", "email:*", search.Error{Pos: 6, Msg: "a wildcard needs at least one other character"}},
	{"negated wildcard", "-*", search.Error{Pos: 1, Msg: "a wildcard needs at least one other character"}},
	{"phrase wildcard", `name:" * "`, search.Error{Pos: 5, Msg: "a wildcard needs at least one other character"}},
	{"type wildcard", "type:*", search.Error{Pos: 5, Msg: "a wildcard needs at least one other character"}},

	{"lone minus", "-", search.Error{Pos: 0, Msg: "a '-' must be followed by the term it negates"}},
	{"minus between words", "smith - jones", search.Error{Pos: 6, Msg: "a '-' must be followed by the term it negates"}},
	{"double minus", "--smith", search.Error{Pos: 1, Msg: "a term can be negated only once"}},

	{"no value", "name:", search.Error{Pos: 5, Msg: "name: needs a value"}},
	{"space before value", "name: amy", search.Error{Pos: 5, Msg: "name: needs a value"}},
	{"no value after >=", "-created>= x", search.Error{Pos: 10, Msg: "created>= needs a value"}},
	{"no value, case kept in message", "Tags<", search.Error{Pos: 5, Msg: "Tags< needs a value"}},

	{"unknown type", "type:article", search.Error{Pos: 5, Msg: `unknown type "article": want user, ticket, organization or group`}},
	{"negated type", "-type:user", search.Error{Pos: 0, Msg: "type: cannot be negated"}},
	{"type with an ordering", "type>user", search.Error{Pos: 4, Msg: "type takes only ':'"}},
	{"unknown order_by", "order_by:priority", search.Error{Pos: 9, Msg: `unknown order_by "priority": want created_at, updated_at or name`}},
	{"conflicting order_by", "order_by:name order_by:created", search.Error{Pos: 23, Msg: "order_by given twice: name and created_at"}},
	{"negated order_by", "-order_by:name", search.Error{Pos: 0, Msg: "order_by: cannot be negated"}},
	{"order_by with an ordering", "order_by<=name", search.Error{Pos: 8, Msg: "order_by takes only ':'"}},
	{"unknown sort", "sort:up", search.Error{Pos: 5, Msg: `unknown sort "up": want asc or desc`}},
	{"conflicting sort", "sort:asc sort:desc", search.Error{Pos: 14, Msg: "sort given twice: asc and desc"}},
	{"negated sort", "-sort:asc", search.Error{Pos: 0, Msg: "sort: cannot be negated"}},
	{"user with an ordering", "user>5", search.Error{Pos: 4, Msg: "user takes only ':'"}},
	{"name with an ordering", "name>m", search.Error{Pos: 4, Msg: "name takes only ':'; <, >, <= and >= compare the dates created and updated"}},
	{"tags with an ordering", "-tags<=vip", search.Error{Pos: 5, Msg: "tags takes only ':'; <, >, <= and >= compare the dates created and updated"}},
	{"organization with an ordering", "organization>5", search.Error{Pos: 12, Msg: "organization takes only ':'; <, >, <= and >= compare the dates created and updated"}},

	{"word for a date", "created>yesterday", search.Error{Pos: 8, Msg: `created: bad date "yesterday": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"impossible date", "created:2022-13-01", search.Error{Pos: 8, Msg: `created: bad date "2022-13-01": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"short date", "updated>2022-1-1", search.Error{Pos: 8, Msg: `updated: bad date "2022-1-1": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"five-digit year", "created>10000-01-01", search.Error{Pos: 8, Msg: `created: bad date "10000-01-01": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"time without offset", "created>2022-01-01T10:00:00", search.Error{Pos: 8, Msg: `created: bad time "2022-01-01T10:00:00": want RFC 3339 with an offset, as 2022-01-01T10:00:00Z`}},
	{"time without seconds", "created_at<2022-01-01T10:00Z", search.Error{Pos: 11, Msg: `created: bad time "2022-01-01T10:00Z": want RFC 3339 with an offset, as 2022-01-01T10:00:00Z`}},
	{"ambiguous unit", "created>5m", search.Error{Pos: 8, Msg: `created: unknown time unit "m": want minutes, hours, days, weeks, months or years`}},
	{"seconds", "created>5seconds", search.Error{Pos: 8, Msg: `created: unknown time unit "seconds": want minutes, hours, days, weeks, months or years`}},
	{"number only", "created>5", search.Error{Pos: 8, Msg: `created: bad date "5": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"unit only", "created>days", search.Error{Pos: 8, Msg: `created: bad date "days": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"negative relative", "updated<-1day", search.Error{Pos: 8, Msg: `updated: bad date "-1day": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"too far back", "created>1000000years", search.Error{Pos: 8, Msg: `created: relative time "1000000years" too far back: at most 6 digits`}},
	{"year zero", "created>0000-01-01", search.Error{Pos: 8, Msg: `created: "0000-01-01" is out of range: dates run from year 1 to 9999`}},
	{"year zero by offset", "created>0001-01-01T00:00:00+01:00", search.Error{Pos: 8, Msg: `created: "0001-01-01T00:00:00+01:00" is out of range: dates run from year 1 to 9999`}},
	{"relative before year 1", "updated>999999years", search.Error{Pos: 8, Msg: `updated: "999999years" is out of range: dates run from year 1 to 9999`}},
	{"wildcard date", "created>2022*", search.Error{Pos: 8, Msg: `created: bad date "2022*": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"quoted bad date", `updated:"2022-01-01 "`, search.Error{Pos: 8, Msg: `updated: bad date "2022-01-01 ": want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)`}},
	{"first error wins", `name:"x sort:up`, search.Error{Pos: 5, Msg: "unterminated quote"}},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := search.Parse(tc.query, now)
			var se *search.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %+v, %v; want *search.Error", tc.query, got, err)
			}
			if diff := cmp.Diff(tc.want, *se); diff != "" {
				t.Errorf("Parse(%q) error (-want +got):\n%s", tc.query, diff)
			}
			if diff := cmp.Diff(directory.UserQuery{}, got); diff != "" {
				t.Errorf("Parse(%q) returned a query with its error:\n%s", tc.query, diff)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := search.Parse(`name:amy notes:"unfinished`, now)
	if got, want := fmt.Sprint(err), "search: at 15: unterminated quote"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// TestParseDatesInNowsLocation checks that plain dates and day ranges are
// read in the location of now, so a caller can pass a realm's time zone.
func TestParseDatesInNowsLocation(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	local := time.Date(2024, 3, 15, 1, 0, 0, 0, est) // 06:00 UTC
	tests := []struct {
		query string
		want  time.Time
	}{
		{"created>2022-01-01", time.Date(2022, 1, 1, 5, 0, 0, 0, time.UTC)},
		{"created:1day", time.Date(2024, 3, 14, 5, 0, 0, 0, time.UTC)},
		{"created>1day", time.Date(2024, 3, 14, 6, 0, 0, 0, time.UTC)},
		{"created:2022-06-01T01:00:00Z", time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		q, err := search.Parse(tc.query, local)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.query, err)
		}
		if got := q.Terms[0].Time; !got.Equal(tc.want) {
			t.Errorf("Parse(%q).Time = %v, want %v", tc.query, got, tc.want)
		}
	}
}

// TestParseMonthEnd pins what "a month ago" is on the 31st: time.AddDate
// normalizes February 31st to March 2nd (in a leap year).
func TestParseMonthEnd(t *testing.T) {
	q, err := search.Parse("created>1month", date(2024, 3, 31, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Terms[0].Time, date(2024, 3, 2, 0, 0); !got.Equal(want) {
		t.Errorf("Time = %v, want %v", got, want)
	}
}

// keyPattern is what a Field other than "" must look like.
var keyPattern = regexp.MustCompile(`^[a-z0-9_]*[a-z_][a-z0-9_]*$`)

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.query, now.Unix())
	}
	for _, tc := range errorCases {
		f.Add(tc.query, now.Unix())
	}
	f.Fuzz(func(t *testing.T, query string, unix int64) {
		clock := time.Unix(unix, 0).UTC()
		q, err := search.Parse(query, clock)
		again, err2 := search.Parse(query, clock)
		if diff := cmp.Diff(q, again); diff != "" || fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("Parse(%q) is not deterministic: %v / %v\n%s", query, err, err2, diff)
		}
		if err != nil {
			var se *search.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v, want *search.Error", query, err, err)
			}
			if se.Pos < 0 || se.Pos > len(query) || se.Msg == "" {
				t.Fatalf("Parse(%q) error %+v: position out of the query or no message", query, se)
			}
			return
		}
		checkQuery(t, query, q)

		// What Parse returns says everything the query said: written out
		// again, it parses to the same query.
		text := format(q)
		if text == "" || len(text) > search.MaxQueryBytes {
			return
		}
		q2, err := search.Parse(text, clock)
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, written %q, which fails: %v", query, q, text, err)
		}
		if diff := cmp.Diff(q, q2); diff != "" {
			t.Fatalf("Parse(%q) written as %q parses differently (-first +second):\n%s", query, text, diff)
		}
	})
}

// checkQuery fails t unless q keeps the promises of Parse.
func checkQuery(t *testing.T, query string, q directory.UserQuery) {
	t.Helper()
	if len(q.Terms) > search.MaxTerms {
		t.Fatalf("Parse(%q): %d terms", query, len(q.Terms))
	}
	for _, term := range q.Terms {
		if term.Op < directory.OpEq || term.Op > directory.OpGE {
			t.Fatalf("Parse(%q): term %+v has op %d", query, term, term.Op)
		}
		if term.Field != "" && !keyPattern.MatchString(term.Field) {
			t.Fatalf("Parse(%q): term %+v has field %q", query, term, term.Field)
		}
		switch term.Field {
		case "type", "order_by", "sort", "tag", "created_at", "updated_at":
			t.Fatalf("Parse(%q): term %+v keeps a keyword or alias", query, term)
		case "", "user":
			if term.Op != directory.OpEq {
				t.Fatalf("Parse(%q): term %+v has an ordering", query, term)
			}
		}
		if !directory.IsCustomField(term.Field) && term.Field != "created" && term.Field != "updated" && !term.Time.IsZero() {
			t.Fatalf("Parse(%q): term %+v: Time set on a field that is no date", query, term)
		}
		if y := term.Time.UTC().Year(); (term.Field == "created" || term.Field == "updated") && (y < 1 || y > 9999) {
			t.Fatalf("Parse(%q): term %+v: Time out of range", query, term)
		}
		if strings.IndexFunc(term.Value, func(r rune) bool { return r != '*' && !unicode.IsSpace(r) }) < 0 {
			t.Fatalf("Parse(%q): term %+v has no value", query, term)
		}
		if term.Wildcard != strings.Contains(term.Value, "*") {
			t.Fatalf("Parse(%q): term %+v: Wildcard is not whether the value holds a *", query, term)
		}
		if !term.Phrase && (strings.ContainsAny(term.Value, `"`) || strings.IndexFunc(term.Value, unicode.IsSpace) >= 0) {
			t.Fatalf("Parse(%q): word %+v holds a quote or a space", query, term)
		}
	}
	seen := map[string]bool{}
	for _, typ := range q.Types {
		switch typ {
		case "user", "ticket", "organization", "group":
		default:
			t.Fatalf("Parse(%q): type %q", query, typ)
		}
		if seen[typ] {
			t.Fatalf("Parse(%q): type %q listed twice", query, typ)
		}
		seen[typ] = true
	}
	switch q.OrderBy {
	case "", "created_at", "updated_at", "name":
	default:
		t.Fatalf("Parse(%q): order_by %q", query, q.OrderBy)
	}
}

var opText = map[directory.Op]string{
	directory.OpEq: ":", directory.OpLT: "<", directory.OpGT: ">", directory.OpLE: "<=", directory.OpGE: ">=",
}

// format writes q back as a query.
func format(q directory.UserQuery) string {
	var parts []string
	for _, term := range q.Terms {
		var b strings.Builder
		if term.Negated {
			b.WriteString("-")
		}
		if term.Field != "" {
			b.WriteString(term.Field + opText[term.Op])
		}
		if term.Phrase {
			b.WriteString(`"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(term.Value) + `"`)
		} else {
			b.WriteString(term.Value)
		}
		parts = append(parts, b.String())
	}
	for _, typ := range q.Types {
		parts = append(parts, "type:"+typ)
	}
	if q.OrderBy != "" {
		parts = append(parts, "order_by:"+q.OrderBy)
	}
	if q.Descending {
		parts = append(parts, "sort:desc")
	} else if q.OrderBy != "" {
		parts = append(parts, "sort:asc")
	}
	return strings.Join(parts, " ")
}
