package directory

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// EventStore keeps the realm's business events.
type EventStore interface {
	// AddEvent inserts e and sets its id.
	AddEvent(ctx context.Context, realmID int64, e *Event) error
	// ListEvents returns one offset page of a user's events (all the
	// realm's when userID is 0), by id or, with q.ByType, by type and
	// then id.
	ListEvents(ctx context.Context, realmID, userID int64, q EventQuery) ([]Event, error)
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
	// Info holds a custom event's tracking parameters (category,
	// action, url, ...); nil for the sign-in's own events.
	Info map[string]string
}

// EventQuery orders and pages a list of events: by id (which is creation
// order) or by type, ascending unless Page.Descending.
type EventQuery struct {
	Page
	ByType bool
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
func (s *Signin) Events(ctx context.Context, realmID, userID int64, q EventQuery) ([]Event, int64, error) {
	events, err := s.store.ListEvents(ctx, realmID, userID, q)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.store.CountEvents(ctx, realmID, userID)
	return events, n, err
}

// trackedParams are the tracking parameters a custom event keeps, as
// Modyo's site tracker names them; anything else is dropped. Parameters
// starting with "pf_" (page performance timings) are kept too.
var trackedParams = map[string]bool{
	"e_c": true, "e_a": true, "e_n": true, "e_v": true, "url": true, "urlref": true,
	"action_name": true, "revenue": true, "order_id": true, "au_mt": true,
}

// maxTrackedValue bounds one tracking parameter's value.
const maxTrackedValue = 1000

// validEventWord reports whether s may name an event's category or
// action: 1 to 64 letters, digits, "_" or "-".
func validEventWord(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// TrackEvent records a custom event of a site for its signed-in customer:
// params must name a category (e_c) and an action (e_a), and the event's
// type is "<category>_<action>". Unknown parameters are dropped.
func (s *Service) TrackEvent(ctx context.Context, realmID, userID int64, params map[string]string, c Client) (*Event, error) {
	info := map[string]string{}
	for k, v := range params {
		if trackedParams[k] || strings.HasPrefix(k, "pf_") && len(k) <= 32 {
			info[k] = clip(strings.TrimSpace(v), maxTrackedValue)
		}
	}
	var v Invalid
	if !validEventWord(info["e_c"]) {
		v.Add("e_c", "InvalidValue", "Category (e_c) must be 1 to 64 letters, digits, _ or -")
	}
	if !validEventWord(info["e_a"]) {
		v.Add("e_a", "InvalidValue", "Action (e_a) must be 1 to 64 letters, digits, _ or -")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	e := &Event{UserID: userID, Type: info["e_c"] + "_" + info["e_a"], UserAgent: clip(c.UserAgent, 500), IP: clip(c.IP, 64),
		CreatedAt: s.Now(), Info: info}
	if err := s.store.AddEvent(ctx, realmID, e); err != nil {
		return nil, err
	}
	return e, nil
}
