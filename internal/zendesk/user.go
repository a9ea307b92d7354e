package zendesk

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// user is the full user object, as agents and admins see it. The field
// order follows Zendesk's recorded responses; the customer-profile fields
// of the Customers API follow at the end.
type user struct {
	ID                   int64          `json:"id"`
	URL                  string         `json:"url"`
	Name                 string         `json:"name"`
	Email                *string        `json:"email"`
	CreatedAt            string         `json:"created_at"`
	UpdatedAt            string         `json:"updated_at"`
	TimeZone             string         `json:"time_zone"`
	IANATimeZone         string         `json:"iana_time_zone"`
	Phone                *string        `json:"phone"`
	SharedPhoneNumber    *bool          `json:"shared_phone_number"`
	Photo                *photo         `json:"photo"`
	LocaleID             int            `json:"locale_id"`
	Locale               string         `json:"locale"`
	OrganizationID       *int64         `json:"organization_id"`
	Role                 string         `json:"role"`
	Verified             bool           `json:"verified"`
	ExternalID           *string        `json:"external_id"`
	Tags                 []string       `json:"tags"`
	Alias                *string        `json:"alias"`
	Active               bool           `json:"active"`
	Shared               bool           `json:"shared"`
	SharedAgent          bool           `json:"shared_agent"`
	LastLoginAt          *string        `json:"last_login_at"`
	TwoFactorAuthEnabled bool           `json:"two_factor_auth_enabled"`
	Signature            *string        `json:"signature"`
	Details              *string        `json:"details"`
	Notes                *string        `json:"notes"`
	RoleType             *int           `json:"role_type"`
	CustomRoleID         *int64         `json:"custom_role_id"`
	Moderator            bool           `json:"moderator"`
	TicketRestriction    *string        `json:"ticket_restriction"`
	OnlyPrivateComments  bool           `json:"only_private_comments"`
	RestrictedAgent      bool           `json:"restricted_agent"`
	Suspended            bool           `json:"suspended"`
	ChatOnly             bool           `json:"chat_only"`
	DefaultGroupID       *int64         `json:"default_group_id"`
	ReportCSV            bool           `json:"report_csv"`
	UserFields           map[string]any `json:"user_fields"`
	FirstName            *string        `json:"first_name"`
	LastName             *string        `json:"last_name"`
	SecondLastName       *string        `json:"second_last_name"`
	Username             *string        `json:"username"`
	UUID                 string         `json:"uuid"`
}

// endUser is the reduced object an end user sees ("JSON Format for End
// Users").
type endUser struct {
	ID                int64   `json:"id"`
	URL               string  `json:"url"`
	Name              string  `json:"name"`
	Email             *string `json:"email"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
	TimeZone          string  `json:"time_zone"`
	IANATimeZone      string  `json:"iana_time_zone"`
	Phone             *string `json:"phone"`
	SharedPhoneNumber *bool   `json:"shared_phone_number"`
	Photo             *photo  `json:"photo"`
	LocaleID          int     `json:"locale_id"`
	Locale            string  `json:"locale"`
	OrganizationID    *int64  `json:"organization_id"`
	Role              string  `json:"role"`
	Verified          bool    `json:"verified"`
}

// deletedUser is the object of /deleted_users.
type deletedUser struct {
	ID                int64   `json:"id"`
	URL               string  `json:"url"`
	Name              string  `json:"name"`
	Email             *string `json:"email"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
	TimeZone          string  `json:"time_zone"`
	Phone             *string `json:"phone"`
	SharedPhoneNumber *bool   `json:"shared_phone_number"`
	Photo             *photo  `json:"photo"`
	LocaleID          int     `json:"locale_id"`
	Locale            string  `json:"locale"`
	OrganizationID    *int64  `json:"organization_id"`
	Role              string  `json:"role"`
	Active            bool    `json:"active"`
}

// photo is the attachment object of a profile picture; Clientele only
// knows the remote URL it was given.
type photo struct {
	ContentURL  string `json:"content_url"`
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func nullTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timestamp(t)
	return &s
}

func (h *Handler) userURL(r *http.Request, id int64) string {
	return h.baseURL(r) + "/api/v2/users/" + strconv.FormatInt(id, 10) + ".json"
}

