package zendesk

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

// identity is the user identity object. deliverable_state and
// undeliverable_count belong to email identities only; Clientele sends no
// email, so every address is deliverable.
type identity struct {
	ID                 int64   `json:"id"`
	URL                string  `json:"url"`
	UserID             int64   `json:"user_id"`
	Type               string  `json:"type"`
	Value              string  `json:"value"`
	Verified           bool    `json:"verified"`
	Primary            bool    `json:"primary"`
	CreatedAt          string  `json:"created_at"`
	UpdatedAt          string  `json:"updated_at"`
	DeliverableState   *string `json:"deliverable_state,omitempty"`
	UndeliverableCount *int    `json:"undeliverable_count,omitempty"`
}

// identityRoutes registers the identities of users, and the end-user
// variants under /end_users.
func (h *Handler) identityRoutes() {
	h.handle("GET /api/v2/users/{id}/identities", h.listUserIdentities)
	h.handle("POST /api/v2/users/{id}/identities", h.createUserIdentity)
	h.handle("GET /api/v2/users/{id}/identities/{iid}", h.showUserIdentity)
	h.handle("PUT /api/v2/users/{id}/identities/{iid}", h.updateUserIdentity)
	h.handle("DELETE /api/v2/users/{id}/identities/{iid}", h.deleteUserIdentity)
	h.handle("PUT /api/v2/users/{id}/identities/{iid}/make_primary", h.makeUserIdentityPrimary)
	h.handle("PUT /api/v2/users/{id}/identities/{iid}/verify", h.verifyUserIdentity)
	h.handle("PUT /api/v2/users/{id}/identities/{iid}/request_verification", h.requestUserVerification)

	h.handle("GET /api/v2/end_users/{id}/identities", h.listUserIdentities)
	h.handle("POST /api/v2/end_users/{id}/identities", h.createUserIdentity)
	h.handle("GET /api/v2/end_users/{id}/identities/{iid}", h.showUserIdentity)
	h.handle("PUT /api/v2/end_users/{id}/identities/{iid}/make_primary", h.makeUserIdentityPrimary)
}

func (h *Handler) identityView(r *http.Request, id *directory.Identity) identity {
	out := identity{
		ID: id.ID, UserID: id.UserID, Type: id.Type, Value: id.Value, Verified: id.Verified, Primary: id.Primary,
		URL:       h.baseURL(r) + "/api/v2/users/" + strconv.FormatInt(id.UserID, 10) + "/identities/" + strconv.FormatInt(id.ID, 10) + ".json",
		CreatedAt: timestamp(id.CreatedAt), UpdatedAt: timestamp(id.UpdatedAt),
	}
	if id.Type == directory.IdentityEmail {
		state, zero := "deliverable", 0
		out.DeliverableState, out.UndeliverableCount = &state, &zero
	}
	return out
}

func (h *Handler) identityViews(r *http.Request, ids []directory.Identity) []any {
	out := make([]any, len(ids))
	for i := range ids {
		out[i] = h.identityView(r, &ids[i])
	}
	return out
}

// identityPath returns the actor, the user id and the identity id of the
// path.
func identityPath(r *http.Request) (directory.Actor, int64, int64, error) {
	a, userID, err := actorAndID(r)
	if err != nil {
		return a, 0, 0, err
	}
	iid, err := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	if err != nil || iid < 1 {
		return a, 0, 0, errInvalidEndpoint
	}
	return a, userID, iid, nil
}

// listUserIdentities serves GET /api/v2/users/{id}/identities (and
// /end_users/{id}/identities), filtered by type[], offset or cursor
// paginated. A user has few identities, so a page is cut from all of them.
func (h *Handler) listUserIdentities(w http.ResponseWriter, r *http.Request) error {
	a, userID, err := actorAndID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var types []string
	for _, s := range append(append([]string{}, q["type[]"]...), q["type"]...) {
		for _, t := range splitList(s) {
			if !directory.ValidIdentityType(t) {
				return badRequest("type[] must be an identity type such as email or phone_number, got %q", t)
			}
			types = append(types, t)
		}
	}
	p, err := parsePage(q)
	if err != nil {
		return err
	}
	ids, err := h.svc.Identities(r.Context(), a, userID, types)
	if err != nil {
		return err
	}
	rows, links := pageInMemory(h.linker(r), p, ids, func(id directory.Identity) int64 { return id.ID })
	return writeList(w, "identities", h.identityViews(r, rows), links)
}

// pageInMemory cuts one page, offset or cursor, out of all the rows of a
// short list, as the store would with a directory.Page. Offset pages keep
// the list's order; cursor pages are in id order.
func pageInMemory[T any](l linker, p pageParams, all []T, id func(T) int64) ([]T, any) {
	if !p.cursor {
		start := min((p.page-1)*p.size, len(all))
		end := min(start+p.size, len(all))
		return all[start:end], l.offset(p, int64(len(all)))
	}
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b T) int {
		if p.descending {
			return cmp.Compare(id(b), id(a))
		}
		return cmp.Compare(id(a), id(b))
	})
	// after and before say where a row lies from a cursor, in the order
	// of the list.
	after := func(x T, c int64) bool { return (p.descending && id(x) < c) || (!p.descending && id(x) > c) }
	before := func(x T, c int64) bool { return (p.descending && id(x) > c) || (!p.descending && id(x) < c) }
	var rows []T
	switch {
	case p.before != 0:
		// Read backwards from the cursor: the size+1 rows just before it.
		for _, x := range sorted {
			if before(x, p.before) {
				rows = append(rows, x)
			}
		}
		rows = rows[max(0, len(rows)-(p.size+1)):]
	default:
		for _, x := range sorted {
			if p.after == 0 || after(x, p.after) {
				rows = append(rows, x)
			}
		}
		rows = rows[:min(len(rows), p.size+1)]
	}
	page, links := cursorPage(l, p, rows, id)
	if page == nil {
		page = []T{}
	}
	return page, links
}

