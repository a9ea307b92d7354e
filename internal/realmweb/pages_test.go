package realmweb_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// TestSignupLoginLogout walks a new customer through signup, activation,
// the profile, logout, a wrong password and a good login, checking the
// pages, the cookie, the stored user, the outbox and the events.
func TestSignupLoginLogout(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		b := e.browser()
		page := b.get("/realms/acme/signup")
		if page.status != 200 || !strings.Contains(page.body, `<label for="password">Password</label>`) ||
			!strings.Contains(page.body, `name="viewport"`) || strings.Contains(page.body, "https://") {
			t.Fatalf("signup page: %d %s", page.status, page.body)
		}

		// A short password and a taken email: both reported, nothing stored.
		res := b.submit("/realms/acme/signup", "/realms/acme/signup", url.Values{"name": {"Dana"}, "email": {"carla@acme.test"}, "password": {"short"}})
		if res.status != 422 || !strings.Contains(res.body, "Password must be at least 8 characters") {
			t.Errorf("short password: %d %s", res.status, res.body)
		}
		res = b.submit("/realms/acme/signup", "/realms/acme/signup", url.Values{"name": {"Dana"}, "email": {"carla@acme.test"}, "password": {"long enough"}})
		if res.status != 422 || !strings.Contains(res.body, "Email") || !strings.Contains(res.body, `value="carla@acme.test"`) {
			t.Errorf("taken email: %d %s", res.status, res.body)
		}
		if n, _ := e.store.CountUsers(ctx, e.acme.ID, directory.UserFilter{}); n != 1 {
			t.Errorf("users after failed signups = %d, want 1", n)
		}

		res = b.submit("/realms/acme/signup", "/realms/acme/signup", url.Values{"name": {"Dana Doe"}, "email": {"Dana@Example.com"}, "password": {"long enough"}})
		if res.status != http.StatusSeeOther || res.location != "/realms/acme/profile" {
			t.Fatalf("signup: %d %q %s", res.status, res.location, res.body)
		}
		setCookie := res.header.Get("Set-Cookie")
		for _, want := range []string{"clientele_session_acme=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(setCookie, want) {
				t.Errorf("session cookie %q lacks %s", setCookie, want)
			}
		}
		if strings.Contains(setCookie, "Secure") {
			t.Errorf("session cookie is Secure over plain http: %q", setCookie)
		}
		dana, err := e.store.UserByIdentity(ctx, e.acme.ID, directory.IdentityEmail, "dana@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if dana.Role != directory.RoleEndUser || dana.Name != "Dana Doe" || !strings.HasPrefix(dana.PasswordHash, "$argon2id$") || dana.Verified {
			t.Errorf("stored user: %+v", dana)
		}
		// The stored session holds a hash, never the cookie's secret.
		if _, err := e.store.SessionByHash(ctx, e.acme.ID, b.sessionCookie("acme").Value); directory.KindOf(err) != directory.KindNotFound {
			t.Errorf("session found by its raw secret: %v", err)
		}

		page = b.get("/realms/acme/profile")
		if page.status != 200 || !strings.Contains(page.body, "Dana Doe") || !strings.Contains(page.body, "dana@example.com") {
			t.Errorf("profile: %d %s", page.status, page.body)
		}

		// The activation mail waits in the outbox; its link verifies.
		mails := e.outbox(e.acme)
		if len(mails) != 1 || mails[0].To != "dana@example.com" || !strings.Contains(mails[0].Subject, "Activate") || !mails[0].SentAt.IsZero() {
			t.Fatalf("outbox: %+v", mails)
		}
		if res := b.get(e.mailLink(mails[0])); res.status != 200 || !strings.Contains(res.body, "confirmed") {
			t.Errorf("activation: %d %s", res.status, res.body)
		}
		if u, _ := e.store.UserByID(ctx, e.acme.ID, dana.ID); !u.Verified {
			t.Errorf("not verified after activation")
		}
		if res := b.get(e.mailLink(mails[0])); res.status != 404 {
			t.Errorf("activation link used twice: %d", res.status)
		}

		// Logout goes to the login page and ends the session.
		res = b.submit("/realms/acme/profile", "/realms/acme/logout", url.Values{})
		if res.status != http.StatusSeeOther || res.location != "/realms/acme/login" {
			t.Errorf("logout: %d %q", res.status, res.location)
		}
		if res := b.get("/realms/acme/profile"); res.status != http.StatusSeeOther || res.location != "/realms/acme/login?redirect_uri=%2Frealms%2Facme%2Fprofile" {
			t.Errorf("profile after logout: %d %q", res.status, res.location)
		}

		res = b.login("acme", "dana@example.com", "wrong password")
		if res.status != 401 || !strings.Contains(res.body, "Invalid email or password") || b.sessionCookie("acme") != nil {
			t.Errorf("wrong password: %d %s", res.status, res.body)
		}
		res = b.login("acme", "DANA@example.com", "long enough")
		if res.status != http.StatusSeeOther || res.location != "/realms/acme/profile" {
			t.Errorf("login: %d %q %s", res.status, res.location, res.body)
		}
		if res := b.get("/realms/acme/login"); res.status != http.StatusSeeOther {
			t.Errorf("login page while signed in: %d, want a redirect", res.status)
		}

		events := e.events(e.acme)
		if diff := cmp.Diff([]string{directory.EventSignup, directory.EventLogout, directory.EventLoginFailed, directory.EventLogin}, eventTypes(events)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		for _, ev := range events {
			if ev.UserID != dana.ID || ev.Method != directory.MethodDirect || ev.UserAgent != "test-browser/1.0" || ev.IP == "" {
				t.Errorf("event %+v", ev)
			}
		}
		if got := e.events(e.beta); len(got) != 0 {
			t.Errorf("beta saw acme's events: %+v", got)
		}
	})
}

