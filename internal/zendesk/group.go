package zendesk

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

// group is Zendesk's group object.
type group struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     bool   `json:"default"`
	Deleted     bool   `json:"deleted"`
	IsPublic    bool   `json:"is_public"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

// groupMembership is Zendesk's group membership object.
type groupMembership struct {
	ID        int64  `json:"id"`
	URL       string `json:"url"`
	UserID    int64  `json:"user_id"`
	GroupID   int64  `json:"group_id"`
	Default   bool   `json:"default"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// groupRoutes registers the groups and group memberships endpoints.
func (h *Handler) groupRoutes() {
	h.handle("GET /api/v2/groups", h.listGroups)
	h.handle("GET /api/v2/groups/count", h.countGroups)
	h.handle("GET /api/v2/groups/assignable", h.listAssignableGroups)
	h.handle("GET /api/v2/groups/assignable/count", h.countAssignableGroups)
	h.handle("GET /api/v2/groups/{id}", h.showGroup)
	h.handle("POST /api/v2/groups", h.createGroup)
	h.handle("PUT /api/v2/groups/{id}", h.updateGroup)
	h.handle("DELETE /api/v2/groups/{id}", h.deleteGroup)
	h.handle("GET /api/v2/users/{id}/groups", h.listUserGroups)
	h.handle("GET /api/v2/users/{id}/groups/count", h.countUserGroups)

	h.handle("GET /api/v2/group_memberships", h.listGroupMemberships)
	h.handle("GET /api/v2/group_memberships/assignable", h.listAssignableGroupMemberships)
	h.handle("GET /api/v2/group_memberships/{id}", h.showGroupMembership)
	h.handle("POST /api/v2/group_memberships", h.createGroupMembership)
	h.handle("POST /api/v2/group_memberships/create_many", h.createManyGroupMemberships)
	h.handle("DELETE /api/v2/group_memberships/destroy_many", h.destroyManyGroupMemberships)
	h.handle("DELETE /api/v2/group_memberships/{id}", h.deleteGroupMembership)
	h.handle("GET /api/v2/groups/{id}/memberships", h.listGroupMembershipsByGroup)
	h.handle("GET /api/v2/groups/{id}/memberships/assignable", h.listAssignableGroupMembershipsByGroup)
	h.handle("GET /api/v2/users/{user_id}/group_memberships", h.listGroupMembershipsByUser)
	h.handle("GET /api/v2/users/{user_id}/group_memberships/{id}", h.showGroupMembership)
	h.handle("POST /api/v2/users/{user_id}/group_memberships", h.createGroupMembership)
	h.handle("DELETE /api/v2/users/{user_id}/group_memberships/{id}", h.deleteGroupMembership)
	h.handle("PUT /api/v2/users/{user_id}/group_memberships/{id}/make_default", h.makeDefaultGroupMembership)
}

func (h *Handler) groupURL(r *http.Request, id int64) string {
	return h.baseURL(r) + "/api/v2/groups/" + strconv.FormatInt(id, 10) + ".json"
}

func (h *Handler) groupMembershipURL(r *http.Request, id int64) string {
	return h.baseURL(r) + "/api/v2/group_memberships/" + strconv.FormatInt(id, 10) + ".json"
}

func (h *Handler) groupView(r *http.Request, g *directory.Group) any {
	return group{ID: g.ID, URL: h.groupURL(r, g.ID), Name: g.Name, Description: g.Description,
		Default: g.Default, Deleted: g.Deleted(), IsPublic: g.IsPublic,
		CreatedAt: timestamp(g.CreatedAt), UpdatedAt: timestamp(g.UpdatedAt)}
}

func (h *Handler) groupMembershipView(r *http.Request, m *directory.GroupMembership) any {
	return groupMembership{ID: m.ID, URL: h.groupMembershipURL(r, m.ID), UserID: m.UserID, GroupID: m.GroupID,
		Default: m.Default, CreatedAt: timestamp(m.CreatedAt), UpdatedAt: timestamp(m.UpdatedAt)}
}

