package realmweb_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// startProvider runs a real OpenID provider (zitadel/oidc's op package,
// with its example storage and login page) in the test process, with a
// client "clientele" whose redirect URIs are the realms' callbacks.
func startProvider(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	storage.RegisterClients(storage.WebClient("clientele", "s3cret",
		e.srv.URL+"/realms/acme/auth/openidc/callback", e.srv.URL+"/realms/beta/auth/openidc/callback"))
	op := exampleop.SetupServer(issuer, storage.NewStorage(storage.NewUserStore(issuer)),
		slog.New(slog.DiscardHandler), false)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: op}}
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}

var opLoginID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// providerLogin follows a login at the provider from our start URL to our
// callback, signing in as the provider's test user, and returns the
// callback's response.
func (b *browser) providerLogin(start string) *response {
	t := b.e.t
	t.Helper()
	res := b.get(start)
	cur, _ := url.Parse(b.e.srv.URL + start)
	ours, _ := url.Parse(b.e.srv.URL)
	for hops := 0; res.status == http.StatusFound || res.status == http.StatusSeeOther; hops++ {
		if hops > 10 {
			t.Fatalf("too many redirects at %q", res.location)
		}
		next, err := cur.Parse(res.location)
		if err != nil {
			t.Fatal(err)
		}
		if next.Host == ours.Host {
			return b.get(next.String())
		}
		cur = next
		res = b.get(next.String())
		if res.status == 200 && strings.Contains(res.body, `name="username"`) {
			m := opLoginID.FindStringSubmatch(res.body)
			if m == nil {
				t.Fatalf("provider login page without id: %s", res.body)
			}
			req, _ := http.NewRequest("POST", next.Scheme+"://"+next.Host+"/login/username", strings.NewReader(url.Values{
				"id": {m[1]}, "username": {"test-user@" + next.Hostname()}, "password": {"verysecure"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res = b.do(req)
		}
	}
	t.Fatalf("the provider flow ended at %d: %s", res.status, res.body)
	return nil
}

func (e *env) idp(realm *directory.Realm, uid, issuer string, refresh bool) *directory.IdentityProvider {
	e.t.Helper()
	p, err := e.signin.CreateIdP(context.Background(), realm.ID, directory.IdPInput{UID: uid, Name: "Corp ID", Issuer: issuer,
		ClientID: "clientele", ClientSecret: "s3cret", Scopes: []string{"openid", "email", "profile", "offline_access"}, PKCE: "S256",
		ClaimsMapping: map[string]string{"given_name": "first_name", "family_name": "last_name"},
		EnableRefresh: refresh, RefreshAnticipation: 60 * time.Second, ShowDelegation: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestOIDCLogin signs in through a real OpenID provider: the first login
// creates the customer, the second finds them by the provider's subject,
// the provider's tokens are kept sealed and refreshed before they expire.
func TestOIDCLogin(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		issuer := startProvider(t, e)
		p := e.idp(e.acme, "corp", issuer, true)

		b := e.browser()
		login := b.get("/realms/acme/login?redirect_uri=%2Frealms%2Facme%2Fprofile")
		if !strings.Contains(login.body, `href="/realms/acme/auth/openidc/corp?redirect_uri=%2Frealms%2Facme%2Fprofile"`) || !strings.Contains(login.body, "Sign in with Corp ID") {
			t.Fatalf("no provider button: %s", login.body)
		}
		res := b.providerLogin("/realms/acme/auth/openidc/corp?redirect_uri=%2Frealms%2Facme%2Fpassword%2Fchange")
		if res.status != http.StatusSeeOther || res.location != "/realms/acme/password/change" {
			t.Fatalf("callback: %d %q %s", res.status, res.location, res.body)
		}
		if b.sessionCookie("acme") == nil {
			t.Fatal("no session cookie after the provider login")
		}
		u, err := e.store.UserByIdentity(ctx, e.acme.ID, directory.IdentityEmail, "test-user@zitadel.ch")
		if err != nil {
			t.Fatalf("customer not created: %v", err)
		}
		if u.Name != "Test User" || u.FirstName != "Test" || u.LastName != "User" || !u.Verified || u.Role != directory.RoleEndUser || u.PasswordHash != "" {
			t.Errorf("created customer: %+v", u)
		}
		if page := b.get("/realms/acme/profile"); page.status != 200 || !strings.Contains(page.body, "test-user@zitadel.ch") {
			t.Errorf("profile: %d", page.status)
		}

		sess, err := e.store.SessionByHash(ctx, e.acme.ID, directory.HashSecret(b.sessionCookie("acme").Value))
		if err != nil || sess.Method != directory.MethodOpenIDC {
			t.Fatalf("session: %+v %v", sess, err)
		}
		d, err := e.signin.Delegated(ctx, sess)
		if err != nil {
			t.Fatal(err)
		}
		if d.AccessToken == "" || d.RefreshToken == "" || d.UUID == "" || d.IdP.ID != p.ID {
			t.Errorf("delegated token: %+v", d)
		}
		if left := d.ExpiresAt.Sub(e.clock.Now()); left < 4*time.Minute || left > 6*time.Minute {
			t.Errorf("delegated token expires in %s, want about 5m", left)
		}
		stored, _ := e.store.DelegatedTokenBySession(ctx, e.acme.ID, sess.ID)
		if strings.Contains(stored.SealedAccessToken, d.AccessToken) || strings.Contains(stored.SealedRefreshToken, d.RefreshToken) {
			t.Errorf("tokens stored in the clear")
		}

		// Active within the anticipation window: the token is refreshed.
		e.clock.Advance(d.ExpiresAt.Sub(e.clock.Now()) - 30*time.Second)
		if page := b.get("/realms/acme/profile"); page.status != 200 {
			t.Fatalf("profile: %d", page.status)
		}
		d2, err := e.signin.Delegated(ctx, sess)
		if err != nil {
			t.Fatal(err)
		}
		if d2.AccessToken == d.AccessToken || !d2.ExpiresAt.After(d.ExpiresAt) || d2.UUID != d.UUID {
			t.Errorf("not refreshed: before %+v after %+v", d, d2)
		}

		// A second login finds the same customer.
		n, _ := e.store.CountUsers(ctx, e.acme.ID, directory.UserFilter{})
		if res := e.browser().providerLogin("/realms/acme/auth/openidc/corp"); res.status != http.StatusSeeOther || res.location != "/realms/acme/profile" {
			t.Fatalf("second login: %d %q", res.status, res.location)
		}
		if n2, _ := e.store.CountUsers(ctx, e.acme.ID, directory.UserFilter{}); n2 != n {
			t.Errorf("second login made a new user: %d -> %d", n, n2)
		}
		events := e.events(e.acme)
		var logins int
		for _, ev := range events {
			if ev.Type == directory.EventLogin && ev.Method == directory.MethodOpenIDC && ev.UserID == u.ID {
				logins++
			}
		}
		if logins != 2 {
			t.Errorf("openidc login events = %d: %+v", logins, events)
		}

		// A state is used once.
		if res := b.get("/realms/acme/auth/openidc/callback?state=nope&code=x"); res.status != 400 || !strings.Contains(res.body, "expired or was already used") {
			t.Errorf("unknown state: %d %s", res.status, res.body)
		}
	})
}

// TestOIDCMatchAndDown matches an existing customer by verified email,
// and answers a provider that is down with a clear page.
func TestOIDCMatchAndDown(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		issuer := startProvider(t, e)
		e.idp(e.beta, "corp", issuer, false)
		known := e.customer(e.beta, "Known Person", "test-user@zitadel.ch")
		res := e.browser().providerLogin("/realms/beta/auth/openidc/corp")
		if res.status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", res.status, res.body)
		}
		if n, _ := e.store.CountUsers(ctx, e.beta.ID, directory.UserFilter{}); n != 2 {
			t.Errorf("beta users = %d, want the 2 there were", n)
		}
		u, _ := e.store.UserByID(ctx, e.beta.ID, known.ID)
		if u.FirstName != "Test" {
			t.Errorf("claims not synced to the matched customer: %+v", u)
		}
		// Acme has no such provider.
		if res := e.browser().get("/realms/acme/auth/openidc/corp"); res.status != 404 {
			t.Errorf("beta's provider in acme: %d", res.status)
		}

		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		down := "http://" + ln.Addr().String()
		ln.Close()
		e.idp(e.acme, "down", down, false)
		res = e.browser().get("/realms/acme/auth/openidc/down")
		if res.status != http.StatusBadGateway || !strings.Contains(res.body, "We could not reach Corp ID") {
			t.Errorf("provider down: %d %s", res.status, res.body)
		}
		types := eventTypes(e.events(e.acme))
		if len(types) != 1 || types[0] != directory.EventIdPSyncFailed {
			t.Errorf("events: %v", types)
		}
	})
}
