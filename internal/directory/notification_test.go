package directory_test

import (
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

// TestSendNotification checks the rules of a send (validation, one user
// of the realm, a tag) and that the runners finish a send recorded but
// not copied, as after a crash, without a second copy for anyone.
func TestSendNotification(t *testing.T) {
	e := newEnv(t)
	ann := e.create(t, directory.UserInput{Name: ptr("Ann"), Email: ptr("ann@acme.test"), Tags: &[]string{"VIP"}})
	bob := e.create(t, directory.UserInput{Name: ptr("Bob"), Email: ptr("bob@acme.test")})
	other, err := e.svc.CreateUser(e.ctx, e.opB, directory.UserInput{Name: ptr("Olga")})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		subject string
		to      directory.Recipients
		field   string
	}{
		{"  ", directory.Recipients{}, "subject"},
		{"x", directory.Recipients{UserID: ann.ID, Tag: "vip"}, "tag"},
		{"x", directory.Recipients{UserID: -1}, "user_id"},
		{"x", directory.Recipients{Tag: "a\x00b"}, "tag"},
		{"x", directory.Recipients{Tag: strings.Repeat("t", 300)}, "tag"},
	} {
		_, err := e.svc.SendNotification(e.ctx, e.a.ID, bad.subject, "b", bad.to)
		if directory.KindOf(err) != directory.KindInvalid || !hasField(err, bad.field) {
			t.Errorf("SendNotification(%q, %+v) = %v, want invalid %s", bad.subject, bad.to, err, bad.field)
		}
	}
	if _, err := e.svc.SendNotification(e.ctx, e.a.ID, "x", "b", directory.Recipients{UserID: other.ID}); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("to another realm's user: %v", err)
	}
	if n, err := e.svc.SendNotification(e.ctx, e.a.ID, "vips", "b", directory.Recipients{Tag: " VIP "}); err != nil || n != 1 {
		t.Errorf("to a tag: %d, %v", n, err)
	}
	if n, err := e.svc.SendNotification(e.ctx, e.a.ID, "one", "b", directory.Recipients{UserID: bob.ID}); err != nil || n != 1 {
		t.Errorf("to a user: %d, %v", n, err)
	}

	// A send recorded and never copied (the process died) is finished by
	// the runners, and running them again copies nothing more.
	send := &directory.NotificationSend{Subject: "after a crash", Body: "b", SentAt: e.now}
	if n, err := e.store.CreateNotificationSend(e.ctx, e.a.ID, send); err != nil || n != 2 {
		t.Fatalf("CreateNotificationSend = %d, %v", n, err)
	}
	for _, want := range []int{1, 0} {
		done, err := e.svc.RunPendingNotificationSends(e.ctx)
		if err != nil || done != want {
			t.Fatalf("RunPendingNotificationSends = %d, %v; want %d", done, err, want)
		}
	}
	for _, u := range []*directory.User{ann, bob} {
		total, unread, err := e.store.CountNotifications(e.ctx, e.a.ID, u.ID)
		wantTotal := int64(2) // the crash send, and vips or one
		if err != nil || total != wantTotal || unread != wantTotal {
			t.Errorf("%s: %d notifications (%d unread), %v; want %d", u.Name, total, unread, err, wantTotal)
		}
	}
	if total, _, _ := e.store.CountNotifications(e.ctx, e.b.ID, other.ID); total != 0 {
		t.Errorf("the other realm's user got %d", total)
	}
}
