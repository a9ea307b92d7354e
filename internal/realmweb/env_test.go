package realmweb_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/enginetest"
	"github.com/clientele/clientele/internal/realmweb"
	"github.com/clientele/clientele/internal/server"
	"github.com/clientele/clientele/internal/zendesk"
)

// TestMain drops the PostgreSQL schema the tests share once they end.
func TestMain(m *testing.M) { enginetest.Main(m) }

// eachEngine runs fn on every engine, one after the other.
func eachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range enginetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) { fn(t, newEnv(t, eng)) })
	}
}

// env is the whole server (realm pages and /api/v2) over a fresh store
// with two realms, acme and beta, each with a customer who has a password.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	store  directory.Store
	svc    *directory.Service
	signin *directory.Signin
	clock  *enginetest.Clock
	acme   *directory.Realm
	beta   *directory.Realm
	carla  *directory.User // acme's customer, password "correct horse"
	bob    *directory.User // beta's customer, same email and password
}

const password = "correct horse"

func newEnv(t *testing.T, eng enginetest.Engine) *env {
	t.Helper()
	ctx := context.Background()
	store := eng.Open(t)
	c := enginetest.NewClock()
	svc := directory.NewService(store, directory.ServiceOptions{Now: c.Now})
	sealer, err := auth.NewSealer("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	signin := directory.NewSignin(svc, directory.SigninOptions{Passwords: auth.Argon2id{}, Sealer: sealer})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := server.NewHandler(server.Config{
		Logger: log, DB: store,
		Zendesk: zendesk.NewHandler(zendesk.Config{Service: svc, Authenticator: auth.NewAuthenticator(store, c.Now), Logger: log, RateLimit: 100000, Now: c.Now}),
		Realms:  realmweb.NewHandler(realmweb.Config{Signin: signin, Logger: log, OIDC: auth.NewOIDC(signin, nil)}),
	})
	e := &env{t: t, store: store, svc: svc, signin: signin, clock: c}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	if e.acme, err = svc.CreateRealm(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	if e.beta, err = svc.CreateRealm(ctx, "beta", "Beta"); err != nil {
		t.Fatal(err)
	}
	e.carla = e.customer(e.acme, "Carla Customer", "carla@acme.test")
	e.bob = e.customer(e.beta, "Bob Beta", "carla@acme.test")
	return e
}

// customer creates an end user with the test password.
func (e *env) customer(realm *directory.Realm, name, email string) *directory.User {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.svc.CreateUser(ctx, directory.Operator(realm.ID), directory.UserInput{Name: &name, Email: &email})
	if err != nil {
		e.t.Fatal(err)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SetPasswordHash(ctx, realm.ID, u.ID, hash); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// browser is a client with a cookie jar that does not follow redirects,
// so tests see every hop.
type browser struct {
	e   *env
	c   *http.Client
	jar *cookiejar.Jar
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a finished response.
type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (b *browser) do(req *http.Request) *response {
	b.e.t.Helper()
	req.Header.Set("User-Agent", "test-browser/1.0")
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return &response{status: res.StatusCode, body: string(body), location: res.Header.Get("Location"), header: res.Header}
}

// get fetches a path (or an absolute URL).
func (b *browser) get(path string) *response {
	b.e.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = b.e.srv.URL + path
	}
	req, _ := http.NewRequest("GET", path, nil)
	return b.do(req)
}

// post submits a form as it is, without adding a CSRF token.
func (b *browser) post(path string, form url.Values) *response {
	b.e.t.Helper()
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit loads the page at path, as a person would, and posts form to
// action with the page's CSRF token.
func (b *browser) submit(path, action string, form url.Values) *response {
	b.e.t.Helper()
	page := b.get(path)
	m := csrfRe.FindStringSubmatch(page.body)
	if m == nil {
		b.e.t.Fatalf("GET %s: %d, no CSRF token in %s", path, page.status, page.body)
	}
	form.Set("csrf_token", m[1])
	return b.post(action, form)
}

// login signs in through the login page.
func (b *browser) login(realm, email, pw string) *response {
	return b.submit("/realms/"+realm+"/login", "/realms/"+realm+"/login", url.Values{"email": {email}, "password": {pw}})
}

// sessionCookie returns the browser's session cookie of realm, or nil.
func (b *browser) sessionCookie(realm string) *http.Cookie {
	u, _ := url.Parse(b.e.srv.URL + "/realms/" + realm + "/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == auth.SessionCookie(realm) {
			return c
		}
	}
	return nil
}

// events returns the realm's event types, oldest first.
func (e *env) events(realm *directory.Realm) []directory.Event {
	e.t.Helper()
	events, err := e.store.ListEvents(context.Background(), realm.ID, 0, directory.EventQuery{Page: directory.Page{Limit: 100}})
	if err != nil {
		e.t.Fatal(err)
	}
	return events
}

func eventTypes(events []directory.Event) []string {
	var out []string
	for _, ev := range events {
		out = append(out, ev.Type)
	}
	return out
}

// outbox returns the realm's mails, newest first.
func (e *env) outbox(realm *directory.Realm) []directory.Mail {
	e.t.Helper()
	mails, err := e.store.ListMail(context.Background(), realm.ID, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return mails
}

var linkRe = regexp.MustCompile(`https?://\S+`)

// mailLink returns the link in a mail's body, as a path.
func (e *env) mailLink(m directory.Mail) string {
	e.t.Helper()
	link := linkRe.FindString(m.Body)
	if link == "" {
		e.t.Fatalf("no link in mail %q", m.Body)
	}
	if !strings.HasPrefix(link, e.srv.URL) {
		e.t.Fatalf("link %q is not on the server %s", link, e.srv.URL)
	}
	return strings.TrimPrefix(link, e.srv.URL)
}

// api calls /api/v2 with a bearer token and returns the status and body.
func (e *env) api(path, token string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}
