package customers

import (
	"context"
	"net/http"
	"strings"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// caller is the signed-in customer a request acts as.
type caller struct {
	realm *directory.Realm
	user  *directory.User
	// session is the sign-in session behind the credential; nil for an
	// access token issued without one.
	session *directory.Session
	// token is the bearer access token used; nil for the cookie.
	token *directory.AccessToken
}

// customerFunc is an endpoint that needs a signed-in customer.
type customerFunc func(w http.ResponseWriter, r *http.Request, c *caller) error

// customer wraps fn for the realm routes: the realm of the path (404 {}
// when unknown), then its customer (401 when none), then fn.
func (h *Handler) customer(fn customerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		realm, err := h.realm(r.Context(), r.PathValue("realm"))
		if err == nil {
			var c *caller
			if c, err = h.authenticate(r, realm); err == nil {
				err = h.serveCaller(w, r, c, fn)
			}
		}
		if err != nil {
			h.fail(w, r, err)
		}
	}
}

// profile wraps fn for the legacy /api/profile routes, which name no
// realm: the realm is the bearer token's, or that of a realm session
// cookie the request carries.
func (h *Handler) profile(fn customerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.authenticateAnyRealm(r)
		if err == nil {
			err = h.serveCaller(w, r, c, fn)
		}
		if err != nil {
			h.fail(w, r, err)
		}
	}
}

// serveCaller runs fn for c after the CSRF check of cookie-authenticated
// writes (bearer tokens cannot be sent by another site, cookies can).
func (h *Handler) serveCaller(w http.ResponseWriter, r *http.Request, c *caller, fn customerFunc) error {
	if c.token == nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := h.origin.Check(r); err != nil {
			w.WriteHeader(http.StatusForbidden)
			return nil
		}
	}
	h.refresh(r, c)
	return fn(w, r, c)
}

// realm finds an active realm by uid; errRealmNotFound when there is none.
func (h *Handler) realm(ctx context.Context, uid string) (*directory.Realm, error) {
	realm, err := h.svc.Realm(ctx, uid)
	if directory.KindOf(err) == directory.KindNotFound {
		return nil, errRealmNotFound
	}
	return realm, err
}

// bearerToken is the token of an "Authorization: Bearer" header, or "".
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authenticate finds the customer of realm that r acts as: the bearer
// token when the realm knows it, otherwise the realm's session cookie.
func (h *Handler) authenticate(r *http.Request, realm *directory.Realm) (*caller, error) {
	ctx := r.Context()
	if token := bearerToken(r); token != "" {
		t, sess, u, err := h.signin.AccessToken(ctx, realm.ID, token)
		if err == nil {
			return &caller{realm: realm, user: u, session: sess, token: t}, nil
		}
		if directory.KindOf(err) != directory.KindNotFound {
			return nil, err
		}
		// A token this realm does not know: the cookie may still say who
		// the customer is.
	}
	cookie, err := r.Cookie(auth.SessionCookie(realm.UID))
	if err != nil || cookie.Value == "" {
		return nil, directory.ErrUserInactive
	}
	sess, u, err := h.signin.Session(ctx, realm.ID, cookie.Value)
	if directory.KindOf(err) == directory.KindNotFound {
		return nil, directory.ErrUserInactive
	}
	if err != nil {
		return nil, err
	}
	return &caller{realm: realm, user: u, session: sess}, nil
}

// authenticateAnyRealm finds the customer of a legacy /api/profile call:
// a bearer token names its realm; otherwise the first realm session
// cookie that belongs to a live session does.
func (h *Handler) authenticateAnyRealm(r *http.Request) (*caller, error) {
	ctx := r.Context()
	if token := bearerToken(r); token != "" {
		t, err := h.svc.Store().AccessTokenByHash(ctx, directory.HashSecret(token))
		if err == nil {
			realm, err := h.svc.Store().RealmByID(ctx, t.RealmID)
			if err != nil {
				return nil, err
			}
			return h.authenticate(r, realm)
		}
		if directory.KindOf(err) != directory.KindNotFound {
			return nil, err
		}
	}
	var last error = directory.ErrUserInactive
	prefix := auth.SessionCookie("")
	for _, c := range r.Cookies() {
		uid, ok := strings.CutPrefix(c.Name, prefix)
		if !ok || uid == "" {
			continue
		}
		realm, err := h.realm(ctx, uid)
		if err != nil {
			continue
		}
		caller, err := h.authenticate(r, realm)
		if err == nil {
			return caller, nil
		}
		if directory.KindOf(err) != directory.KindUnauthenticated {
			return nil, err
		}
		if err == directory.ErrSessionExpired {
			last = err // the more useful answer: the customer must sign in again
		}
	}
	return nil, last
}

// refresh renews the identity provider's token behind c's session while
// the customer uses the API; a failure is logged and the call goes on
// with the token it has.
func (h *Handler) refresh(r *http.Request, c *caller) {
	if h.oidc == nil || c.session == nil || c.session.Method != directory.MethodOpenIDC {
		return
	}
	if err := h.oidc.Refresh(r.Context(), c.realm, c.session, h.clientOf(r)); err != nil {
		h.log.WarnContext(r.Context(), "refreshing an identity provider token", "realm", c.realm.UID, "session", c.session.ID, "err", err)
	}
}
