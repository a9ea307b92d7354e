package customers

import (
	"net/http"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// The realm administration: realms themselves, with their sign-in
// settings. Listing and creating realms is for the account admin token
// only; a realm admin may read and change their own realm.

// realmBody is a realm as the administration shows it.
type realmBody struct {
	ID        int64        `json:"id"`
	UID       string       `json:"uid"`
	Name      string       `json:"name"`
	Settings  settingsBody `json:"settings"`
	CreatedAt any          `json:"created_at"`
	UpdatedAt any          `json:"updated_at"`
}

// settingsBody is a realm's sign-in settings, durations in seconds.
type settingsBody struct {
	SignupEnabled   bool     `json:"signup_enabled"`
	SessionLifetime int64    `json:"session_lifetime"`
	IdleTimeout     int64    `json:"idle_timeout"`
	AllowedOrigins  []string `json:"allowed_origins"`
}

func presentRealm(r *directory.Realm, st *directory.SigninSettings) realmBody {
	origins := st.AllowedOrigins
	if origins == nil {
		origins = []string{}
	}
	return realmBody{ID: r.ID, UID: r.UID, Name: r.Name, CreatedAt: timeValue(r.CreatedAt), UpdatedAt: timeValue(r.UpdatedAt),
		Settings: settingsBody{SignupEnabled: st.SignupEnabled, SessionLifetime: int64(st.SessionLifetime / time.Second),
			IdleTimeout: int64(st.IdleTimeout / time.Second), AllowedOrigins: origins}}
}

// realmInput is the body of POST and PUT realms; keys not sent keep their
// value (the defaults on a create).
type realmInput struct {
	UID      *string        `json:"uid"`
	Name     *string        `json:"name"`
	Settings *settingsInput `json:"settings"`
}

// settingsInput is a change of sign-in settings; durations in seconds.
type settingsInput struct {
	SignupEnabled   *bool     `json:"signup_enabled"`
	SessionLifetime *int64    `json:"session_lifetime"`
	IdleTimeout     *int64    `json:"idle_timeout"`
	AllowedOrigins  *[]string `json:"allowed_origins"`
}

// seconds is n seconds; a count no setting allows (negative, or beyond
// any bound) becomes -1, which the directory refuses by name.
func seconds(n int64) time.Duration {
	if n < 0 || n > int64(directory.MaxSessionLifetime/time.Second) {
		return -1
	}
	return time.Duration(n) * time.Second
}

// apply merges in onto st.
func (in *settingsInput) apply(st *directory.SigninSettings) {
	if in.SignupEnabled != nil {
		st.SignupEnabled = *in.SignupEnabled
	}
	if in.SessionLifetime != nil {
		st.SessionLifetime = seconds(*in.SessionLifetime)
	}
	if in.IdleTimeout != nil {
		st.IdleTimeout = seconds(*in.IdleTimeout)
	}
	if in.AllowedOrigins != nil {
		st.AllowedOrigins = *in.AllowedOrigins
	}
}

// listRealms is GET /api/customers/realms: {realms, meta}, by uid.
func (h *Handler) listRealms(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	realms, err := h.svc.Realms(r.Context())
	if err != nil {
		return err
	}
	page, perPage := pageParams(r)
	out := []realmBody{}
	for i := range pageOf(len(realms), page, perPage) {
		st, err := h.signin.Settings(r.Context(), realms[i].ID)
		if err != nil {
			return err
		}
		out = append(out, presentRealm(&realms[i], st))
	}
	writeJSON(w, http.StatusOK, map[string]any{"realms": out, "meta": newMeta(int64(len(realms)), page, perPage)})
	return nil
}

// writeListPage answers a list the handler holds whole with one page of
// it in Modyo's envelope: {key: [...], meta}.
func writeListPage[T, B any](w http.ResponseWriter, r *http.Request, key string, list []T, present func(*T) B) {
	page, perPage := pageParams(r)
	out := []B{}
	for i := range pageOf(len(list), page, perPage) {
		out = append(out, present(&list[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{key: out, "meta": newMeta(int64(len(list)), page, perPage)})
}

// pageOf is the range of indexes of page in a list of n items.
func pageOf(n, page, perPage int) func(func(int) bool) {
	return func(yield func(int) bool) {
		start := (page - 1) * perPage
		for i := start; i < n && i < start+perPage; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// createRealm is POST /api/customers/realms: 201 with the realm.
func (h *Handler) createRealm(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	var in realmInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	var st *directory.SigninSettings
	if in.Settings != nil {
		d := directory.DefaultSigninSettings()
		in.Settings.apply(&d)
		st = &d
	}
	realm, saved, err := h.signin.CreateRealmWithSettings(r.Context(), directory.RealmInput{UID: in.UID, Name: in.Name, Settings: st})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, presentRealm(realm, saved))
	return nil
}

// showRealm is GET /api/customers/realms/{realm}.
func (h *Handler) showRealm(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	st, err := h.signin.Settings(r.Context(), a.realm.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentRealm(a.realm, st))
	return nil
}

// updateRealm is PUT /api/customers/realms/{realm}: the name and any
// settings sent; the uid cannot change.
func (h *Handler) updateRealm(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	var in realmInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	var st *directory.SigninSettings
	if in.Settings != nil {
		current, err := h.signin.Settings(r.Context(), a.realm.ID)
		if err != nil {
			return err
		}
		in.Settings.apply(current)
		st = current
	}
	realm, saved, err := h.signin.UpdateRealm(r.Context(), a.realm.UID, directory.RealmInput{UID: in.UID, Name: in.Name, Settings: st})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentRealm(realm, saved))
	return nil
}

// deleteRealm is DELETE /api/customers/realms/{realm}, for the account
// admin token only: 200 {}, and the realm is 404 everywhere from then on.
func (h *Handler) deleteRealm(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	if a.token == nil {
		return errAdminForbidden
	}
	if err := h.signin.DeleteRealm(r.Context(), a.realm.UID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
