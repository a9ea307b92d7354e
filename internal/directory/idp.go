package directory

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// IdPStore keeps a realm's external OpenID Connect identity providers,
// who signed in through them, their pending logins and the providers'
// tokens (sealed) for each session.
type IdPStore interface {
	// CreateIdP inserts p (its secret already sealed) and sets its id.
	CreateIdP(ctx context.Context, realmID int64, p *IdentityProvider) error
	// IdPByUID finds a provider of the realm by its uid.
	IdPByUID(ctx context.Context, realmID int64, uid string) (*IdentityProvider, error)
	// IdPByID finds a provider of the realm by id.
	IdPByID(ctx context.Context, realmID, id int64) (*IdentityProvider, error)
	// ListIdPs returns the realm's providers by id.
	ListIdPs(ctx context.Context, realmID int64) ([]IdentityProvider, error)
	// DeleteIdP removes a provider with its links, states and tokens.
	DeleteIdP(ctx context.Context, realmID int64, uid string) error

	// CreateIdPState inserts a pending login.
	CreateIdPState(ctx context.Context, realmID int64, st *IdPState) error
	// TakeIdPState deletes and returns the pending login with that hash:
	// a state is used once.
	TakeIdPState(ctx context.Context, realmID int64, hash string) (*IdPState, error)

	// IdPLink returns the user linked to a provider's subject.
	IdPLink(ctx context.Context, realmID, idpID int64, subject string) (int64, error)
	// LinkIdP links a provider's subject to a user (replacing a link).
	LinkIdP(ctx context.Context, realmID, idpID int64, subject string, userID int64) error

	// SaveDelegatedToken inserts or replaces the provider tokens of a
	// session (by session id) and sets t's id.
	SaveDelegatedToken(ctx context.Context, realmID int64, t *DelegatedToken) error
	// DelegatedTokenBySession returns the provider tokens of a session.
	DelegatedTokenBySession(ctx context.Context, realmID, sessionID int64) (*DelegatedToken, error)
}

// Client authentication methods at an identity provider's token endpoint.
const (
	IdPAuthBasic = "client_secret_basic"
	IdPAuthPost  = "client_secret_post"
	IdPAuthNone  = "none"
)

// IdentityProvider is an external OpenID Connect provider customers of a
// realm may sign in with.
type IdentityProvider struct {
	ID      int64
	RealmID int64
	UID     string // in URLs and the CLI, e.g. "corp"
	Name    string // the login button says "Sign in with <Name>"
	Issuer  string // discovery at Issuer + "/.well-known/openid-configuration"
	// ClientID and SealedSecret identify the realm at the provider; the
	// secret is stored sealed (encrypted) and opened only to use it.
	ClientID     string
	SealedSecret string
	Scopes       []string
	AuthMethod   string // IdPAuthBasic, IdPAuthPost or IdPAuthNone
	PKCE         string // "S256", "plain" or "" for none
	// ClaimsMapping maps a claim to a user field: name, first_name,
	// last_name, phone, or a custom field key, synced at each login.
	ClaimsMapping map[string]string
	// EnableRefresh refreshes the provider's access token while the
	// customer is active, RefreshAnticipation before it expires.
	EnableRefresh       bool
	RefreshAnticipation time.Duration
	// ShowDelegation exposes the provider's access token as the
	// customer's delegated_token.
	ShowDelegation bool
	CreatedAt      time.Time
}

// IdPState is a login waiting for the provider's callback; only its
// state's hash is stored.
type IdPState struct {
	RealmID     int64
	IdPID       int64
	Hash        string
	Nonce       string
	Verifier    string // PKCE code_verifier, "" without PKCE
	RedirectURI string // where the customer goes after signing in
	ExpiresAt   time.Time
}

// IdPStateValidity is how long a customer may take at the provider.
const IdPStateValidity = 15 * time.Minute

// DelegatedToken is a provider's tokens for one session, sealed.
type DelegatedToken struct {
	ID                 int64
	RealmID            int64
	UUID               string
	SessionID          int64
	UserID             int64
	IdPID              int64
	SealedAccessToken  string
	SealedRefreshToken string // "" when the provider gave none
	ExpiresAt          time.Time
	UpdatedAt          time.Time
}

// Sealer encrypts secrets kept at rest (provider client secrets and
// tokens); internal/auth provides AES-GCM.
type Sealer interface {
	Seal(plaintext string) (string, error)
	Open(sealed string) (string, error)
}

