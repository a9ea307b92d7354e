package zendesk

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

// organizationRoutes registers the organizations and organization
// memberships endpoints.
func (h *Handler) organizationRoutes() {
	h.handle("GET /api/v2/organizations", h.listOrganizations)
	h.handle("GET /api/v2/organizations/count", h.countOrganizations)
	h.handle("GET /api/v2/organizations/show_many", h.showManyOrganizations)
	h.handle("GET /api/v2/organizations/autocomplete", h.autocompleteOrganizations)
	h.handle("GET /api/v2/organizations/search", h.searchOrganizations)
	h.handle("POST /api/v2/organizations", h.createOrganization)
	h.handle("POST /api/v2/organizations/create_or_update", h.createOrUpdateOrganization)
	h.handle("GET /api/v2/organizations/{id}", h.showOrganization)
	h.handle("PUT /api/v2/organizations/{id}", h.updateOrganization)
	h.handle("DELETE /api/v2/organizations/{id}", h.deleteOrganization)
	h.handle("GET /api/v2/organizations/{id}/related", h.showOrganizationRelated)
	h.handle("GET /api/v2/users/{id}/organizations", h.listUserOrganizations)
	h.handle("GET /api/v2/users/{id}/organizations/count", h.countUserOrganizations)

	h.handle("GET /api/v2/organization_memberships", h.listOrganizationMemberships)
	h.handle("GET /api/v2/users/{user_id}/organization_memberships", h.listOrganizationMemberships)
	h.handle("GET /api/v2/organizations/{organization_id}/organization_memberships", h.listOrganizationMemberships)
	h.handle("GET /api/v2/organization_memberships/{id}", h.showOrganizationMembership)
	h.handle("GET /api/v2/users/{user_id}/organization_memberships/{id}", h.showOrganizationMembership)
	h.handle("POST /api/v2/organization_memberships", h.createOrganizationMembership)
	h.handle("POST /api/v2/users/{user_id}/organization_memberships", h.createOrganizationMembership)
	h.handle("DELETE /api/v2/organization_memberships/{id}", h.deleteOrganizationMembership)
	h.handle("DELETE /api/v2/users/{user_id}/organization_memberships/{id}", h.deleteOrganizationMembership)
	h.handle("DELETE /api/v2/users/{user_id}/organizations/{organization_id}", h.unassignOrganization)
	h.handle("PUT /api/v2/users/{user_id}/organization_memberships/{id}/make_default", h.setDefaultOrganizationMembership)
	h.handle("PUT /api/v2/users/{user_id}/organizations/{organization_id}/make_default", h.setDefaultOrganization)

	h.handle("POST /api/v2/organizations/create_many", h.createManyOrganizations)
	h.handle("PUT /api/v2/organizations/update_many", h.updateManyOrganizations)
	h.handle("DELETE /api/v2/organizations/destroy_many", h.destroyManyOrganizations)
	h.handle("POST /api/v2/organization_memberships/create_many", h.createManyOrganizationMemberships)
	h.handle("DELETE /api/v2/organization_memberships/destroy_many", h.destroyManyOrganizationMemberships)
}