func sharedPhone(u *directory.User) *bool {
	if u.Phone == "" {
		return nil
	}
	b := u.SharedPhoneNumber
	return &b
}

func userPhoto(u *directory.User) *photo {
	if u.RemotePhotoURL == "" {
		return nil
	}
	return &photo{ContentURL: u.RemotePhotoURL, URL: u.RemotePhotoURL, ContentType: "image"}
}

// fullUser renders u for agents and admins.
func (h *Handler) fullUser(r *http.Request, u *directory.User) user {
	out := user{
		ID: u.ID, URL: h.userURL(r, u.ID), Name: u.Name, Email: nullString(u.Email),
		CreatedAt: timestamp(u.CreatedAt), UpdatedAt: timestamp(u.UpdatedAt),
		TimeZone: u.TimeZone, IANATimeZone: u.IANATimeZone,
		Phone: nullString(u.Phone), SharedPhoneNumber: sharedPhone(u), Photo: userPhoto(u),
		LocaleID: u.LocaleID, Locale: u.Locale, OrganizationID: nullID(u.OrganizationID),
		Role: string(u.Role), Verified: u.Verified, ExternalID: nullString(u.ExternalID),
		Tags: u.Tags, Alias: nullString(u.Alias), Active: u.Active(),
		LastLoginAt: nullTime(u.LastLoginAt),
		Signature:   nullString(u.Signature), Details: nullString(u.Details), Notes: nullString(u.Notes),
		CustomRoleID: nullID(u.CustomRoleID), Moderator: u.Moderator,
		TicketRestriction: nullString(u.TicketRestriction), OnlyPrivateComments: u.OnlyPrivateComments,
		RestrictedAgent: u.RestrictedAgent(), Suspended: u.Suspended,
		DefaultGroupID: nullID(u.DefaultGroupID), UserFields: h.presentUserFields(r, u.RealmID, u.UserFields),
		FirstName: nullString(u.FirstName), LastName: nullString(u.LastName),
		SecondLastName: nullString(u.SecondLastName), Username: nullString(u.Username), UUID: u.UUID,
	}
	if rt, ok := u.RoleType(); ok {
		out.RoleType = &rt
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.UserFields == nil {
		out.UserFields = map[string]any{}
	}
	return out
}

func (h *Handler) endUser(r *http.Request, u *directory.User) endUser {
	return endUser{
		ID: u.ID, URL: h.userURL(r, u.ID), Name: u.Name, Email: nullString(u.Email),
		CreatedAt: timestamp(u.CreatedAt), UpdatedAt: timestamp(u.UpdatedAt),
		TimeZone: u.TimeZone, IANATimeZone: u.IANATimeZone,
		Phone: nullString(u.Phone), SharedPhoneNumber: sharedPhone(u), Photo: userPhoto(u),
		LocaleID: u.LocaleID, Locale: u.Locale, OrganizationID: nullID(u.OrganizationID),
		Role: string(u.Role), Verified: u.Verified,
	}
}

// userView renders u as the principal may see it: the full object for
// staff (written by userJSON, as fullUser would be), the end-user object
// for end users.
func (h *Handler) userView(r *http.Request, u *directory.User) any {
	if p := principalOf(r); p != nil && p.User.Role.Staff() {
		return userJSON{h: h, r: r, u: u}
	}
	return h.endUser(r, u)
}

func (h *Handler) userViews(r *http.Request, users []directory.User) []any {
	out := make([]any, len(users))
	for i := range users {
		out[i] = h.userView(r, &users[i])
	}
	return out
}

func (h *Handler) deletedUser(r *http.Request, u *directory.User) deletedUser {
	return deletedUser{
		ID: u.ID, URL: h.baseURL(r) + "/api/v2/deleted_users/" + strconv.FormatInt(u.ID, 10) + ".json",
		Name: u.Name, Email: nullString(u.Email),
		CreatedAt: timestamp(u.CreatedAt), UpdatedAt: timestamp(u.UpdatedAt), TimeZone: u.TimeZone,
		Phone: nullString(u.Phone), SharedPhoneNumber: sharedPhone(u), Photo: userPhoto(u),
		LocaleID: u.LocaleID, Locale: u.Locale, OrganizationID: nullID(u.OrganizationID),
		Role: string(u.Role), Active: false,
	}
}

// decodeUser reads the {"user": {...}} body of a create or update.
func decodeUser(r *http.Request) (directory.UserInput, error) {
	body, err := readObject(r)
	if err != nil {
		return directory.UserInput{}, err
	}
	obj, err := member(body, "user")
	if err != nil {
		return directory.UserInput{}, err
	}
	return userInput(obj)
}

// userInput decodes the members of one user object, as single and bulk
// writes send it; type errors are a 422 naming each field.
func userInput(obj map[string]json.RawMessage) (directory.UserInput, error) {
	var in directory.UserInput
	f := fields{obj: obj}
	f.str("name", &in.Name)
	f.str("first_name", &in.FirstName)
	f.str("last_name", &in.LastName)
	f.str("second_last_name", &in.SecondLastName)
	f.str("username", &in.Username)
	f.str("email", &in.Email)
	f.str("phone", &in.Phone)
	f.boolean("shared_phone_number", &in.SharedPhoneNumber)
	f.str("external_id", &in.ExternalID)
	f.str("alias", &in.Alias)
	f.str("signature", &in.Signature)
	f.str("details", &in.Details)
	f.str("notes", &in.Notes)
	f.str("remote_photo_url", &in.RemotePhotoURL)
	f.str("role", &in.Role)
	f.id("custom_role_id", &in.CustomRoleID)
	f.id("default_group_id", &in.DefaultGroupID)
	f.id("organization_id", &in.OrganizationID)
	f.str("ticket_restriction", &in.TicketRestriction)
	f.boolean("moderator", &in.Moderator)
	f.boolean("only_private_comments", &in.OnlyPrivateComments)
	f.str("time_zone", &in.TimeZone)
	f.str("locale", &in.Locale)
	f.integer("locale_id", &in.LocaleID)
	f.boolean("verified", &in.Verified)
	f.boolean("suspended", &in.Suspended)
	f.strings("tags", &in.Tags)
	f.object("user_fields", &in.UserFields)
	if raw, ok := obj["identities"]; ok && !isNull(raw) {
		var ids []struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}
		if err := json.Unmarshal(raw, &ids); err != nil {
			f.invalid.Add("identities", "InvalidValue", "must be an array of {type, value} objects")
		}
		for _, id := range ids {
			in.Identities = append(in.Identities, directory.IdentityInput{Type: id.Type, Value: id.Value})
		}
	}
	return in, f.err()
}

