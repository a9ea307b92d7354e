package customers_test

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// The authentication errors Modyo documents, byte for byte.
const (
	userSession  = `{"error":{"user_session":"user not found"}}`
	grantExpired = `{"error":{"grant_expired":"session expired"}}`
)

// TestMeCredentials checks GET me with each credential and every way it
// can fail, on both API generations.
func TestMeCredentials(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		carla := e.signIn(e.acme, e.carla)
		bob := e.signIn(e.beta, e.bob)
		for _, path := range []string{"/api/customers/realms/acme/me", "/api/profile/me"} {
			for name, c := range map[string]cred{"cookie": carla.cookie(), "bearer": carla.bearer()} {
				r := e.do("GET", path, nil, c)
				wantStatus(t, r, http.StatusOK)
				if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("%s %s: Content-Type %q", path, name, ct)
				}
				me := r.json(t)
				if me["id"] != float64(e.carla.ID) || me["email"] != "carla@acme.test" || me["realm_uid"] != "acme" {
					t.Errorf("%s %s: me = %v", path, name, me)
				}
				if v, ok := me["delegated_token"]; !ok || v != nil {
					t.Errorf("%s %s: delegated_token = %v, %v; want a null key", path, name, v, ok)
				}
				keys := slices.Sorted(maps.Keys(me))
				if got := strings.Join(keys, " "); got != "active avatar created_at custom_fields delegated_token email external_id first_name id "+
					"last_login_at last_name locale name phone realm_uid second_last_name tags time_zone unread_notifications_count "+
					"updated_at username uuid verified" {
					t.Errorf("me's keys: %s", got)
				}
			}
		}
		// Bearer first: with both, the token's customer wins.
		dave := e.customer(e.acme, "Dave", "dave@acme.test")
		daveLogin := e.signIn(e.acme, dave)
		r := e.do("GET", "/api/customers/realms/acme/me", nil, carla.cookie(), daveLogin.bearer())
		wantStatus(t, r, http.StatusOK)
		if me := r.json(t); me["id"] != float64(dave.ID) {
			t.Errorf("cookie and bearer: me = %v, want dave", me["id"])
		}
		// A token the realm does not know falls back to the cookie.
		r = e.do("GET", "/api/customers/realms/acme/me", nil, carla.cookie(), bearerCred("unknown"))
		wantStatus(t, r, http.StatusOK)

		// The second realm's credentials are nobody in the first.
		for name, c := range map[string]cred{"nothing": func(*http.Request) {}, "unknown token": bearerCred("nope"),
			"beta's token": bob.bearer(), "beta's cookie": bob.cookie(), "cookie of the wrong realm": func(r *http.Request) {
				r.AddCookie(&http.Cookie{Name: "clientele_session_acme", Value: bob.secret})
			}} {
			t.Run(name, func(t *testing.T) {
				r := e.do("GET", "/api/customers/realms/acme/me", nil, c)
				wantStatus(t, r, http.StatusUnauthorized)
				wantBody(t, r, userSession)
			})
		}
		// On the legacy path, beta's credentials name beta's customer.
		r = e.do("GET", "/api/profile/me", nil, bob.bearer())
		wantStatus(t, r, http.StatusOK)
		if me := r.json(t); me["id"] != float64(e.bob.ID) || me["realm_uid"] != "beta" {
			t.Errorf("legacy me with beta's token = %v", me)
		}
		wantBody(t, e.do("GET", "/api/profile/me", nil), userSession)

		// An unknown realm is 404 {} whatever the credential.
		r = e.do("GET", "/api/customers/realms/nowhere/me", nil, carla.bearer())
		wantStatus(t, r, http.StatusNotFound)
		wantBody(t, r, `{}`)

		// A session that ended makes both credentials grant_expired.
		if err := e.signin.Logout(context.Background(), e.acme.ID, carla.secret, directory.Client{}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []cred{carla.cookie(), carla.bearer()} {
			r := e.do("GET", "/api/customers/realms/acme/me", nil, c)
			wantStatus(t, r, http.StatusUnauthorized)
			wantBody(t, r, grantExpired)
			r = e.do("GET", "/api/profile/me", nil, c)
			wantStatus(t, r, http.StatusUnauthorized)
			wantBody(t, r, grantExpired)
		}
		// So does one past its lifetime (two weeks by default).
		e.clock.Advance(15 * 24 * time.Hour)
		r = e.do("GET", "/api/customers/realms/acme/me", nil, daveLogin.bearer())
		wantStatus(t, r, http.StatusUnauthorized)
		wantBody(t, r, grantExpired)

		// A deleted customer with a live session is not found.
		erin := e.customer(e.acme, "Erin", "erin@acme.test")
		erinLogin := e.signIn(e.acme, erin)
		if _, err := e.svc.DeleteUser(context.Background(), directory.Operator(e.acme.ID), erin.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []cred{erinLogin.cookie(), erinLogin.bearer()} {
			r := e.do("GET", "/api/customers/realms/acme/me", nil, c)
			wantStatus(t, r, http.StatusUnauthorized)
			wantBody(t, r, userSession)
		}
	})
}

