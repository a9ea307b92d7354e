package directory

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"
)

// OAuthStore keeps the realm OAuth2 server's clients and codes.
type OAuthStore interface {
	// CreateOAuthClient inserts c and sets its id.
	CreateOAuthClient(ctx context.Context, realmID int64, c *OAuthClient) error
	// OAuthClientByUID finds a client of the realm by its client_id.
	OAuthClientByUID(ctx context.Context, realmID int64, uid string) (*OAuthClient, error)
	// ListOAuthClients returns the realm's clients by id.
	ListOAuthClients(ctx context.Context, realmID int64) ([]OAuthClient, error)
	// DeleteOAuthClient removes a client, its codes and its tokens.
	DeleteOAuthClient(ctx context.Context, realmID int64, uid string) error

	// CreateOAuthCode inserts c and sets its id.
	CreateOAuthCode(ctx context.Context, realmID int64, c *OAuthCode) error
	// OAuthCodeByHash finds a code of the realm, used or not.
	OAuthCodeByHash(ctx context.Context, realmID int64, hash string) (*OAuthCode, error)
	// RedeemOAuthCode marks the code used and inserts t, in one
	// transaction; a code already used is a KindConflict error and the
	// token issued for it is deleted (RFC 6749 §4.1.2).
	RedeemOAuthCode(ctx context.Context, realmID, codeID int64, at time.Time, t *AccessToken) error
	// RevokeAccessToken deletes the realm's access token with that hash,
	// issued to the client clientID; it is not an error when none is.
	RevokeAccessToken(ctx context.Context, realmID, clientID int64, hash string) error
}

// OAuth scopes of the realm OAuth2 server.
const (
	ScopePublic = "public"
	ScopeAdmin  = "admin"
)

// OAuthCodeValidity is how long an authorization code may be exchanged.
const OAuthCodeValidity = 10 * time.Minute

// OAuthClient is an application allowed to ask the realm's customers for
// an access token. A confidential client authenticates with its secret
// (stored hashed); a public one (a browser or mobile app) cannot keep a
// secret and must use PKCE.
type OAuthClient struct {
	ID           int64
	RealmID      int64
	UID          string // the client_id
	SecretHash   string // "" for a public client
	Name         string
	Confidential bool
	RedirectURIs []string
	Scopes       []string
	CreatedAt    time.Time
}

// OAuthCode is an authorization code, single use; only its hash is kept.
type OAuthCode struct {
	ID              int64
	RealmID         int64
	ClientID        int64
	UserID          int64
	SessionID       int64
	Hash            string
	RedirectURI     string
	Scopes          []string
	Challenge       string
	ChallengeMethod string // "", "S256" or "plain"
	CreatedAt       time.Time
	ExpiresAt       time.Time
	UsedAt          time.Time
}

// OAuthError is an error of the OAuth2 protocol, with the code RFC 6749
// names (invalid_request, invalid_client, invalid_grant, ...). The token
// endpoint answers it as JSON; authorize redirects it to the client.
type OAuthError struct {
	Code        string
	Description string
}

// Error returns the code and description.
func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

func oauthError(code, description string) error {
	return &OAuthError{Code: code, Description: description}
}

// CreateOAuthClient validates and registers a client of the realm and
// returns it with its secret (empty for a public client), shown once.
func (s *Signin) CreateOAuthClient(ctx context.Context, realmID int64, name string, redirectURIs, scopes []string, public bool) (*OAuthClient, string, error) {
	var v Invalid
	if len(redirectURIs) == 0 {
		v.Add("redirect_uri", "BlankValue", "at least one is required")
	}
	for _, u := range redirectURIs {
		if !validRedirectURI(u) {
			v.Add("redirect_uri", "InvalidValue", "must be an absolute URI without a fragment: "+u)
		}
	}
	if len(scopes) == 0 {
		scopes = []string{ScopePublic}
	}
	for _, sc := range scopes {
		if sc != ScopePublic && sc != ScopeAdmin {
			v.Add("scopes", "InvalidValue", "must be public or admin, not "+sc)
		}
	}
	if !validText(name, 255) {
		v.Add("name", "InvalidValue", "is too long (maximum is 255 characters)")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	c := &OAuthClient{UID: s.newSecret()[:32], Name: trimmed(name), Confidential: !public,
		RedirectURIs: redirectURIs, Scopes: scopes, CreatedAt: s.svc.Now()}
	var secret string
	if c.Confidential {
		secret = s.newSecret()
		c.SecretHash = HashSecret(secret)
	}
	if err := s.store.CreateOAuthClient(ctx, realmID, c); err != nil {
		return nil, "", err
	}
	return c, secret, nil
}

// validRedirectURI accepts an absolute URI with a scheme and no fragment
// (RFC 6749 §3.1.2); custom schemes serve native apps.
func validRedirectURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "" || u.Path != "") && u.Fragment == "" && !strings.ContainsAny(s, " \r\n")
}

