package customers

import (
	"net/http"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// The realm's identity providers and OAuth clients. Secrets never leave
// the server after they are set: a provider's client secret is stored
// sealed and never shown; an OAuth client's secret is shown once, in the
// answer to its creation.

// idpBody is an identity provider, without its client secret.
type idpBody struct {
	UID                 string            `json:"uid"`
	Name                string            `json:"name"`
	Issuer              string            `json:"issuer"`
	ClientID            string            `json:"client_id"`
	Scopes              []string          `json:"scopes"`
	AuthMethod          string            `json:"auth_method"`
	PKCE                string            `json:"pkce"`
	ClaimsMapping       map[string]string `json:"claims_mapping"`
	EnableRefresh       bool              `json:"enable_refresh"`
	RefreshAnticipation int64             `json:"refresh_anticipation"`
	ShowDelegation      bool              `json:"show_delegation"`
	CreatedAt           any               `json:"created_at"`
}

func presentIdP(p *directory.IdentityProvider) idpBody {
	return idpBody{UID: p.UID, Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, Scopes: p.Scopes, AuthMethod: p.AuthMethod,
		PKCE: p.PKCE, ClaimsMapping: p.ClaimsMapping, EnableRefresh: p.EnableRefresh,
		RefreshAnticipation: int64(p.RefreshAnticipation / time.Second), ShowDelegation: p.ShowDelegation, CreatedAt: timeValue(p.CreatedAt)}
}

// idpInput is the body of POST identity_providers; refresh_anticipation
// in seconds.
type idpInput struct {
	UID                 string            `json:"uid"`
	Name                string            `json:"name"`
	Issuer              string            `json:"issuer"`
	ClientID            string            `json:"client_id"`
	ClientSecret        string            `json:"client_secret"`
	Scopes              []string          `json:"scopes"`
	AuthMethod          string            `json:"auth_method"`
	PKCE                string            `json:"pkce"`
	ClaimsMapping       map[string]string `json:"claims_mapping"`
	EnableRefresh       bool              `json:"enable_refresh"`
	RefreshAnticipation int64             `json:"refresh_anticipation"`
	ShowDelegation      bool              `json:"show_delegation"`
}

// listIdPs is GET /identity_providers: {identity_providers, meta}.
func (h *Handler) listIdPs(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	list, err := h.signin.IdPs(r.Context(), a.realm.ID)
	if err != nil {
		return err
	}
	writeListPage(w, r, "identity_providers", list, presentIdP)
	return nil
}

// createIdP is POST /identity_providers: 201 with the provider.
func (h *Handler) createIdP(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	var in idpInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	anticipation := seconds(in.RefreshAnticipation) // the directory bounds it
	p, err := h.signin.CreateIdP(r.Context(), a.realm.ID, directory.IdPInput{UID: in.UID, Name: in.Name, Issuer: in.Issuer,
		ClientID: in.ClientID, ClientSecret: in.ClientSecret, Scopes: in.Scopes, AuthMethod: in.AuthMethod, PKCE: in.PKCE,
		ClaimsMapping: in.ClaimsMapping, EnableRefresh: in.EnableRefresh, RefreshAnticipation: anticipation, ShowDelegation: in.ShowDelegation})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, presentIdP(p))
	return nil
}

// showIdP is GET /identity_providers/{uid}.
func (h *Handler) showIdP(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	p, err := h.signin.IdP(r.Context(), a.realm.ID, r.PathValue("uid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentIdP(p))
	return nil
}

// deleteIdP is DELETE /identity_providers/{uid}: 200 {}.
func (h *Handler) deleteIdP(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	if err := h.signin.DeleteIdP(r.Context(), a.realm.ID, r.PathValue("uid")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// oauthClientBody is an OAuth client; ClientSecret only in the answer to
// its creation.
type oauthClientBody struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"`
	Name         string   `json:"name"`
	Confidential bool     `json:"confidential"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	CreatedAt    any      `json:"created_at"`
}

func presentOAuthClient(c *directory.OAuthClient) oauthClientBody {
	return oauthClientBody{ClientID: c.UID, Name: c.Name, Confidential: c.Confidential, RedirectURIs: c.RedirectURIs,
		Scopes: c.Scopes, CreatedAt: timeValue(c.CreatedAt)}
}

// oauthClientInput is the body of POST oauth_clients; public clients
// (browser and mobile apps) get no secret and must use PKCE.
type oauthClientInput struct {
	Name         string   `json:"name"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	Public       bool     `json:"public"`
}

// listOAuthClients is GET /oauth_clients: {oauth_clients, meta}.
func (h *Handler) listOAuthClients(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	list, err := h.signin.OAuthClients(r.Context(), a.realm.ID)
	if err != nil {
		return err
	}
	writeListPage(w, r, "oauth_clients", list, presentOAuthClient)
	return nil
}

// createOAuthClient is POST /oauth_clients: 201 with the client and, for
// a confidential one, its secret: the only time it is shown.
func (h *Handler) createOAuthClient(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	var in oauthClientInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	c, secret, err := h.signin.CreateOAuthClient(r.Context(), a.realm.ID, in.Name, in.RedirectURIs, in.Scopes, in.Public)
	if err != nil {
		return err
	}
	b := presentOAuthClient(c)
	b.ClientSecret = secret
	writeJSON(w, http.StatusCreated, b)
	return nil
}

// showOAuthClient is GET /oauth_clients/{client_id}.
func (h *Handler) showOAuthClient(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	c, err := h.svc.Store().OAuthClientByUID(r.Context(), a.realm.ID, r.PathValue("uid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentOAuthClient(c))
	return nil
}

// deleteOAuthClient is DELETE /oauth_clients/{client_id}: 200 {}, and
// every token the client was issued is revoked with it.
func (h *Handler) deleteOAuthClient(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	if err := h.signin.DeleteOAuthClient(r.Context(), a.realm.ID, r.PathValue("uid")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
