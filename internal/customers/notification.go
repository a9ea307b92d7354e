package customers

import (
	"net/http"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

// notificationBody is a notification as Modyo's Liquid drop names its
// parts, with its id: {id, subject, body, sent_at, opened, url}.
type notificationBody struct {
	ID       int64  `json:"id"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
	SentAt   any    `json:"sent_at"`
	Opened   bool   `json:"opened"`
	OpenedAt any    `json:"opened_at"`
	URL      string `json:"url"`
}

func (h *Handler) presentNotification(r *http.Request, realm *directory.Realm, n *directory.Notification) notificationBody {
	return notificationBody{ID: n.ID, Subject: n.Subject, Body: n.Body, SentAt: timeValue(n.SentAt), Opened: n.Opened(),
		OpenedAt: timeValue(n.OpenedAt),
		URL:      h.baseURL(r) + "/realms/" + realm.UID + "/profile?notification_id=" + strconv.FormatInt(n.ID, 10)}
}

// listNotifications is GET notifications: unread first, then newest,
// {notifications, meta}.
func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request, c *caller) error {
	page, perPage := pageParams(r)
	list, total, _, err := h.svc.Notifications(r.Context(), c.realm.ID, c.user.ID, (page-1)*perPage, perPage)
	if err != nil {
		return err
	}
	out := make([]notificationBody, 0, len(list))
	for i := range list {
		out = append(out, h.presentNotification(r, c.realm, &list[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": out, "meta": newMeta(total, page, perPage)})
	return nil
}

// markNotificationRead is PUT or POST notifications/{id}/mark_as_read:
// the notification, now read; the first time it records the
// notification_opened_log event.
func (h *Handler) markNotificationRead(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return directory.ErrNotFound
	}
	n, err := h.svc.MarkNotificationRead(r.Context(), c.realm.ID, c.user.ID, id, h.clientOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"notification": h.presentNotification(r, c.realm, n)})
	return nil
}