// TestCSRF refuses forms without the page's token, with a wrong one, and
// cross-origin posts, and changes nothing.
func TestCSRF(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser()
		form := url.Values{"email": {"carla@acme.test"}, "password": {password}}
		if res := b.post("/realms/acme/login", form); res.status != 403 || !strings.Contains(res.body, "expired") {
			t.Errorf("no token, no cookie: %d %s", res.status, res.body)
		}
		b.get("/realms/acme/login") // sets the CSRF cookie
		form.Set("csrf_token", strings.Repeat("x", 43))
		if res := b.post("/realms/acme/login", form); res.status != 403 {
			t.Errorf("wrong token: %d", res.status)
		}
		// The right token from another site's page is still refused.
		m := csrfRe.FindStringSubmatch(b.get("/realms/acme/login").body)
		form.Set("csrf_token", m[1])
		req, _ := http.NewRequest("POST", e.srv.URL+"/realms/acme/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res := b.do(req); res.status != 403 {
			t.Errorf("cross-site post: %d", res.status)
		}
		if b.sessionCookie("acme") != nil || len(e.events(e.acme)) != 0 {
			t.Errorf("a refused form signed in or left events: %+v", e.events(e.acme))
		}
		// A signed-in customer's password change needs the token too.
		if res := b.login("acme", "carla@acme.test", password); res.status != http.StatusSeeOther {
			t.Fatalf("login: %d", res.status)
		}
		res := b.post("/realms/acme/password/change", url.Values{"current_password": {password}, "password": {"new password 1"}, "password_confirmation": {"new password 1"}})
		if res.status != 403 {
			t.Errorf("password change without token: %d", res.status)
		}
		if res := e.browser().login("acme", "carla@acme.test", password); res.status != http.StatusSeeOther {
			t.Errorf("password changed without a CSRF token: old password gives %d", res.status)
		}
		// With the token it changes.
		res = b.submit("/realms/acme/password/change", "/realms/acme/password/change",
			url.Values{"current_password": {password}, "password": {"new password 1"}, "password_confirmation": {"new password 1"}})
		if res.status != 200 || !strings.Contains(res.body, "Password changed") {
			t.Errorf("password change: %d %s", res.status, res.body)
		}
		if res := e.browser().login("acme", "carla@acme.test", "new password 1"); res.status != http.StatusSeeOther {
			t.Errorf("new password: %d", res.status)
		}
	})
}

