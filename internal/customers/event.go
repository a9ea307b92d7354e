package customers

import (
	"mime"
	"net/http"
	"strings"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// eventTitles are the labels of the built-in event types; a custom
// event's title is empty, as in Modyo.
var eventTitles = map[string]string{
	directory.EventLogin:              "Login",
	directory.EventLoginFailed:        "Login failed",
	directory.EventLogout:             "Logout",
	directory.EventSignup:             "Sign up",
	directory.EventPasswordReset:      "Password reset",
	directory.EventIdPSyncFailed:      "Identity provider sync failed",
	directory.EventNotificationOpened: "Notification opened",
}

// eventBody is an event as the events endpoint shows it: no id, no type.
type eventBody struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	CreatedAt   any    `json:"created_at"`
}

// listEvents is GET events: the customer's events, newest first unless
// order=asc, by created_at or (sort_by=type) by type; {events, meta}.
// not_impersonated is accepted; nobody impersonates customers here, so it
// drops nothing.
func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request, c *caller) error {
	page, perPage := pageParams(r)
	q := r.URL.Query()
	eq := directory.EventQuery{ByType: q.Get("sort_by") == "type",
		Page: directory.Page{Limit: perPage, Offset: (page - 1) * perPage, Descending: q.Get("order") != "asc"}}
	events, total, err := h.signin.Events(r.Context(), c.realm.ID, c.user.ID, eq)
	if err != nil {
		return err
	}
	out := make([]eventBody, 0, len(events))
	for _, e := range events {
		out = append(out, eventBody{Title: eventTitles[e.Type], Description: "Realm: " + c.realm.Name, CreatedAt: timeValue(e.CreatedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out, "meta": newMeta(total, page, perPage)})
	return nil
}

// trackEvent is POST events: a site records a custom event (e_c, e_a and
// Modyo's other tracking parameters, as a form, a query or a JSON object)
// for its signed-in customer; 201 with the stored event. A call with no
// credential at all is 422, as Modyo answers anonymous events.
func (h *Handler) trackEvent(w http.ResponseWriter, r *http.Request) {
	realm, err := h.realm(r.Context(), r.PathValue("realm"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := r.Cookie(auth.SessionCookie(realm.UID)); err != nil && bearerToken(r) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, errorList("Anonymous events are not allowed"))
		return
	}
	c, err := h.authenticate(r, realm)
	if err == nil {
		err = h.serveCaller(w, r, c, h.storeEvent)
	}
	if err != nil {
		h.fail(w, r, err)
	}
}

func (h *Handler) storeEvent(w http.ResponseWriter, r *http.Request, c *caller) error {
	params := map[string]string{}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		var body map[string]any
		if err := decodeBody(w, r, &body); err != nil {
			return err
		}
		for k, v := range body {
			if s, ok := v.(string); ok {
				params[k] = s
			}
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		if err := r.ParseForm(); err != nil {
			return &directory.Error{Kind: directory.KindInvalid, Message: "malformed form",
				Fields: []directory.FieldError{{Field: "base", Code: "InvalidValue", Message: "the form could not be read"}}}
		}
		for k, v := range r.Form {
			params[k] = strings.Join(v, ",")
		}
	}
	e, err := h.svc.TrackEvent(r.Context(), c.realm.ID, c.user.ID, params, h.clientOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": e.ID, "realm_uid": c.realm.UID, "created_at": timeValue(e.CreatedAt),
		"info": e.Info})
	return nil
}
