package realmweb_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// TestProfileNotifications checks the profile's notifications: unread
// first and newest first, opening one through its link marks it read and
// shows its body, and another customer's notification stays closed.
func TestProfileNotifications(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		b := e.browser()
		if res := b.login("acme", "carla@acme.test", password); res.status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", res.status, res.body)
		}
		page := b.get("/realms/acme/profile")
		if page.status != 200 || !strings.Contains(page.body, "You have no notifications.") {
			t.Fatalf("empty profile: %d %s", page.status, page.body)
		}
		for _, subject := range []string{"Welcome", "Your statement", "Maintenance"} {
			if _, err := e.svc.SendNotification(ctx, e.acme.ID, subject, "<p>About <em>"+subject+"</em></p>", directory.Recipients{UserID: e.carla.ID}); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute)
		}
		if _, err := e.svc.SendNotification(ctx, e.beta.ID, "Beta only", "b", directory.Recipients{}); err != nil {
			t.Fatal(err)
		}
		list, _, _, err := e.svc.Notifications(ctx, e.acme.ID, e.carla.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		welcome := list[2]

		page = b.get("/realms/acme/profile")
		order := []int{strings.Index(page.body, "Maintenance"), strings.Index(page.body, "Your statement"), strings.Index(page.body, "Welcome")}
		if !strings.Contains(page.body, "Notifications (3 unread)") || order[0] < 0 || order[0] > order[1] || order[1] > order[2] ||
			strings.Contains(page.body, "Beta only") {
			t.Fatalf("profile's notifications, newest first: %s", page.body)
		}

		// Open the oldest through its link: its body shows, it is read,
		// and it moves after the unread ones.
		link := fmt.Sprintf("/realms/acme/profile?notification_id=%d", welcome.ID)
		if !strings.Contains(page.body, `href="`+link+`"`) {
			t.Fatalf("no link %s in %s", link, page.body)
		}
		page = b.get(link)
		if page.status != 200 || !strings.Contains(page.body, "<p>About <em>Welcome</em></p>") || !strings.Contains(page.body, "Notifications (2 unread)") {
			t.Fatalf("opened notification: %d %s", page.status, page.body)
		}
		_, _, unread, _ := e.svc.Notifications(ctx, e.acme.ID, e.carla.ID, 0, 10)
		if unread != 2 {
			t.Errorf("unread after opening = %d, want 2", unread)
		}
		page = b.get("/realms/acme/profile")
		if strings.Index(page.body, "Welcome") < strings.Index(page.body, "Your statement") {
			t.Errorf("the read notification is not after the unread ones: %s", page.body)
		}
		if n := len(e.eventsOfType(e.acme, directory.EventNotificationOpened)); n != 1 {
			t.Errorf("notification_opened_log events = %d, want 1", n)
		}

		// Beta's notification id opens nothing in acme.
		betas, _, _, _ := e.svc.Notifications(ctx, e.beta.ID, e.bob.ID, 0, 10)
		page = b.get(fmt.Sprintf("/realms/acme/profile?notification_id=%d", betas[0].ID))
		if page.status != 200 || !strings.Contains(page.body, "That notification does not exist.") || strings.Contains(page.body, "Beta only") {
			t.Errorf("another realm's notification: %d %s", page.status, page.body)
		}
		// Signed out, the link leads to the login page and back.
		anon := e.browser()
		if res := anon.get(link); res.status != http.StatusSeeOther ||
			res.location != "/realms/acme/login?redirect_uri=%2Frealms%2Facme%2Fprofile%3Fnotification_id%3D"+fmt.Sprint(welcome.ID) {
			t.Errorf("signed out: %d %q", res.status, res.location)
		}
	})
}

// eventsOfType returns the realm's events of one type.
func (e *env) eventsOfType(realm *directory.Realm, typ string) []directory.Event {
	var out []directory.Event
	for _, ev := range e.events(realm) {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}
