package customers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// field creates a custom user field in realm.
func (e *env) field(realm *directory.Realm, key string, typ directory.UserFieldType, visible, editable bool) {
	e.t.Helper()
	title, t := strings.ToUpper(key[:1])+key[1:], string(typ)
	_, err := e.svc.CreateUserField(context.Background(), directory.Operator(realm.ID), directory.UserFieldInput{
		Key: &key, Type: &t, Title: &title, CustomerVisible: &visible, CustomerEditable: &editable})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestUpdateMe checks PUT me: profile attributes, custom fields dropped
// unless visible and editable, validation, and the stored state.
func TestUpdateMe(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.field(e.acme, "nickname", directory.FieldText, true, true)
		e.field(e.acme, "plan", directory.FieldText, true, false)      // visible, read-only
		e.field(e.acme, "score", directory.FieldInteger, false, false) // hidden
		e.field(e.beta, "nickname", directory.FieldText, true, true)
		if _, err := e.svc.UpdateUser(ctx, directory.Operator(e.acme.ID), e.carla.ID, directory.UserInput{
			UserFields: map[string]any{"plan": "gold", "score": float64(7)}}); err != nil {
			t.Fatal(err)
		}
		carla := e.signIn(e.acme, e.carla)
		e.clock.Advance(time.Minute)

		r := e.do("PUT", "/api/customers/realms/acme/me", map[string]any{
			"first_name": "Carla", "last_name": "Cliente", "second_last_name": "Soto", "phone": "+56 9 1234 5678",
			"lang": "es", "email": "hijack@acme.test",
			"custom_fields": []map[string]any{{"key": "nickname", "value": "Cari"}, {"key": "plan", "value": "platinum"},
				{"key": "score", "value": 99}, {"key": "nope", "value": 1}},
		}, carla.bearer())
		wantStatus(t, r, http.StatusOK)
		me := r.json(t)
		if me["name"] != "Carla Cliente Soto" || me["first_name"] != "Carla" || me["second_last_name"] != "Soto" ||
			me["phone"] != "+56912345678" || me["locale"] != "es" || me["email"] != "carla@acme.test" ||
			me["updated_at"] != "2024-05-06T07:09:09.000+00:00" {
			t.Errorf("me after PUT = %v", me)
		}
		if got := fmt.Sprint(me["custom_fields"]); got != "[map[key:nickname name:Nickname type:text value:Cari] map[key:plan name:Plan type:text value:gold]]" {
			t.Errorf("custom_fields = %s", got)
		}
		stored, err := e.store.UserByID(ctx, e.acme.ID, e.carla.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(stored.UserFields) != "map[nickname:Cari plan:gold score:7]" || stored.Email != "carla@acme.test" ||
			stored.Phone != "+56912345678" || stored.Locale != "es" {
			t.Errorf("stored = %+v", stored)
		}
		if u, _ := e.store.UserByIdentity(ctx, e.acme.ID, directory.IdentityPhone, "+56912345678"); u == nil || u.ID != e.carla.ID {
			t.Errorf("the phone is not carla's identity: %v", u)
		}

		// Bad input: 422 with the field, nothing changed.
		for _, body := range []any{map[string]any{"phone": "12"}, map[string]any{"time_zone": "Mars/Olympus"}, "[1,2]", "{",
			map[string]any{"custom_fields": "x"}} {
			r := e.do("PUT", "/api/customers/realms/acme/me", body, carla.cookie())
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if _, ok := r.json(t)["errors"].(map[string]any); !ok {
				t.Errorf("422 body for %v = %s", body, r.body)
			}
		}
		after, _ := e.store.UserByID(ctx, e.acme.ID, e.carla.ID)
		if !after.UpdatedAt.Equal(stored.UpdatedAt) || after.Phone != stored.Phone {
			t.Errorf("a refused update changed the user: %+v", after)
		}
		// The user wrapper is accepted too, by cookie (same origin).
		r = e.do("PUT", "/api/customers/realms/acme/me", map[string]any{"user": map[string]any{"name": "Carla C."}}, carla.cookie())
		wantStatus(t, r, http.StatusOK)
		if me := r.json(t); me["name"] != "Carla C." || me["first_name"] != "Carla" {
			t.Errorf("name = %v", me["name"])
		}

		// A cookie write from another site is refused (CSRF); the same
		// write with the bearer token is not.
		r = e.do("PUT", "/api/customers/realms/acme/me", map[string]any{"name": "Evil"}, carla.cookie(),
			header("Sec-Fetch-Site", "cross-site"), header("Origin", "https://evil.example"))
		wantStatus(t, r, http.StatusForbidden)
		r = e.do("PUT", "/api/customers/realms/acme/me", map[string]any{"name": "From the shop"}, carla.cookie(),
			header("Sec-Fetch-Site", "cross-site"), header("Origin", testOrigin))
		wantStatus(t, r, http.StatusOK)
		r = e.do("PUT", "/api/customers/realms/acme/me", map[string]any{"name": "Bearer"}, carla.bearer(),
			header("Sec-Fetch-Site", "cross-site"), header("Origin", "https://evil.example"))
		wantStatus(t, r, http.StatusOK)
		if u, _ := e.store.UserByID(ctx, e.acme.ID, e.carla.ID); u.Name != "Bearer" {
			t.Errorf("name = %q", u.Name)
		}
		// Beta's customer of the same email is untouched.
		if u, _ := e.store.UserByID(ctx, e.beta.ID, e.bob.ID); u.Name != "Bob Beta" {
			t.Errorf("beta's customer changed: %q", u.Name)
		}
		wantBody(t, e.do("PUT", "/api/customers/realms/acme/me", map[string]any{"name": "x"}), userSession)
	})
}

// TestCORS checks the allow-list: the exact origin echoed with
// credentials, preflights for Authorization and Delivery-Token, and
// nothing for other origins.
func TestCORS(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		carla := e.signIn(e.acme, e.carla)
		r := e.do("GET", "/api/profile/me", nil, carla.cookie(), header("Origin", testOrigin))
		wantStatus(t, r, http.StatusOK)
		if r.header.Get("Access-Control-Allow-Origin") != testOrigin || r.header.Get("Access-Control-Allow-Credentials") != "true" ||
			!strings.Contains(r.header.Get("Vary"), "Origin") {
			t.Errorf("CORS headers = %v", r.header)
		}
		r = e.do("OPTIONS", "/api/customers/realms/acme/delivery_token", nil, header("Origin", testOrigin),
			header("Access-Control-Request-Method", "GET"), header("Access-Control-Request-Headers", "authorization,delivery-token"))
		wantStatus(t, r, http.StatusNoContent)
		allowed := strings.ToLower(r.header.Get("Access-Control-Allow-Headers"))
		if r.header.Get("Access-Control-Allow-Origin") != testOrigin || !strings.Contains(allowed, "authorization") ||
			!strings.Contains(allowed, "delivery-token") || !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "PUT") {
			t.Errorf("preflight headers = %v", r.header)
		}
		// Another origin gets no CORS headers, and its preflight fails.
		r = e.do("GET", "/api/profile/me", nil, carla.cookie(), header("Origin", "https://evil.example"))
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("evil origin allowed: %v", r.header)
		}
		r = e.do("OPTIONS", "/api/profile/me", nil, header("Origin", "https://evil.example"), header("Access-Control-Request-Method", "GET"))
		wantStatus(t, r, http.StatusForbidden)
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("evil preflight allowed: %v", r.header)
		}
		// An unknown path under the API is a JSON 404.
		r = e.do("GET", "/api/customers/nothing", nil)
		wantStatus(t, r, http.StatusNotFound)
	})
}
