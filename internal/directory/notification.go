package directory

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"
)

// NotificationStore keeps the notifications sent to a realm's customers.
type NotificationStore interface {
	// NotifyUser gives n to its one recipient, n.UserID, and sets its id.
	NotifyUser(ctx context.Context, realmID int64, n *Notification) error
	// CreateNotificationSend records a send to every active user of the
	// realm, or to those with send.Tag, that exist now (LastUserID, which
	// it sets, is the greatest user id so far), sets send.ID, and returns
	// how many users it will reach.
	CreateNotificationSend(ctx context.Context, realmID int64, send *NotificationSend) (int64, error)
	// CopyNotificationSend gives the send's next recipients after its
	// cursor, at most limit, their copy, moving the cursor in the same
	// transaction, and returns the send as it stands after that chunk
	// (DoneAt set, at at, once no recipient is left). Two callers on the
	// same send cannot copy a chunk twice; a send already done is
	// returned as it is.
	CopyNotificationSend(ctx context.Context, realmID, id int64, limit int, at time.Time) (*NotificationSend, error)
	// PendingNotificationSends lists sends of every realm not yet done,
	// oldest first, at most limit.
	PendingNotificationSends(ctx context.Context, limit int) ([]NotificationSend, error)
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

// NotificationSend is one notification on its way to many users: every
// active user of a realm, or those with a tag, as they were when it was
// sent. Copies are made a chunk of users at a time (see
// NotificationStore.CopyNotificationSend).
type NotificationSend struct {
	ID         int64
	RealmID    int64
	Tag        string // "": every user of the realm
	Subject    string
	Body       string
	SentAt     time.Time
	LastUserID int64 // users created after the send have greater ids
	Cursor     int64 // users up to this id have their copy
	Copied     int64 // copies made so far
	DoneAt     time.Time
}

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
	if tags := NormalizeTags([]string{to.Tag}); len(tags) == 1 {
		to.Tag = tags[0]
	} else {
		to.Tag = ""
	}
	switch {
	case !validText(to.Tag, maxShortText):
		v.Add("tag", "InvalidValue", "Tag is invalid or too long")
	case to.UserID != 0 && to.Tag != "":
		v.Add("tag", "InvalidValue", "Send to a user or to a tag, not both")
	}
	if err := v.Err(); err != nil {
		return 0, err
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
	if to.UserID != 0 {
		return 1, s.store.NotifyUser(ctx, realmID, &Notification{UserID: to.UserID, Subject: subject, Body: body, SentAt: s.Now()})
	}
	send := &NotificationSend{Tag: to.Tag, Subject: subject, Body: body, SentAt: s.Now()}
	recipients, err := s.store.CreateNotificationSend(ctx, realmID, send)
	if err != nil {
		return 0, err
	}
	// Copy at once what a second allows, so a small audience has its
	// notifications when the call returns; RunNotificationSends copies
	// the rest of a large one.
	deadline := time.Now().Add(sendInlineFor)
	for send.DoneAt.IsZero() && time.Now().Before(deadline) {
		next, err := s.store.CopyNotificationSend(ctx, realmID, send.ID, sendChunk, s.Now())
		if err != nil {
			// The send is recorded: the runners finish it.
			slog.ErrorContext(ctx, "copying a notification send", "realm_id", realmID, "send_id", send.ID, "err", err)
			break
		}
		send = next
	}
	return recipients, nil
}

// sendChunk is how many users one transaction of a send gives their copy:
// small enough that other writes never wait long behind it.
const sendChunk = 5000

// sendInlineFor is how long SendNotification copies before leaving the
// rest of a send to the runners.
const sendInlineFor = time.Second

// RunNotificationSends copies the sends not yet done, on every node, until
// ctx ends, looking for new ones every poll. A send interrupted by a
// restart is finished by the next runner, without giving anyone a second
// copy.
func (s *Service) RunNotificationSends(ctx context.Context, poll time.Duration, log *slog.Logger) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := s.RunPendingNotificationSends(ctx); err != nil && ctx.Err() == nil {
			log.Error("copying notification sends", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunPendingNotificationSends copies every pending send to the end and
// returns how many it finished.
func (s *Service) RunPendingNotificationSends(ctx context.Context) (int, error) {
	pending, err := s.store.PendingNotificationSends(ctx, 10)
	if err != nil {
		return 0, err
	}
	finished := 0
	for _, send := range pending {
		cur := &send
		for cur.DoneAt.IsZero() {
			if err := ctx.Err(); err != nil {
				return finished, err
			}
			if cur, err = s.store.CopyNotificationSend(ctx, send.RealmID, send.ID, sendChunk, s.Now()); err != nil {
				return finished, err
			}
		}
		finished++
	}
	return finished, nil
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

// UnreadNotifications counts the customer's unread notifications.
func (s *Service) UnreadNotifications(ctx context.Context, realmID, userID int64) (int64, error) {
	_, unread, err := s.store.CountNotifications(ctx, realmID, userID)
	return unread, err
}

// MarkNotificationRead marks one of the customer's notifications read and
// records the notification_opened_log event, once: marking it again
// changes nothing.
func (s *Service) MarkNotificationRead(ctx context.Context, realmID, userID, id int64, c Client) (*Notification, error) {
	now := s.Now()
	e := &Event{UserID: userID, Type: EventNotificationOpened, UserAgent: clip(c.UserAgent, 500), IP: clip(c.IP, 64), CreatedAt: now}
	return s.store.MarkNotificationRead(ctx, realmID, userID, id, now, e)
}
