package customers

import (
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/search"
)

// The realm's users as the administration sees them, in the shapes of
// Modyo's admin API: UserList in lists, User (the same keys) alone.

// userBody is a user of the realm: Modyo's UserList keys (avatar, id,
// uuid, external_id, email, username, first_name, last_name, name,
// full_name, sex, active, created_at, updated_at, last_login_at,
// login_count, custom_fields) and the rest of Modyo's User that Clientele
// keeps.
type userBody struct {
	Avatar         *avatarBody   `json:"avatar"`
	ID             int64         `json:"id"`
	UUID           string        `json:"uuid"`
	ExternalID     any           `json:"external_id"`
	Email          any           `json:"email"`
	Username       any           `json:"username"`
	FirstName      any           `json:"first_name"`
	LastName       any           `json:"last_name"`
	SecondLastName any           `json:"second_last_name"`
	Name           string        `json:"name"`
	FullName       string        `json:"full_name"`
	Sex            any           `json:"sex"`
	Active         bool          `json:"active"`
	Verified       bool          `json:"verified"`
	TagList        []string      `json:"tag_list"`
	Locale         string        `json:"locale"`
	TimeZone       string        `json:"time_zone"`
	CustomFields   []customField `json:"custom_fields"`
	CreatedAt      any           `json:"created_at"`
	UpdatedAt      any           `json:"updated_at"`
	LastLoginAt    any           `json:"last_login_at"`
	LoginCount     any           `json:"login_count"`
}

// presentUser shows u with the realm's active custom fields (all of them:
// an administrator sees what customers do not).
func presentUser(u *directory.User, fields []directory.UserField) userBody {
	b := userBody{ID: u.ID, UUID: u.UUID, ExternalID: textValue(u.ExternalID), Email: textValue(u.Email),
		Username: textValue(u.Username), FirstName: textValue(u.FirstName), LastName: textValue(u.LastName),
		SecondLastName: textValue(u.SecondLastName), Name: u.Name, FullName: u.Name, Active: !u.Suspended,
		Verified: u.Verified, TagList: u.Tags, Locale: u.Locale, TimeZone: u.TimeZone, CustomFields: []customField{},
		CreatedAt: timeValue(u.CreatedAt), UpdatedAt: timeValue(u.UpdatedAt), LastLoginAt: timeValue(u.LastLoginAt)}
	if b.TagList == nil {
		b.TagList = []string{}
	}
	if u.RemotePhotoURL != "" {
		b.Avatar = &avatarBody{FileName: path.Base(u.RemotePhotoURL), URLOriginal: u.RemotePhotoURL,
			URLSmall: u.RemotePhotoURL, URLMedium: u.RemotePhotoURL}
	}
	for _, f := range fields {
		if f.Active {
			b.CustomFields = append(b.CustomFields, customField{Key: f.Key, Name: f.Title, Type: modyoFieldType(f.Type), Value: u.UserFields[f.Key]})
		}
	}
	return b
}

// userInput is Modyo's UserInput, at the top level or under "user".
type userInput struct {
	Email          *string         `json:"email"`
	Username       *string         `json:"username"`
	FirstName      *string         `json:"first_name"`
	LastName       *string         `json:"last_name"`
	SecondLastName *string         `json:"second_last_name"`
	Password       *string         `json:"password"`
	ExternalID     *string         `json:"external_id"`
	TagList        json.RawMessage `json:"tag_list"`
	CustomFields   json.RawMessage `json:"custom_fields"`
	Locale         *string         `json:"locale"`
	TimeZone       *string         `json:"time_zone"`
	Activate       *bool           `json:"activate"`
	Verified       *bool           `json:"verified"`
	User           *userInput      `json:"user"`
}

// invalid is a one-field validation error.
func invalid(field, message string) error {
	var v directory.Invalid
	v.Add(field, "InvalidValue", message)
	return v.Err()
}

// tagList reads tag_list: Modyo's "a, b" string, or a list of tags.
func tagList(raw json.RawMessage) (*[]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		tags := strings.Split(s, ",")
		return &tags, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, invalid("tag_list", `must be a comma-separated string ("a, b") or a list of tags`)
	}
	return &list, nil
}

