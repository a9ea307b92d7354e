package customers

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

// notificationInput is the body of the administration's notification
// sends: subject and body, and for the realm-wide path user_id or tag
// (neither: every active user of the realm).
type notificationInput struct {
	Subject string      `json:"subject"`
	Body    string      `json:"body"`
	UserID  json.Number `json:"user_id"`
	Tag     string      `json:"tag"`
}

// sendNotification is POST /notifications (GET on the same path is the
// customer's own list): 201 {"sent": N}.
func (h *Handler) sendNotification(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	var in notificationInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	to := directory.Recipients{Tag: in.Tag}
	if in.UserID != "" {
		id, err := strconv.ParseInt(in.UserID.String(), 10, 64)
		if err != nil || id <= 0 {
			return invalid("user_id", "must be the id of a user of the realm")
		}
		to.UserID = id
	}
	return h.send(w, r, a, in, to)
}

// sendUserNotification is POST /users/{id}/notifications: 201
// {"sent": 1}, or 404 for a user the realm does not have.
func (h *Handler) sendUserNotification(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	var in notificationInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.UserID != "" || in.Tag != "" {
		return invalid("base", "the path names the user: send only subject and body")
	}
	return h.send(w, r, a, in, directory.Recipients{UserID: id})
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request, a *adminCaller, in notificationInput, to directory.Recipients) error {
	n, err := h.svc.SendNotification(r.Context(), a.realm.ID, in.Subject, in.Body, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"sent": n})
	return nil
}
