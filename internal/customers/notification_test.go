package customers_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// TestNotifications checks the list (unread first, then newest, paged,
// with Modyo's meta) and mark_as_read on both API generations, with both
// credentials, and that another customer's or realm's notification is
// out of reach.
func TestNotifications(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		send := func(realm *directory.Realm, subject string, to directory.Recipients) {
			t.Helper()
			if _, err := e.svc.SendNotification(ctx, realm.ID, subject, "<p>"+subject+"</p>", to); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute)
		}
		for i := 1; i <= 3; i++ {
			send(e.acme, fmt.Sprintf("news %d", i), directory.Recipients{})
		}
		send(e.acme, "for carla", directory.Recipients{UserID: e.carla.ID})
		send(e.beta, "beta news", directory.Recipients{})
		carla := e.signIn(e.acme, e.carla)
		bob := e.signIn(e.beta, e.bob)

		list := func(path string, c cred) ([]map[string]any, map[string]any) {
			t.Helper()
			r := e.do("GET", path, nil, c)
			wantStatus(t, r, http.StatusOK)
			body := r.json(t)
			var out []map[string]any
			for _, n := range body["notifications"].([]any) {
				out = append(out, n.(map[string]any))
			}
			return out, body["meta"].(map[string]any)
		}
		subjects := func(ns []map[string]any) string {
			var out []string
			for _, n := range ns {
				out = append(out, n["subject"].(string))
			}
			return fmt.Sprint(out)
		}
		all, meta := list("/api/customers/realms/acme/notifications", carla.bearer())
		if got := subjects(all); got != "[for carla news 3 news 2 news 1]" {
			t.Fatalf("newest first: %s", got)
		}
		if fmt.Sprint(meta) != "map[current_page:1 per_page:10 total_entries:4 total_pages:1]" {
			t.Errorf("meta = %v", meta)
		}
		n := all[2] // news 2
		id := int64(n["id"].(float64))
		wantURL := fmt.Sprintf("%s/realms/acme/profile?notification_id=%d", e.srv.URL, id)
		if n["body"] != "<p>news 2</p>" || n["opened"] != false || n["url"] != wantURL || n["sent_at"] != "2024-05-06T07:09:09.000+00:00" {
			t.Errorf("notification = %v", n)
		}

		// Opening news 2 by cookie (POST) moves it after the unread ones
		// and records one notification_opened_log event; PUT again
		// changes nothing.
		path := fmt.Sprintf("/api/customers/realms/acme/notifications/%d/mark_as_read", id)
		r := e.do("POST", path, nil, carla.cookie())
		wantStatus(t, r, http.StatusOK)
		if got := r.json(t)["notification"].(map[string]any); got["opened"] != true || got["id"] != float64(id) {
			t.Errorf("marked = %v", got)
		}
		e.clock.Advance(time.Minute)
		wantStatus(t, e.do("PUT", path, nil, carla.bearer()), http.StatusOK)
		events, _, err := e.signin.Events(ctx, e.acme.ID, e.carla.ID, directory.EventQuery{Page: directory.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		opened := 0
		for _, ev := range events {
			if ev.Type == directory.EventNotificationOpened {
				opened++
			}
		}
		if opened != 1 {
			t.Errorf("notification_opened_log events = %d, want 1", opened)
		}
		all, _ = list("/api/customers/realms/acme/notifications", carla.cookie())
		if got := subjects(all); got != "[for carla news 3 news 1 news 2]" {
			t.Errorf("unread first, then read: %s", got)
		}
		// Pages of two, on the legacy path.
		page, meta := list("/api/profile/notifications?page=2&per_page=2", carla.bearer())
		if got := subjects(page); got != "[news 1 news 2]" {
			t.Errorf("page 2: %s", got)
		}
		if fmt.Sprint(meta) != "map[current_page:2 per_page:2 total_entries:4 total_pages:2]" {
			t.Errorf("meta = %v", meta)
		}
		// per_page beyond 100 falls back to 100; nonsense to the default.
		if _, meta := list("/api/customers/realms/acme/notifications?per_page=500&page=x", carla.bearer()); meta["per_page"] != float64(100) || meta["current_page"] != float64(1) {
			t.Errorf("meta for per_page=500 = %v", meta)
		}
		// The legacy mark_as_read reaches the same notification.
		legacy := fmt.Sprintf("/api/profile/notifications/%d/mark_as_read", int64(all[0]["id"].(float64)))
		wantStatus(t, e.do("PUT", legacy, nil, carla.bearer()), http.StatusOK)

		// Beta's customer sees only beta's news and cannot open carla's.
		betas, _ := list("/api/customers/realms/beta/notifications", bob.bearer())
		if got := subjects(betas); got != "[beta news]" {
			t.Errorf("beta sees %s", got)
		}
		r = e.do("PUT", fmt.Sprintf("/api/customers/realms/beta/notifications/%d/mark_as_read", id), nil, bob.bearer())
		wantStatus(t, r, http.StatusNotFound)
		dave := e.signIn(e.acme, e.customer(e.acme, "Dave", "dave@acme.test"))
		wantStatus(t, e.do("PUT", fmt.Sprintf("/api/customers/realms/acme/notifications/%d/mark_as_read", int64(all[0]["id"].(float64))), nil, dave.bearer()), http.StatusNotFound)
		wantStatus(t, e.do("PUT", "/api/customers/realms/acme/notifications/abc/mark_as_read", nil, dave.bearer()), http.StatusNotFound)

		// Without a credential: 401; unknown realm: 404 {}.
		wantBody(t, e.do("GET", "/api/customers/realms/acme/notifications", nil), userSession)
		wantBody(t, e.do("GET", "/api/profile/notifications", nil), userSession)
		wantBody(t, e.do("PUT", path, nil), userSession)
		r = e.do("GET", "/api/customers/realms/nope/notifications", nil, carla.bearer())
		wantStatus(t, r, http.StatusNotFound)
		wantBody(t, r, `{}`)
	})
}