// userFilter reads role, role[], permission_set and external_id.
func userFilter(q url.Values) (directory.UserFilter, error) {
	var f directory.UserFilter
	roles := append(append([]string{}, q["role"]...), q["role[]"]...)
	for _, s := range roles {
		for _, part := range strings.Split(s, ",") {
			role := directory.Role(strings.TrimSpace(part))
			if !role.Valid() {
				return f, badRequest("role must be end-user, agent or admin, got %q", part)
			}
			f.Roles = append(f.Roles, role)
		}
	}
	if s := q.Get("permission_set"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return f, badRequest("permission_set must be a custom role id, got %q", s)
		}
		f.CustomRoleID = n
	}
	f.ExternalID = q.Get("external_id")
	return f, nil
}

func pathID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		// Ids are numbers: /users/search and other routes not served yet
		// must not read as a missing user.
		return 0, errInvalidEndpoint
	}
	return id, nil
}

// actorAndID returns the actor of an authenticated request and the record
// id of its path.
func actorAndID(r *http.Request) (directory.Actor, int64, error) {
	a, err := actor(r)
	if err != nil {
		return a, 0, err
	}
	id, err := pathID(r)
	return a, id, err
}

// userAction answers an endpoint that acts on the user of its path: it
// runs act as the request's actor and writes the user under key, rendered
// by view.
func (h *Handler) userAction(w http.ResponseWriter, r *http.Request,
	act func(context.Context, directory.Actor, int64) (*directory.User, error),
	key string, view func(*http.Request, *directory.User) any) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	u, err := act(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{key: view(r, u)})
	return nil
}

