package realmweb

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// csrfCookie holds the double-submit CSRF token: every form carries the
// same value in a hidden field, which another site can neither read nor
// set. The cookie is HttpOnly and SameSite=Strict, so it never travels
// with a cross-site request either; cross-origin browser posts are also
// refused by Sec-Fetch-Site (http.CrossOriginProtection).
const csrfCookie = "clientele_csrf"

// csrfField is the hidden form field with the token.
const csrfField = "csrf_token"

// csrfToken returns the request's CSRF token, setting a new cookie when it
// has none.
func csrfToken(w http.ResponseWriter, r *http.Request, secure bool) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: token, Path: "/realms/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	// A second render in the same response reuses it.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
	return token
}

// checkCSRF reports whether the form's token matches the cookie's.
func checkCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) != 43 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) == 1
}