// organization is Zendesk's organization object, keys in the order of its
// documented example.
type organization struct {
	ID                 int64          `json:"id"`
	URL                string         `json:"url"`
	Name               string         `json:"name"`
	SharedTickets      bool           `json:"shared_tickets"`
	SharedComments     bool           `json:"shared_comments"`
	ExternalID         *string        `json:"external_id"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
	DomainNames        []string       `json:"domain_names"`
	Details            *string        `json:"details"`
	Notes              *string        `json:"notes"`
	GroupID            *int64         `json:"group_id"`
	Tags               []string       `json:"tags"`
	OrganizationFields map[string]any `json:"organization_fields"`
}

// organizationMembership is Zendesk's organization membership object.
// default is true or null, never false.
type organizationMembership struct {
	ID               int64  `json:"id"`
	URL              string `json:"url"`
	UserID           int64  `json:"user_id"`
	OrganizationID   int64  `json:"organization_id"`
	OrganizationName string `json:"organization_name"`
	Default          *bool  `json:"default"`
	ViewTickets      bool   `json:"view_tickets"`
	CreatedAt        string `json:"created_at"`
	UpdatedAt        string `json:"updated_at"`
}

func (h *Handler) organizationURL(r *http.Request, id int64) string {
	return h.baseURL(r) + "/api/v2/organizations/" + strconv.FormatInt(id, 10) + ".json"
}

func (h *Handler) organizationView(r *http.Request, o *directory.Organization) organization {
	out := organization{
		ID: o.ID, URL: h.organizationURL(r, o.ID), Name: o.Name,
		SharedTickets: o.SharedTickets, SharedComments: o.SharedComments, ExternalID: nullString(o.ExternalID),
		CreatedAt: timestamp(o.CreatedAt), UpdatedAt: timestamp(o.UpdatedAt),
		DomainNames: o.DomainNames, Details: nullString(o.Details), Notes: nullString(o.Notes),
		GroupID: nullID(o.GroupID), Tags: o.Tags, OrganizationFields: o.Fields,
	}
	if out.DomainNames == nil {
		out.DomainNames = []string{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.OrganizationFields == nil {
		out.OrganizationFields = map[string]any{}
	}
	return out
}

func (h *Handler) organizationViews(r *http.Request, orgs []directory.Organization) []any {
	out := make([]any, len(orgs))
	for i := range orgs {
		out[i] = h.organizationView(r, &orgs[i])
	}
	return out
}

func (h *Handler) membershipView(r *http.Request, m *directory.Membership) organizationMembership {
	out := organizationMembership{
		ID: m.ID, URL: h.baseURL(r) + "/api/v2/organization_memberships/" + strconv.FormatInt(m.ID, 10) + ".json",
		UserID: m.UserID, OrganizationID: m.OrganizationID, OrganizationName: m.OrganizationName,
		// Clientele has no tickets; every member may see the
		// organization's, as Zendesk's default.
		ViewTickets: true,
		CreatedAt:   timestamp(m.CreatedAt), UpdatedAt: timestamp(m.UpdatedAt),
	}
	if m.Default {
		t := true
		out.Default = &t
	}
	return out
}

func (h *Handler) membershipViews(r *http.Request, ms []directory.Membership) []any {
	out := make([]any, len(ms))
	for i := range ms {
		out[i] = h.membershipView(r, &ms[i])
	}
	return out
}

// organizationInput decodes the members of one organization object.
func organizationInput(obj map[string]json.RawMessage) (directory.OrganizationInput, error) {
	f := fields{obj: obj}
	in := organizationFields(&f)
	return in, f.err()
}

// organizationFields decodes the writable members of an organization
// object through f, which collects the type errors.
func organizationFields(f *fields) directory.OrganizationInput {
	var in directory.OrganizationInput
	f.str("name", &in.Name)
	f.str("external_id", &in.ExternalID)
	f.str("details", &in.Details)
	f.str("notes", &in.Notes)
	f.id("group_id", &in.GroupID)
	f.boolean("shared_tickets", &in.SharedTickets)
	f.boolean("shared_comments", &in.SharedComments)
	f.strings("domain_names", &in.DomainNames)
	f.strings("tags", &in.Tags)
	f.object("organization_fields", &in.Fields)
	return in
}

// decodeOrganization reads the {"organization": {...}} body of a write and
// the id it may carry (create_or_update).
func decodeOrganization(r *http.Request) (directory.OrganizationInput, int64, error) {
	body, err := readObject(r)
	if err != nil {
		return directory.OrganizationInput{}, 0, err
	}
	obj, err := member(body, "organization")
	if err != nil {
		return directory.OrganizationInput{}, 0, err
	}
	var id *int64
	f := fields{obj: obj}
	f.id("id", &id)
	in := organizationFields(&f)
	if err := f.err(); err != nil {
		return in, 0, err
	}
	if id == nil {
		return in, 0, nil
	}
	return in, *id, nil
}

// pathInt reads the numeric path wildcard name; anything else is an
// unknown endpoint, as for pathID.
func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0, errInvalidEndpoint
	}
	return id, nil
}

// offsetOnly turns the cursor parameters of a list that pages by offset
// only into offset ones: page[size] becomes per_page, and the cursors are
// dropped (the first page is answered).
func offsetOnly(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	if size := out.Get("page[size]"); size != "" && !out.Has("per_page") {
		out.Set("per_page", size)
	}
	out.Del("page[size]")
	out.Del("page[after]")
	out.Del("page[before]")
	return out
}

// listOrganizations serves GET /api/v2/organizations.
func (h *Handler) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	return h.writeOrganizationList(w, r, a, directory.OrganizationFilter{})
}

// listUserOrganizations serves GET /api/v2/users/{id}/organizations.
func (h *Handler) listUserOrganizations(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	return h.writeOrganizationList(w, r, a, directory.OrganizationFilter{UserID: id})
}

// writeOrganizationList answers a list of organizations by id, by offset
// or cursor.
func (h *Handler) writeOrganizationList(w http.ResponseWriter, r *http.Request, a directory.Actor, f directory.OrganizationFilter) error {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	orgs, err := h.svc.ListOrganizations(r.Context(), a, f, p.storePage())
	if err != nil {
		return err
	}
	l := h.linker(r)
	if p.cursor {
		rows, links := cursorPage(l, p, orgs, func(o directory.Organization) int64 { return o.ID })
		return writeList(w, "organizations", h.organizationViews(r, rows), links)
	}
	total, err := h.svc.CountOrganizations(r.Context(), a, f)
	if err != nil {
		return err
	}
	return writeList(w, "organizations", h.organizationViews(r, orgs), l.offset(p, total))
}

// writeOffsetOrganizations answers an offset-only list of organizations
// (autocomplete, search).
func (h *Handler) writeOffsetOrganizations(w http.ResponseWriter, r *http.Request, a directory.Actor, f directory.OrganizationFilter) error {
	q := offsetOnly(r.URL.Query())
	p, err := parsePage(q)
	if err != nil {
		return err
	}
	orgs, err := h.svc.ListOrganizations(r.Context(), a, f, p.storePage())
	if err != nil {
		return err
	}
	total, err := h.svc.CountOrganizations(r.Context(), a, f)
	if err != nil {
		return err
	}
	l := h.linker(r)
	l.query = q
	return writeList(w, "organizations", h.organizationViews(r, orgs), l.offset(p, total))
}

// countOrganizations serves GET /api/v2/organizations/count.
func (h *Handler) countOrganizations(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	n, err := h.svc.CountOrganizations(r.Context(), a, directory.OrganizationFilter{})
	if err != nil {
		return err
	}
	return h.writeCount(w, n)
}

// countUserOrganizations serves GET /api/v2/users/{id}/organizations/count.
func (h *Handler) countUserOrganizations(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	n, err := h.svc.CountOrganizations(r.Context(), a, directory.OrganizationFilter{UserID: id})
	if err != nil {
		return err
	}
	return h.writeCount(w, n)
}

// showManyOrganizations serves GET /api/v2/organizations/show_many?ids= or
// ?external_ids=.
func (h *Handler) showManyOrganizations(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var orgs []directory.Organization
	switch {
	case q.Get("ids") != "":
		var ids []int64
		for _, s := range splitList(q.Get("ids")) {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id < 1 {
				return badRequest("ids must be comma-separated organization ids, got %q", s)
			}
			ids = append(ids, id)
		}
		orgs, err = h.svc.OrganizationsByIDs(r.Context(), a, ids)
	case q.Get("external_ids") != "":
		orgs, err = h.svc.OrganizationsByExternalIDs(r.Context(), a, splitList(q.Get("external_ids")))
	default:
		return badRequest("Send ids or external_ids")
	}
	if err != nil {
		return err
	}
	return writeList(w, "organizations", h.organizationViews(r, orgs), offsetLinks{Count: int64(len(orgs))})
}

// autocompleteOrganizations serves GET /api/v2/organizations/autocomplete:
// organizations whose name starts with name=, case-insensitively, by name.
func (h *Handler) autocompleteOrganizations(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		return badRequest("name is required")
	}
	return h.writeOffsetOrganizations(w, r, a, directory.OrganizationFilter{NamePrefix: name})
}

// searchOrganizations serves GET /api/v2/organizations/search?external_id=
// or ?name=: exact matches, case-insensitive.
func (h *Handler) searchOrganizations(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := directory.OrganizationFilter{ExternalID: q.Get("external_id"), Name: q.Get("name")}
	if f.ExternalID == "" && f.Name == "" {
		return badRequest("Send external_id or name")
	}
	return h.writeOffsetOrganizations(w, r, a, f)
}

// showOrganization serves GET /api/v2/organizations/{id}.
func (h *Handler) showOrganization(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	o, err := h.svc.Organization(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organization": h.organizationView(r, o)})
	return nil
}

// createOrganization serves POST /api/v2/organizations: 201 with Location.
func (h *Handler) createOrganization(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	in, _, err := decodeOrganization(r)
	if err != nil {
		return err
	}
	o, err := h.svc.CreateOrganization(r.Context(), a, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", h.organizationURL(r, o.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"organization": h.organizationView(r, o)})
	return nil
}

// createOrUpdateOrganization serves POST
// /api/v2/organizations/create_or_update: matched by id, else by
// external_id; 201 when it created, 200 when it updated.
func (h *Handler) createOrUpdateOrganization(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	in, id, err := decodeOrganization(r)
	if err != nil {
		return err
	}
	o, created, err := h.svc.CreateOrUpdateOrganization(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", h.organizationURL(r, o.ID))
	writeJSON(w, status, map[string]any{"organization": h.organizationView(r, o)})
	return nil
}

// updateOrganization serves PUT /api/v2/organizations/{id}.
func (h *Handler) updateOrganization(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	in, _, err := decodeOrganization(r)
	if err != nil {
		return err
	}
	o, err := h.svc.UpdateOrganization(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organization": h.organizationView(r, o)})
	return nil
}

// deleteOrganization serves DELETE /api/v2/organizations/{id}: 204.
func (h *Handler) deleteOrganization(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteOrganization(r.Context(), a, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// showOrganizationRelated serves GET /api/v2/organizations/{id}/related.
// Clientele has no tickets, so tickets_count is always 0.
func (h *Handler) showOrganizationRelated(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	if _, err := h.svc.Organization(r.Context(), a, id); err != nil {
		return err
	}
	n, err := h.svc.CountOrganizationUsers(r.Context(), a, id, nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organization_related": map[string]int64{"tickets_count": 0, "users_count": n}})
	return nil
}

// writeOrganizationUsers answers GET /api/v2/organizations/{id}/users:
// the members, with the role filters of /users, by offset or cursor.
func (h *Handler) writeOrganizationUsers(w http.ResponseWriter, r *http.Request) error {
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
	users, err := h.svc.OrganizationUsers(r.Context(), a, id, f.Roles, p.storePage())
	if err != nil {
		return err
	}
	view := func(u *directory.User) any { return h.userView(r, u) }
	l := h.linker(r)
	if p.cursor {
		rows, links := cursorPage(l, p, users, func(u directory.User) int64 { return u.ID })
		return writeList(w, "users", views(rows, view), links)
	}
	total, err := h.svc.CountOrganizationUsers(r.Context(), a, id, f.Roles)
	if err != nil {
		return err
	}
	return writeList(w, "users", views(users, view), l.offset(p, total))
}

// writeOrganizationUserCount answers GET
// /api/v2/organizations/{id}/users/count.
func (h *Handler) writeOrganizationUserCount(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	f, err := userFilter(r.URL.Query())
	if err != nil {
		return err
	}
	n, err := h.svc.CountOrganizationUsers(r.Context(), a, id, f.Roles)
	if err != nil {
		return err
	}
	return h.writeCount(w, n)
}

// membershipFilter reads the user and organization a membership list is
// restricted to, from its path (/users/{user_id}/...,
// /organizations/{organization_id}/...) or, as go-zendesk sends them, from
// user_id= and organization_id=.
func membershipFilter(r *http.Request) (directory.MembershipFilter, error) {
	var f directory.MembershipFilter
	for _, c := range []struct {
		name string
		dst  *int64
	}{{"user_id", &f.UserID}, {"organization_id", &f.OrganizationID}} {
		if r.PathValue(c.name) != "" {
			id, err := pathInt(r, c.name)
			if err != nil {
				return f, err
			}
			*c.dst = id
		} else if s := r.URL.Query().Get(c.name); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id < 1 {
				return f, badRequest("%s must be an id, got %q", c.name, s)
			}
			*c.dst = id
		}
	}
	return f, nil
}

// listOrganizationMemberships serves GET /api/v2/organization_memberships,
// /users/{id}/organization_memberships (the default first, then by
// organization name; offset pages only) and
// /organizations/{id}/organization_memberships.
func (h *Handler) listOrganizationMemberships(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	f, err := membershipFilter(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	byUser := f.UserID != 0 && f.OrganizationID == 0
	if byUser {
		q = offsetOnly(q)
	}
	p, err := parsePage(q)
	if err != nil {
		return err
	}
	ms, err := h.svc.ListMemberships(r.Context(), a, f, p.storePage())
	if err != nil {
		return err
	}
	l := h.linker(r)
	l.query = q
	if p.cursor {
		rows, links := cursorPage(l, p, ms, func(m directory.Membership) int64 { return m.ID })
		return writeList(w, "organization_memberships", h.membershipViews(r, rows), links)
	}
	total, err := h.svc.CountMemberships(r.Context(), a, f)
	if err != nil {
		return err
	}
	return writeList(w, "organization_memberships", h.membershipViews(r, ms), l.offset(p, total))
}

// membershipPath reads the membership id of the path and, on the
// /users/{user_id}/... routes, the user it must belong to.
func membershipPath(r *http.Request) (directory.Actor, int64, int64, error) {
	a, err := actor(r)
	if err != nil {
		return a, 0, 0, err
	}
	var userID int64
	if r.PathValue("user_id") != "" {
		if userID, err = pathInt(r, "user_id"); err != nil {
			return a, 0, 0, err
		}
	}
	id, err := pathID(r)
	return a, userID, id, err
}

// showOrganizationMembership serves GET
// /api/v2/organization_memberships/{id} and
// /users/{user_id}/organization_memberships/{id}.
func (h *Handler) showOrganizationMembership(w http.ResponseWriter, r *http.Request) error {
	a, userID, id, err := membershipPath(r)
	if err != nil {
		return err
	}
	m, err := h.svc.Membership(r.Context(), a, userID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organization_membership": h.membershipView(r, m)})
	return nil
}

// membershipInput decodes one organization membership object.
func membershipInput(obj map[string]json.RawMessage) (directory.MembershipInput, error) {
	var userID, orgID *int64
	var isDefault *bool
	f := fields{obj: obj}
	f.id("user_id", &userID)
	f.id("organization_id", &orgID)
	f.boolean("default", &isDefault)
	var in directory.MembershipInput
	if userID != nil {
		in.UserID = *userID
	}
	if orgID != nil {
		in.OrganizationID = *orgID
	}
	in.Default = isDefault != nil && *isDefault
	return in, f.err()
}

// createOrganizationMembership serves POST
// /api/v2/organization_memberships and
// /users/{user_id}/organization_memberships (where the path names the
// user): 201, or 422 when the user is already a member.
func (h *Handler) createOrganizationMembership(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	var pathUser int64
	if r.PathValue("user_id") != "" {
		if pathUser, err = pathInt(r, "user_id"); err != nil {
			return err
		}
	}
	body, err := readObject(r)
	if err != nil {
		return err
	}
	obj, err := member(body, "organization_membership")
	if err != nil {
		return err
	}
	in, err := membershipInput(obj)
	if err != nil {
		return err
	}
	if pathUser != 0 {
		if _, err := h.svc.User(r.Context(), a, pathUser); err != nil {
			return err // a user of the path that is not there is a 404
		}
		in.UserID = pathUser
	}
	m, err := h.svc.CreateMembership(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"organization_membership": h.membershipView(r, m)})
	return nil
}

// deleteOrganizationMembership serves DELETE
// /api/v2/organization_memberships/{id} and
// /users/{user_id}/organization_memberships/{id}: 204.
func (h *Handler) deleteOrganizationMembership(w http.ResponseWriter, r *http.Request) error {
	a, userID, id, err := membershipPath(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteMembership(r.Context(), a, userID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// userAndOrganization reads /users/{user_id}/organizations/{organization_id}.
func userAndOrganization(r *http.Request) (directory.Actor, int64, int64, error) {
	a, err := actor(r)
	if err != nil {
		return a, 0, 0, err
	}
	userID, err := pathInt(r, "user_id")
	if err != nil {
		return a, 0, 0, err
	}
	orgID, err := pathInt(r, "organization_id")
	return a, userID, orgID, err
}

// unassignOrganization serves DELETE
// /api/v2/users/{user_id}/organizations/{organization_id}: 204.
func (h *Handler) unassignOrganization(w http.ResponseWriter, r *http.Request) error {
	a, userID, orgID, err := userAndOrganization(r)
	if err != nil {
		return err
	}
	if err := h.svc.LeaveOrganization(r.Context(), a, userID, orgID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setDefaultOrganizationMembership serves PUT
// /api/v2/users/{user_id}/organization_memberships/{id}/make_default: the
// user's memberships, the new default first.
func (h *Handler) setDefaultOrganizationMembership(w http.ResponseWriter, r *http.Request) error {
	a, userID, id, err := membershipPath(r)
	if err != nil {
		return err
	}
	ms, err := h.svc.MakeDefaultMembership(r.Context(), a, userID, id)
	if err != nil {
		return err
	}
	return writeList(w, "organization_memberships", h.membershipViews(r, ms), struct{}{})
}

// setDefaultOrganization serves PUT
// /api/v2/users/{user_id}/organizations/{organization_id}/make_default:
// the membership made default.
func (h *Handler) setDefaultOrganization(w http.ResponseWriter, r *http.Request) error {
	a, userID, orgID, err := userAndOrganization(r)
	if err != nil {
		return err
	}
	m, err := h.svc.MakeDefaultOrganization(r.Context(), a, userID, orgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organization_membership": h.membershipView(r, m)})
	return nil
}

// createManyOrganizations serves POST /api/v2/organizations/create_many:
// {"organizations": [...]}, ≤ 100, as a job.
func (h *Handler) createManyOrganizations(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobCreateOrganizations, func() ([]directory.JobItem, error) {
		return decodeJobList(r, "organizations", func(el json.RawMessage) directory.JobItem { return organizationItem(el, false) })
	})
}

// updateManyOrganizations serves PUT /api/v2/organizations/update_many:
// with ids= or external_ids=, one {"organization": {...}} change for all;
// without, {"organizations": [...]} whose elements name their
// organization by id or external_id.
func (h *Handler) updateManyOrganizations(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobUpdateOrganizations, func() ([]directory.JobItem, error) {
		targets, ok, err := recordTargets(r.URL.Query(), "organization", true)
		if err != nil {
			return nil, err
		}
		if !ok {
			return decodeJobList(r, "organizations", func(el json.RawMessage) directory.JobItem { return organizationItem(el, true) })
		}
		in, _, err := decodeOrganization(r)
		if err != nil {
			return nil, err
		}
		for i := range targets {
			targets[i].Organization = in
		}
		return targets, nil
	})
}

// destroyManyOrganizations serves DELETE
// /api/v2/organizations/destroy_many?ids= or ?external_ids=.
func (h *Handler) destroyManyOrganizations(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobDeleteOrganizations, func() ([]directory.JobItem, error) {
		targets, ok, err := recordTargets(r.URL.Query(), "organization", true)
		if err == nil && !ok {
			err = badRequest("Send ids or external_ids")
		}
		return targets, err
	})
}

// createManyOrganizationMemberships serves POST
// /api/v2/organization_memberships/create_many:
// {"organization_memberships": [...]}, ≤ 100, as a job.
func (h *Handler) createManyOrganizationMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobCreateMemberships, func() ([]directory.JobItem, error) {
		return decodeObjectItems(r, "organization_memberships", "organization_membership", func(obj map[string]json.RawMessage) directory.JobItem {
			in, err := membershipInput(obj)
			return directory.JobItem{Membership: in, Problem: itemProblem(err)}
		})
	})
}

// destroyManyOrganizationMemberships serves DELETE
// /api/v2/organization_memberships/destroy_many?ids=.
func (h *Handler) destroyManyOrganizationMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobDeleteMemberships, func() ([]directory.JobItem, error) {
		targets, ok, err := recordTargets(r.URL.Query(), "organization membership", false)
		if err == nil && !ok {
			err = badRequest("Send ids")
		}
		return targets, err
	})
}

// recordTargets reads ids= (or, with externalIDs, external_ids=) as one
// item per record named; ok is false when neither was sent.
func recordTargets(q url.Values, noun string, externalIDs bool) (items []directory.JobItem, ok bool, err error) {
	switch {
	case q.Has("ids"):
		for _, s := range splitList(q.Get("ids")) {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id < 1 {
				return nil, true, badRequest("ids must be comma-separated %s ids, got %q", noun, s)
			}
			items = append(items, directory.JobItem{ID: id})
		}
		return items, true, nil
	case externalIDs && q.Has("external_ids"):
		for _, s := range splitList(q.Get("external_ids")) {
			items = append(items, directory.JobItem{ExternalID: s})
		}
		return items, true, nil
	}
	return nil, false, nil
}

// organizationItem reads one element of an organizations bulk body; with
// selector, its id (or else external_id) names the organization it
// changes.
func organizationItem(el json.RawMessage, selector bool) directory.JobItem {
	var item directory.JobItem
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(el, &obj); err != nil || obj == nil {
		item.Problem = invalidItem("organization", "must be a JSON object")
		return item
	}
	if selector {
		if raw, ok := obj["id"]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, &item.ID); err != nil || item.ID < 1 {
				item.ID = 0
				item.Problem = invalidItem("id", "must be a positive integer id")
				return item
			}
		}
		if raw, ok := obj["external_id"]; ok && item.ID == 0 && !isNull(raw) {
			json.Unmarshal(raw, &item.ExternalID) // a non-string is reported by organizationInput below
		}
	}
	in, err := organizationInput(obj)
	item.Organization = in
	item.Problem = itemProblem(err)
	return item
}

// itemProblem is the domain error of a decode, for a job item.
func itemProblem(err error) *directory.Error {
	var de *directory.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &de):
		return de
	}
	return invalidItem("item", err.Error())
}
