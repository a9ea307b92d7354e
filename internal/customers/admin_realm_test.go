package customers_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// admins are the credentials of the administration tests.
type admins struct {
	account  cred // the account admin token
	acme     cred // an admin of acme, with an admin-scoped token
	acmeUser *directory.User
	noScope  cred // the same admin with a public-scoped token
	beta     cred // an admin of beta, with an admin-scoped token
	customer cred // acme's customer carla, admin-scoped but no admin
}

// admins creates the administration credentials of e.
func (e *env) admins() *admins {
	e.t.Helper()
	ctx := context.Background()
	newAdmin := func(realm *directory.Realm, email string) *directory.User {
		name, role := "Admin "+realm.UID, "admin"
		u, err := e.svc.CreateUser(ctx, directory.Operator(realm.ID), directory.UserInput{Name: &name, Email: &email, Role: &role})
		if err != nil {
			e.t.Fatal(err)
		}
		return u
	}
	acme := newAdmin(e.acme, "admin@acme.test")
	beta := newAdmin(e.beta, "admin@beta.test")
	return &admins{account: bearerCred(e.adminToken()), acme: e.signIn(e.acme, acme, "admin").bearer(), acmeUser: acme,
		noScope: e.signIn(e.acme, acme, "public").bearer(), beta: e.signIn(e.beta, beta, "admin").bearer(),
		customer: e.signIn(e.acme, e.carla, "public", "admin").bearer()}
}

// both are the two credentials that administer acme, by name.
func (a *admins) both() map[string]cred {
	return map[string]cred{"account token": a.account, "realm admin": a.acme}
}

// realmRoutes are every administration route of a realm, with {realm}
// for the realm's uid.
var realmRoutes = []struct{ method, path string }{
	{"GET", "/api/customers/realms/{realm}"},
	{"PUT", "/api/customers/realms/{realm}"},
	{"DELETE", "/api/customers/realms/{realm}"},
	{"GET", "/api/customers/realms/{realm}/users"},
	{"POST", "/api/customers/realms/{realm}/users"},
	{"GET", "/api/customers/realms/{realm}/users/1"},
	{"PUT", "/api/customers/realms/{realm}/users/1"},
	{"DELETE", "/api/customers/realms/{realm}/users/1"},
	{"POST", "/api/customers/realms/{realm}/users/1/notifications"},
	{"POST", "/api/customers/realms/{realm}/notifications"},
	{"GET", "/api/customers/realms/{realm}/custom_fields"},
	{"POST", "/api/customers/realms/{realm}/custom_fields"},
	{"GET", "/api/customers/realms/{realm}/custom_fields/1"},
	{"PUT", "/api/customers/realms/{realm}/custom_fields/1"},
	{"DELETE", "/api/customers/realms/{realm}/custom_fields/1"},
	{"GET", "/api/customers/realms/{realm}/identity_providers"},
	{"POST", "/api/customers/realms/{realm}/identity_providers"},
	{"GET", "/api/customers/realms/{realm}/identity_providers/corp"},
	{"DELETE", "/api/customers/realms/{realm}/identity_providers/corp"},
	{"GET", "/api/customers/realms/{realm}/oauth_clients"},
	{"POST", "/api/customers/realms/{realm}/oauth_clients"},
	{"GET", "/api/customers/realms/{realm}/oauth_clients/x"},
	{"DELETE", "/api/customers/realms/{realm}/oauth_clients/x"},
}

// wantUnauthorized fails unless r is the administration's 401.
func wantUnauthorized(t *testing.T, r *response) {
	t.Helper()
	wantStatus(t, r, http.StatusUnauthorized)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without WWW-Authenticate")
	}
	wantBody(t, r, `{"errors":["Unauthorized: send an admin token as Authorization: Bearer"]}`)
}

// wantForbidden fails unless r is the administration's 403.
func wantForbidden(t *testing.T, r *response) {
	t.Helper()
	wantStatus(t, r, http.StatusForbidden)
	wantBody(t, r, `{"errors":["This token may not administer this realm"]}`)
}

