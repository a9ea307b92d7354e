package directory

import (
	"context"
	"time"
)

// SessionStore keeps customers' sign-in sessions.
type SessionStore interface {
	// CreateSession inserts s and sets its id.
	CreateSession(ctx context.Context, realmID int64, s *Session) error
	// SessionByHash finds a session of the realm by its secret's hash,
	// whether alive or not.
	SessionByHash(ctx context.Context, realmID int64, hash string) (*Session, error)
	// SessionByID finds a session of the realm by id.
	SessionByID(ctx context.Context, realmID, id int64) (*Session, error)
	// TouchSession records the session's last use.
	TouchSession(ctx context.Context, realmID, id int64, at time.Time) error
	// RevokeSession ends a session (and with it its access tokens).
	RevokeSession(ctx context.Context, realmID, id int64, at time.Time) error
}

// Authentication methods, as Modyo's events name them.
const (
	MethodDirect  = "direct"  // email and password on the login page
	MethodOpenIDC = "openidc" // an external OpenID Connect provider
	MethodOAuth2  = "oauth2"  // the realm's OAuth2 server
	MethodCLI     = "cli"     // an operator's `clientele user token`
)

// Session is a customer's sign-in to a realm. The browser holds its
// secret in a cookie and the store only its hash. Access tokens issued
// from a session live as long as it does.
type Session struct {
	ID         int64
	RealmID    int64
	UserID     int64
	Hash       string
	Method     string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// IdleTimeout is the realm's idle timeout when the session began;
	// 0: none.
	IdleTimeout time.Duration
	RevokedAt   time.Time // zero while not revoked
}

// Alive reports whether the session may still be used at now: not
// revoked, not past its lifetime, not idle for longer than its timeout.
func (s *Session) Alive(now time.Time) bool {
	if !s.RevokedAt.IsZero() || !now.Before(s.ExpiresAt) {
		return false
	}
	return s.IdleTimeout == 0 || now.Before(s.LastSeenAt.Add(s.IdleTimeout))
}

// touchEvery bounds how often using a session records it, so reads do not
// all turn into writes; it is far below the shortest idle timeout.
const touchEvery = 30 * time.Second

// ErrSessionExpired is the answer to a session (or an access token of
// one) that was revoked, reached its lifetime or sat idle too long.
var ErrSessionExpired = &Error{Kind: KindUnauthenticated, Message: "session expired"}

// ErrUserInactive is the answer to a live session (or access token) whose
// customer was since deleted or suspended.
var ErrUserInactive = &Error{Kind: KindUnauthenticated, Message: "user not found"}

// startSession creates a session for u and returns its secret.
func (s *Signin) startSession(ctx context.Context, realmID int64, u *User, method string, c Client, st *SigninSettings) (string, *Session, error) {
	secret := s.newSecret()
	now := s.svc.Now()
	sess := &Session{UserID: u.ID, Hash: HashSecret(secret), Method: method, UserAgent: clip(c.UserAgent, 500),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(st.SessionLifetime), IdleTimeout: st.IdleTimeout}
	if err := s.store.CreateSession(ctx, realmID, sess); err != nil {
		return "", nil, err
	}
	if err := s.store.TouchLogin(ctx, realmID, u.ID, now); err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// StartSession signs u in without a password, for operators (`clientele
// user token`) and identity providers; method says how.
func (s *Signin) StartSession(ctx context.Context, realm *Realm, u *User, method string, c Client) (string, *Session, error) {
	if !u.Active() || u.Suspended {
		return "", nil, Errorf(KindForbidden, "user %d is deleted or suspended", u.ID)
	}
	st, err := s.Settings(ctx, realm.ID)
	if err != nil {
		return "", nil, err
	}
	secret, sess, err := s.startSession(ctx, realm.ID, u, method, c, st)
	if err != nil {
		return "", nil, err
	}
	s.record(ctx, realm.ID, u.ID, EventLogin, method, c)
	return secret, sess, nil
}

// Session returns the live session named by a cookie's secret and its
// user, recording its use; ErrSessionExpired when it is no longer alive
// and a KindNotFound error when it never existed.
func (s *Signin) Session(ctx context.Context, realmID int64, secret string) (*Session, *User, error) {
	if secret == "" || len(secret) > 200 {
		return nil, nil, ErrNotFound
	}
	sess, err := s.store.SessionByHash(ctx, realmID, HashSecret(secret))
	if err != nil {
		return nil, nil, err
	}
	return s.Use(ctx, sess)
}

// Use checks that sess is alive and its user may sign in, and records the
// use, which keeps an idle timeout from running out.
func (s *Signin) Use(ctx context.Context, sess *Session) (*Session, *User, error) {
	now := s.svc.Now()
	if !sess.Alive(now) {
		return nil, nil, ErrSessionExpired
	}
	u, err := s.store.UserByID(ctx, sess.RealmID, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if !u.Active() || u.Suspended {
		return nil, nil, ErrUserInactive
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, sess.RealmID, sess.ID, now); err != nil {
			return nil, nil, err
		}
		sess.LastSeenAt = now
	}
	return sess, u, nil
}

// AccessToken resolves a bearer token of the realm for the Customers
// API: the token, its live session (nil for a token issued without one)
// and its user. An unknown token, one of another realm or one past its
// expiry is KindNotFound; a token whose session ended is
// ErrSessionExpired; a token of a deleted or suspended user is
// ErrUserInactive.
func (s *Signin) AccessToken(ctx context.Context, realmID int64, token string) (*AccessToken, *Session, *User, error) {
	if token == "" || len(token) > 200 {
		return nil, nil, nil, ErrNotFound
	}
	t, err := s.store.AccessTokenByHash(ctx, HashSecret(token))
	if err != nil {
		return nil, nil, nil, err
	}
	if t.RealmID != realmID || !t.ExpiresAt.IsZero() && !s.svc.Now().Before(t.ExpiresAt) {
		return nil, nil, nil, ErrNotFound
	}
	if t.SessionID == 0 {
		u, err := s.store.UserByID(ctx, realmID, t.UserID)
		if err != nil {
			return nil, nil, nil, err
		}
		if !u.Active() || u.Suspended {
			return nil, nil, nil, ErrUserInactive
		}
		return t, nil, u, nil
	}
	sess, err := s.store.SessionByID(ctx, realmID, t.SessionID)
	if err != nil {
		return nil, nil, nil, err
	}
	sess, u, err := s.Use(ctx, sess)
	if err != nil {
		return nil, nil, nil, err
	}
	return t, sess, u, nil
}

// Logout ends the session named by secret, if it exists.
func (s *Signin) Logout(ctx context.Context, realmID int64, secret string, c Client) error {
	if secret == "" || len(secret) > 200 {
		return nil
	}
	sess, err := s.store.SessionByHash(ctx, realmID, HashSecret(secret))
	if KindOf(err) == KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !sess.RevokedAt.IsZero() {
		return nil
	}
	if err := s.store.RevokeSession(ctx, realmID, sess.ID, s.svc.Now()); err != nil {
		return err
	}
	s.record(ctx, realmID, sess.UserID, EventLogout, sess.Method, c)
	return nil
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