// writePaged answers one page of a list, by offset (with the total from
// count) or by cursor, as the query asks.
func writePaged[T any](w http.ResponseWriter, r *http.Request, l linker, key string, p pageParams,
	rows []T, id func(T) int64, view func(*T) any, count func() (int64, error)) error {
	render := func(rows []T) []any {
		out := make([]any, len(rows))
		for i := range rows {
			out[i] = view(&rows[i])
		}
		return out
	}
	if p.cursor {
		rows, links := cursorPage(l, p, rows, id)
		return writeList(w, key, render(rows), links)
	}
	total, err := count()
	if err != nil {
		return err
	}
	return writeList(w, key, render(rows), l.offset(p, total))
}

// queryID reads an optional id filter from the query (0 when absent).
func queryID(r *http.Request, key string) (int64, error) {
	s := r.URL.Query().Get(key)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, badRequest("%s must be an id, got %q", key, s)
	}
	return id, nil
}

// decodeGroup reads the {"group": {...}} body of a create or update.
func decodeGroup(r *http.Request) (directory.GroupInput, error) {
	var in directory.GroupInput
	body, err := readObject(r)
	if err != nil {
		return in, err
	}
	obj, err := member(body, "group")
	if err != nil {
		return in, err
	}
	f := fields{obj: obj}
	f.str("name", &in.Name)
	f.str("description", &in.Description)
	f.boolean("default", &in.Default)
	f.boolean("is_public", &in.IsPublic)
	return in, f.err()
}

// listGroups serves GET /api/v2/groups.
func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request) error {
	return h.writeGroupList(w, r, directory.GroupFilter{})
}

// listAssignableGroups serves GET /api/v2/groups/assignable: the groups
// with at least one member tickets may be assigned to.
func (h *Handler) listAssignableGroups(w http.ResponseWriter, r *http.Request) error {
	return h.writeGroupList(w, r, directory.GroupFilter{Assignable: true})
}

// listUserGroups serves GET /api/v2/users/{id}/groups.
func (h *Handler) listUserGroups(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.writeGroupList(w, r, directory.GroupFilter{UserID: id})
}

func (h *Handler) writeGroupList(w http.ResponseWriter, r *http.Request, f directory.GroupFilter) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	groups, err := h.svc.ListGroups(r.Context(), a, f, p.storePage())
	if err != nil {
		return err
	}
	return writePaged(w, r, h.linker(r), "groups", p, groups,
		func(g directory.Group) int64 { return g.ID },
		func(g *directory.Group) any { return h.groupView(r, g) },
		func() (int64, error) { return h.svc.CountGroups(r.Context(), a, f) })
}

// countGroups serves GET /api/v2/groups/count.
func (h *Handler) countGroups(w http.ResponseWriter, r *http.Request) error {
	return h.writeGroupCount(w, r, directory.GroupFilter{})
}

// countAssignableGroups serves GET /api/v2/groups/assignable/count.
func (h *Handler) countAssignableGroups(w http.ResponseWriter, r *http.Request) error {
	return h.writeGroupCount(w, r, directory.GroupFilter{Assignable: true})
}

// countUserGroups serves GET /api/v2/users/{id}/groups/count.
func (h *Handler) countUserGroups(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.writeGroupCount(w, r, directory.GroupFilter{UserID: id})
}

func (h *Handler) writeGroupCount(w http.ResponseWriter, r *http.Request, f directory.GroupFilter) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	n, err := h.svc.CountGroups(r.Context(), a, f)
	if err != nil {
		return err
	}
	return h.writeCount(w, n)
}

// showGroup serves GET /api/v2/groups/{id}; a deleted group shows with
// deleted true.
func (h *Handler) showGroup(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	g, err := h.svc.Group(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"group": h.groupView(r, g)})
	return nil
}

// createGroup serves POST /api/v2/groups: 201 with Location.
func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	in, err := decodeGroup(r)
	if err != nil {
		return err
	}
	g, err := h.svc.CreateGroup(r.Context(), a, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", h.groupURL(r, g.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"group": h.groupView(r, g)})
	return nil
}

// updateGroup serves PUT /api/v2/groups/{id}.
func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	in, err := decodeGroup(r)
	if err != nil {
		return err
	}
	g, err := h.svc.UpdateGroup(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"group": h.groupView(r, g)})
	return nil
}