// AuthorizeRequest is what a client sends to the authorize endpoint.
type AuthorizeRequest struct {
	ResponseType        string
	ClientID            string
	RedirectURI         string
	Scope               string
	CodeChallenge       string
	CodeChallengeMethod string
}

// CheckAuthorize validates a request to the authorize endpoint before any
// redirect: a request with an unknown client or a redirect URI that is not
// registered is answered on the page itself (the client cannot be trusted
// with the error), and the returned error is then not an *OAuthError's
// redirectable kind. It returns the client and the redirect URI to use.
func (s *Signin) CheckAuthorize(ctx context.Context, realmID int64, r AuthorizeRequest) (*OAuthClient, string, error) {
	if r.ClientID == "" || len(r.ClientID) > 200 {
		return nil, "", Errorf(KindBadRequest, "client_id is missing")
	}
	c, err := s.store.OAuthClientByUID(ctx, realmID, r.ClientID)
	if KindOf(err) == KindNotFound {
		return nil, "", Errorf(KindBadRequest, "Unknown client_id for this realm")
	}
	if err != nil {
		return nil, "", err
	}
	redirect := r.RedirectURI
	if redirect == "" {
		if len(c.RedirectURIs) != 1 {
			return nil, "", Errorf(KindBadRequest, "redirect_uri is required for this client")
		}
		redirect = c.RedirectURIs[0]
	}
	if !slices.Contains(c.RedirectURIs, redirect) {
		return nil, "", Errorf(KindBadRequest, "redirect_uri is not registered for this client")
	}
	return c, redirect, nil
}

// Authorize issues a code for the customer of sess after CheckAuthorize;
// its errors are *OAuthError, to redirect to the client.
func (s *Signin) Authorize(ctx context.Context, c *OAuthClient, redirect string, r AuthorizeRequest, sess *Session) (string, error) {
	if r.ResponseType != "code" {
		return "", oauthError("unsupported_response_type", "only response_type=code is supported")
	}
	scopes, err := requestedScopes(r.Scope, c.Scopes)
	if err != nil {
		return "", err
	}
	method := r.CodeChallengeMethod
	switch {
	case r.CodeChallenge == "" && method != "":
		return "", oauthError("invalid_request", "code_challenge_method without code_challenge")
	case r.CodeChallenge == "" && !c.Confidential:
		return "", oauthError("invalid_request", "a public client must send a PKCE code_challenge")
	case r.CodeChallenge != "" && method == "":
		method = "plain" // RFC 7636 §4.3
	}
	if method != "" && method != "S256" && method != "plain" {
		return "", oauthError("invalid_request", "code_challenge_method must be S256 or plain")
	}
	if r.CodeChallenge != "" && !validVerifier(r.CodeChallenge) {
		return "", oauthError("invalid_request", "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]")
	}
	secret := s.newSecret()
	now := s.svc.Now()
	// The code keeps the redirect_uri as sent ("" when the client relied
	// on its only registered one): the token request must repeat it
	// exactly when it was sent (RFC 6749 §4.1.3).
	code := &OAuthCode{ClientID: c.ID, UserID: sess.UserID, SessionID: sess.ID, Hash: HashSecret(secret), RedirectURI: r.RedirectURI,
		Scopes: scopes, Challenge: r.CodeChallenge, ChallengeMethod: method, CreatedAt: now, ExpiresAt: now.Add(OAuthCodeValidity)}
	if err := s.store.CreateOAuthCode(ctx, sess.RealmID, code); err != nil {
		return "", err
	}
	return secret, nil
}

// requestedScopes parses a space-separated scope parameter; none asked
// means public. Every scope must be one the client may have.
func requestedScopes(scope string, allowed []string) ([]string, error) {
	asked := strings.Fields(scope)
	if len(asked) == 0 {
		asked = []string{ScopePublic}
	}
	out := []string{}
	for _, sc := range asked {
		if sc != ScopePublic && sc != ScopeAdmin {
			return nil, oauthError("invalid_scope", "unknown scope "+sc)
		}
		if !slices.Contains(allowed, sc) {
			return nil, oauthError("invalid_scope", "the client may not ask for scope "+sc)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// validVerifier checks RFC 7636's code_verifier (and plain challenge)
// syntax.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)) {
			return false
		}
	}
	return true
}

// ClientAuth is how a client identified itself at the token or revoke
// endpoint: by HTTP Basic or by form fields.
type ClientAuth struct {
	ClientID     string
	ClientSecret string
}