// TestPasswordReset requests a reset through the page, follows the
// outbox's link, sets a new password once, and checks that old sessions
// end, the old password fails and the link expires after 3 days.
func TestPasswordReset(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		other := e.browser()
		if res := other.login("acme", "carla@acme.test", password); res.status != http.StatusSeeOther {
			t.Fatalf("login: %d", res.status)
		}
		b := e.browser()
		notice := "If an account uses that email"
		res := b.submit("/realms/acme/password", "/realms/acme/password", url.Values{"email": {"nobody@acme.test"}})
		if res.status != 200 || !strings.Contains(res.body, notice) || len(e.outbox(e.acme)) != 0 {
			t.Errorf("unknown email: %d %s", res.status, res.body)
		}
		res = b.submit("/realms/acme/password", "/realms/acme/password", url.Values{"email": {"Carla@acme.test"}})
		if res.status != 200 || !strings.Contains(res.body, notice) {
			t.Errorf("reset request: %d %s", res.status, res.body)
		}
		mails := e.outbox(e.acme)
		if len(mails) != 1 || mails[0].To != "carla@acme.test" || len(e.outbox(e.beta)) != 0 {
			t.Fatalf("outbox: %+v", mails)
		}
		link := e.mailLink(mails[0])
		if !strings.HasPrefix(link, "/realms/acme/password/reset/") {
			t.Fatalf("link %q", link)
		}
		// The link belongs to acme: beta does not know it.
		if res := b.get(strings.Replace(link, "/acme/", "/beta/", 1)); res.status != 404 {
			t.Errorf("acme's link in beta: %d", res.status)
		}
		res = b.submit(link, link, url.Values{"password": {"brand new pw"}, "password_confirmation": {"other pw 123"}})
		if res.status != 422 || !strings.Contains(res.body, "doesn&#39;t match") {
			t.Errorf("mismatch: %d %s", res.status, res.body)
		}
		res = b.submit(link, link, url.Values{"password": {"brand new pw"}, "password_confirmation": {"brand new pw"}})
		if res.status != 200 || !strings.Contains(res.body, "Password changed") {
			t.Fatalf("reset: %d %s", res.status, res.body)
		}
		if res := other.get("/realms/acme/profile"); res.status != http.StatusSeeOther {
			t.Errorf("a session from before the reset still works: %d", res.status)
		}
		if res := b.get(link); res.status != 404 || !strings.Contains(res.body, "invalid or has expired") {
			t.Errorf("used link: %d %s", res.status, res.body)
		}
		if res := b.login("acme", "carla@acme.test", password); res.status != 401 {
			t.Errorf("old password: %d", res.status)
		}
		if res := b.login("acme", "carla@acme.test", "brand new pw"); res.status != http.StatusSeeOther {
			t.Errorf("new password: %d", res.status)
		}
		if res := e.browser().login("beta", "carla@acme.test", password); res.status != http.StatusSeeOther {
			t.Errorf("beta's customer with the same email lost their password: %d", res.status)
		}
		if types := eventTypes(e.events(e.acme)); !contains(types, directory.EventPasswordReset) {
			t.Errorf("no password reset event: %v", types)
		}

		// A link is good for 3 days; a minute must pass between two mails.
		b.submit("/realms/acme/password", "/realms/acme/password", url.Values{"email": {"carla@acme.test"}})
		if n := len(e.outbox(e.acme)); n != 1 {
			t.Errorf("a second reset mail within a minute: %d mails", n)
		}
		e.clock.Advance(time.Minute)
		b.submit("/realms/acme/password", "/realms/acme/password", url.Values{"email": {"carla@acme.test"}})
		link = e.mailLink(e.outbox(e.acme)[0])
		e.clock.Advance(3*24*time.Hour - time.Second)
		if res := b.get(link); res.status != 200 {
			t.Errorf("link before 3 days: %d", res.status)
		}
		e.clock.Advance(time.Second)
		if res := b.get(link); res.status != 404 {
			t.Errorf("link after 3 days: %d", res.status)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestSessionExpiry ends sessions at the realm's idle timeout and at its
// lifetime, whatever the use.
func TestSessionExpiry(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		err := e.signin.SetSettings(context.Background(), e.acme.ID, directory.SigninSettings{SignupEnabled: true,
			SessionLifetime: 15 * time.Minute, IdleTimeout: 5 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.signin.SetSettings(context.Background(), e.acme.ID, directory.SigninSettings{SessionLifetime: time.Minute}); directory.KindOf(err) != directory.KindInvalid {
			t.Errorf("a 1-minute lifetime was accepted: %v", err)
		}
		b := e.browser()
		b.login("acme", "carla@acme.test", password)
		// Used every 4 minutes, it outlives the idle timeout...
		for range 3 {
			e.clock.Advance(4 * time.Minute)
			if res := b.get("/realms/acme/profile"); res.status != 200 {
				t.Fatalf("profile at %s: %d", e.clock.Now(), res.status)
			}
		}
		// ...but not its 15-minute lifetime.
		e.clock.Advance(3 * time.Minute)
		if res := b.get("/realms/acme/profile"); res.status != http.StatusSeeOther {
			t.Errorf("profile after the lifetime: %d", res.status)
		}

		b = e.browser()
		b.login("acme", "carla@acme.test", password)
		e.clock.Advance(5 * time.Minute)
		if res := b.get("/realms/acme/profile"); res.status != http.StatusSeeOther {
			t.Errorf("profile after 5 idle minutes: %d", res.status)
		}
	})
}

// TestLoginBackoff holds an account back after five failures in a row,
// even with the right password, and lets it in once the wait is over.
func TestLoginBackoff(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser()
		for i := range 5 {
			if res := b.login("acme", "carla@acme.test", "wrong"); res.status != 401 {
				t.Fatalf("failure %d: %d", i, res.status)
			}
		}
		res := b.login("acme", "carla@acme.test", password)
		if res.status != 429 || !strings.Contains(res.body, "Too many failed logins") {
			t.Errorf("sixth attempt: %d %s", res.status, res.body)
		}
		// Beta's customer with the same email is not held back.
		if res := e.browser().login("beta", "carla@acme.test", password); res.status != http.StatusSeeOther {
			t.Errorf("beta held back by acme's failures: %d", res.status)
		}
		e.clock.Advance(30 * time.Second)
		if res := b.login("acme", "carla@acme.test", password); res.status != http.StatusSeeOther {
			t.Errorf("after the wait: %d %s", res.status, res.body)
		}
		// A success starts the count afresh.
		if res := e.browser().login("acme", "carla@acme.test", "wrong"); res.status != 401 {
			t.Errorf("after a success: %d", res.status)
		}
	})
}

