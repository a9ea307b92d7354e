package auth

import (
	"context"
	"net/http"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// Argon2id implements directory.Passwords with HashPassword and
// VerifyPassword.
type Argon2id struct{}

// HashPassword returns password's argon2id hash.
func (Argon2id) HashPassword(password string) (string, error) { return HashPassword(password) }

// VerifyPassword reports whether password matches hash.
func (Argon2id) VerifyPassword(hash, password string) bool { return VerifyPassword(hash, password) }

// sessionTouchEvery bounds how often a bearer token records its session's
// use; far below the shortest idle timeout (5 minutes).
const sessionTouchEvery = 30 * time.Second

// sessionAlive checks that the session an access token came from is still
// alive, and records its use: a token keeps its session from idling out.
func (a *Authenticator) sessionAlive(ctx context.Context, realmID, id int64) error {
	sess, err := a.store.SessionByID(ctx, realmID, id)
	if err != nil {
		return notFoundAs(err, ErrInvalidToken)
	}
	now := a.now().UTC().Truncate(time.Second)
	if !sess.Alive(now) {
		return ErrSessionExpired
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		return a.store.TouchSession(ctx, realmID, id, now)
	}
	return nil
}

// ErrSessionExpired is the error of a bearer token whose sign-in session
// ended: it names a user, but no longer a live session. Modyo answers it
// with {"error":{"grant_expired":"session expired"}}.
var ErrSessionExpired = &directory.Error{Kind: directory.KindUnauthenticated, Message: "invalid_token"}

// SessionCookie is the name of a realm's sign-in session cookie. Each
// realm has its own, on path "/", so the realm pages and the Customers API
// (/api/customers/realms/{uid}/...) both receive it.
func SessionCookie(realmUID string) string { return "clientele_session_" + realmUID }

// SetSessionCookie gives the browser the session secret: HttpOnly, so
// scripts never read it; SameSite=Lax, so other sites cannot post with it;
// Secure when the page is served over https. The cookie lives for the
// session's lifetime, given as Max-Age so the browser's clock does not
// matter.
func SetSessionCookie(w http.ResponseWriter, realmUID, secret string, lifetime time.Duration, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie(realmUID), Value: secret, Path: "/",
		MaxAge: int(lifetime / time.Second), HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, realmUID string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie(realmUID), Value: "", Path: "/",
		MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}
