package customers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/customers"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/enginetest"
	"github.com/clientele/clientele/internal/realmweb"
	"github.com/clientele/clientele/internal/server"
)

// TestMain drops the PostgreSQL schema the tests share once they end.
func TestMain(m *testing.M) { enginetest.Main(m) }

// eachEngine runs fn on every engine, one after the other.
func eachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range enginetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) { fn(t, newEnv(t, eng)) })
	}
}

// testOrigin is the origin the test server's CORS allow-list names.
const testOrigin = "https://shop.example"

// env is the whole server (realm pages, Customers API) over a fresh store
// with two realms, acme and beta, each with a customer.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	store  directory.Store
	svc    *directory.Service
	signin *directory.Signin
	clock  *enginetest.Clock
	acme   *directory.Realm
	beta   *directory.Realm
	carla  *directory.User // acme's customer
	bob    *directory.User // beta's customer, with the same email
}

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
	oidc := auth.NewOIDC(signin, nil)
	api, err := customers.NewHandler(customers.Config{Signin: signin, Logger: log, OIDC: oidc, AllowedOrigins: []string{testOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	h := server.NewHandler(server.Config{Logger: log, DB: store, Customers: api,
		Realms: realmweb.NewHandler(realmweb.Config{Signin: signin, Logger: log, OIDC: oidc})})
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

// customer creates an end user of realm.
func (e *env) customer(realm *directory.Realm, name, email string) *directory.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(context.Background(), directory.Operator(realm.ID), directory.UserInput{Name: &name, Email: &email})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// login is a signed-in customer's two credentials: the session cookie's
// secret and an access token of the same session.
type login struct {
	realm   *directory.Realm
	secret  string
	token   string
	session *directory.Session
}

// signIn starts a session for u, as the login page would, and issues an
// access token from it with scopes (public when none).
func (e *env) signIn(realm *directory.Realm, u *directory.User, scopes ...string) *login {
	e.t.Helper()
	ctx := context.Background()
	secret, sess, err := e.signin.StartSession(ctx, realm, u, directory.MethodDirect, directory.Client{UserAgent: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(scopes) == 0 {
		scopes = []string{"public"}
	}
	token, err := e.signin.IssueSessionToken(ctx, sess, scopes)
	if err != nil {
		e.t.Fatal(err)
	}
	return &login{realm: realm, secret: secret, token: token, session: sess}
}

// cred puts a credential on a request.
type cred func(r *http.Request)

// cookie sends l's session cookie.
func (l *login) cookie() cred {
	return func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: auth.SessionCookie(l.realm.UID), Value: l.secret})
	}
}

// bearer sends l's access token.
func (l *login) bearer() cred { return bearerCred(l.token) }

// bearerCred sends any bearer token.
func bearerCred(token string) cred {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// header sets a request header.
func header(name, value string) cred { return func(r *http.Request) { r.Header.Set(name, value) } }

// adminToken creates an account admin token.
func (e *env) adminToken() string {
	e.t.Helper()
	token, _, err := e.svc.CreateAdminToken(context.Background(), "tests")
	if err != nil {
		e.t.Fatal(err)
	}
	return token
}

// response is an answer of the server with its body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value; the test fails on a body
// that is not JSON.
func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not a JSON object (%v): %s", err, r.body)
	}
	return v
}

// do sends a request to the test server; body is JSON-encoded unless it
// is a string, which is sent as is.
func (e *env) do(method, path string, body any, creds ...cred) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, c := range creds {
		c(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: raw}
}

// wantStatus fails the test when r's status is not want.
func wantStatus(t *testing.T, r *response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.status, want, r.body)
	}
}

// wantBody fails the test unless r's body is exactly the JSON want.
func wantBody(t *testing.T, r *response, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	x, _ := json.Marshal(exp)
	if !bytes.Equal(g, x) {
		t.Fatalf("body = %s, want %s", g, x)
	}
}
