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

// TestEvents checks the customer's events list (titles, order, paging)
// and custom events recorded by a site.
func TestEvents(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		carla := e.signIn(e.acme, e.carla) // records user_login_log
		e.clock.Advance(time.Minute)
		bob := e.signIn(e.beta, e.bob)

		// A site records custom events: as a form, and as JSON; unknown
		// parameters are dropped.
		r := e.do("POST", "/api/customers/realms/acme/events", "e_c=cart&e_a=checkout&url=https%3A%2F%2Fshop.example%2Fcart&secret=x",
			carla.bearer(), header("Content-Type", "application/x-www-form-urlencoded"))
		wantStatus(t, r, http.StatusCreated)
		created := r.json(t)
		if fmt.Sprint(created["info"]) != "map[e_a:checkout e_c:cart url:https://shop.example/cart]" ||
			created["realm_uid"] != "acme" || created["created_at"] != "2024-05-06T07:09:09.000+00:00" || created["id"] == nil {
			t.Errorf("created = %v", created)
		}
		e.clock.Advance(time.Minute)
		r = e.do("POST", "/api/customers/realms/acme/events", map[string]any{"e_c": "video", "e_a": "play"}, carla.cookie())
		wantStatus(t, r, http.StatusCreated)
		// The cookie from another site may not record events (CSRF).
		r = e.do("POST", "/api/customers/realms/acme/events", map[string]any{"e_c": "video", "e_a": "stop"}, carla.cookie(),
			header("Sec-Fetch-Site", "cross-site"), header("Origin", "https://evil.example"))
		wantStatus(t, r, http.StatusForbidden)

		// Bad input: a clear 422, nothing stored.
		r = e.do("POST", "/api/customers/realms/acme/events", map[string]any{"e_c": "has space"}, carla.bearer())
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if body := string(r.body); !strings.Contains(body, `"e_c"`) || !strings.Contains(body, `"e_a"`) {
			t.Errorf("422 body = %s", body)
		}
		wantStatus(t, e.do("POST", "/api/customers/realms/acme/events", "{not json", carla.bearer()), http.StatusUnprocessableEntity)
		// Anonymous: Modyo's 422; a wrong credential: 401; beta's token
		// in acme: 401.
		r = e.do("POST", "/api/customers/realms/acme/events", map[string]any{"e_c": "a", "e_a": "b"})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":["Anonymous events are not allowed"]}`)
		wantBody(t, e.do("POST", "/api/customers/realms/acme/events", map[string]any{"e_c": "a", "e_a": "b"}, bearerCred("x")), userSession)
		wantBody(t, e.do("POST", "/api/customers/realms/acme/events", map[string]any{"e_c": "a", "e_a": "b"}, bob.bearer()), userSession)
		if _, n, _ := e.signin.Events(ctx, e.acme.ID, e.carla.ID, directory.EventQuery{Page: directory.Page{Limit: 1}}); n != 3 {
			t.Fatalf("carla's stored events = %d, want 3 (login, two custom)", n)
		}

		list := func(query string, c cred) (string, map[string]any) {
			t.Helper()
			r := e.do("GET", "/api/customers/realms/acme/events"+query, nil, c)
			wantStatus(t, r, http.StatusOK)
			body := r.json(t)
			var out []string
			for _, ev := range body["events"].([]any) {
				m := ev.(map[string]any)
				if m["description"] != "Realm: Acme" || len(m) != 3 {
					t.Errorf("event = %v", m)
				}
				out = append(out, fmt.Sprintf("%s@%s", m["title"], m["created_at"]))
			}
			return strings.Join(out, ", "), body["meta"].(map[string]any)
		}
		got, meta := list("", carla.cookie())
		if want := "@2024-05-06T07:10:09.000+00:00, @2024-05-06T07:09:09.000+00:00, Login@2024-05-06T07:08:09.000+00:00"; got != want {
			t.Errorf("newest first:\n got %s\nwant %s", got, want)
		}
		if fmt.Sprint(meta) != "map[current_page:1 per_page:10 total_entries:3 total_pages:1]" {
			t.Errorf("meta = %v", meta)
		}
		if got, _ := list("?order=asc&per_page=2&page=1", carla.bearer()); got != "Login@2024-05-06T07:08:09.000+00:00, @2024-05-06T07:09:09.000+00:00" {
			t.Errorf("ascending, page 1 of 2: %s", got)
		}
		// By type: cart_checkout < user_login_log < video_play; desc by
		// default, not_impersonated accepted.
		if got, _ := list("?sort_by=type&not_impersonated=1", carla.bearer()); got != "@2024-05-06T07:10:09.000+00:00, Login@2024-05-06T07:08:09.000+00:00, @2024-05-06T07:09:09.000+00:00" {
			t.Errorf("by type: %s", got)
		}
		// Beta's customer sees only beta's login.
		r = e.do("GET", "/api/customers/realms/beta/events", nil, bob.bearer())
		wantStatus(t, r, http.StatusOK)
		if evs := r.json(t)["events"].([]any); len(evs) != 1 || evs[0].(map[string]any)["description"] != "Realm: Beta" {
			t.Errorf("beta's events = %v", evs)
		}
		wantBody(t, e.do("GET", "/api/customers/realms/acme/events", nil), userSession)
		r = e.do("GET", "/api/customers/realms/nope/events", nil, carla.bearer())
		wantStatus(t, r, http.StatusNotFound)
		wantBody(t, r, `{}`)
	})
}
