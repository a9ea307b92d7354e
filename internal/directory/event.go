package directory

import (
	"context"
	"log/slog"
	"time"
)

// EventStore keeps the realm's business events.
type EventStore interface {
	// AddEvent inserts e and sets its id.
	AddEvent(ctx context.Context, realmID int64, e *Event) error
	// ListEvents returns one offset page of a user's events (all the
	// realm's when userID is 0), by id.
	ListEvents(ctx context.Context, realmID, userID int64, p Page) ([]Event, error)
	// CountEvents counts what ListEvents pages through.
	CountEvents(ctx context.Context, realmID, userID int64) (int64, error)
}

// Event types of the sign-in, named as Modyo names them
// (<category>_<action>_log).
const (
	EventLogin         = "user_login_log"
	EventLoginFailed   = "user_login_failed_log"
	EventLogout        = "user_logout_log"
	EventSignup        = "user_signup_log"
	EventPasswordReset = "user_password_reset_log"
	EventIdPSyncFailed = "identity_provider_sync_user_failed_log"
)

// Event is one entry of a realm's business-event log, read by the
// Customers API's events endpoint.
type Event struct {
	ID        int64
	RealmID   int64
	UserID    int64 // 0: no known user (a failed login for an unknown email)
	Type      string
	Method    string // authentication method: direct, openidc, oauth2, cli
	UserAgent string
	IP        string
	CreatedAt time.Time
}

// record stores a sign-in event. An event that cannot be stored must not
// turn a good sign-in into an error page, so the failure is only logged.
func (s *Signin) record(ctx context.Context, realmID, userID int64, typ, method string, c Client) {
	e := &Event{UserID: userID, Type: typ, Method: method, UserAgent: clip(c.UserAgent, 500), IP: clip(c.IP, 64), CreatedAt: s.svc.Now()}
	if err := s.store.AddEvent(ctx, realmID, e); err != nil {
		slog.ErrorContext(ctx, "recording a sign-in event", "realm_id", realmID, "type", typ, "err", err)
	}
}

// RecordEvent stores an event of the sign-in that happens outside Signin,
// such as an identity provider's failed sync.
func (s *Signin) RecordEvent(ctx context.Context, realmID, userID int64, typ, method string, c Client) {
	s.record(ctx, realmID, userID, typ, method, c)
}

// Events returns one page of a user's events and their total.
func (s *Signin) Events(ctx context.Context, realmID, userID int64, p Page) ([]Event, int64, error) {
	events, err := s.store.ListEvents(ctx, realmID, userID, p)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.store.CountEvents(ctx, realmID, userID)
	return events, n, err
}
