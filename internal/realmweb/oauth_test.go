package realmweb_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"golang.org/x/oauth2"
)

const callback = "https://app.example/callback"

// oauthClient registers a client in realm and returns its config for
// golang.org/x/oauth2 (the secret is empty for a public client).
func (e *env) oauthClient(realm *directory.Realm, public bool, scopes ...string) (*directory.OAuthClient, *oauth2.Config) {
	e.t.Helper()
	c, secret, err := e.signin.CreateOAuthClient(context.Background(), realm.ID, "test app", []string{callback}, scopes, public)
	if err != nil {
		e.t.Fatal(err)
	}
	base := e.srv.URL + "/realms/" + realm.UID + "/oauth/"
	return c, &oauth2.Config{ClientID: c.UID, ClientSecret: secret, RedirectURL: callback,
		Endpoint: oauth2.Endpoint{AuthURL: base + "authorize", TokenURL: base + "token", AuthStyle: oauth2.AuthStyleInHeader}}
}

// authorize follows the authorize URL with a signed-in browser and
// returns the callback's query.
func (b *browser) authorize(authURL string) url.Values {
	b.e.t.Helper()
	res := b.get(authURL)
	if res.status != http.StatusFound || !strings.HasPrefix(res.location, callback+"?") {
		b.e.t.Fatalf("authorize: %d %q %s", res.status, res.location, res.body)
	}
	u, _ := url.Parse(res.location)
	return u.Query()
}

// TestOAuthCodeFlow runs the authorization code flow with
// golang.org/x/oauth2 as the client: to login first, back to authorize,
// a code, a token that works as a bearer on /api/v2 and dies with its
// session.
func TestOAuthCodeFlow(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, conf := e.oauthClient(e.acme, false, "public", "admin")
		b := e.browser()

		// Without a session, authorize sends the customer to login and
		// login brings them back.
		verifier := oauth2.GenerateVerifier()
		authURL := conf.AuthCodeURL("st4te", oauth2.S256ChallengeOption(verifier))
		res := b.get(authURL)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/realms/acme/login?redirect_uri=") {
			t.Fatalf("authorize without session: %d %q", res.status, res.location)
		}
		back, _ := url.Parse(res.location)
		target := back.Query().Get("redirect_uri")
		res = b.submit(res.location, "/realms/acme/login", url.Values{"email": {"carla@acme.test"}, "password": {password}, "redirect_uri": {target}})
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/realms/acme/oauth/authorize?") {
			t.Fatalf("login back to authorize: %d %q", res.status, res.location)
		}
		q := b.authorize(res.location)
		if q.Get("state") != "st4te" || q.Get("code") == "" {
			t.Fatalf("callback: %v", q)
		}
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		if tok.TokenType != "Bearer" || tok.Extra("scope") != "public" || tok.RefreshToken != "" || !tok.Expiry.IsZero() {
			t.Errorf("token: %+v scope=%v", tok, tok.Extra("scope"))
		}
		if created, _ := tok.Extra("created_at").(float64); int64(created) != e.clock.Now().Unix() {
			t.Errorf("created_at = %v", tok.Extra("created_at"))
		}
		status, body := e.api("/api/v2/users/me.json", tok.AccessToken)
		if status != 200 || body["user"].(map[string]any)["email"] != "carla@acme.test" {
			t.Errorf("bearer on /api/v2: %d %v", status, body)
		}

		// The code is single use; its second use also kills the token.
		_, err = conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		wantOAuthError(t, err, "invalid_grant")
		if status, _ := e.api("/api/v2/users/me.json", tok.AccessToken); status != 401 {
			t.Errorf("token of a reused code: %d", status)
		}

		// Without PKCE, with the secret in the form, asking for admin.
		conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		q = b.authorize(conf.AuthCodeURL("", oauth2.SetAuthURLParam("scope", "admin public")))
		if q.Has("state") {
			t.Errorf("state sent back though none was given: %v", q)
		}
		tok, err = conf.Exchange(ctx, q.Get("code"))
		if err != nil {
			t.Fatalf("exchange without PKCE: %v", err)
		}
		if tok.Extra("scope") != "admin public" {
			t.Errorf("scope = %v", tok.Extra("scope"))
		}
		// Using the token keeps the session from idling out; logout ends both.
		if status, _ := e.api("/api/v2/users/me.json", tok.AccessToken); status != 200 {
			t.Errorf("second token: %d", status)
		}
		b.get("/realms/acme/logout")
		if status, _ := e.api("/api/v2/users/me.json", tok.AccessToken); status != 401 {
			t.Errorf("token after logout: %d", status)
		}
	})
}

// wantOAuthError checks that err is an OAuth error response with code.
func wantOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if err == nil {
		t.Errorf("no error, want %s", code)
		return
	}
	if !asRetrieve(err, &re) || re.ErrorCode != code {
		t.Errorf("error %v, want %s", err, code)
	}
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	r, ok := err.(*oauth2.RetrieveError)
	*re = r
	return ok
}