// showUserIdentity serves GET /api/v2/users/{id}/identities/{iid}.
func (h *Handler) showUserIdentity(w http.ResponseWriter, r *http.Request) error {
	a, userID, iid, err := identityPath(r)
	if err != nil {
		return err
	}
	id, err := h.svc.Identity(r.Context(), a, userID, iid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identity": h.identityView(r, id)})
	return nil
}

// createUserIdentity serves POST /api/v2/users/{id}/identities: 201 with
// the identity. skip_verify_email is accepted; no email is ever sent.
func (h *Handler) createUserIdentity(w http.ResponseWriter, r *http.Request) error {
	a, userID, err := actorAndID(r)
	if err != nil {
		return err
	}
	body, err := readObject(r)
	if err != nil {
		return err
	}
	obj, err := member(body, "identity")
	if err != nil {
		return err
	}
	var typ, value *string
	var verified, primary *bool
	f := fields{obj: obj}
	f.str("type", &typ)
	f.str("value", &value)
	f.boolean("verified", &verified)
	f.boolean("primary", &primary)
	if err := f.err(); err != nil {
		return err
	}
	in := directory.NewIdentity{Type: deref(typ), Value: deref(value), Verified: deref(verified), Primary: deref(primary)}
	id, err := h.svc.CreateIdentity(r.Context(), a, userID, in)
	if err != nil {
		return err
	}
	view := h.identityView(r, id)
	w.Header().Set("Location", view.URL)
	writeJSON(w, http.StatusCreated, map[string]any{"identity": view})
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// updateUserIdentity serves PUT /api/v2/users/{id}/identities/{iid}:
// value and verified (or verification_method "none"/"low"/"full"); primary
// is ignored, as only make_primary changes it.
func (h *Handler) updateUserIdentity(w http.ResponseWriter, r *http.Request) error {
	a, userID, iid, err := identityPath(r)
	if err != nil {
		return err
	}
	body, err := readObject(r)
	if err != nil {
		return err
	}
	obj, err := member(body, "identity")
	if err != nil {
		return err
	}
	var in directory.IdentityUpdate
	var method *string
	f := fields{obj: obj}
	f.str("value", &in.Value)
	f.boolean("verified", &in.Verified)
	f.str("verification_method", &method)
	if method != nil && in.Verified == nil {
		switch *method {
		case "none":
			in.Verified = new(bool)
		case "low", "full":
			v := true
			in.Verified = &v
		default:
			f.invalid.Add("verification_method", "InvalidValue", "must be none, low or full")
		}
	}
	if err := f.err(); err != nil {
		return err
	}
	id, err := h.svc.UpdateIdentity(r.Context(), a, userID, iid, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identity": h.identityView(r, id)})
	return nil
}

// makeUserIdentityPrimary serves PUT .../identities/{iid}/make_primary:
// 200 with all the user's identities.
func (h *Handler) makeUserIdentityPrimary(w http.ResponseWriter, r *http.Request) error {
	a, userID, iid, err := identityPath(r)
	if err != nil {
		return err
	}
	ids, err := h.svc.MakePrimaryIdentity(r.Context(), a, userID, iid)
	if err != nil {
		return err
	}
	return writeList(w, "identities", h.identityViews(r, ids), struct{}{})
}

// verifyUserIdentity serves PUT .../identities/{iid}/verify.
func (h *Handler) verifyUserIdentity(w http.ResponseWriter, r *http.Request) error {
	a, userID, iid, err := identityPath(r)
	if err != nil {
		return err
	}
	id, err := h.svc.VerifyIdentity(r.Context(), a, userID, iid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identity": h.identityView(r, id)})
	return nil
}

// requestUserVerification serves PUT .../identities/{iid}/request_verification:
// 200 with an empty body. No email is sent.
func (h *Handler) requestUserVerification(w http.ResponseWriter, r *http.Request) error {
	a, userID, iid, err := identityPath(r)
	if err != nil {
		return err
	}
	if err := h.svc.RequestVerification(r.Context(), a, userID, iid); err != nil {
		return err
	}
	writeEmpty(w, http.StatusOK)
	return nil
}

// deleteUserIdentity serves DELETE /api/v2/users/{id}/identities/{iid}: 204.
func (h *Handler) deleteUserIdentity(w http.ResponseWriter, r *http.Request) error {
	a, userID, iid, err := identityPath(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteIdentity(r.Context(), a, userID, iid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeEmpty answers a status with an empty body, as Zendesk does for
// actions with nothing to return. It sends no Content-Type: node-zendesk
// parses any body declared as JSON, and an empty one would make it throw.
func writeEmpty(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
}
