package directory

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
)

// SigninStore is what the realm sign-in needs from a store: settings,
// sessions, single-use links, failed-login counts, the mail outbox, events
// and the OAuth2 server's clients and codes.
type SigninStore interface {
	SessionStore // session.go
	EventStore   // event.go
	MailStore    // mail.go
	OAuthStore   // oauth.go
	IdPStore     // idp.go

	// SigninSettings returns the realm's sign-in settings, or a
	// KindNotFound error when they were never set.
	SigninSettings(ctx context.Context, realmID int64) (*SigninSettings, error)
	// SetSigninSettings writes (inserts or replaces) the realm's settings.
	SetSigninSettings(ctx context.Context, realmID int64, st *SigninSettings) error

	// CreateSigninToken inserts t and sets its id.
	CreateSigninToken(ctx context.Context, realmID int64, t *SigninToken) error
	// LatestSigninToken returns the user's newest link token of kind.
	LatestSigninToken(ctx context.Context, realmID, userID int64, kind string) (*SigninToken, error)
	// SigninTokenByHash finds a link token of the given kind, used or not.
	SigninTokenByHash(ctx context.Context, realmID int64, kind, hash string) (*SigninToken, error)
	// RedeemSigninToken marks the token used; a token already used is a
	// KindConflict error. With passwordHash set it also replaces the
	// token user's password and revokes all their sessions, in the same
	// transaction, so a stolen session dies with the reset.
	RedeemSigninToken(ctx context.Context, realmID, tokenID int64, at time.Time, passwordHash string) error

	// LoginFailures returns the failed logins in a row recorded for key
	// (a folded email) and when the last one happened; 0 when none.
	LoginFailures(ctx context.Context, realmID int64, key string) (int, time.Time, error)
	// RecordLoginFailure counts one more failed login for key and returns
	// the new count.
	RecordLoginFailure(ctx context.Context, realmID int64, key string, at time.Time) (int, error)
	// ClearLoginFailures forgets key's failed logins.
	ClearLoginFailures(ctx context.Context, realmID int64, key string) error
}

// SigninSettings are a realm's rules for its sign-in pages and sessions.
type SigninSettings struct {
	// SignupEnabled lets visitors register on the signup page.
	SignupEnabled bool
	// SessionLifetime is how long a session lasts from sign-in.
	SessionLifetime time.Duration
	// IdleTimeout ends a session unused for that long; 0 never does.
	IdleTimeout time.Duration
	// AllowedOrigins are the absolute origins ("https://shop.example")
	// that redirect_uri and redirect_to may point to, besides relative
	// paths.
	AllowedOrigins []string
}

// Bounds of the session settings, as Modyo offers them: a lifetime of 15
// minutes to 3 months, an idle timeout of 5 minutes to 6 hours.
const (
	MinSessionLifetime = 15 * time.Minute
	MaxSessionLifetime = 90 * 24 * time.Hour
	MinIdleTimeout     = 5 * time.Minute
	MaxIdleTimeout     = 6 * time.Hour
)

// DefaultSigninSettings are a realm's settings until an operator sets
// them: signup open, two-week sessions, no idle timeout.
func DefaultSigninSettings() SigninSettings {
	return SigninSettings{SignupEnabled: true, SessionLifetime: 14 * 24 * time.Hour, AllowedOrigins: []string{}}
}

// Kinds of single-use link tokens, and how long each is valid.
const (
	TokenPasswordReset = "password_reset"
	TokenActivation    = "activation"

	PasswordResetValidity = 3 * 24 * time.Hour
	ActivationValidity    = 7 * 24 * time.Hour
)

// SigninToken is a single-use link sent by mail: a password reset or an
// account activation. Only its hash is stored.
type SigninToken struct {
	ID        int64
	RealmID   int64
	UserID    int64
	Kind      string
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
}

// resetMailEvery is the least time between two reset mails to one
// customer.
const resetMailEvery = time.Minute