// directoryInput translates in for the directory. old is the user an
// update changes, nil on a create.
func (in *userInput) directoryInput(old *directory.User) (directory.UserInput, error) {
	out := directory.UserInput{Email: in.Email, Username: in.Username, FirstName: in.FirstName, LastName: in.LastName,
		SecondLastName: in.SecondLastName, ExternalID: in.ExternalID, Locale: in.Locale, TimeZone: in.TimeZone, Verified: in.Verified}
	var err error
	if out.Tags, err = tagList(in.TagList); err != nil {
		return out, err
	}
	values, err := customFieldValues(in.CustomFields)
	if err != nil {
		return out, err
	}
	if values != nil {
		out.UserFields = values
	}
	if in.Activate != nil {
		suspended := !*in.Activate
		out.Suspended = &suspended
	}
	// Modyo's users have no name of their own: it is made of the parts,
	// as PUT me makes it.
	first, last, second := deref(in.FirstName, ""), deref(in.LastName, ""), deref(in.SecondLastName, "")
	if old != nil {
		first, last, second = deref(in.FirstName, old.FirstName), deref(in.LastName, old.LastName), deref(in.SecondLastName, old.SecondLastName)
	}
	name := strings.Join(strings.Fields(first+" "+last+" "+second), " ")
	if name == "" && old == nil {
		// No name parts: the username, else the email, names the user.
		name = strings.TrimSpace(deref(in.Username, ""))
		if name == "" {
			name = strings.TrimSpace(deref(in.Email, ""))
		}
	}
	if name != "" && (old == nil || in.FirstName != nil || in.LastName != nil || in.SecondLastName != nil) {
		out.Name = &name
	}
	return out, nil
}

// deref is *p, or fallback when p is nil.
func deref(p *string, fallback string) string {
	if p == nil {
		return fallback
	}
	return *p
}

// decodeUserInput reads a UserInput body, at the top level or under
// "user".
func decodeUserInput(w http.ResponseWriter, r *http.Request) (*userInput, error) {
	var in userInput
	if err := decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.User != nil {
		return in.User, nil
	}
	return &in, nil
}

// flag reads a 0/1 (or true/false) query parameter; ok is false when it
// is absent or neither.
func flag(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	switch v {
	case "":
		return nil, nil
	case "1", "true":
		b := true
		return &b, nil
	case "0", "false":
		b := false
		return &b, nil
	}
	return nil, invalid(name, "must be 0 or 1")
}

// listUsers is GET /users: the realm's users (deleted ones aside), by id,
// filtered by query (the directory's search syntax: words, email:,
// tags:, ...), active=0/1 and verified=0/1, with exact counts.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	ctx := r.Context()
	page, perPage := pageParams(r)
	active, err := flag(r, "active")
	if err != nil {
		return err
	}
	verified, err := flag(r, "verified")
	if err != nil {
		return err
	}
	query := strings.TrimSpace(r.URL.Query().Get("query"))
	var users []directory.User
	var total int64
	if query == "" && active == nil && verified == nil {
		// The whole realm: counted from the counters kept with every write.
		if total, err = h.svc.CountUsers(ctx, a.Actor(), directory.UserFilter{}); err != nil {
			return err
		}
		users, err = h.svc.ListUsers(ctx, a.Actor(), directory.UserFilter{}, directory.Page{Limit: perPage, Offset: (page - 1) * perPage})
		if err != nil {
			return err
		}
	} else {
		var q directory.UserQuery
		if query != "" {
			if q, err = search.Parse(query, h.svc.Now()); err != nil {
				return invalid("query", err.Error())
			}
		}
		q.Verified = verified
		if active != nil {
			suspended := !*active
			q.Suspended = &suspended
		}
		if total, err = h.svc.CountSearchUsers(ctx, a.Actor(), q); err != nil {
			return searchError(err)
		}
		users, err = h.svc.SearchUsers(ctx, a.Actor(), q, directory.SearchPage{Limit: perPage, Offset: (page - 1) * perPage})
		if err != nil {
			return searchError(err)
		}
	}
	fields, err := h.svc.UserFields(ctx, a.Actor())
	if err != nil {
		return err
	}
	out := make([]userBody, 0, len(users))
	for i := range users {
		out = append(out, presentUser(&users[i], fields))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out, "meta": newMeta(total, page, perPage)})
	return nil
}

