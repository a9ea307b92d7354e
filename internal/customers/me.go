package customers

import (
	"context"
	"encoding/json"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// modyoTime is how Modyo writes times: ISO-8601 with milliseconds and
// the offset, "2021-04-15T21:42:55.995+00:00".
const modyoTime = "2006-01-02T15:04:05.000-07:00"

// timeValue is t in Modyo's format, or nil for a zero time.
func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(modyoTime)
}

// textValue is s, or nil when empty.
func textValue(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// meBody is the customer as GET me shows them: seed 000's documented keys
// (avatar, id, external_id, name, first_name, last_name,
// second_last_name, email, username, delegated_token) and those its
// elided "..." stands for in Modyo's user model.
type meBody struct {
	Avatar                   *avatarBody     `json:"avatar"`
	ID                       int64           `json:"id"`
	UUID                     string          `json:"uuid"`
	ExternalID               any             `json:"external_id"`
	Name                     string          `json:"name"`
	FirstName                any             `json:"first_name"`
	LastName                 any             `json:"last_name"`
	SecondLastName           any             `json:"second_last_name"`
	Email                    any             `json:"email"`
	Username                 any             `json:"username"`
	Phone                    any             `json:"phone"`
	Locale                   string          `json:"locale"`
	TimeZone                 string          `json:"time_zone"`
	Active                   bool            `json:"active"`
	Verified                 bool            `json:"verified"`
	Tags                     []string        `json:"tags"`
	CustomFields             []customField   `json:"custom_fields"`
	UnreadNotificationsCount int64           `json:"unread_notifications_count"`
	RealmUID                 string          `json:"realm_uid"`
	CreatedAt                any             `json:"created_at"`
	UpdatedAt                any             `json:"updated_at"`
	LastLoginAt              any             `json:"last_login_at"`
	DelegatedToken           *delegationBody `json:"delegated_token"`
}

// avatarBody is the customer's picture in Modyo's three sizes. Clientele
// keeps one picture URL (Zendesk's remote_photo_url), so all three point
// to it.
type avatarBody struct {
	ID          any    `json:"id"`
	FileName    string `json:"file_name"`
	URLOriginal string `json:"url_original"`
	URLSmall    string `json:"url_small"`
	URLMedium   string `json:"url_medium"`
}

// customField is one visible custom field of the customer:
// [{key, name, type, value}].
type customField struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// delegationBody is the identity provider's token the customer signed in
// with, when its provider shows delegation information.
type delegationBody struct {
	UUID                         string `json:"uuid"`
	AccessToken                  string `json:"access_token"`
	AccessTokenExpiresIn         *int64 `json:"access_token_expires_in"`
	AccessTokenExpiresInDatetime any    `json:"access_token_expires_in_datetime"`
}

// me builds the body of GET me for c.
func (h *Handler) me(ctx context.Context, c *caller) (*meBody, error) {
	u := c.user
	fields, err := h.svc.CustomerFields(ctx, c.realm.ID)
	if err != nil {
		return nil, err
	}
	unread, err := h.svc.UnreadNotifications(ctx, c.realm.ID, u.ID)
	if err != nil {
		return nil, err
	}
	b := &meBody{ID: u.ID, UUID: u.UUID, ExternalID: textValue(u.ExternalID), Name: u.Name,
		FirstName: textValue(u.FirstName), LastName: textValue(u.LastName), SecondLastName: textValue(u.SecondLastName),
		Email: textValue(u.Email), Username: textValue(u.Username), Phone: textValue(u.Phone),
		Locale: u.Locale, TimeZone: u.TimeZone, Active: u.Active() && !u.Suspended, Verified: u.Verified,
		Tags: u.Tags, CustomFields: []customField{}, UnreadNotificationsCount: unread, RealmUID: c.realm.UID,
		CreatedAt: timeValue(u.CreatedAt), UpdatedAt: timeValue(u.UpdatedAt), LastLoginAt: timeValue(u.LastLoginAt)}
	if b.Tags == nil {
		b.Tags = []string{}
	}
	if u.RemotePhotoURL != "" {
		b.Avatar = &avatarBody{FileName: path.Base(u.RemotePhotoURL), URLOriginal: u.RemotePhotoURL,
			URLSmall: u.RemotePhotoURL, URLMedium: u.RemotePhotoURL}
	}
	for _, f := range fields {
		b.CustomFields = append(b.CustomFields, customField{Key: f.Key, Name: f.Title, Type: modyoFieldType(f.Type), Value: u.UserFields[f.Key]})
	}
	if b.DelegatedToken, err = h.delegation(ctx, c); err != nil {
		return nil, err
	}
	return b, nil
}

// delegation is the provider token of c's session when its provider shows
// delegation information, and nil otherwise.
func (h *Handler) delegation(ctx context.Context, c *caller) (*delegationBody, error) {
	if c.session == nil || c.session.Method != directory.MethodOpenIDC || h.oidc == nil {
		return nil, nil
	}
	d, err := h.signin.Delegated(ctx, c.session)
	if directory.KindOf(err) == directory.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !d.IdP.ShowDelegation {
		return nil, nil
	}
	b := &delegationBody{UUID: d.UUID, AccessToken: d.AccessToken}
	if !d.ExpiresAt.IsZero() {
		left := int64(d.ExpiresAt.Sub(h.svc.Now()) / time.Second)
		b.AccessTokenExpiresIn = &left
		b.AccessTokenExpiresInDatetime = timeValue(d.ExpiresAt)
	}
	return b, nil
}

func (h *Handler) showMe(w http.ResponseWriter, r *http.Request, c *caller) error {
	b, err := h.me(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// meInput is the body of PUT me: the profile attributes at the top level
// or under "user", custom fields as [{key, value}] (or an object by key).
type meInput struct {
	Name           *string         `json:"name"`
	FirstName      *string         `json:"first_name"`
	LastName       *string         `json:"last_name"`
	SecondLastName *string         `json:"second_last_name"`
	Phone          *string         `json:"phone"`
	Locale         *string         `json:"locale"`
	Lang           *string         `json:"lang"`
	TimeZone       *string         `json:"time_zone"`
	CustomFields   json.RawMessage `json:"custom_fields"`
	User           *meInput        `json:"user"`
}

// customFieldValues reads custom_fields in either form.
func customFieldValues(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	}
	if err := json.Unmarshal(raw, &list); err == nil {
		out := map[string]any{}
		for _, f := range list {
			out[f.Key] = f.Value
		}
		return out, nil
	}
	var byKey map[string]any
	if err := json.Unmarshal(raw, &byKey); err != nil {
		return nil, &directory.Error{Kind: directory.KindInvalid, Message: "custom_fields",
			Fields: []directory.FieldError{{Field: "custom_fields", Code: "InvalidValue", Message: "must be a list of {key, value} objects"}}}
	}
	return byKey, nil
}

func (h *Handler) updateMe(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in meInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.User != nil {
		in = *in.User
	}
	values, err := customFieldValues(in.CustomFields)
	if err != nil {
		return err
	}
	locale := in.Locale
	if locale == nil {
		locale = in.Lang
	}
	u, err := h.svc.UpdateProfile(r.Context(), c.realm.ID, c.user.ID, directory.ProfileInput{Name: in.Name,
		FirstName: in.FirstName, LastName: in.LastName, SecondLastName: in.SecondLastName, Phone: in.Phone,
		Locale: locale, TimeZone: in.TimeZone, CustomFields: values})
	if err != nil {
		return err
	}
	c.user = u
	return h.showMe(w, r, c)
}

// pageParams reads page and per_page as Modyo does: defaults 1 and 10,
// per_page at most 100, out-of-range values falling back silently.
func pageParams(r *http.Request) (page, perPage int) {
	page, perPage = 1, 10
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n >= 1 && n <= 1_000_000 {
		page = n
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && n >= 1 {
		perPage = min(n, 100)
	}
	return page, perPage
}

// meta is the pagination object of Modyo's lists.
type meta struct {
	TotalEntries int64 `json:"total_entries"`
	PerPage      int   `json:"per_page"`
	CurrentPage  int   `json:"current_page"`
	TotalPages   int64 `json:"total_pages"`
}

func newMeta(total int64, page, perPage int) meta {
	return meta{TotalEntries: total, PerPage: perPage, CurrentPage: page, TotalPages: (total + int64(perPage) - 1) / int64(perPage)}
}