// authenticateClient finds the client and checks its secret: a
// confidential client must send it; a public one sends none.
func (s *Signin) authenticateClient(ctx context.Context, realmID int64, a ClientAuth) (*OAuthClient, error) {
	bad := oauthError("invalid_client", "Client authentication failed")
	if a.ClientID == "" || len(a.ClientID) > 200 || len(a.ClientSecret) > 200 {
		return nil, bad
	}
	c, err := s.store.OAuthClientByUID(ctx, realmID, a.ClientID)
	if KindOf(err) == KindNotFound {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if c.Confidential {
		if subtle.ConstantTimeCompare([]byte(HashSecret(a.ClientSecret)), []byte(c.SecretHash)) != 1 {
			return nil, bad
		}
	} else if a.ClientSecret != "" {
		return nil, bad
	}
	return c, nil
}

// TokenRequest is the form of the token endpoint.
type TokenRequest struct {
	GrantType    string
	Code         string
	RedirectURI  string
	CodeVerifier string
	Client       ClientAuth
}

// IssuedToken is the token endpoint's answer.
type IssuedToken struct {
	AccessToken string
	Scopes      []string
	CreatedAt   time.Time
}

// Exchange trades an authorization code for an access token that lives
// as long as the session the code came from. Every failure is an
// *OAuthError (or an internal error).
func (s *Signin) Exchange(ctx context.Context, realmID int64, r TokenRequest) (*IssuedToken, error) {
	c, err := s.authenticateClient(ctx, realmID, r.Client)
	if err != nil {
		return nil, err
	}
	if r.GrantType != "authorization_code" {
		return nil, oauthError("unsupported_grant_type", "only grant_type=authorization_code is supported")
	}
	invalid := oauthError("invalid_grant", "The authorization code is invalid, expired, already used, or was issued to another client or redirect URI")
	if r.Code == "" || len(r.Code) > 200 {
		return nil, invalid
	}
	code, err := s.store.OAuthCodeByHash(ctx, realmID, HashSecret(r.Code))
	if KindOf(err) == KindNotFound {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	now := s.svc.Now()
	sameRedirect := r.RedirectURI == code.RedirectURI || code.RedirectURI == "" && slices.Contains(c.RedirectURIs, r.RedirectURI)
	if code.ClientID != c.ID || !sameRedirect || !now.Before(code.ExpiresAt) {
		return nil, invalid
	}
	if !pkceMatches(code.Challenge, code.ChallengeMethod, r.CodeVerifier) {
		return nil, invalid
	}
	sess, err := s.store.SessionByID(ctx, realmID, code.SessionID)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.Use(ctx, sess); err != nil {
		if KindOf(err) == KindUnauthenticated {
			return nil, invalid
		}
		return nil, err
	}
	secret := s.newSecret()
	t := &AccessToken{UserID: code.UserID, Hash: HashSecret(secret), Scopes: code.Scopes, CreatedAt: now,
		SessionID: code.SessionID, ClientID: c.ID}
	if err := s.store.RedeemOAuthCode(ctx, realmID, code.ID, now, t); err != nil {
		if KindOf(err) == KindConflict {
			return nil, invalid
		}
		return nil, err
	}
	return &IssuedToken{AccessToken: secret, Scopes: code.Scopes, CreatedAt: now}, nil
}

// pkceMatches checks a code_verifier against the code's challenge (RFC
// 7636 §4.6); a code without a challenge must come without a verifier.
func pkceMatches(challenge, method, verifier string) bool {
	if challenge == "" {
		return verifier == ""
	}
	if !validVerifier(verifier) {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// Revoke deletes an access token issued to the authenticated client (RFC
// 7009): an unknown token is not an error, so the answer reveals nothing.
func (s *Signin) Revoke(ctx context.Context, realmID int64, a ClientAuth, token string) error {
	c, err := s.authenticateClient(ctx, realmID, a)
	if err != nil {
		return err
	}
	if token == "" || len(token) > 200 {
		return oauthError("invalid_request", "token is required")
	}
	return s.store.RevokeAccessToken(ctx, realmID, c.ID, HashSecret(token))
}

// IssueSessionToken creates an access token bound to sess, for operators
// (`clientele user token`): it dies with the session.
func (s *Signin) IssueSessionToken(ctx context.Context, sess *Session, scopes []string) (string, error) {
	secret := s.newSecret()
	t := &AccessToken{UserID: sess.UserID, Hash: HashSecret(secret), Scopes: scopes, CreatedAt: s.svc.Now(), SessionID: sess.ID}
	if err := s.store.CreateAccessToken(ctx, sess.RealmID, t); err != nil {
		return "", err
	}
	return secret, nil
}

// OAuthClients lists the realm's clients.
func (s *Signin) OAuthClients(ctx context.Context, realmID int64) ([]OAuthClient, error) {
	return s.store.ListOAuthClients(ctx, realmID)
}

// DeleteOAuthClient removes a client and everything it was issued.
func (s *Signin) DeleteOAuthClient(ctx context.Context, realmID int64, uid string) error {
	return s.store.DeleteOAuthClient(ctx, realmID, uid)
}
