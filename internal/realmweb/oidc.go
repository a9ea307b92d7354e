package realmweb

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// callbackURL is the redirect URI registered at every provider of the
// realm: /realms/{uid}/auth/openidc/callback on the public host.
func (h *Handler) callbackURL(r *request) string {
	return r.client.BaseURL + r.base + "/auth/openidc/callback"
}

// oidcStart sends the browser to the identity provider's login.
func (h *Handler) oidcStart(w http.ResponseWriter, r *request) error {
	if h.oidc == nil {
		return directory.ErrNotFound
	}
	target := r.URL.Query().Get("redirect_uri")
	to, err := h.oidc.Start(r.Context(), r.realm, r.PathValue("idp"), h.callbackURL(r), target)
	if err != nil {
		return h.providerFail(w, r, err)
	}
	http.Redirect(w, r.Request, to, http.StatusFound)
	return nil
}

// oidcCallback finishes a login at an identity provider.
func (h *Handler) oidcCallback(w http.ResponseWriter, r *request) error {
	if h.oidc == nil {
		return directory.ErrNotFound
	}
	_, secret, target, err := h.oidc.Callback(r.Context(), r.realm, r.URL.Query(), h.callbackURL(r), r.client)
	if err != nil {
		return h.providerFail(w, r, err)
	}
	h.startSession(w, r, secret)
	http.Redirect(w, r.Request, afterLogin(r, target), http.StatusSeeOther)
	return nil
}

// providerFail answers a provider that is down or answered wrongly with a
// 502 page that says so, records the failure, and passes other errors on.
func (h *Handler) providerFail(w http.ResponseWriter, r *request, err error) error {
	var pe *auth.ProviderError
	if !errors.As(err, &pe) {
		return err
	}
	h.log.WarnContext(r.Context(), "identity provider failed", "realm", r.realm.UID, "err", err)
	h.signin.RecordEvent(r.Context(), r.realm.ID, 0, directory.EventIdPSyncFailed, directory.MethodOpenIDC, r.client)
	return h.message(w, r, http.StatusBadGateway, "Sign-in unavailable",
		"We could not reach "+pe.IdP+" to sign you in. Please try again in a few minutes, or sign in with your email and password.",
		link{r.base + "/login", "Back to sign in"})
}

// providerLink is the login button's target for provider p.
func providerLink(base string, p directory.IdentityProvider, target string) string {
	u := base + "/auth/openidc/" + url.PathEscape(p.UID)
	if target != "" {
		u += "?redirect_uri=" + url.QueryEscape(target)
	}
	return u
}