// TestOAuthRejections checks every way a code exchange or an authorize
// request must fail.
func TestOAuthRejections(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, conf := e.oauthClient(e.acme, false)
		_, public := e.oauthClient(e.acme, true)
		_, betaConf := e.oauthClient(e.beta, false)
		b := e.browser()
		b.login("acme", "carla@acme.test", password)
		code := func(c *oauth2.Config, opts ...oauth2.AuthCodeOption) string {
			return b.authorize(c.AuthCodeURL("s", opts...)).Get("code")
		}

		verifier := oauth2.GenerateVerifier()
		c := code(conf, oauth2.S256ChallengeOption(verifier))
		_, err := conf.Exchange(ctx, c, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		wantOAuthError(t, err, "invalid_grant") // wrong verifier
		_, err = conf.Exchange(ctx, c)
		wantOAuthError(t, err, "invalid_grant") // no verifier
		if _, err := conf.Exchange(ctx, c, oauth2.VerifierOption(verifier)); err != nil {
			t.Errorf("right verifier after wrong ones: %v", err)
		}

		// plain PKCE.
		plain := oauth2.GenerateVerifier()
		c = code(conf, oauth2.SetAuthURLParam("code_challenge", plain), oauth2.SetAuthURLParam("code_challenge_method", "plain"))
		if _, err := conf.Exchange(ctx, c, oauth2.VerifierOption(plain)); err != nil {
			t.Errorf("plain PKCE: %v", err)
		}

		// Expired code: 10 minutes.
		c = code(conf)
		e.clock.Advance(10 * time.Minute)
		_, err = conf.Exchange(ctx, c)
		wantOAuthError(t, err, "invalid_grant")

		// Wrong redirect URI at the token endpoint.
		c = code(conf)
		other := *conf
		other.RedirectURL = "https://app.example/other"
		_, err = other.Exchange(ctx, c)
		wantOAuthError(t, err, "invalid_grant")

		// An unregistered redirect URI is answered on the page, never
		// redirected to.
		res := b.get(other.AuthCodeURL("s"))
		if res.status != 400 || res.location != "" || !strings.Contains(res.body, "redirect_uri is not registered") {
			t.Errorf("unregistered redirect_uri: %d %q %s", res.status, res.location, res.body)
		}

		// Another realm's client is unknown here, at authorize and token.
		foreign := *betaConf
		foreign.Endpoint = conf.Endpoint
		if res := b.get(foreign.AuthCodeURL("s")); res.status != 400 || res.location != "" {
			t.Errorf("beta's client at acme's authorize: %d %q", res.status, res.location)
		}
		c = code(conf)
		_, err = foreign.Exchange(ctx, c)
		wantOAuthError(t, err, "invalid_client")
		// ...and acme's code is unknown at beta's token endpoint.
		_, err = betaConf.Exchange(ctx, c)
		wantOAuthError(t, err, "invalid_grant")

		// Without redirect_uri the only registered one is used, and the
		// token request may leave it out too.
		implicit := *conf
		implicit.RedirectURL = ""
		if _, err := implicit.Exchange(ctx, code(&implicit)); err != nil {
			t.Errorf("no redirect_uri at authorize or token: %v", err)
		}

		// A wrong secret.
		bad := *conf
		bad.ClientSecret = "nope"
		_, err = bad.Exchange(ctx, code(conf))
		wantOAuthError(t, err, "invalid_client")

		// A public client must use PKCE, and sends no secret.
		q := b.authorize(public.AuthCodeURL("s"))
		if q.Get("error") != "invalid_request" || q.Get("state") != "s" || q.Has("code") {
			t.Errorf("public client without PKCE: %v", q)
		}
		v := oauth2.GenerateVerifier()
		public.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		if _, err := public.Exchange(ctx, code(public, oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v)); err != nil {
			t.Errorf("public client with PKCE: %v", err)
		}

		// A scope the client may not have, and an unknown one.
		for _, scope := range []string{"admin", "write"} {
			q := b.authorize(conf.AuthCodeURL("s", oauth2.SetAuthURLParam("scope", scope)))
			if q.Get("error") != "invalid_scope" || q.Has("code") {
				t.Errorf("scope %s: %v", scope, q)
			}
		}

		// Only the authorization_code grant.
		grant := postForm(t, conf.Endpoint.TokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {conf.ClientID}, "client_secret": {conf.ClientSecret}})
		if grant.status != 400 || grant.json["error"] != "unsupported_grant_type" {
			t.Errorf("client_credentials: %d %v", grant.status, grant.json)
		}
	})
}

// TestOAuthRevoke revokes a token (RFC 7009) and checks that only the
// client it was issued to may.
func TestOAuthRevoke(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, conf := e.oauthClient(e.acme, false)
		_, other := e.oauthClient(e.acme, false)
		b := e.browser()
		b.login("acme", "carla@acme.test", password)
		tok, err := conf.Exchange(ctx, b.authorize(conf.AuthCodeURL("s")).Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		revokeURL := strings.Replace(conf.Endpoint.TokenURL, "/token", "/revoke", 1)
		res := postForm(t, revokeURL, url.Values{"token": {tok.AccessToken}, "client_id": {other.ClientID}, "client_secret": {other.ClientSecret}})
		if res.status != 200 {
			t.Errorf("revoke by another client: %d", res.status)
		}
		if status, _ := e.api("/api/v2/users/me.json", tok.AccessToken); status != 200 {
			t.Errorf("another client revoked the token: %d", status)
		}
		res = postForm(t, revokeURL, url.Values{"token": {tok.AccessToken}, "client_id": {conf.ClientID}, "client_secret": {"wrong"}})
		if res.status != 401 || res.json["error"] != "invalid_client" {
			t.Errorf("revoke with a wrong secret: %d %v", res.status, res.json)
		}
		res = postForm(t, revokeURL, url.Values{"token": {tok.AccessToken}, "client_id": {conf.ClientID}, "client_secret": {conf.ClientSecret}})
		if res.status != 200 {
			t.Errorf("revoke: %d %v", res.status, res.json)
		}
		if status, _ := e.api("/api/v2/users/me.json", tok.AccessToken); status != 401 {
			t.Errorf("revoked token: %d", status)
		}
	})
}

// formResponse is a JSON answer to a form post.
type formResponse struct {
	status int
	json   map[string]any
}

func postForm(t *testing.T, u string, form url.Values) formResponse {
	t.Helper()
	res, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := formResponse{status: res.StatusCode}
	json.NewDecoder(res.Body).Decode(&out.json)
	return out
}
