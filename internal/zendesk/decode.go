package zendesk

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/clientele/clientele/internal/directory"
)

// maxBodyBytes bounds request bodies; a bulk request of 100 users fits
// easily.
const maxBodyBytes = 1 << 20

// errTooLarge is answered with 413.
var errTooLarge = &apiError{status: http.StatusRequestEntityTooLarge, kind: "RequestTooLarge",
	description: "The request body is larger than 1 MiB"}

// readObject reads r's body, which must be valid UTF-8 JSON holding an
// object, and returns its members. Unknown members are the caller's to
// ignore, as Zendesk ignores them.
func readObject(r *http.Request) (map[string]json.RawMessage, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, badRequest("The request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("The request body is empty; send a JSON object")
	}
	// encoding/json would silently replace invalid UTF-8; refuse it instead.
	if !utf8.Valid(body) {
		return nil, badRequest("The request body is not valid UTF-8")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, badRequest("The request body is not valid JSON (at byte %d)", syntax.Offset)
		}
		return nil, badRequest("The request body must be a JSON object")
	}
	return obj, nil
}

// member decodes the object member key of obj; it reports a missing
// member as a 400 naming it.
func member(obj map[string]json.RawMessage, key string) (map[string]json.RawMessage, error) {
	raw, ok := obj[key]
	if !ok {
		return nil, badRequest("The request body needs a %q object", key)
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(raw, &inner); err != nil || inner == nil {
		return nil, badRequest("%q must be a JSON object", key)
	}
	return inner, nil
}

// fields decodes the members of one record into typed Go values, naming
// the field of every type error, and collects all errors as a 422.
type fields struct {
	obj     map[string]json.RawMessage
	invalid directory.Invalid
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// str decodes a string member; null clears it (a pointer to "").
func (f *fields) str(key string, dst **string) {
	raw, ok := f.obj[key]
	if !ok {
		return
	}
	var s string
	if !isNull(raw) {
		if err := json.Unmarshal(raw, &s); err != nil {
			f.invalid.Add(key, "InvalidValue", "must be a string")
			return
		}
	}
	*dst = &s
}

// boolean decodes a boolean member; null is taken as false.
func (f *fields) boolean(key string, dst **bool) {
	raw, ok := f.obj[key]
	if !ok {
		return
	}
	var b bool
	if !isNull(raw) {
		if err := json.Unmarshal(raw, &b); err != nil {
			f.invalid.Add(key, "InvalidValue", "must be true or false")
			return
		}
	}
	*dst = &b
}

// id decodes an integer id member; null clears it (a pointer to 0).
func (f *fields) id(key string, dst **int64) {
	raw, ok := f.obj[key]
	if !ok {
		return
	}
	var n int64
	if !isNull(raw) {
		if err := json.Unmarshal(raw, &n); err != nil || n < 0 {
			f.invalid.Add(key, "InvalidValue", "must be a positive integer id or null")
			return
		}
	}
	*dst = &n
}

// integer decodes an integer member; null leaves it unset.
func (f *fields) integer(key string, dst **int) {
	raw, ok := f.obj[key]
	if !ok || isNull(raw) {
		return
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		f.invalid.Add(key, "InvalidValue", "must be an integer")
		return
	}
	*dst = &n
}

// strings decodes an array of strings; null clears it.
func (f *fields) strings(key string, dst **[]string) {
	raw, ok := f.obj[key]
	if !ok {
		return
	}
	list := []string{}
	if !isNull(raw) {
		if err := json.Unmarshal(raw, &list); err != nil {
			// Zendesk also takes tags as one space-separated string.
			var s string
			if json.Unmarshal(raw, &s) != nil {
				f.invalid.Add(key, "InvalidValue", "must be an array of strings")
				return
			}
			list = splitWords(s)
		}
	}
	*dst = &list
}

// object decodes a JSON object member; null is an empty object.
func (f *fields) object(key string, dst *map[string]any) {
	raw, ok := f.obj[key]
	if !ok {
		return
	}
	m := map[string]any{}
	if !isNull(raw) {
		if err := json.Unmarshal(raw, &m); err != nil {
			f.invalid.Add(key, "InvalidValue", "must be an object")
			return
		}
	}
	*dst = m
}

func (f *fields) err() error { return f.invalid.Err() }

func splitWords(s string) []string {
	out := []string{}
	for _, w := range bytes.Fields([]byte(s)) {
		out = append(out, string(w))
	}
	return out
}