// TestAdminCredentials checks who may call every administration route:
// 401 without or with a wrong token, 403 for a realm admin elsewhere, an
// admin without the admin scope or a customer, 404 {} for an unknown
// realm; and that none of them changed anything.
func TestAdminCredentials(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		before, err := e.svc.CountUsers(ctx, directory.Operator(e.acme.ID), directory.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range realmRoutes {
			path := strings.ReplaceAll(rt.path, "{realm}", "acme")
			body := map[string]any{"subject": "s", "name": "x", "email": "new@acme.test", "type": "text", "key": "k"}
			wantUnauthorized(t, e.do(rt.method, path, body))
			wantUnauthorized(t, e.do(rt.method, path, body, bearerCred("wrong")))
			wantUnauthorized(t, e.do(rt.method, path, body, header("Authorization", "Basic YTpi")))
			wantForbidden(t, e.do(rt.method, path, body, a.beta))
			wantForbidden(t, e.do(rt.method, path, body, a.noScope))
			wantForbidden(t, e.do(rt.method, path, body, a.customer))
			r := e.do(rt.method, strings.ReplaceAll(rt.path, "{realm}", "nowhere"), body, a.account)
			wantStatus(t, r, http.StatusNotFound)
			wantBody(t, r, `{}`)
		}
		// Account routes: the admin token only.
		for _, m := range []string{"GET", "POST"} {
			wantUnauthorized(t, e.do(m, "/api/customers/realms", map[string]any{"uid": "x", "name": "X"}))
			wantUnauthorized(t, e.do(m, "/api/customers/realms", map[string]any{"uid": "x", "name": "X"}, bearerCred("wrong")))
			wantForbidden(t, e.do(m, "/api/customers/realms", map[string]any{"uid": "x", "name": "X"}, a.acme))
		}
		// A realm admin may not delete their own realm.
		wantForbidden(t, e.do("DELETE", "/api/customers/realms/acme", nil, a.acme))
		// An expired token of the realm is no credential.
		e.clock.Advance(15 * 24 * time.Hour)
		wantUnauthorized(t, e.do("GET", "/api/customers/realms/acme", nil, a.acme))

		after, err := e.svc.CountUsers(ctx, directory.Operator(e.acme.ID), directory.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		realms, err := e.svc.Realms(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fields, err := e.svc.UserFields(ctx, directory.Operator(e.acme.ID))
		if err != nil {
			t.Fatal(err)
		}
		if after != before || len(realms) != 2 || len(fields) != 0 {
			t.Errorf("refused calls changed state: users %d -> %d, realms %d, fields %d", before, after, len(realms), len(fields))
		}
	})
}

// TestAdminRealms checks the realms' CRUD and their settings.
func TestAdminRealms(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		r := e.do("GET", "/api/customers/realms", nil, a.account)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `{"realms":[
			{"id":`+itoa(e.acme.ID)+`,"uid":"acme","name":"Acme","settings":{"signup_enabled":true,"session_lifetime":1209600,"idle_timeout":0,"allowed_origins":[]},
			 "created_at":"2024-05-06T07:08:09.000+00:00","updated_at":"2024-05-06T07:08:09.000+00:00"},
			{"id":`+itoa(e.beta.ID)+`,"uid":"beta","name":"Beta","settings":{"signup_enabled":true,"session_lifetime":1209600,"idle_timeout":0,"allowed_origins":[]},
			 "created_at":"2024-05-06T07:08:09.000+00:00","updated_at":"2024-05-06T07:08:09.000+00:00"}],
			"meta":{"total_entries":2,"per_page":10,"current_page":1,"total_pages":1}}`)
		r = e.do("GET", "/api/customers/realms?per_page=1&page=2", nil, a.account)
		if got := r.json(t); len(got["realms"].([]any)) != 1 || got["realms"].([]any)[0].(map[string]any)["uid"] != "beta" {
			t.Errorf("page 2 of 1 = %s", r.body)
		}

		// Create, with settings.
		r = e.do("POST", "/api/customers/realms", map[string]any{"uid": "gamma", "name": "Gamma",
			"settings": map[string]any{"signup_enabled": false, "session_lifetime": 3600, "idle_timeout": 600, "allowed_origins": []string{"https://gamma.example"}}}, a.account)
		wantStatus(t, r, http.StatusCreated)
		created := r.json(t)
		if created["uid"] != "gamma" || created["settings"].(map[string]any)["idle_timeout"] != float64(600) {
			t.Errorf("created = %s", r.body)
		}
		gamma, err := e.svc.Realm(ctx, "gamma")
		if err != nil {
			t.Fatal(err)
		}
		st, err := e.signin.Settings(ctx, gamma.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.SignupEnabled || st.SessionLifetime != time.Hour || st.IdleTimeout != 10*time.Minute || len(st.AllowedOrigins) != 1 {
			t.Errorf("stored settings = %+v", st)
		}

		// Bad input: 422 by field, and nothing stored.
		for body, want := range map[string]string{
			`{"uid":"Bad UID","name":""}`:                                               `{"errors":{"name":["is too short (minimum is 1 characters)"],"uid":["must be 1 to 63 lowercase letters, digits or dashes, starting with a letter or digit"]}}`,
			`{"uid":"delta","name":"D","settings":{"session_lifetime":60}}`:             `{"errors":{"session_lifetime":["must be between 15 minutes and 90 days"]}}`,
			`{"uid":"delta","name":"D","settings":{"session_lifetime":99999999999999}}`: `{"errors":{"session_lifetime":["must be between 15 minutes and 90 days"]}}`,
			`{"uid":"delta","name":"D","settings":{"idle_timeout":60}}`:                 `{"errors":{"idle_timeout":["must be 0 (none) or between 5 minutes and 6 hours"]}}`,
			`{"uid":"delta","name":"D","settings":{"allowed_origins":["ftp://x"]}}`:     `{"errors":{"allowed_origins":["\"ftp://x\" is not an origin like https://shop.example"]}}`,
			`{"uid":"acme","name":"Again"}`:                                             `{"errors":{"uid":["has already been taken"]}}`,
		} {
			r := e.do("POST", "/api/customers/realms", body, a.account)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, want)
		}
		for _, body := range []string{`{"uid":`, `[]`, `{"uid":5}`, `{"settings":{"session_lifetime":"long"}}`} {
			r := e.do("POST", "/api/customers/realms", body, a.account)
			wantStatus(t, r, http.StatusUnprocessableEntity)
		}
		if realms, _ := e.svc.Realms(ctx); len(realms) != 3 {
			t.Errorf("after refused creates: %d realms, want 3", len(realms))
		}

		// Show and update, with both credentials.
		for name, c := range a.both() {
			r := e.do("GET", "/api/customers/realms/acme", nil, c)
			wantStatus(t, r, http.StatusOK)
			if got := r.json(t); got["uid"] != "acme" || got["name"] != "Acme" {
				t.Errorf("%s: show = %s", name, r.body)
			}
		}
		r = e.do("PUT", "/api/customers/realms/acme", map[string]any{"name": "Acme Inc", "settings": map[string]any{"idle_timeout": 900}}, a.acme)
		wantStatus(t, r, http.StatusOK)
		if got := r.json(t); got["name"] != "Acme Inc" || got["settings"].(map[string]any)["idle_timeout"] != float64(900) ||
			got["settings"].(map[string]any)["session_lifetime"] != float64(1209600) {
			t.Errorf("update = %s", r.body)
		}
		r = e.do("PUT", "/api/customers/realms/acme", map[string]any{"settings": map[string]any{"signup_enabled": false}}, a.account)
		wantStatus(t, r, http.StatusOK)
		st, _ = e.signin.Settings(ctx, e.acme.ID)
		if acme, _ := e.svc.Realm(ctx, "acme"); acme.Name != "Acme Inc" || st.SignupEnabled || st.IdleTimeout != 15*time.Minute {
			t.Errorf("stored after updates: %q %+v", acme.Name, st)
		}
		// Beta is untouched.
		if beta, _ := e.svc.Realm(ctx, "beta"); beta.Name != "Beta" {
			t.Errorf("beta renamed to %q", beta.Name)
		}
		if st, _ := e.signin.Settings(ctx, e.beta.ID); !st.SignupEnabled || st.IdleTimeout != 0 {
			t.Errorf("beta's settings changed: %+v", st)
		}
		for body, want := range map[string]string{
			`{"uid":"acme2"}`: `{"errors":{"uid":["cannot be changed"]}}`,
			`{"name":" "}`:    `{"errors":{"name":["is too short (minimum is 1 characters)"]}}`,
			`{"name":"X","settings":{"session_lifetime":1}}`: `{"errors":{"session_lifetime":["must be between 15 minutes and 90 days"]}}`,
		} {
			r := e.do("PUT", "/api/customers/realms/acme", body, a.account)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, want)
		}
		if acme, _ := e.svc.Realm(ctx, "acme"); acme.Name != "Acme Inc" {
			t.Errorf("refused update renamed acme to %q", acme.Name)
		}

		// Delete: 200 {}, then 404 {} on every API at once.
		carla := e.signIn(e.acme, e.carla)
		r = e.do("DELETE", "/api/customers/realms/acme", nil, a.account)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `{}`)
		for _, path := range []string{"/api/customers/realms/acme", "/api/customers/realms/acme/users"} {
			r := e.do("GET", path, nil, a.account)
			wantStatus(t, r, http.StatusNotFound)
			wantBody(t, r, `{}`)
		}
		r = e.do("GET", "/api/customers/realms/acme/me", nil, carla.bearer())
		wantStatus(t, r, http.StatusNotFound)
		wantBody(t, r, `{}`)
		r = e.do("DELETE", "/api/customers/realms/acme", nil, a.account)
		wantStatus(t, r, http.StatusNotFound)
		r = e.do("GET", "/api/customers/realms", nil, a.account)
		if got := r.json(t); got["meta"].(map[string]any)["total_entries"] != float64(2) {
			t.Errorf("list after delete = %s", r.body)
		}
		// Its uid stays taken, and its users are kept.
		r = e.do("POST", "/api/customers/realms", map[string]any{"uid": "acme", "name": "New Acme"}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if u, err := e.store.UserByID(ctx, e.acme.ID, e.carla.ID); err != nil || u.Email != "carla@acme.test" {
			t.Errorf("carla after the realm's deletion: %v, %v", u, err)
		}
		// Beta lives on.
		r = e.do("GET", "/api/customers/realms/beta", nil, a.account)
		wantStatus(t, r, http.StatusOK)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