// searchError makes the directory's refusal of a query (an unknown
// keyword, a comparison on a custom field) a 422 on query.
func searchError(err error) error {
	var de *directory.Error
	if directory.KindOf(err) == directory.KindBadRequest && errors.As(err, &de) {
		return invalid("query", de.Message)
	}
	return err
}

// userID reads the {id} of the path; a malformed one names no user.
func userID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, directory.ErrNotFound
	}
	return id, nil
}

// activeUser is the user {id} of the path, unless deleted.
func (h *Handler) activeUser(r *http.Request, a *adminCaller) (*directory.User, error) {
	id, err := userID(r)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.User(r.Context(), a.Actor(), id)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, directory.ErrNotFound
	}
	return u, nil
}

// writeUser answers with u, as Modyo's User.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, a *adminCaller, status int, u *directory.User) error {
	fields, err := h.svc.UserFields(r.Context(), a.Actor())
	if err != nil {
		return err
	}
	writeJSON(w, status, presentUser(u, fields))
	return nil
}

// createUser is POST /users: 201 with the user, or 422 by field
// ({"errors":{"username":["has already been taken"]}}).
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	in, err := decodeUserInput(w, r)
	if err != nil {
		return err
	}
	if strings.TrimSpace(deref(in.Email, "")) == "" {
		var v directory.Invalid
		v.Add("email", "BlankValue", "can't be blank")
		return v.Err()
	}
	din, err := in.directoryInput(nil)
	if err != nil {
		return err
	}
	u, err := h.signin.CreateRealmUser(r.Context(), a.Actor(), din, in.Password)
	if err != nil {
		return customFieldErrors(err)
	}
	return h.writeUser(w, r, a, http.StatusCreated, u)
}

// showUser is GET /users/{id}.
func (h *Handler) showUser(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	u, err := h.activeUser(r, a)
	if err != nil {
		return err
	}
	return h.writeUser(w, r, a, http.StatusOK, u)
}

// updateUser is PUT /users/{id}: the keys sent change, the others stay.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	old, err := h.activeUser(r, a)
	if err != nil {
		return err
	}
	in, err := decodeUserInput(w, r)
	if err != nil {
		return err
	}
	// The directory keeps a user's emails as identities, added and made
	// primary through their own calls; a new email here would be added
	// beside the old one, not replace it, so it is refused.
	if in.Email != nil && directory.NormalizeEmail(*in.Email) != old.Email {
		return invalid("email", "cannot be changed through this endpoint")
	}
	in.Email = nil
	din, err := in.directoryInput(old)
	if err != nil {
		return err
	}
	u, err := h.signin.UpdateRealmUser(r.Context(), a.Actor(), old.ID, din, in.Password)
	if err != nil {
		return customFieldErrors(err)
	}
	return h.writeUser(w, r, a, http.StatusOK, u)
}

// deleteUser is DELETE /users/{id}: 200 {}. The user is deleted as the
// directory deletes (inactive at once, kept as a deleted user).
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	if _, err := h.svc.DeleteUser(r.Context(), a.Actor(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// customFieldErrors renames the directory's user_fields.KEY error fields
// custom_fields.KEY, as the Customers API calls them.
func customFieldErrors(err error) error {
	var de *directory.Error
	if directory.KindOf(err) != directory.KindInvalid || !errors.As(err, &de) {
		return err
	}
	out := &directory.Error{Kind: de.Kind, Message: de.Message, Fields: make([]directory.FieldError, len(de.Fields))}
	for i, f := range de.Fields {
		if key, ok := strings.CutPrefix(f.Field, "user_fields."); ok {
			f.Field = "custom_fields." + key
		}
		out.Fields[i] = f
	}
	return out
}
