// Package search parses Zendesk's search query language, as sent in the
// query parameter of /api/v2/users/search and /api/v2/search, into a
// directory.UserQuery. It only reads the text: which users match is the
// store's business.
//
// The grammar, with byte positions in errors counted from 0:
//
//	query    = space* term (space+ term)* space*
//	term     = ["-"] (property op value | value)
//	property = key, where key is one or more ASCII letters, digits or
//	           underscores, not all digits; matched case-insensitively
//	op       = ":" | "<" | ">" | "<=" | ">="
//	value    = '"' { char | `\"` | `\\` } '"'   (a phrase)
//	         | word                             (no space, no '"')
//	space    = any Unicode white space
//
// Terms are ANDed. A term whose would-be property is not a key, such as
// "10:30", "a.b:c" or ":x", is a bare word, and so is a word like
// "http://example.com" (a ':' followed by "//"), so that times and URLs
// can be searched for as they are written.
//
// Keywords with a meaning of their own: type: (user, ticket, organization,
// group, or their plurals) fills Types; order_by: (created_at, updated_at,
// name, or created and updated) fills OrderBy; sort: (asc, desc) fills
// Descending; created and updated (also created_at, updated_at) take a date;
// tag is read as tags. Every other key is a property, a known one (name,
// email, role, organization, group, tags, phone, external_id, details,
// notes, user) or a custom field key, for the store to interpret. The
// orderings (<, >, <=, >=) are refused on every keyword but created and
// updated; on a custom field key they are kept, and a value that reads as
// a time sets the term's Time, for the Service to use if the realm's
// field holds dates.
//
// A query is at most MaxQueryBytes long, holds at most MaxTerms terms, is
// valid UTF-8 and holds no control characters other than white space.
package search