// errNoSealer explains why identity providers cannot be used.
var errNoSealer = Errorf(KindBadRequest, "identity providers need CLIENTELE_SECRET_KEY to encrypt their secrets and tokens")

// IdPInput is a new identity provider.
type IdPInput struct {
	UID, Name, Issuer, ClientID, ClientSecret string
	Scopes                                    []string
	AuthMethod, PKCE                          string
	ClaimsMapping                             map[string]string
	EnableRefresh                             bool
	RefreshAnticipation                       time.Duration
	ShowDelegation                            bool
}

// CreateIdP validates and stores a realm's identity provider, sealing its
// client secret.
func (s *Signin) CreateIdP(ctx context.Context, realmID int64, in IdPInput) (*IdentityProvider, error) {
	if s.sealer == nil {
		return nil, errNoSealer
	}
	var v Invalid
	if !validRealmUID(in.UID) || in.UID == "callback" {
		v.Add("uid", "InvalidValue", "must be 1 to 63 lowercase letters, digits or dashes, and not \"callback\"")
	}
	if u, err := url.Parse(in.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.Add("issuer", "InvalidValue", "must be an http(s) URL")
	}
	if trimmed(in.ClientID) == "" {
		v.Add("client_id", "BlankValue", "can't be blank")
	}
	if in.AuthMethod == "" {
		in.AuthMethod = IdPAuthBasic
	}
	if !slices.Contains([]string{IdPAuthBasic, IdPAuthPost, IdPAuthNone}, in.AuthMethod) {
		v.Add("auth_method", "InvalidValue", "must be client_secret_basic, client_secret_post or none")
	}
	if in.AuthMethod != IdPAuthNone && in.ClientSecret == "" {
		v.Add("client_secret", "BlankValue", "can't be blank unless auth_method is none")
	}
	if in.PKCE != "" && in.PKCE != "S256" && in.PKCE != "plain" {
		v.Add("pkce", "InvalidValue", "must be S256, plain or empty")
	}
	if in.RefreshAnticipation < 0 || in.RefreshAnticipation > 100*time.Second {
		v.Add("refresh_anticipation", "InvalidValue", "must be between 0 and 100 seconds")
	}
	if len(in.Scopes) == 0 {
		in.Scopes = []string{"openid", "email", "profile"}
	}
	if !slices.Contains(in.Scopes, "openid") {
		in.Scopes = append([]string{"openid"}, in.Scopes...)
	}
	for claim, field := range in.ClaimsMapping {
		if claim == "" || field == "" {
			v.Add("claims_mapping", "InvalidValue", "claims and fields must not be empty")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.Name == "" {
		in.Name = in.UID
	}
	if in.ClaimsMapping == nil {
		in.ClaimsMapping = map[string]string{}
	}
	p := &IdentityProvider{UID: in.UID, Name: trimmed(in.Name), Issuer: strings.TrimSuffix(in.Issuer, "/"), ClientID: in.ClientID,
		Scopes: in.Scopes, AuthMethod: in.AuthMethod, PKCE: in.PKCE, ClaimsMapping: in.ClaimsMapping,
		EnableRefresh: in.EnableRefresh, RefreshAnticipation: in.RefreshAnticipation, ShowDelegation: in.ShowDelegation, CreatedAt: s.svc.Now()}
	if in.ClientSecret != "" {
		sealed, err := s.sealer.Seal(in.ClientSecret)
		if err != nil {
			return nil, err
		}
		p.SealedSecret = sealed
	}
	if err := s.store.CreateIdP(ctx, realmID, p); err != nil {
		return nil, err
	}
	return p, nil
}

// IdPs lists the realm's identity providers.
func (s *Signin) IdPs(ctx context.Context, realmID int64) ([]IdentityProvider, error) {
	return s.store.ListIdPs(ctx, realmID)
}

// IdP returns one of the realm's identity providers.
func (s *Signin) IdP(ctx context.Context, realmID int64, uid string) (*IdentityProvider, error) {
	return s.store.IdPByUID(ctx, realmID, uid)
}

// DeleteIdP removes an identity provider.
func (s *Signin) DeleteIdP(ctx context.Context, realmID int64, uid string) error {
	return s.store.DeleteIdP(ctx, realmID, uid)
}

// ClientSecret opens a provider's sealed client secret.
func (s *Signin) ClientSecret(p *IdentityProvider) (string, error) {
	if p.SealedSecret == "" {
		return "", nil
	}
	if s.sealer == nil {
		return "", errNoSealer
	}
	return s.sealer.Open(p.SealedSecret)
}

// BeginIdPLogin records a pending login at p and returns the state to
// send; the nonce and PKCE verifier come from the caller (the protocol
// package makes them).
func (s *Signin) BeginIdPLogin(ctx context.Context, realm *Realm, p *IdentityProvider, nonce, verifier, redirectURI string) (string, error) {
	if s.sealer == nil {
		return "", errNoSealer
	}
	state := s.newSecret()
	st := &IdPState{IdPID: p.ID, Hash: HashSecret(state), Nonce: nonce, Verifier: verifier, RedirectURI: redirectURI,
		ExpiresAt: s.svc.Now().Add(IdPStateValidity)}
	if err := s.store.CreateIdPState(ctx, realm.ID, st); err != nil {
		return "", err
	}
	return state, nil
}

// ErrIdPStateInvalid answers a callback whose state is unknown, used or
// too old.
var ErrIdPStateInvalid = &Error{Kind: KindBadRequest, Message: "This sign-in attempt has expired or was already used. Please start again."}

// TakeIdPLogin spends the pending login named by state and returns it
// with its provider.
func (s *Signin) TakeIdPLogin(ctx context.Context, realm *Realm, state string) (*IdPState, *IdentityProvider, error) {
	if state == "" || len(state) > 200 {
		return nil, nil, ErrIdPStateInvalid
	}
	st, err := s.store.TakeIdPState(ctx, realm.ID, HashSecret(state))
	if KindOf(err) == KindNotFound {
		return nil, nil, ErrIdPStateInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.svc.Now().Before(st.ExpiresAt) {
		return nil, nil, ErrIdPStateInvalid
	}
	p, err := s.store.IdPByID(ctx, realm.ID, st.IdPID)
	if err != nil {
		return nil, nil, err
	}
	return st, p, nil
}

// ExternalIdentity is who a provider says signed in.
type ExternalIdentity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Claims        map[string]any // every claim, for the claims mapping
}

// ProviderTokens are the provider's tokens for a session.
type ProviderTokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration // 0: unknown
}

// SignInExternal signs in the customer a provider vouched for: the one
// linked to the provider's subject, else the one with the same verified
// email (then linked), else a new customer. Mapped claims are synced; a
// failed sync is recorded as an event, not a failed login. The
// provider's tokens are kept sealed for the new session.
func (s *Signin) SignInExternal(ctx context.Context, realm *Realm, p *IdentityProvider, id ExternalIdentity, tokens ProviderTokens, c Client) (*User, string, error) {
	if s.sealer == nil {
		return nil, "", errNoSealer
	}
	if id.Subject == "" {
		return nil, "", Errorf(KindBadRequest, "The sign-in provider did not say who you are.")
	}
	u, err := s.externalUser(ctx, realm, p, id)
	if err != nil {
		return nil, "", err
	}
	if !u.Active() || u.Suspended {
		return nil, "", Errorf(KindForbidden, "This account is suspended.")
	}
	if len(p.ClaimsMapping) > 0 {
		if synced, err := s.svc.UpdateUser(ctx, Operator(realm.ID), u.ID, mappedInput(p.ClaimsMapping, id.Claims)); err != nil {
			s.record(ctx, realm.ID, u.ID, EventIdPSyncFailed, MethodOpenIDC, c)
		} else {
			u = synced
		}
	}
	st, err := s.Settings(ctx, realm.ID)
	if err != nil {
		return nil, "", err
	}
	secret, sess, err := s.startSession(ctx, realm.ID, u, MethodOpenIDC, c, st)
	if err != nil {
		return nil, "", err
	}
	if err := s.saveTokens(ctx, realm.ID, sess.ID, u.ID, p.ID, "", tokens); err != nil {
		return nil, "", err
	}
	s.record(ctx, realm.ID, u.ID, EventLogin, MethodOpenIDC, c)
	return u, secret, nil
}

// externalUser finds or creates the customer for id.
func (s *Signin) externalUser(ctx context.Context, realm *Realm, p *IdentityProvider, id ExternalIdentity) (*User, error) {
	userID, err := s.store.IdPLink(ctx, realm.ID, p.ID, id.Subject)
	if err == nil {
		return s.store.UserByID(ctx, realm.ID, userID)
	}
	if KindOf(err) != KindNotFound {
		return nil, err
	}
	email := NormalizeEmail(id.Email)
	var u *User
	if email != "" && id.EmailVerified {
		u, err = s.store.UserByIdentity(ctx, realm.ID, IdentityEmail, email)
		if err != nil && KindOf(err) != KindNotFound {
			return nil, err
		}
	}
	if u == nil {
		name := trimmed(id.Name)
		if name == "" {
			name, _, _ = strings.Cut(email, "@")
		}
		if name == "" {
			name = "Customer " + clip(id.Subject, 40)
		}
		in := UserInput{Name: &name}
		if email != "" {
			in.Email = &email
			in.Verified = &id.EmailVerified
		}
		if u, err = s.svc.CreateUser(ctx, Operator(realm.ID), in); err != nil {
			return nil, fmt.Errorf("creating the customer from %s: %w", p.Name, err)
		}
	}
	// If linking fails the customer still exists and is found again by
	// verified email, so the next login repairs it.
	if err := s.store.LinkIdP(ctx, realm.ID, p.ID, id.Subject, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

// mappedInput turns claims into a user update by the provider's mapping.
func mappedInput(mapping map[string]string, claims map[string]any) UserInput {
	var in UserInput
	fields := map[string]any{}
	for claim, field := range mapping {
		v, ok := claims[claim]
		if !ok {
			continue
		}
		text := fmt.Sprint(v)
		switch field {
		case "name":
			in.Name = &text
		case "first_name":
			in.FirstName = &text
		case "last_name":
			in.LastName = &text
		case "phone":
			in.Phone = &text
		default:
			fields[field] = v
		}
	}
	if len(fields) > 0 {
		in.UserFields = fields
	}
	return in
}

// saveTokens seals and stores a session's provider tokens.
func (s *Signin) saveTokens(ctx context.Context, realmID, sessionID, userID, idpID int64, uuid string, tokens ProviderTokens) error {
	access, err := s.sealer.Seal(tokens.AccessToken)
	if err != nil {
		return err
	}
	var refresh string
	if tokens.RefreshToken != "" {
		if refresh, err = s.sealer.Seal(tokens.RefreshToken); err != nil {
			return err
		}
	}
	now := s.svc.Now()
	if uuid == "" {
		uuid = s.svc.newUUID()
	}
	t := &DelegatedToken{UUID: uuid, SessionID: sessionID, UserID: userID, IdPID: idpID, SealedAccessToken: access,
		SealedRefreshToken: refresh, UpdatedAt: now}
	if tokens.ExpiresIn > 0 {
		t.ExpiresAt = now.Add(tokens.ExpiresIn)
	}
	return s.store.SaveDelegatedToken(ctx, realmID, t)
}

// Delegation is a session's provider access token, opened, as `me`
// shows it in delegated_token.
type Delegation struct {
	UUID        string
	AccessToken string
	ExpiresAt   time.Time // zero: unknown
	// RefreshToken is kept for the refresher; it is never shown.
	RefreshToken string
	IdP          *IdentityProvider
}

// Delegated returns the provider tokens of sess, opened; KindNotFound when
// the session did not come from a provider.
func (s *Signin) Delegated(ctx context.Context, sess *Session) (*Delegation, error) {
	if s.sealer == nil {
		return nil, errNoSealer
	}
	t, err := s.store.DelegatedTokenBySession(ctx, sess.RealmID, sess.ID)
	if err != nil {
		return nil, err
	}
	p, err := s.store.IdPByID(ctx, sess.RealmID, t.IdPID)
	if err != nil {
		return nil, err
	}
	d := &Delegation{UUID: t.UUID, ExpiresAt: t.ExpiresAt, IdP: p}
	if d.AccessToken, err = s.sealer.Open(t.SealedAccessToken); err != nil {
		return nil, err
	}
	if t.SealedRefreshToken != "" {
		if d.RefreshToken, err = s.sealer.Open(t.SealedRefreshToken); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// RefreshDue reports whether d should be refreshed now: its provider
// allows it, it can be, and it expires within the anticipation.
func (s *Signin) RefreshDue(d *Delegation) bool {
	return d.IdP.EnableRefresh && d.RefreshToken != "" && !d.ExpiresAt.IsZero() &&
		!s.svc.Now().Add(d.IdP.RefreshAnticipation).Before(d.ExpiresAt)
}

// Refreshed stores the tokens a refresh gave for sess; a refresh token
// the provider did not rotate is kept.
func (s *Signin) Refreshed(ctx context.Context, sess *Session, d *Delegation, tokens ProviderTokens) error {
	if tokens.RefreshToken == "" {
		tokens.RefreshToken = d.RefreshToken
	}
	return s.saveTokens(ctx, sess.RealmID, sess.ID, sess.UserID, d.IdP.ID, d.UUID, tokens)
}
