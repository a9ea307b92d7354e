package directory

import "time"

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
}

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
}

// SearchStore is the part of Store that runs searches.
type SearchStore interface{}
