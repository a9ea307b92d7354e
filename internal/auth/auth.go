// Package auth turns credentials into principals: realm API tokens, user
// passwords (argon2id) and OAuth bearer tokens. Secrets are stored only as
// hashes; tokens are shown once, when issued.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// Method says how a principal authenticated.
type Method string

// The ways to authenticate to the Zendesk API.
const (
	MethodAPIToken Method = "api_token"
	MethodPassword Method = "password"
	MethodOAuth    Method = "oauth"
)

// Principal is an authenticated user of a realm.
type Principal struct {
	Realm  *directory.Realm
	User   *directory.User
	Method Method
	Scopes []string // OAuth scopes; empty for other methods
	// SessionID is the realm sign-in session an OAuth token came from;
	// 0 for other credentials.
	SessionID int64
}

// Actor is the principal as the directory sees it.
func (p *Principal) Actor() directory.Actor {
	return directory.Actor{RealmID: p.Realm.ID, UserID: p.User.ID, Role: p.User.Role}
}

// Errors of Authenticate. Both are KindUnauthenticated directory errors, so
// an API maps them to 401; ErrInvalidToken is the bearer-token variant,
// which Zendesk reports in OAuth's own words.
var (
	ErrBadCredentials = &directory.Error{Kind: directory.KindUnauthenticated, Message: "Couldn't authenticate you"}
	ErrInvalidToken   = &directory.Error{Kind: directory.KindUnauthenticated, Message: "invalid_token"}
)

// lastLoginEvery and lastUsedEvery bound how often an API call records a
// user's last_login_at and a token's last use, so reads do not turn into
// writes.
const (
	lastLoginEvery = time.Minute
	lastUsedEvery  = time.Minute
)

// maxPasswordCandidates bounds the argon2id work of one password login
// when the same email has a password in several realms.
const maxPasswordCandidates = 5

// Authenticator checks the Authorization header of requests.
type Authenticator struct {
	store directory.Store
	now   func() time.Time
	cache *principalCache
}

// NewAuthenticator returns an Authenticator over store; now may be nil for
// the real clock.
func NewAuthenticator(store directory.Store, now func() time.Time) *Authenticator {
	if now == nil {
		now = time.Now
	}
	return &Authenticator{store: store, now: now, cache: &principalCache{}}
}

// CacheFor makes the authenticator remember a credential's principal for
// ttl, so that a burst of API calls costs one lookup, not three queries
// (or an argon2id hash) each. The price: a revoked token, a changed
// password or a deleted user still authenticates on this node for up to
// ttl. Zero, the default, remembers nothing.
func (a *Authenticator) CacheFor(ttl time.Duration) *Authenticator {
	a.cache.setTTL(ttl)
	return a
}

// Authenticate returns the principal named by r's credentials: nil, nil
// when r carries none, and ErrBadCredentials or ErrInvalidToken when they
// are wrong. API tokens act as the agent or admin whose email precedes
// "/token"; passwords sign in any active user that has one.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request) (*Principal, error) {
	header := r.Header.Get("Authorization")
	credential := header
	if header == "" {
		// Zendesk's Ruby client may still send the token in the URL.
		tok := r.URL.Query().Get("access_token")
		if tok == "" {
			return nil, nil
		}
		credential = "Bearer " + tok
	}
	key := HashToken(credential)
	e := a.cache.get(key, a.now())
	if e == nil {
		var err error
		if e, err = a.lookup(ctx, credential); err != nil {
			return nil, err
		}
		a.cache.put(key, e, a.now())
	}
	if err := a.touch(ctx, e); err != nil {
		return nil, err
	}
	return e.principal, nil
}

// lookup checks a credential against the store.
func (a *Authenticator) lookup(ctx context.Context, credential string) (*cacheEntry, error) {
	scheme, value, _ := strings.Cut(credential, " ")
	value = strings.TrimSpace(value)
	switch {
	case strings.EqualFold(scheme, "Basic"):
		return a.basic(ctx, value)
	case strings.EqualFold(scheme, "Bearer"):
		return a.bearer(ctx, value)
	}
	return nil, ErrBadCredentials
}

// touch records, at most once a minute each, the user's last login and the
// API token's last use.
func (a *Authenticator) touch(ctx context.Context, e *cacheEntry) error {
	now := a.now()
	at := now.UTC().Truncate(time.Second)
	p := e.principal
	if now.Sub(latest(p.User.LastLoginAt, e.loginTouched.Load())) > lastLoginEvery {
		e.loginTouched.Store(now.Unix())
		if err := a.store.TouchLogin(ctx, p.Realm.ID, p.User.ID, at); err != nil {
			return err
		}
	}
	if e.token != nil && now.Sub(latest(e.token.LastUsedAt, e.tokenTouched.Load())) > lastUsedEvery {
		e.tokenTouched.Store(now.Unix())
		if err := a.store.TouchAPIToken(ctx, p.Realm.ID, e.token.ID, at); err != nil {
			return err
		}
	}
	return nil
}

// latest is the later of a stored time and a time recorded since, in Unix
// seconds (0 for none).
func latest(stored time.Time, since int64) time.Time {
	if since > stored.Unix() {
		return time.Unix(since, 0)
	}
	return stored
}