// TestDelegatedToken checks me's delegated_token: the provider's token
// with the seconds left and the absolute expiry when the provider shows
// delegation information, null when it does not.
func TestDelegatedToken(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		idp := func(uid string, show bool) *directory.IdentityProvider {
			p, err := e.signin.CreateIdP(ctx, e.acme.ID, directory.IdPInput{UID: uid, Name: uid, Issuer: "https://idp.example/" + uid,
				ClientID: "clientele", ClientSecret: "s3cret", Scopes: []string{"openid", "email"}, AuthMethod: directory.IdPAuthBasic,
				ShowDelegation: show})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		signIn := func(p *directory.IdentityProvider, subject, email, token string) string {
			u, secret, err := e.signin.SignInExternal(ctx, e.acme, p, directory.ExternalIdentity{Subject: subject, Email: email,
				EmailVerified: true, Name: subject}, directory.ProviderTokens{AccessToken: token, RefreshToken: "r-" + token,
				ExpiresIn: 300 * time.Second}, directory.Client{UserAgent: "test"})
			if err != nil || u == nil {
				t.Fatal(u, err)
			}
			return secret
		}
		corp := idp("corp", true)
		quiet := idp("quiet", false)
		secret := signIn(corp, "sub-1", "carla@acme.test", "eyJ.provider.token")
		cookie := func(secret string) cred {
			return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "clientele_session_acme", Value: secret}) }
		}
		e.clock.Advance(100 * time.Second)
		r := e.do("GET", "/api/customers/realms/acme/me", nil, cookie(secret))
		wantStatus(t, r, http.StatusOK)
		d, ok := r.json(t)["delegated_token"].(map[string]any)
		if !ok {
			t.Fatalf("delegated_token = %s", r.body)
		}
		if d["access_token"] != "eyJ.provider.token" || d["access_token_expires_in"] != float64(200) ||
			d["access_token_expires_in_datetime"] != "2024-05-06T07:13:09.000+00:00" || d["uuid"] == "" || len(d) != 4 {
			t.Errorf("delegated_token = %v", d)
		}
		// The same on the legacy path, and through a bearer token of the
		// same session.
		sess, _, err := e.signin.Session(ctx, e.acme.ID, secret)
		if err != nil {
			t.Fatal(err)
		}
		token, err := e.signin.IssueSessionToken(ctx, sess, []string{"public"})
		if err != nil {
			t.Fatal(err)
		}
		r = e.do("GET", "/api/profile/me", nil, bearerCred(token))
		wantStatus(t, r, http.StatusOK)
		if d, _ := r.json(t)["delegated_token"].(map[string]any); d == nil || d["access_token"] != "eyJ.provider.token" {
			t.Errorf("legacy delegated_token = %s", r.body)
		}

		// A provider that does not show delegation: null.
		secret = signIn(quiet, "sub-2", "quiet@acme.test", "hidden-token")
		r = e.do("GET", "/api/customers/realms/acme/me", nil, cookie(secret))
		wantStatus(t, r, http.StatusOK)
		if v, ok := r.json(t)["delegated_token"]; !ok || v != nil {
			t.Errorf("delegated_token without show delegation = %v", v)
		}
		if strings.Contains(string(r.body), "hidden-token") {
			t.Errorf("the hidden provider token leaked: %s", r.body)
		}
	})
}

// TestDeletedRealm checks that a deleted realm's customer credentials are
// nobody's: 404 {} on the realm's paths, 401 user_session on the legacy
// ones, and the other realm unaffected.
func TestDeletedRealm(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		carla := e.signIn(e.acme, e.carla)
		bob := e.signIn(e.beta, e.bob)
		if err := e.signin.DeleteRealm(context.Background(), "acme"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []cred{carla.bearer(), carla.cookie()} {
			r := e.do("GET", "/api/customers/realms/acme/me", nil, c)
			wantStatus(t, r, http.StatusNotFound)
			wantBody(t, r, `{}`)
			r = e.do("GET", "/api/profile/me", nil, c)
			wantStatus(t, r, http.StatusUnauthorized)
			wantBody(t, r, userSession)
		}
		wantStatus(t, e.do("GET", "/api/profile/me", nil, bob.bearer()), http.StatusOK)
	})
}
