package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDC signs a realm's customers in through external OpenID Connect
// providers (github.com/coreos/go-oidc/v3 and golang.org/x/oauth2 speak
// the protocol) and refreshes the providers' tokens while the customers
// are active. Which customer signs in, and what is kept, is decided by
// directory.Signin.
type OIDC struct {
	signin *directory.Signin
	client *http.Client

	mu        sync.Mutex
	providers map[string]*oidc.Provider // discovery documents by issuer
}

// NewOIDC returns the OIDC client over signin; client makes the calls to
// providers (nil: a client with a 10-second timeout).
func NewOIDC(signin *directory.Signin, client *http.Client) *OIDC {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &OIDC{signin: signin, client: client, providers: map[string]*oidc.Provider{}}
}

// ProviderError says that an identity provider could not be reached or
// answered wrongly; the page tells the customer to try again later.
type ProviderError struct {
	IdP string // the provider's name
	Err error
}

// Error describes the failure for logs.
func (e *ProviderError) Error() string { return fmt.Sprintf("identity provider %s: %v", e.IdP, e.Err) }

// Unwrap returns the cause.
func (e *ProviderError) Unwrap() error { return e.Err }

func (o *OIDC) ctx(ctx context.Context) context.Context { return oidc.ClientContext(ctx, o.client) }

// provider returns p's discovery document, fetched once per issuer.
func (o *OIDC) provider(ctx context.Context, p *directory.IdentityProvider) (*oidc.Provider, error) {
	o.mu.Lock()
	cached := o.providers[p.Issuer]
	o.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	disc, err := oidc.NewProvider(o.ctx(ctx), p.Issuer)
	if err != nil {
		return nil, &ProviderError{IdP: p.Name, Err: err}
	}
	o.mu.Lock()
	o.providers[p.Issuer] = disc
	o.mu.Unlock()
	return disc, nil
}