// TestRedirects follows redirect_uri and redirect_to only to relative
// paths and the realm's allowed origins.
func TestRedirects(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		err := e.signin.SetSettings(context.Background(), e.acme.ID, directory.SigninSettings{SignupEnabled: true,
			SessionLifetime: time.Hour, AllowedOrigins: []string{"https://shop.example"}})
		if err != nil {
			t.Fatal(err)
		}
		for target, want := range map[string]string{
			"/realms/acme/password/change":    "/realms/acme/password/change",
			"https://shop.example/cart?x=1":   "https://shop.example/cart?x=1",
			"https://evil.example/":           "/realms/acme/profile",
			"//evil.example/":                 "/realms/acme/profile",
			"https://shop.example.evil.test/": "/realms/acme/profile",
			"/\\evil.example":                 "/realms/acme/profile",
			"javascript:alert(1)":             "/realms/acme/profile",
		} {
			b := e.browser()
			res := b.submit("/realms/acme/login?redirect_uri="+url.QueryEscape(target), "/realms/acme/login",
				url.Values{"email": {"carla@acme.test"}, "password": {password}, "redirect_uri": {target}})
			if res.status != http.StatusSeeOther || res.location != want {
				t.Errorf("login redirect_uri=%q: %d %q, want %q", target, res.status, res.location, want)
			}
			res = b.get("/realms/acme/logout?redirect_to=" + url.QueryEscape(target))
			if strings.HasSuffix(want, "/profile") {
				want = "/realms/acme/login"
			}
			if res.status != http.StatusSeeOther || res.location != want {
				t.Errorf("logout redirect_to=%q: %d %q, want %q", target, res.status, res.location, want)
			}
		}
	})
}

// TestRealmSwitchesAndIsolation closes signup for one realm, and keeps
// realms apart: an unknown realm is a 404, a session of one realm means
// nothing in another.
func TestRealmSwitchesAndIsolation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if err := e.signin.SetSettings(ctx, e.beta.ID, directory.SigninSettings{SignupEnabled: false, SessionLifetime: time.Hour}); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		if res := b.get("/realms/beta/signup"); res.status != 404 || !strings.Contains(res.body, "does not accept new sign-ups") {
			t.Errorf("closed signup page: %d %s", res.status, res.body)
		}
		if res := b.submit("/realms/beta/login", "/realms/beta/signup", url.Values{"name": {"X"}, "email": {"x@beta.test"}, "password": {"long enough"}}); res.status != 404 {
			t.Errorf("closed signup post: %d", res.status)
		}
		if strings.Contains(b.get("/realms/beta/login").body, "Create an account") {
			t.Errorf("the login page of a closed realm offers signup")
		}
		if n, _ := e.store.CountUsers(ctx, e.beta.ID, directory.UserFilter{}); n != 1 {
			t.Errorf("beta users = %d", n)
		}
		if res := b.get("/realms/nowhere/login"); res.status != 404 {
			t.Errorf("unknown realm: %d", res.status)
		}
		// Acme's session cookie, replayed as beta's, is unknown there.
		b.login("acme", "carla@acme.test", password)
		stolen := b.sessionCookie("acme")
		req, _ := http.NewRequest("GET", e.srv.URL+"/realms/beta/profile", nil)
		req.AddCookie(&http.Cookie{Name: "clientele_session_beta", Value: stolen.Value})
		if res := e.browser().do(req); res.status != http.StatusSeeOther {
			t.Errorf("acme's session in beta: %d", res.status)
		}
	})
}
