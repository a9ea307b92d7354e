package zendesk

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/clientele/clientele/internal/directory"
)

// ability is Zendesk's abilities sideload: what the caller may do to one
// user.
type ability struct {
	UserID                int64  `json:"user_id"`
	URL                   string `json:"url"`
	CanEdit               bool   `json:"can_edit"`
	CanEditPassword       bool   `json:"can_edit_password"`
	CanManageIdentitiesOf bool   `json:"can_manage_identities_of"`
	CanVerifyIdentities   bool   `json:"can_verify_identities"`
}

// sideloadKey is one top-level member beside the records of a response.
type sideloadKey struct {
	name  string
	value any
}

// includes reads include= (comma-separated, possibly repeated): the user
// sideloads Clientele knows, each once, in the order asked. Zendesk
// ignores names it has no sideload for, and so does Clientele.
func includes(q url.Values) []directory.Sideload {
	var out []directory.Sideload
	for _, v := range q["include"] {
		for _, part := range strings.Split(v, ",") {
			s := directory.Sideload(strings.TrimSpace(part))
			if slices.Contains(directory.UserSideloads, s) && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// userSideloads reads and renders the sideloads want of a page of users,
// in the order of want.
func (h *Handler) userSideloads(r *http.Request, a directory.Actor, users []directory.User, want []directory.Sideload) ([]sideloadKey, error) {
	sl, err := h.svc.SideloadUsers(r.Context(), a, users, want)
	if err != nil {
		return nil, err
	}
	out := make([]sideloadKey, 0, len(want))
	for _, name := range want {
		var v any
		switch name {
		case directory.SideloadIdentities:
			v = h.identityViews(r, sl.Identities)
		case directory.SideloadOrganizations:
			v = h.organizationViews(r, sl.Organizations)
		case directory.SideloadGroups:
			groups := make([]any, len(sl.Groups))
			for i := range sl.Groups {
				groups[i] = h.groupView(r, &sl.Groups[i])
			}
			v = groups
		case directory.SideloadRoles:
			v = []any{} // no custom roles: see Roles in directory.UserSideload
		case directory.SideloadAbilities:
			abilities := make([]ability, len(sl.Abilities))
			for i, ab := range sl.Abilities {
				abilities[i] = ability{UserID: ab.UserID, URL: h.userURL(r, ab.UserID), CanEdit: ab.CanEdit,
					CanEditPassword: ab.CanEditPassword, CanManageIdentitiesOf: ab.CanManageIdentitiesOf,
					CanVerifyIdentities: ab.CanVerifyIdentities}
			}
			v = abilities
		}
		out = append(out, sideloadKey{string(name), v})
	}
	return out, nil
}

// writeUsers answers a page of users rendered by view, with the sideloads
// include= asks for between the users and the pagination keys. Without
// include= the body is exactly writeList's.
func (h *Handler) writeUsers(w http.ResponseWriter, r *http.Request, a directory.Actor, users []directory.User,
	view func(*directory.User) any, pagination any) error {
	items := views(users, view)
	want := includes(r.URL.Query())
	if len(want) == 0 {
		return writeList(w, "users", items, pagination)
	}
	extra, err := h.userSideloads(r, a, users, want)
	if err != nil {
		return err
	}
	return writeBody(w, "users", items, extra, pagination)
}

// writeUser answers {"user": ...} as the caller may see it, with the
// sideloads include= asks for after it.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, a directory.Actor, u *directory.User) error {
	want := includes(r.URL.Query())
	if len(want) == 0 {
		return writeBody(w, "user", h.userView(r, u), nil, nil)
	}
	extra, err := h.userSideloads(r, a, []directory.User{*u}, want)
	if err != nil {
		return err
	}
	return writeBody(w, "user", h.userView(r, u), extra, nil)
}

// writeBody writes {key: records, sideloads..., pagination keys...},
// splicing the encodings rather than building a map, so members keep a
// stable order. pagination is a struct (or nil for none).
func writeBody(w http.ResponseWriter, key string, records any, extra []sideloadKey, pagination any) error {
	size := 512
	switch x := records.(type) {
	case []any:
		if len(x) > 0 {
			if _, users := x[0].(userJSON); users {
				size += 1200 * len(x) // about a full user object each
			}
		}
	case userJSON:
		size += 1200 // one user: spares growing the buffer twice
	}
	body := append(make([]byte, 0, size), '{')
	member := func(name string, v any) error {
		if len(body) > 1 {
			body = append(body, ',')
		}
		body = append(appendString(body, name), ':')
		// Pages of users are written by userJSON without reflection
		// (userjson.go); anything else by encoding/json.
		switch x := v.(type) {
		case []any:
			var err error
			body, err = appendRecords(body, x)
			return err
		case userJSON:
			body = x.appendJSON(body)
			return nil
		}
		b, err := marshal(v)
		if err != nil {
			return err
		}
		body = append(body, b...)
		return nil
	}
	if err := member(key, records); err != nil {
		return err
	}
	for _, e := range extra {
		if err := member(e.name, e.value); err != nil {
			return err
		}
	}
	if pagination != nil {
		keys, err := marshal(pagination)
		if err != nil {
			return err
		}
		if len(keys) > 2 { // not "{}"
			body = append(append(body, ','), keys[1:len(keys)-1]...)
		}
	}
	body = append(body, '}', '\n')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// The whole body is known: its length spares a page of users the
	// chunked encoding.
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// viewOf renders users as the caller of r may see them (see userView).
func (h *Handler) viewOf(r *http.Request) func(*directory.User) any {
	return func(u *directory.User) any { return h.userView(r, u) }
}
