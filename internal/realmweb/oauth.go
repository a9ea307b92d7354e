package realmweb

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/clientele/clientele/internal/directory"
)

// authorize implements the authorization endpoint (RFC 6749 §4.1.1):
// without a session it sends the customer to login first and back; with
// one it issues a code at once (there is no consent screen, as in Modyo)
// and redirects to the client.
func (h *Handler) authorize(w http.ResponseWriter, r *request) error {
	q := r.URL.Query()
	req := directory.AuthorizeRequest{ResponseType: q.Get("response_type"), ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"),
		Scope: q.Get("scope"), CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method")}
	client, redirect, err := h.signin.CheckAuthorize(r.Context(), r.realm.ID, req)
	if err != nil {
		// Never redirect to a URI the client did not register.
		return err
	}
	sess, _, err := h.session(w, r)
	if err != nil {
		return err
	}
	if sess == nil {
		return toLogin(w, r, r.URL.RequestURI())
	}
	target, err := url.Parse(redirect)
	if err != nil {
		return err
	}
	params := target.Query()
	code, err := h.signin.Authorize(r.Context(), client, redirect, req, sess)
	var oe *directory.OAuthError
	switch {
	case errors.As(err, &oe):
		params.Set("error", oe.Code)
		params.Set("error_description", oe.Description)
	case err != nil:
		return err
	default:
		params.Set("code", code)
	}
	if state := q.Get("state"); state != "" {
		params.Set("state", state)
	}
	target.RawQuery = params.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r.Request, target.String(), http.StatusFound)
	return nil
}

// tokenResponse is the token endpoint's answer, as Doorkeeper (Modyo's
// OAuth server) gives it: no expires_in, no refresh_token.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	CreatedAt   int64  `json:"created_at"`
}

// token implements the token endpoint (RFC 6749 §4.1.3), for the
// authorization_code grant only.
func (h *Handler) token(w http.ResponseWriter, r *request) error {
	a, ok := h.clientForm(w, r)
	if !ok {
		return nil
	}
	issued, err := h.signin.Exchange(r.Context(), r.realm.ID, directory.TokenRequest{
		GrantType: r.PostFormValue("grant_type"), Code: r.PostFormValue("code"), RedirectURI: r.PostFormValue("redirect_uri"),
		CodeVerifier: r.PostFormValue("code_verifier"), Client: a})
	if err != nil {
		return h.oauthFail(w, r, err)
	}
	return writeJSON(w, http.StatusOK, tokenResponse{AccessToken: issued.AccessToken, TokenType: "Bearer",
		Scope: strings.Join(issued.Scopes, " "), CreatedAt: issued.CreatedAt.Unix()})
}

// revoke implements token revocation (RFC 7009): 200 whether or not the
// token existed.
func (h *Handler) revoke(w http.ResponseWriter, r *request) error {
	a, ok := h.clientForm(w, r)
	if !ok {
		return nil
	}
	if err := h.signin.Revoke(r.Context(), r.realm.ID, a, r.PostFormValue("token")); err != nil {
		return h.oauthFail(w, r, err)
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// clientForm parses the form of the token or revoke endpoint and the
// client's credentials, from HTTP Basic (form-encoded, RFC 6749 §2.3.1)
// or from client_id and client_secret fields; it answers a bad request
// itself.
func (h *Handler) clientForm(w http.ResponseWriter, r *request) (directory.ClientAuth, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthBody{Error: "invalid_request", Description: "the form could not be read"})
		return directory.ClientAuth{}, false
	}
	a := directory.ClientAuth{ClientID: r.PostFormValue("client_id"), ClientSecret: r.PostFormValue("client_secret")}
	if id, secret, ok := r.BasicAuth(); ok {
		if a.ClientID != "" && a.ClientID != id || a.ClientSecret != "" {
			writeJSON(w, http.StatusBadRequest, oauthBody{Error: "invalid_request", Description: "use one way of client authentication"})
			return directory.ClientAuth{}, false
		}
		var err1, err2 error
		a.ClientID, err1 = url.QueryUnescape(id)
		a.ClientSecret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			writeJSON(w, http.StatusBadRequest, oauthBody{Error: "invalid_request", Description: "malformed Basic credentials"})
			return directory.ClientAuth{}, false
		}
	}
	return a, true
}

// oauthBody is an OAuth error answer (RFC 6749 §5.2).
type oauthBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// oauthFail answers an error of the token or revoke endpoint.
func (h *Handler) oauthFail(w http.ResponseWriter, r *request, err error) error {
	var oe *directory.OAuthError
	if !errors.As(err, &oe) {
		return err
	}
	status := http.StatusBadRequest
	if oe.Code == "invalid_client" {
		status = http.StatusUnauthorized
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+r.realm.UID+`"`)
		}
	}
	return writeJSON(w, status, oauthBody{Error: oe.Code, Description: oe.Description})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
