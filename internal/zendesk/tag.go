package zendesk

import (
	"context"
	"net/http"

	"github.com/clientele/clientele/internal/directory"
)

// tagRoutes registers the tags of a user: GET lists, POST sets, PUT adds,
// DELETE removes, as Zendesk's tags API does for every taggable record.
func (h *Handler) tagRoutes() {
	h.handle("GET /api/v2/users/{id}/tags", h.listUserTags)
	h.handle("POST /api/v2/users/{id}/tags", h.setUserTags)
	h.handle("PUT /api/v2/users/{id}/tags", h.addUserTags)
	h.handle("DELETE /api/v2/users/{id}/tags", h.removeUserTags)
}

// listUserTags serves GET /api/v2/users/{id}/tags: {"tags": [...]}.
func (h *Handler) listUserTags(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	tags, err := h.svc.UserTags(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeTags(w, http.StatusOK, tags)
}

// setUserTags serves POST /api/v2/users/{id}/tags: the tags sent replace
// the user's; 201 with them.
func (h *Handler) setUserTags(w http.ResponseWriter, r *http.Request) error {
	return h.tagAction(w, r, http.StatusCreated, h.svc.SetUserTags)
}

// addUserTags serves PUT /api/v2/users/{id}/tags: the tags sent are added;
// 200 with all of them.
func (h *Handler) addUserTags(w http.ResponseWriter, r *http.Request) error {
	return h.tagAction(w, r, http.StatusOK, h.svc.AddUserTags)
}

// removeUserTags serves DELETE /api/v2/users/{id}/tags: the tags sent in
// the body, or in a comma-separated tags= query parameter, are removed;
// 200 with the tags left.
func (h *Handler) removeUserTags(w http.ResponseWriter, r *http.Request) error {
	return h.tagAction(w, r, http.StatusOK, h.svc.RemoveUserTags)
}

func (h *Handler) tagAction(w http.ResponseWriter, r *http.Request, status int,
	act func(context.Context, directory.Actor, int64, []string) ([]string, error)) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	tags, err := decodeTags(r)
	if err != nil {
		return err
	}
	out, err := act(r.Context(), a, id, tags)
	if err != nil {
		return err
	}
	return writeTags(w, status, out)
}

// decodeTags reads {"tags": [...]} (or a space-separated string) from the
// body, or, when the body is empty, tags=a,b from the query, as a DELETE
// without a body sends them.
func decodeTags(r *http.Request) ([]string, error) {
	if r.ContentLength == 0 && r.URL.Query().Has("tags") {
		return splitList(r.URL.Query().Get("tags")), nil
	}
	body, err := readObject(r)
	if err != nil {
		return nil, err
	}
	if _, ok := body["tags"]; !ok {
		return nil, badRequest("The request body needs a \"tags\" array")
	}
	var tags *[]string
	f := fields{obj: body}
	f.strings("tags", &tags)
	if err := f.err(); err != nil {
		return nil, err
	}
	return *tags, nil
}

func writeTags(w http.ResponseWriter, status int, tags []string) error {
	if tags == nil {
		tags = []string{}
	}
	writeJSON(w, status, map[string]any{"tags": tags})
	return nil
}
