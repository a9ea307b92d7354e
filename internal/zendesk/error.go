package zendesk

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// errorBody is Zendesk's error envelope.
type errorBody struct {
	Error       string                   `json:"error"`
	Description string                   `json:"description,omitempty"`
	Details     map[string][]errorDetail `json:"details,omitempty"`
}

type errorDetail struct {
	Description string `json:"description"`
	Error       string `json:"error,omitempty"`
}

// apiError is an error with its own status and Zendesk error type, for
// conditions of the wire (bad parameters, bodies too large) that are not
// domain errors.
type apiError struct {
	status      int
	kind        string
	description string
}

func (e *apiError) Error() string { return e.kind + ": " + e.description }

// badRequest reports a malformed parameter or body (400).
func badRequest(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, kind: "InvalidParameter", description: fmt.Sprintf(format, args...)}
}

var errInvalidEndpoint = &apiError{status: http.StatusNotFound, kind: "InvalidEndpoint", description: "Not found"}

// writeError writes err in Zendesk's dialect. Errors that are neither an
// apiError nor a known domain kind are logged and answered with a generic
// 500, so no internal detail leaks.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeJSON(w, ae.status, errorBody{Error: ae.kind, Description: ae.description})
		return
	}
	var de *directory.Error
	errors.As(err, &de)
	switch directory.KindOf(err) {
	case directory.KindNotFound:
		writeJSON(w, http.StatusNotFound, errorBody{Error: "RecordNotFound", Description: "Not found"})
	case directory.KindInvalid:
		body := errorBody{Error: "RecordInvalid", Description: "Record validation errors", Details: map[string][]errorDetail{}}
		for _, f := range de.Fields {
			body.Details[f.Field] = append(body.Details[f.Field], errorDetail{Description: humanize(f.Field) + ": " + f.Message, Error: f.Code})
		}
		writeJSON(w, http.StatusUnprocessableEntity, body)
	case directory.KindUnauthenticated:
		if errors.Is(err, auth.ErrInvalidToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="Clientele", error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token",
				"error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons."})
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="Web Password"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Couldn't authenticate you"})
	case directory.KindForbidden:
		writeJSON(w, http.StatusForbidden, errorBody{Error: "Forbidden", Description: de.Message})
	case directory.KindTooMany:
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "TooManyValues", Description: de.Message})
	case directory.KindBadRequest:
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "InvalidParameter", Description: de.Message})
	case directory.KindConflict:
		writeJSON(w, http.StatusConflict, errorBody{Error: "DatabaseConflict", Description: "Database collision"})
	default:
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "InternalError",
			Description: "Something went wrong on our side. The error has been logged."})
	}
}

// humanize turns a field name into the label Zendesk puts before a
// validation message: "external_id" -> "External id".
func humanize(field string) string {
	s := strings.ReplaceAll(field, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
