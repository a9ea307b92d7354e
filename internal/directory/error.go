package directory

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an Error so each API can map it to its own status code and
// body without inspecting messages.
type Kind int

// The kinds of error the domain produces.
const (
	KindInternal        Kind = iota // unexpected; reported as a generic 500
	KindNotFound                    // the record does not exist in this realm
	KindConflict                    // a concurrent write collided
	KindInvalid                     // input failed validation; see Error.Fields
	KindUnauthenticated             // no or wrong credentials
	KindForbidden                   // authenticated, but not allowed
	KindRateLimited                 // too many requests
	KindTooMany                     // a bulk request carried too many items
	KindBadRequest                  // malformed parameters (not field validation)
)

// FieldError is one validation problem on one field.
type FieldError struct {
	Field   string // wire name of the field, e.g. "email"
	Code    string // machine code, e.g. "DuplicateValue", "InvalidValue", "BlankValue"
	Message string // human text without the field name, e.g. "is already being used by another user"
}

// Error is the error type of the domain. Stores and the Service return it for
// every expected failure; anything else is an internal error.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
}

// Error describes the error with its field problems, for logs.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return e.Message + ": " + strings.Join(parts, "; ")
}

// Errorf returns an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is returned (wrapped or as is) when a record is missing.
var ErrNotFound = &Error{Kind: KindNotFound, Message: "not found"}

// KindOf reports the kind of err: the Kind of the first *Error in its chain,
// or KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Invalid collects field errors; Err returns nil when none were added, so a
// validator can report every problem of a request at once.
type Invalid struct {
	fields []FieldError
}

// Add records a problem with field.
func (v *Invalid) Add(field, code, message string) {
	v.fields = append(v.fields, FieldError{Field: field, Code: code, Message: message})
}

// Err returns the collected problems as a KindInvalid *Error, or nil.
func (v *Invalid) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	fields := append([]FieldError(nil), v.fields...)
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	return &Error{Kind: KindInvalid, Message: "Record validation errors", Fields: fields}
}

// joinInvalid returns the first error of errs that is not a validation
// error, or else all their field problems as one validation error.
func joinInvalid(errs ...error) error {
	var v Invalid
	for _, err := range errs {
		var e *Error
		switch {
		case err == nil:
		case KindOf(err) == KindInvalid && errors.As(err, &e):
			for _, f := range e.Fields {
				v.Add(f.Field, f.Code, f.Message)
			}
		default:
			return err
		}
	}
	return v.Err()
}