// Back-off after failed logins: from the loginFreeFailures-th failure in a
// row, each attempt waits loginBackoff, doubled per further failure up to
// loginMaxBackoff, after the last failure.
const (
	loginFreeFailures = 5
	loginBackoff      = 30 * time.Second
	loginMaxBackoff   = 15 * time.Minute
)

// Passwords hashes and checks passwords; internal/auth provides argon2id.
type Passwords interface {
	HashPassword(password string) (string, error)
	VerifyPassword(hash, password string) bool
}

// Mailer delivers a mail, for instance over SMTP.
type Mailer interface {
	Send(ctx context.Context, m *Mail) error
}

// Signin holds every rule of the realm sign-in: sessions, signup, password
// resets, the failed-login back-off, events and the OAuth2 server's codes
// and tokens. Handlers translate HTTP to its calls.
type Signin struct {
	svc       *Service
	store     Store
	passwords Passwords
	mailer    Mailer // nil: mail goes only to the outbox
	sealer    Sealer // nil: no identity providers
	newSecret func() string

	dummyOnce sync.Once
	dummy     string
}

// dummyHash is a password hash no one knows, made once, to verify
// against when there is no account.
func (s *Signin) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.passwords.HashPassword(s.newSecret()) })
	return s.dummy
}

// SigninOptions configures a Signin. Mailer may be nil; Sealer nil turns
// identity providers off; NewSecret nil means 240 random bits, URL-safe.
type SigninOptions struct {
	Passwords Passwords
	Mailer    Mailer
	Sealer    Sealer
	NewSecret func() string
}

// NewSignin returns the sign-in rules over svc's store and clock.
func NewSignin(svc *Service, opts SigninOptions) *Signin {
	s := &Signin{svc: svc, store: svc.store, passwords: opts.Passwords, mailer: opts.Mailer, sealer: opts.Sealer, newSecret: opts.NewSecret}
	if s.newSecret == nil {
		s.newSecret = randomSecret
	}
	return s
}

// Service returns the directory service the sign-in works with.
func (s *Signin) Service() *Service { return s.svc }

