package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// testNotifications checks sending to one user, a tag and a whole realm,
// the unread-first order, the counts, and marking one read with its
// event, with a second realm that must see none of it.
func testNotifications(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, ua, ub := signinFixture(t, s)
	vip := newUser("vic")
	vip.Tags = []string{"vip"}
	uv := create(t, s, a.ID, vip)
	gone := create(t, s, a.ID, newUser("gil"))
	gone.DeletedAt = epoch
	if err := s.UpdateUser(ctx, a.ID, gone, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}

	// send delivers to one user directly, or records a send to many and
	// copies it a user at a time.
	send := func(realmID int64, subject string, to directory.Recipients, want int64) {
		t.Helper()
		if to.UserID != 0 {
			n := &directory.Notification{UserID: to.UserID, Subject: subject, Body: "<p>" + subject + "</p>", SentAt: epoch}
			err := s.NotifyUser(ctx, realmID, n)
			if want == 0 {
				wantKind(t, err, directory.KindNotFound)
				return
			}
			if err != nil || n.ID == 0 {
				t.Fatalf("NotifyUser(%s) = %v, id %d", subject, err, n.ID)
			}
			return
		}
		sd := &directory.NotificationSend{Tag: to.Tag, Subject: subject, Body: "<p>" + subject + "</p>", SentAt: epoch}
		got, err := s.CreateNotificationSend(ctx, realmID, sd)
		if err != nil || got != want || sd.ID == 0 {
			t.Fatalf("CreateNotificationSend(%s) = %d, %v (id %d); want %d", subject, got, err, sd.ID, want)
		}
		for chunks := 0; sd.DoneAt.IsZero(); chunks++ {
			if chunks > 10 {
				t.Fatalf("send %s never done: %+v", subject, sd)
			}
			if sd, err = s.CopyNotificationSend(ctx, realmID, sd.ID, 1, epoch); err != nil {
				t.Fatal(err)
			}
		}
		if sd.Copied != want {
			t.Errorf("send %s copied %d, want %d", subject, sd.Copied, want)
		}
	}
	send(a.ID, "everyone", directory.Recipients{}, 2) // ann and vic; not the deleted gil
	send(a.ID, "vips", directory.Recipients{Tag: "vip"}, 1)
	send(a.ID, "ann only", directory.Recipients{UserID: ua.ID}, 1)
	send(a.ID, "not in this realm", directory.Recipients{UserID: ub.ID}, 0)
	send(a.ID, "deleted", directory.Recipients{UserID: gone.ID}, 0)
	send(b.ID, "beta", directory.Recipients{}, 1)

	list, err := s.ListNotifications(ctx, a.ID, ua.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	subjects := func(ns []directory.Notification) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, n.Subject)
		}
		return out
	}
	if diff := cmp.Diff([]string{"ann only", "everyone"}, subjects(list)); diff != "" {
		t.Fatalf("ann's notifications, newest first (-want +got):\n%s", diff)
	}
	if n := list[1]; n.UserID != ua.ID || n.RealmID != a.ID || n.Body != "<p>everyone</p>" || !n.SentAt.Equal(epoch) || n.Opened() {
		t.Errorf("stored notification = %+v", n)
	}

	// Opening the older one puts it after the unread one; opening it
	// again changes nothing and records no second event.
	opened := epoch.Add(time.Hour)
	for i := range 2 {
		at := opened.Add(time.Duration(i) * time.Hour)
		ev := &directory.Event{UserID: ua.ID, Type: directory.EventNotificationOpened, CreatedAt: at}
		n, err := s.MarkNotificationRead(ctx, a.ID, ua.ID, list[1].ID, at, ev)
		if err != nil {
			t.Fatal(err)
		}
		if !n.OpenedAt.Equal(opened) || n.Subject != "everyone" {
			t.Errorf("marked = %+v, want opened at %v", n, opened)
		}
	}
	at := opened.Add(2 * time.Hour)
	if n, _ := s.CountEvents(ctx, a.ID, ua.ID); n != 1 {
		t.Errorf("opened events = %d, want 1", n)
	}
	list, _ = s.ListNotifications(ctx, a.ID, ua.ID, 0, 10)
	if diff := cmp.Diff([]string{"ann only", "everyone"}, subjects(list)); diff != "" {
		t.Errorf("after opening (-want +got):\n%s", diff)
	}
	send(a.ID, "newest", directory.Recipients{UserID: ua.ID}, 1)
	list, _ = s.ListNotifications(ctx, a.ID, ua.ID, 1, 2)
	if diff := cmp.Diff([]string{"ann only", "everyone"}, subjects(list)); diff != "" {
		t.Errorf("unread first, then read; second page (-want +got):\n%s", diff)
	}
	if total, unread, err := s.CountNotifications(ctx, a.ID, ua.ID); err != nil || total != 3 || unread != 2 {
		t.Errorf("CountNotifications = %d, %d, %v; want 3, 2", total, unread, err)
	}
	if total, unread, _ := s.CountNotifications(ctx, a.ID, uv.ID); total != 2 || unread != 2 {
		t.Errorf("vic's counts = %d, %d; want 2, 2", total, unread)
	}

	// Another user's notification, or another realm's, is not found.
	vics, _ := s.ListNotifications(ctx, a.ID, uv.ID, 0, 10)
	_, err = s.MarkNotificationRead(ctx, a.ID, ua.ID, vics[0].ID, at, &directory.Event{UserID: ua.ID, Type: directory.EventNotificationOpened, CreatedAt: at})
	wantKind(t, err, directory.KindNotFound)
	_, err = s.MarkNotificationRead(ctx, b.ID, ua.ID, list[0].ID, at, &directory.Event{UserID: ua.ID, Type: directory.EventNotificationOpened, CreatedAt: at})
	wantKind(t, err, directory.KindNotFound)
	if total, _, _ := s.CountNotifications(ctx, b.ID, ub.ID); total != 1 {
		t.Errorf("beta's notifications = %d, want 1", total)
	}
}