// config returns the OAuth2 configuration for p, with callback as the
// redirect URI.
func (o *OIDC) config(ctx context.Context, p *directory.IdentityProvider, callback string) (*oidc.Provider, *oauth2.Config, error) {
	disc, err := o.provider(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	secret, err := o.signin.ClientSecret(p)
	if err != nil {
		return nil, nil, err
	}
	endpoint := disc.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if p.AuthMethod != directory.IdPAuthBasic {
		endpoint.AuthStyle = oauth2.AuthStyleInParams
	}
	if p.AuthMethod == directory.IdPAuthNone {
		secret = ""
	}
	return disc, &oauth2.Config{ClientID: p.ClientID, ClientSecret: secret, Endpoint: endpoint, RedirectURL: callback, Scopes: p.Scopes}, nil
}

// Start begins a login at the realm's provider idpUID and returns the URL
// to send the browser to; after is where the customer goes once signed in.
func (o *OIDC) Start(ctx context.Context, realm *directory.Realm, idpUID, callback, after string) (string, error) {
	p, err := o.signin.IdP(ctx, realm.ID, idpUID)
	if err != nil {
		return "", err
	}
	_, conf, err := o.config(ctx, p, callback)
	if err != nil {
		return "", err
	}
	nonce := randomString()
	var verifier string
	var opts []oauth2.AuthCodeOption
	opts = append(opts, oidc.Nonce(nonce))
	switch p.PKCE {
	case "S256":
		verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	case "plain":
		verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain"))
	}
	state, err := o.signin.BeginIdPLogin(ctx, realm, p, nonce, verifier, after)
	if err != nil {
		return "", err
	}
	return conf.AuthCodeURL(state, opts...), nil
}

// errRefused answers a callback where the provider reports an error.
func errRefused(q url.Values) error {
	msg := "The sign-in provider refused the sign-in"
	if d := q.Get("error_description"); d != "" {
		msg += ": " + d
	} else {
		msg += ": " + q.Get("error")
	}
	return &directory.Error{Kind: directory.KindUnauthenticated, Message: msg}
}

// Callback finishes a login from the provider's redirect (query q): it
// trades the code for tokens, verifies the ID token and its nonce, reads
// the userinfo, and signs the customer in. It returns the session secret
// and where the customer goes next.
func (o *OIDC) Callback(ctx context.Context, realm *directory.Realm, q url.Values, callback string, c directory.Client) (*directory.User, string, string, error) {
	st, p, err := o.signin.TakeIdPLogin(ctx, realm, q.Get("state"))
	if err != nil {
		return nil, "", "", err
	}
	if q.Get("error") != "" {
		return nil, "", "", errRefused(q)
	}
	disc, conf, err := o.config(ctx, p, callback)
	if err != nil {
		return nil, "", "", err
	}
	var opts []oauth2.AuthCodeOption
	if st.Verifier != "" {
		opts = append(opts, oauth2.VerifierOption(st.Verifier))
	}
	tok, err := conf.Exchange(o.ctx(ctx), q.Get("code"), opts...)
	if err != nil {
		return nil, "", "", &ProviderError{IdP: p.Name, Err: fmt.Errorf("code exchange: %w", err)}
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, "", "", &ProviderError{IdP: p.Name, Err: errors.New("no id_token in the token response")}
	}
	// The ID token is checked against the real clock: it is the
	// provider's statement about now.
	idt, err := disc.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(o.ctx(ctx), rawID)
	if err != nil {
		return nil, "", "", &ProviderError{IdP: p.Name, Err: fmt.Errorf("id_token: %w", err)}
	}
	if idt.Nonce != st.Nonce {
		return nil, "", "", &ProviderError{IdP: p.Name, Err: errors.New("id_token nonce does not match")}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, "", "", &ProviderError{IdP: p.Name, Err: err}
	}
	if disc.UserInfoEndpoint() != "" {
		info, err := disc.UserInfo(o.ctx(ctx), oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, "", "", &ProviderError{IdP: p.Name, Err: fmt.Errorf("userinfo: %w", err)}
		}
		if info.Subject != idt.Subject {
			return nil, "", "", &ProviderError{IdP: p.Name, Err: errors.New("userinfo is about another subject")}
		}
		extra := map[string]any{}
		if err := info.Claims(&extra); err == nil {
			for k, v := range extra {
				claims[k] = v
			}
		}
	}
	id := directory.ExternalIdentity{Subject: idt.Subject, Claims: claims}
	id.Email, _ = claims["email"].(string)
	id.EmailVerified, _ = claims["email_verified"].(bool)
	id.Name, _ = claims["name"].(string)
	if id.Name == "" {
		given, _ := claims["given_name"].(string)
		family, _ := claims["family_name"].(string)
		id.Name = strings.TrimSpace(given + " " + family)
	}
	tokens := directory.ProviderTokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
	if tok.ExpiresIn > 0 {
		tokens.ExpiresIn = time.Duration(tok.ExpiresIn) * time.Second
	} else if !tok.Expiry.IsZero() {
		tokens.ExpiresIn = time.Until(tok.Expiry).Round(time.Second)
	}
	u, secret, err := o.signin.SignInExternal(ctx, realm, p, id, tokens, c)
	if err != nil {
		return nil, "", "", err
	}
	return u, secret, st.RedirectURI, nil
}

// Refresh renews the provider access token of sess when it is due (the
// provider enables refresh and the token expires within its anticipation).
// A failed refresh is recorded as an identity provider sync failure and
// returned; the session itself goes on.
func (o *OIDC) Refresh(ctx context.Context, realm *directory.Realm, sess *directory.Session, c directory.Client) error {
	d, err := o.signin.Delegated(ctx, sess)
	if directory.KindOf(err) == directory.KindNotFound {
		return nil
	}
	if err != nil || !o.signin.RefreshDue(d) {
		return err
	}
	_, conf, err := o.config(ctx, d.IdP, "")
	if err == nil {
		// An expired token makes the source use the refresh token now.
		var tok *oauth2.Token
		tok, err = conf.TokenSource(o.ctx(ctx), &oauth2.Token{RefreshToken: d.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
		if err == nil {
			tokens := directory.ProviderTokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
			if tok.ExpiresIn > 0 {
				tokens.ExpiresIn = time.Duration(tok.ExpiresIn) * time.Second
			} else if !tok.Expiry.IsZero() {
				tokens.ExpiresIn = time.Until(tok.Expiry).Round(time.Second)
			}
			return o.signin.Refreshed(ctx, sess, d, tokens)
		}
		err = &ProviderError{IdP: d.IdP.Name, Err: fmt.Errorf("refresh: %w", err)}
	}
	o.signin.RecordEvent(ctx, realm.ID, sess.UserID, directory.EventIdPSyncFailed, directory.MethodOpenIDC, c)
	return err
}

// randomString returns 32 random bytes, URL-safe.
func randomString() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