// randomSecret returns 40 URL-safe characters (240 random bits).
func randomSecret() string {
	var b [30]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret is how every random secret (session, link, code, access
// token, client secret) is stored: hex SHA-256. The secrets are long and
// random, so a fast hash is enough. It equals auth.HashToken.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Settings returns the realm's sign-in settings, or the defaults.
func (s *Signin) Settings(ctx context.Context, realmID int64) (*SigninSettings, error) {
	st, err := s.store.SigninSettings(ctx, realmID)
	if KindOf(err) == KindNotFound {
		d := DefaultSigninSettings()
		return &d, nil
	}
	return st, err
}

// SetSettings validates and stores the realm's sign-in settings.
func (s *Signin) SetSettings(ctx context.Context, realmID int64, st SigninSettings) error {
	var v Invalid
	checkSigninSettings(&v, &st)
	if err := v.Err(); err != nil {
		return err
	}
	return s.store.SetSigninSettings(ctx, realmID, &st)
}

// checkSigninSettings collects the problems of st in v, and makes a nil
// origin list empty.
func checkSigninSettings(v *Invalid, st *SigninSettings) {
	if st.SessionLifetime < MinSessionLifetime || st.SessionLifetime > MaxSessionLifetime {
		v.Add("session_lifetime", "InvalidValue", "must be between 15 minutes and 90 days")
	}
	if st.IdleTimeout != 0 && (st.IdleTimeout < MinIdleTimeout || st.IdleTimeout > MaxIdleTimeout) {
		v.Add("idle_timeout", "InvalidValue", "must be 0 (none) or between 5 minutes and 6 hours")
	}
	for _, o := range st.AllowedOrigins {
		if !validOrigin(o) {
			v.Add("allowed_origins", "InvalidValue", fmt.Sprintf("%q is not an origin like https://shop.example", o))
		}
	}
	if st.AllowedOrigins == nil {
		st.AllowedOrigins = []string{}
	}
}

// validOrigin accepts scheme://host[:port] with an http or https scheme
// and nothing after the host.
func validOrigin(o string) bool {
	rest, ok := strings.CutPrefix(o, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(o, "http://")
	}
	return ok && rest != "" && !strings.ContainsAny(rest, "/?#@ \\")
}

// SafeRedirect returns target when it is a relative path on this host or
// lies on one of the realm's allowed origins, else fallback: sign-in never
// sends a customer to a page an attacker named.
func SafeRedirect(st *SigninSettings, target, fallback string) string {
	if target == "" {
		return fallback
	}
	if strings.ContainsAny(target, "\\\r\n\t") {
		return fallback
	}
	// A relative path, but not a scheme-relative "//evil.example".
	if strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "//") {
		return target
	}
	for _, o := range st.AllowedOrigins {
		if target == o || strings.HasPrefix(target, o+"/") || strings.HasPrefix(target, o+"?") {
			return target
		}
	}
	return fallback
}

// Client describes where a sign-in request comes from: its user agent and
// address for events, and the scheme and host links in mails point to.
type Client struct {
	UserAgent string
	IP        string
	BaseURL   string // e.g. "https://id.example.com", no trailing slash
}

// Signup registers a customer of the realm with a password and signs
// them in. The realm must have signup enabled. An activation link is
// mailed; the customer can use the account before activating it.
func (s *Signin) Signup(ctx context.Context, realm *Realm, name, email, password string, c Client) (*User, string, error) {
	st, err := s.Settings(ctx, realm.ID)
	if err != nil {
		return nil, "", err
	}
	if !st.SignupEnabled {
		return nil, "", Errorf(KindForbidden, "Signup is disabled for this realm")
	}
	svc := s.svc
	now := svc.Now()
	in := UserInput{Name: &name, Email: &email}
	u := svc.newUser(realm.ID, now)
	var v Invalid
	if trimmed(email) == "" {
		v.Add("email", "BlankValue", "can't be blank")
	}
	checkNewPassword(&v, email, password)
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	if err := svc.applyUserInput(u, in, true); err != nil {
		return nil, "", err
	}
	ids, err := svc.newUserIdentities(u, in, now)
	if err != nil {
		return nil, "", err
	}
	if err := svc.checkUnique(ctx, realm.ID, 0, ids, ""); err != nil {
		return nil, "", err
	}
	if u.PasswordHash, err = s.passwords.HashPassword(password); err != nil {
		return nil, "", err
	}
	if err := s.store.CreateUser(ctx, realm.ID, u, ids); err != nil {
		return nil, "", err
	}
	s.record(ctx, realm.ID, u.ID, EventSignup, MethodDirect, c)
	link, err := s.newLink(ctx, realm.ID, u.ID, TokenActivation, ActivationValidity)
	if err != nil {
		return nil, "", err
	}
	if err := s.sendMail(ctx, realm.ID, u.Email, "Activate your "+realm.Name+" account",
		"Welcome, "+u.Name+".\n\nConfirm your email address by opening this link within 7 days:\n\n"+c.BaseURL+"/realms/"+realm.UID+"/activate/"+link+"\n"); err != nil {
		return nil, "", err
	}
	token, _, err := s.startSession(ctx, realm.ID, u, MethodDirect, c, st)
	if err != nil {
		return nil, "", err
	}
	return u, token, nil
}

// ErrLoginFailed is the one answer to a wrong email or password: it does
// not tell which was wrong.
var ErrLoginFailed = &Error{Kind: KindUnauthenticated, Message: "Invalid email or password"}

// Login checks a customer's email and password and starts a session,
// returning the session's secret for the cookie. After repeated failures
// for one email the account is held back for a growing delay, during which
// even the right password is refused unchecked.
func (s *Signin) Login(ctx context.Context, realm *Realm, email, password string, c Client) (*User, string, error) {
	key := NormalizeEmail(email)
	now := s.svc.Now()
	n, last, err := s.store.LoginFailures(ctx, realm.ID, key)
	if err != nil {
		return nil, "", err
	}
	if wait := loginWait(n, last, now); wait > 0 {
		s.record(ctx, realm.ID, 0, EventLoginFailed, MethodDirect, c)
		return nil, "", Errorf(KindRateLimited, "Too many failed logins; try again in %s", wait.Round(time.Second))
	}
	u, err := s.store.UserByIdentity(ctx, realm.ID, IdentityEmail, key)
	if err != nil && KindOf(err) != KindNotFound {
		return nil, "", err
	}
	if err != nil || u.PasswordHash == "" {
		// Hash anyway, so an unknown email takes as long as a wrong
		// password and the timing does not tell who has an account.
		s.passwords.VerifyPassword(s.dummyHash(), password)
	}
	if err != nil || u.PasswordHash == "" || !u.Active() || u.Suspended || !s.passwords.VerifyPassword(u.PasswordHash, password) {
		var userID int64
		if u != nil {
			userID = u.ID
		}
		if _, err := s.store.RecordLoginFailure(ctx, realm.ID, key, now); err != nil {
			return nil, "", err
		}
		s.record(ctx, realm.ID, userID, EventLoginFailed, MethodDirect, c)
		return nil, "", ErrLoginFailed
	}
	if n > 0 {
		if err := s.store.ClearLoginFailures(ctx, realm.ID, key); err != nil {
			return nil, "", err
		}
	}
	st, err := s.Settings(ctx, realm.ID)
	if err != nil {
		return nil, "", err
	}
	token, _, err := s.startSession(ctx, realm.ID, u, MethodDirect, c, st)
	if err != nil {
		return nil, "", err
	}
	s.record(ctx, realm.ID, u.ID, EventLogin, MethodDirect, c)
	return u, token, nil
}

// loginWait is how long an account with n failures in a row, the last at
// last, must still wait before its next attempt.
func loginWait(n int, last, now time.Time) time.Duration {
	if n < loginFreeFailures {
		return 0
	}
	backoff := loginBackoff
	for i := loginFreeFailures; i < n && backoff < loginMaxBackoff; i++ {
		backoff *= 2
	}
	backoff = min(backoff, loginMaxBackoff)
	return max(0, last.Add(backoff).Sub(now))
}

// RequestPasswordReset mails a reset link, valid 3 days, to the customer
// with that email. It succeeds silently for an unknown email, so the page
// does not reveal who has an account.
func (s *Signin) RequestPasswordReset(ctx context.Context, realm *Realm, email string, c Client) error {
	u, err := s.store.UserByIdentity(ctx, realm.ID, IdentityEmail, NormalizeEmail(email))
	if KindOf(err) == KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !u.Active() || u.Suspended {
		return nil
	}
	// One mail a minute at most, so the page cannot flood an inbox.
	last, err := s.store.LatestSigninToken(ctx, realm.ID, u.ID, TokenPasswordReset)
	if err == nil && s.svc.Now().Sub(last.CreatedAt) < resetMailEvery {
		return nil
	}
	if err != nil && KindOf(err) != KindNotFound {
		return err
	}
	link, err := s.newLink(ctx, realm.ID, u.ID, TokenPasswordReset, PasswordResetValidity)
	if err != nil {
		return err
	}
	return s.sendMail(ctx, realm.ID, u.Email, "Reset your "+realm.Name+" password",
		"Hello "+u.Name+",\n\nSet a new password by opening this link within 3 days:\n\n"+c.BaseURL+"/realms/"+realm.UID+"/password/reset/"+link+"\n\nIf you did not ask for it, ignore this mail.\n")
}

// newLink stores a single-use token of kind and returns its secret.
func (s *Signin) newLink(ctx context.Context, realmID, userID int64, kind string, validity time.Duration) (string, error) {
	secret := s.newSecret()
	now := s.svc.Now()
	t := &SigninToken{UserID: userID, Kind: kind, Hash: HashSecret(secret), CreatedAt: now, ExpiresAt: now.Add(validity)}
	if err := s.store.CreateSigninToken(ctx, realmID, t); err != nil {
		return "", err
	}
	return secret, nil
}

// ErrLinkInvalid is the answer to an unknown, used or expired link.
var ErrLinkInvalid = &Error{Kind: KindNotFound, Message: "This link is invalid or has expired"}

// CheckLink returns the unused, unexpired link token of kind named by
// secret, or ErrLinkInvalid.
func (s *Signin) CheckLink(ctx context.Context, realmID int64, kind, secret string) (*SigninToken, error) {
	if secret == "" || len(secret) > 200 {
		return nil, ErrLinkInvalid
	}
	t, err := s.store.SigninTokenByHash(ctx, realmID, kind, HashSecret(secret))
	if KindOf(err) == KindNotFound {
		return nil, ErrLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	if !t.UsedAt.IsZero() || !s.svc.Now().Before(t.ExpiresAt) {
		return nil, ErrLinkInvalid
	}
	return t, nil
}

// ResetPassword sets a new password through a reset link, once: the link
// is spent and every session of the customer ends.
func (s *Signin) ResetPassword(ctx context.Context, realm *Realm, secret, password, confirmation string, c Client) error {
	t, err := s.CheckLink(ctx, realm.ID, TokenPasswordReset, secret)
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, realm.ID, t.UserID)
	if err != nil {
		return err
	}
	var v Invalid
	checkNewPassword(&v, u.Email, password)
	if password != confirmation {
		v.Add("password_confirmation", "InvalidValue", "doesn't match the password")
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.passwords.HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.RedeemSigninToken(ctx, realm.ID, t.ID, s.svc.Now(), hash); err != nil {
		if KindOf(err) == KindConflict {
			return ErrLinkInvalid
		}
		return err
	}
	// A customer who proves they read their mail may try again at once.
	err = s.store.ClearLoginFailures(ctx, realm.ID, NormalizeEmail(u.Email))
	s.record(ctx, realm.ID, t.UserID, EventPasswordReset, MethodDirect, c)
	return err
}

// Activate verifies the customer's account through an activation link.
func (s *Signin) Activate(ctx context.Context, realm *Realm, secret string) (*User, error) {
	t, err := s.CheckLink(ctx, realm.ID, TokenActivation, secret)
	if err != nil {
		return nil, err
	}
	// Verifying first and spending the link second is safe to repeat:
	// if the second step fails the link still works and verifies again.
	verified := true
	u, err := s.svc.UpdateUser(ctx, Operator(realm.ID), t.UserID, UserInput{Verified: &verified})
	if err != nil {
		return nil, err
	}
	if err := s.store.RedeemSigninToken(ctx, realm.ID, t.ID, s.svc.Now(), ""); err != nil && KindOf(err) != KindConflict {
		return nil, err
	}
	return u, nil
}

// ChangePassword replaces the signed-in customer's password after checking
// the current one.
func (s *Signin) ChangePassword(ctx context.Context, realmID int64, u *User, current, password, confirmation string) error {
	var v Invalid
	if u.PasswordHash != "" && !s.passwords.VerifyPassword(u.PasswordHash, current) {
		v.Add("current_password", "InvalidValue", "is not your current password")
	}
	checkNewPassword(&v, u.Email, password)
	if password != confirmation {
		v.Add("password_confirmation", "InvalidValue", "doesn't match the password")
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.passwords.HashPassword(password)
	if err != nil {
		return err
	}
	return s.store.SetPasswordHash(ctx, realmID, u.ID, hash)
}