func (h *Handler) fullView(r *http.Request, u *directory.User) any    { return userJSON{h: h, r: r, u: u} }
func (h *Handler) deletedView(r *http.Request, u *directory.User) any { return h.deletedUser(r, u) }

// listUsers serves GET /api/v2/users.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	f, err := userFilter(r.URL.Query())
	if err != nil {
		return err
	}
	return h.writeUserList(w, r, a, f, "users", func(u *directory.User) any { return h.userView(r, u) })
}

// writeUserList answers a paginated list of users, by offset or cursor.
func (h *Handler) writeUserList(w http.ResponseWriter, r *http.Request, a directory.Actor, f directory.UserFilter, key string, view func(*directory.User) any) error {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	users, err := h.svc.ListUsers(r.Context(), a, f, p.storePage())
	if err != nil {
		return err
	}
	l := h.linker(r)
	if p.cursor {
		rows, links := cursorPage(l, p, users, func(u directory.User) int64 { return u.ID })
		return h.writeUserPage(w, r, a, key, rows, view, links)
	}
	total, err := h.svc.CountUsers(r.Context(), a, f)
	if err != nil {
		return err
	}
	return h.writeUserPage(w, r, a, key, users, view, l.offset(p, total))
}

// writeUserPage answers a page of users under key; only "users" lists
// take sideloads (deleted users have none in Zendesk).
func (h *Handler) writeUserPage(w http.ResponseWriter, r *http.Request, a directory.Actor, key string,
	users []directory.User, view func(*directory.User) any, pagination any) error {
	if key == "users" {
		return h.writeUsers(w, r, a, users, view, pagination) // sideload.go
	}
	return writeList(w, key, views(users, view), pagination)
}

func views(users []directory.User, view func(*directory.User) any) []any {
	out := make([]any, len(users))
	for i := range users {
		out[i] = view(&users[i])
	}
	return out
}

// writeList writes {key: items, ...pagination keys}, in that order (see
// writeBody).
func writeList(w http.ResponseWriter, key string, items []any, pagination any) error {
	return writeBody(w, key, items, nil, pagination)
}

// countUsers serves GET /api/v2/users/count.
func (h *Handler) countUsers(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	f, err := userFilter(r.URL.Query())
	if err != nil {
		return err
	}
	n, err := h.svc.CountUsers(r.Context(), a, f)
	if err != nil {
		return err
	}
	return h.writeCount(w, n)
}

// writeCount answers {"count": {"value", "refreshed_at"}}. Counts are exact
// at the moment of the request, so refreshed_at is now.
func (h *Handler) writeCount(w http.ResponseWriter, n int64) error {
	writeJSON(w, http.StatusOK, map[string]any{"count": map[string]any{
		"value": n, "refreshed_at": timestamp(h.svc.Now()),
	}})
	return nil
}