func (a *Authenticator) basic(ctx context.Context, value string) (*cacheEntry, error) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return nil, ErrBadCredentials
	}
	user, secret, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || secret == "" {
		return nil, ErrBadCredentials
	}
	if email, isToken := strings.CutSuffix(user, "/token"); isToken {
		return a.apiToken(ctx, email, secret)
	}
	return a.password(ctx, user, secret)
}

func (a *Authenticator) apiToken(ctx context.Context, email, token string) (*cacheEntry, error) {
	t, err := a.store.APITokenByHash(ctx, HashToken(token))
	if err != nil {
		return nil, notFoundAs(err, ErrBadCredentials)
	}
	realm, err := a.store.RealmByID(ctx, t.RealmID)
	if err != nil {
		return nil, notFoundAs(err, ErrBadCredentials)
	}
	u, err := a.store.UserByIdentity(ctx, realm.ID, directory.IdentityEmail, directory.NormalizeEmail(email))
	if err != nil {
		return nil, notFoundAs(err, ErrBadCredentials)
	}
	// A token acts only as staff: end users never hold realm-wide power.
	if !usable(u) || !u.Role.Staff() {
		return nil, ErrBadCredentials
	}
	return &cacheEntry{principal: &Principal{Realm: realm, User: u, Method: MethodAPIToken}, token: t}, nil
}

func (a *Authenticator) password(ctx context.Context, email, password string) (*cacheEntry, error) {
	users, err := a.store.UsersWithPassword(ctx, directory.NormalizeEmail(email), maxPasswordCandidates)
	if err != nil {
		return nil, err
	}
	var match *directory.User
	for i := range users {
		u := &users[i]
		if VerifyPassword(u.PasswordHash, password) {
			if match != nil {
				// The same email and password in two realms cannot say
				// which realm is meant.
				return nil, ErrBadCredentials
			}
			match = u
		}
	}
	if match == nil {
		return nil, ErrBadCredentials
	}
	realm, err := a.store.RealmByID(ctx, match.RealmID)
	if err != nil {
		// A deleted realm's users sign in nowhere.
		return nil, notFoundAs(err, ErrBadCredentials)
	}
	return &cacheEntry{principal: &Principal{Realm: realm, User: match, Method: MethodPassword}}, nil
}

func (a *Authenticator) bearer(ctx context.Context, token string) (*cacheEntry, error) {
	t, err := a.store.AccessTokenByHash(ctx, HashToken(token))
	if err != nil {
		return nil, notFoundAs(err, ErrInvalidToken)
	}
	if !t.ExpiresAt.IsZero() && !a.now().Before(t.ExpiresAt) {
		return nil, ErrInvalidToken
	}
	realm, err := a.store.RealmByID(ctx, t.RealmID)
	if err != nil {
		return nil, notFoundAs(err, ErrInvalidToken)
	}
	u, err := a.store.UserByID(ctx, realm.ID, t.UserID)
	if err != nil {
		return nil, notFoundAs(err, ErrInvalidToken)
	}
	if !usable(u) {
		return nil, ErrInvalidToken
	}
	if t.SessionID != 0 {
		if err := a.sessionAlive(ctx, realm.ID, t.SessionID); err != nil {
			return nil, err
		}
	}
	return &cacheEntry{principal: &Principal{Realm: realm, User: u, Method: MethodOAuth, Scopes: t.Scopes, SessionID: t.SessionID}, expires: t.ExpiresAt}, nil
}

// usable reports whether u may authenticate: not deleted, not suspended.
func usable(u *directory.User) bool { return u.Active() && !u.Suspended }

func notFoundAs(err, replacement error) error {
	if directory.KindOf(err) == directory.KindNotFound {
		return replacement
	}
	return err
}

// HashToken returns the hex SHA-256 of a token. Tokens are long and random,
// so a fast hash is enough; a slow one is for passwords.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newSecret returns a random token of 40 URL-safe characters (240 bits).
func newSecret() string {
	var b [30]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// IssueAPIToken creates a realm API token and returns it; this is the only
// time the token is seen.
func IssueAPIToken(ctx context.Context, store directory.Store, realmID int64, description string, now time.Time) (string, *directory.APIToken, error) {
	token := newSecret()
	t := &directory.APIToken{Hash: HashToken(token), Hint: token[len(token)-4:], Description: description, CreatedAt: now.UTC().Truncate(time.Second)}
	if err := store.CreateAPIToken(ctx, realmID, t); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// IssueAccessToken creates an OAuth access token for a user and returns
// it. A zero ttl means the token does not expire.
func IssueAccessToken(ctx context.Context, store directory.Store, realmID, userID int64, scopes []string, ttl time.Duration, now time.Time) (string, error) {
	token := newSecret()
	t := &directory.AccessToken{UserID: userID, Hash: HashToken(token), Scopes: scopes, CreatedAt: now.UTC().Truncate(time.Second)}
	if ttl > 0 {
		t.ExpiresAt = t.CreatedAt.Add(ttl)
	}
	if err := store.CreateAccessToken(ctx, realmID, t); err != nil {
		return "", err
	}
	return token, nil
}

// equalHash compares two hashes in constant time.
func equalHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

var errBadHash = errors.New("auth: malformed password hash")

func hashError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errBadHash}, args...)...)
}