// deleteGroup serves DELETE /api/v2/groups/{id}: 204, as Zendesk (and
// go-zendesk, which accepts nothing else) has it.
func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteGroup(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listUsersOfGroup answers GET /api/v2/groups/{id}/users: the group's
// active members, with the filters of the users list.
func (h *Handler) listUsersOfGroup(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	f, err := userFilter(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	users, err := h.svc.ListGroupUsers(r.Context(), a, id, f, p.storePage())
	if err != nil {
		return err
	}
	return writePaged(w, r, h.linker(r), "users", p, users,
		func(u directory.User) int64 { return u.ID },
		func(u *directory.User) any { return h.userView(r, u) },
		func() (int64, error) { return h.svc.CountGroupUsers(r.Context(), a, id, f) })
}

// countUsersOfGroup answers GET /api/v2/groups/{id}/users/count.
func (h *Handler) countUsersOfGroup(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	f, err := userFilter(r.URL.Query())
	if err != nil {
		return err
	}
	n, err := h.svc.CountGroupUsers(r.Context(), a, id, f)
	if err != nil {
		return err
	}
	return h.writeCount(w, n)
}

// listGroupMemberships serves GET /api/v2/group_memberships, optionally
// narrowed by ?user_id= or ?group_id= (as go-zendesk sends them).
func (h *Handler) listGroupMemberships(w http.ResponseWriter, r *http.Request) error {
	userID, err := queryID(r, "user_id")
	if err != nil {
		return err
	}
	groupID, err := queryID(r, "group_id")
	if err != nil {
		return err
	}
	return h.writeMembershipList(w, r, directory.GroupMembershipFilter{UserID: userID, GroupID: groupID})
}

// listAssignableGroupMemberships serves GET
// /api/v2/group_memberships/assignable: memberships of users tickets may
// be assigned to.
func (h *Handler) listAssignableGroupMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.writeMembershipList(w, r, directory.GroupMembershipFilter{Assignable: true})
}

// listGroupMembershipsByUser serves GET /api/v2/users/{user_id}/group_memberships.
func (h *Handler) listGroupMembershipsByUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "user_id")
	if err != nil {
		return err
	}
	return h.writeMembershipList(w, r, directory.GroupMembershipFilter{UserID: id})
}

// listGroupMembershipsByGroup serves GET /api/v2/groups/{id}/memberships.
func (h *Handler) listGroupMembershipsByGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.writeMembershipList(w, r, directory.GroupMembershipFilter{GroupID: id})
}

// listAssignableGroupMembershipsByGroup serves GET
// /api/v2/groups/{id}/memberships/assignable.
func (h *Handler) listAssignableGroupMembershipsByGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.writeMembershipList(w, r, directory.GroupMembershipFilter{GroupID: id, Assignable: true})
}

func (h *Handler) writeMembershipList(w http.ResponseWriter, r *http.Request, f directory.GroupMembershipFilter) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	ms, err := h.svc.ListGroupMemberships(r.Context(), a, f, p.storePage())
	if err != nil {
		return err
	}
	return writePaged(w, r, h.linker(r), "group_memberships", p, ms,
		func(m directory.GroupMembership) int64 { return m.ID },
		func(m *directory.GroupMembership) any { return h.groupMembershipView(r, m) },
		func() (int64, error) { return h.svc.CountGroupMemberships(r.Context(), a, f) })
}

// groupMembershipPath returns the actor, the user of a /users/{user_id}/...
// path (0 on /group_memberships/...) and the membership id of the path.
func groupMembershipPath(r *http.Request) (directory.Actor, int64, int64, error) {
	a, id, err := actorAndID(r)
	if err != nil {
		return a, 0, 0, err
	}
	var userID int64
	if r.PathValue("user_id") != "" {
		if userID, err = pathInt(r, "user_id"); err != nil {
			return a, 0, 0, err
		}
	}
	return a, userID, id, nil
}