// testEventOrder checks events by type, custom events' info, and both
// directions.
func testEventOrder(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, ua, _ := signinFixture(t, s)
	var ids []int64
	for i, typ := range []string{"b_type", "a_type", "c_type", "a_type"} {
		e := &directory.Event{UserID: ua.ID, Type: typ, CreatedAt: epoch.Add(time.Duration(i) * time.Second)}
		if i == 1 {
			e.Info = map[string]string{"e_c": "a", "e_a": "type", "url": "https://shop.example/"}
		}
		if err := s.AddEvent(ctx, a.ID, e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if err := s.AddEvent(ctx, b.ID, &directory.Event{UserID: ua.ID, Type: "a_type", CreatedAt: epoch}); err != nil {
		t.Fatal(err)
	}
	got := func(q directory.EventQuery) []int64 {
		t.Helper()
		events, err := s.ListEvents(ctx, a.ID, ua.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, e := range events {
			out = append(out, e.ID)
		}
		return out
	}
	if diff := cmp.Diff([]int64{ids[1], ids[3], ids[0], ids[2]}, got(directory.EventQuery{ByType: true, Page: directory.Page{Limit: 10}})); diff != "" {
		t.Errorf("by type (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{ids[2], ids[0], ids[3]}, got(directory.EventQuery{ByType: true, Page: directory.Page{Limit: 3, Descending: true}})); diff != "" {
		t.Errorf("by type, descending (-want +got):\n%s", diff)
	}
	events, err := s.ListEvents(ctx, a.ID, ua.ID, directory.EventQuery{Page: directory.Page{Limit: 1, Offset: 1}})
	if err != nil || len(events) != 1 {
		t.Fatal(events, err)
	}
	if diff := cmp.Diff(map[string]string{"e_c": "a", "e_a": "type", "url": "https://shop.example/"}, events[0].Info); diff != "" {
		t.Errorf("info (-want +got):\n%s", diff)
	}
}

// testNotificationSends checks a send copied in chunks: each user once,
// users created after the send and deleted users never, two callers on
// the same send never copying a chunk twice, and the pending list.
func testNotificationSends(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, _, ub := signinFixture(t, s)
	for _, name := range []string{"u1", "u2", "u3", "u4"} {
		u := newUser(name)
		u.Tags = []string{"news"}
		create(t, s, a.ID, u)
	}
	sd := &directory.NotificationSend{Subject: "hello", Body: "b", SentAt: epoch}
	if n, err := s.CreateNotificationSend(ctx, a.ID, sd); err != nil || n != 5 {
		t.Fatalf("recipients = %d, %v; want 5 (ann and u1-u4)", n, err)
	}
	late := create(t, s, a.ID, newUser("late")) // after the send: no copy
	pending, err := s.PendingNotificationSends(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].ID != sd.ID || pending[0].Cursor != 0 {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
	first, err := s.CopyNotificationSend(ctx, a.ID, sd.ID, 2, epoch)
	if err != nil || first.Copied != 2 || !first.DoneAt.IsZero() {
		t.Fatalf("first chunk = %+v, %v", first, err)
	}
	// A runner that read the send before the first chunk still starts
	// from the stored cursor.
	second, err := s.CopyNotificationSend(ctx, a.ID, sd.ID, 2, epoch)
	if err != nil || second.Copied != 4 || second.Cursor <= first.Cursor {
		t.Fatalf("second chunk = %+v, %v", second, err)
	}
	at := epoch.Add(time.Minute)
	last, err := s.CopyNotificationSend(ctx, a.ID, sd.ID, 2, at)
	if err != nil || last.Copied != 5 || !last.DoneAt.Equal(at) {
		t.Fatalf("last chunk = %+v, %v", last, err)
	}
	again, err := s.CopyNotificationSend(ctx, a.ID, sd.ID, 2, at.Add(time.Hour))
	if err != nil || again.Copied != 5 || !again.DoneAt.Equal(at) {
		t.Fatalf("a done send copied again: %+v, %v", again, err)
	}
	if pending, _ := s.PendingNotificationSends(ctx, 10); len(pending) != 0 {
		t.Errorf("pending after done = %+v", pending)
	}
	if total, _, _ := s.CountNotifications(ctx, a.ID, late.ID); total != 0 {
		t.Errorf("a user created after the send got %d", total)
	}
	_, err = s.CopyNotificationSend(ctx, b.ID, sd.ID, 2, at)
	wantKind(t, err, directory.KindNotFound)
	if n, _, _ := s.CountNotifications(ctx, b.ID, ub.ID); n != 0 {
		t.Errorf("beta's customer got %d copies", n)
	}
	// A tag send counts and reaches only the tagged users.
	tagged := &directory.NotificationSend{Tag: "news", Subject: "tagged", Body: "b", SentAt: epoch}
	if n, err := s.CreateNotificationSend(ctx, a.ID, tagged); err != nil || n != 4 {
		t.Fatalf("tag recipients = %d, %v; want 4", n, err)
	}
	done, err := s.CopyNotificationSend(ctx, a.ID, tagged.ID, 100, at)
	if err != nil || done.Copied != 4 || done.DoneAt.IsZero() {
		t.Fatalf("tag send = %+v, %v", done, err)
	}
}
