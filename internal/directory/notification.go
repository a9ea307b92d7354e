package directory

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// NotificationStore keeps the notifications sent to a realm's customers.
type NotificationStore interface {
	// SendNotification gives a copy of n to every active user of the
	// realm that to selects, in one statement and one transaction, and
	// returns how many were sent.
	SendNotification(ctx context.Context, realmID int64, n *Notification, to Recipients) (int64, error)
	// ListNotifications returns one offset page of a user's
	// notifications, unread first, then newest first.
	ListNotifications(ctx context.Context, realmID, userID int64, offset, limit int) ([]Notification, error)
	// CountNotifications returns how many notifications the user has,
	// and how many of them are unread.
	CountNotifications(ctx context.Context, realmID, userID int64) (total, unread int64, err error)
	// MarkNotificationRead records that the user opened one of their
	// notifications and stores opened (the notification_opened_log
	// event) in the same transaction, unless it was already read. A
	// notification of another user is KindNotFound.
	MarkNotificationRead(ctx context.Context, realmID, userID, id int64, at time.Time, opened *Event) (*Notification, error)
}

// Notification is a message to one customer, shown on their profile and
// by the Customers API, unread until they open it.
type Notification struct {
	ID       int64
	RealmID  int64
	UserID   int64
	Subject  string
	Body     string // HTML, as the sender wrote it
	SentAt   time.Time
	OpenedAt time.Time // zero while unread
}

// Opened reports whether the customer has read the notification.
func (n *Notification) Opened() bool { return !n.OpenedAt.IsZero() }

// Recipients says who a notification goes to: one user, the users with a
// tag, or (neither set) every active user of the realm.
type Recipients struct {
	UserID int64
	Tag    string
}

// EventNotificationOpened is the event of a customer opening a
// notification.
const EventNotificationOpened = "notification_opened_log"

// Limits of a notification's text.
const (
	MaxNotificationSubject = 255
	MaxNotificationBody    = 64 << 10
)

// SendNotification sends a notification to the recipients and returns how
// many received it. A single recipient must be an active user of the
// realm; a tag or the whole realm may reach no one.
func (s *Service) SendNotification(ctx context.Context, realmID int64, subject, body string, to Recipients) (int64, error) {
	subject = strings.TrimSpace(subject)
	var v Invalid
	switch {
	case subject == "":
		v.Add("subject", "Blank", "Subject cannot be blank")
	case utf8.RuneCountInString(subject) > MaxNotificationSubject:
		v.Add("subject", "TooLong", "Subject is too long (maximum is 255 characters)")
	}
	if len(body) > MaxNotificationBody {
		v.Add("body", "TooLong", "Body is too long (maximum is 65536 bytes)")
	}
	if to.UserID < 0 {
		v.Add("user_id", "InvalidValue", "User is not valid")
	}
	to.Tag = strings.TrimSpace(to.Tag)
	if to.UserID != 0 && to.Tag != "" {
		v.Add("tag", "InvalidValue", "Send to a user or to a tag, not both")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	if to.Tag != "" {
		to.Tag = NormalizeTags([]string{to.Tag})[0]
	}
	if to.UserID != 0 {
		u, err := s.store.UserByID(ctx, realmID, to.UserID)
		if err != nil {
			return 0, err
		}
		if !u.Active() {
			return 0, ErrNotFound
		}
	}
	n := &Notification{Subject: subject, Body: body, SentAt: s.Now()}
	return s.store.SendNotification(ctx, realmID, n, to)
}

// Notifications returns one page of a customer's notifications, unread
// first and then newest, with their total and how many are unread.
func (s *Service) Notifications(ctx context.Context, realmID, userID int64, offset, limit int) ([]Notification, int64, int64, error) {
	list, err := s.store.ListNotifications(ctx, realmID, userID, offset, limit)
	if err != nil {
		return nil, 0, 0, err
	}
	total, unread, err := s.store.CountNotifications(ctx, realmID, userID)
	return list, total, unread, err
}

// MarkNotificationRead marks one of the customer's notifications read and
// records the notification_opened_log event, once: marking it again
// changes nothing.
func (s *Service) MarkNotificationRead(ctx context.Context, realmID, userID, id int64, c Client) (*Notification, error) {
	now := s.Now()
	e := &Event{UserID: userID, Type: EventNotificationOpened, UserAgent: clip(c.UserAgent, 500), IP: clip(c.IP, 64), CreatedAt: now}
	return s.store.MarkNotificationRead(ctx, realmID, userID, id, now, e)
}