// showManyUsers serves GET /api/v2/users/show_many?ids= or ?external_ids=.
func (h *Handler) showManyUsers(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var users []directory.User
	switch {
	case q.Get("ids") != "":
		var ids []int64
		for _, s := range splitList(q.Get("ids")) {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id < 1 {
				return badRequest("ids must be comma-separated user ids, got %q", s)
			}
			ids = append(ids, id)
		}
		users, err = h.svc.UsersByIDs(r.Context(), a, ids)
	case q.Get("external_ids") != "":
		users, err = h.svc.UsersByExternalIDs(r.Context(), a, splitList(q.Get("external_ids")))
	default:
		return badRequest("Send ids or external_ids")
	}
	if err != nil {
		return err
	}
	return h.writeUsers(w, r, a, users, h.viewOf(r), offsetLinks{Count: int64(len(users))})
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// showCurrentUser serves GET /api/v2/users/me. Anonymous callers get the
// anonymous user, as in Zendesk.
func (h *Handler) showCurrentUser(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	if p == nil {
		writeJSON(w, http.StatusOK, map[string]any{"user": anonymousUser()})
		return nil
	}
	// Re-read the user: authentication may have just recorded the login.
	u, err := h.svc.User(r.Context(), p.Actor(), p.User.ID)
	if err != nil {
		return err
	}
	return h.writeUser(w, r, p.Actor(), u)
}

// anonymousUser is what /users/me answers without credentials: an end
// user with no id, record or contact data.
func anonymousUser() map[string]any {
	return map[string]any{
		"id": nil, "url": nil, "name": "Anonymous user", "email": nil,
		"created_at": nil, "updated_at": nil,
		"time_zone": directory.DefaultTimeZone, "iana_time_zone": directory.DefaultTimeZone,
		"phone": nil, "shared_phone_number": nil, "photo": nil,
		"locale_id": directory.DefaultLocaleID, "locale": directory.DefaultLocale,
		"organization_id": nil, "role": string(directory.RoleEndUser), "verified": false,
	}
}

// showUser serves GET /api/v2/users/{id}.
func (h *Handler) showUser(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	u, err := h.svc.User(r.Context(), a, id)
	if err != nil {
		return err
	}
	return h.writeUser(w, r, a, u) // sideload.go
}

// createUser serves POST /api/v2/users: 201 with Location.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	in, err := decodeUser(r)
	if err != nil {
		return err
	}
	u, err := h.svc.CreateUser(r.Context(), a, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", h.userURL(r, u.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"user": h.fullUser(r, u)})
	return nil
}

// createOrUpdateUser serves POST /api/v2/users/create_or_update: 201 when
// it created, 200 when it updated, with Location either way.
func (h *Handler) createOrUpdateUser(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	in, err := decodeUser(r)
	if err != nil {
		return err
	}
	u, created, err := h.svc.CreateOrUpdateUser(r.Context(), a, in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", h.userURL(r, u.ID))
	writeJSON(w, status, map[string]any{"user": h.fullUser(r, u)})
	return nil
}

// updateUser serves PUT /api/v2/users/{id}.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	in, err := decodeUser(r)
	if err != nil {
		return err
	}
	u, err := h.svc.UpdateUser(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": h.fullUser(r, u)})
	return nil
}

// deleteUser serves DELETE /api/v2/users/{id}: a soft delete answered with
// the user, now inactive.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) error {
	return h.userAction(w, r, h.svc.DeleteUser, "user", h.fullView)
}

// listGroupUsers serves GET /api/v2/groups/{id}/users.
func (h *Handler) listGroupUsers(w http.ResponseWriter, r *http.Request) error {
	return h.listUsersOfGroup(w, r) // group.go
}

// listOrganizationUsers serves GET /api/v2/organizations/{id}/users.
func (h *Handler) listOrganizationUsers(w http.ResponseWriter, r *http.Request) error {
	return h.writeOrganizationUsers(w, r) // organization.go
}

// countGroupUsers serves GET /api/v2/groups/{id}/users/count.
func (h *Handler) countGroupUsers(w http.ResponseWriter, r *http.Request) error {
	return h.countUsersOfGroup(w, r) // group.go
}

// countOrganizationUsers serves GET /api/v2/organizations/{id}/users/count.
func (h *Handler) countOrganizationUsers(w http.ResponseWriter, r *http.Request) error {
	return h.writeOrganizationUserCount(w, r) // organization.go
}

// listDeletedUsers serves GET /api/v2/deleted_users.
func (h *Handler) listDeletedUsers(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	return h.writeUserList(w, r, a, directory.UserFilter{Deleted: true}, "deleted_users",
		func(u *directory.User) any { return h.deletedUser(r, u) })
}

// countDeletedUsers serves GET /api/v2/deleted_users/count.
func (h *Handler) countDeletedUsers(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	n, err := h.svc.CountUsers(r.Context(), a, directory.UserFilter{Deleted: true})
	if err != nil {
		return err
	}
	return h.writeCount(w, n)
}

// showDeletedUser serves GET /api/v2/deleted_users/{id}.
func (h *Handler) showDeletedUser(w http.ResponseWriter, r *http.Request) error {
	return h.userAction(w, r, h.svc.DeletedUser, "deleted_user", h.deletedView)
}

// permanentlyDeleteUser serves DELETE /api/v2/deleted_users/{id}: the
// user's personal data is erased.
func (h *Handler) permanentlyDeleteUser(w http.ResponseWriter, r *http.Request) error {
	return h.userAction(w, r, h.svc.EraseUser, "deleted_user", h.deletedView)
}