// showGroupMembership serves GET /api/v2/group_memberships/{id} and
// /users/{user_id}/group_memberships/{id}.
func (h *Handler) showGroupMembership(w http.ResponseWriter, r *http.Request) error {
	a, userID, id, err := groupMembershipPath(r)
	if err != nil {
		return err
	}
	m, err := h.svc.GroupMembership(r.Context(), a, userID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"group_membership": h.groupMembershipView(r, m)})
	return nil
}

// createGroupMembership serves POST /api/v2/group_memberships and
// /users/{user_id}/group_memberships (whose path names the user): 201
// with Location.
func (h *Handler) createGroupMembership(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	var pathUser int64
	if r.PathValue("user_id") != "" {
		if pathUser, err = pathInt(r, "user_id"); err != nil {
			return err
		}
		// The user of the path must exist in the realm: 404 otherwise, as
		// any path id.
		if _, err := h.svc.User(r.Context(), a, pathUser); err != nil {
			return err
		}
	}
	body, err := readObject(r)
	if err != nil {
		return err
	}
	obj, err := member(body, "group_membership")
	if err != nil {
		return err
	}
	in, err := groupMembershipInput(obj)
	if err != nil {
		return err
	}
	if pathUser != 0 {
		in.UserID = pathUser
	}
	m, err := h.svc.CreateGroupMembership(r.Context(), a, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", h.groupMembershipURL(r, m.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"group_membership": h.groupMembershipView(r, m)})
	return nil
}

// groupMembershipInput reads the user_id, group_id and default of a
// group_membership object.
func groupMembershipInput(obj map[string]json.RawMessage) (directory.GroupMembership, error) {
	var userID, groupID *int64
	var def *bool
	f := fields{obj: obj}
	f.id("user_id", &userID)
	f.id("group_id", &groupID)
	f.boolean("default", &def)
	if err := f.err(); err != nil {
		return directory.GroupMembership{}, err
	}
	var in directory.GroupMembership
	if userID != nil {
		in.UserID = *userID
	}
	if groupID != nil {
		in.GroupID = *groupID
	}
	in.Default = def != nil && *def
	return in, nil
}

// createManyGroupMemberships serves POST
// /api/v2/group_memberships/create_many: {"group_memberships": [...]},
// ≤ 100, as a job. Admins only.
func (h *Handler) createManyGroupMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobCreateGroupMemberships, func() ([]directory.JobItem, error) {
		return decodeObjectItems(r, "group_memberships", "group_membership", func(obj map[string]json.RawMessage) directory.JobItem {
			in, err := groupMembershipInput(obj)
			return directory.JobItem{GroupMembership: in, Problem: itemProblem(err)}
		})
	})
}

// destroyManyGroupMemberships serves DELETE
// /api/v2/group_memberships/destroy_many?ids=, as a job. Admins only.
func (h *Handler) destroyManyGroupMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobDeleteGroupMemberships, func() ([]directory.JobItem, error) {
		targets, ok, err := recordTargets(r.URL.Query(), "group membership", false)
		if err == nil && !ok {
			err = badRequest("Send ids")
		}
		return targets, err
	})
}

// deleteGroupMembership serves DELETE /api/v2/group_memberships/{id} and
// /users/{user_id}/group_memberships/{id}: 204.
func (h *Handler) deleteGroupMembership(w http.ResponseWriter, r *http.Request) error {
	a, userID, id, err := groupMembershipPath(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteGroupMembership(r.Context(), a, userID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// makeDefaultGroupMembership serves PUT
// /api/v2/users/{user_id}/group_memberships/{id}/make_default: the user's
// memberships, the chosen one now default. Any body is ignored.
func (h *Handler) makeDefaultGroupMembership(w http.ResponseWriter, r *http.Request) error {
	a, userID, id, err := groupMembershipPath(r)
	if err != nil {
		return err
	}
	ms, err := h.svc.MakeDefaultGroupMembership(r.Context(), a, userID, id)
	if err != nil {
		return err
	}
	return writeList(w, "group_memberships", viewsOf(ms, r, h.groupMembershipView), struct{}{})
}

// viewsOf renders rows with view.
func viewsOf[T any](rows []T, r *http.Request, view func(*http.Request, *T) any) []any {
	out := make([]any, len(rows))
	for i := range rows {
		out[i] = view(r, &rows[i])
	}
	return out
}
