package customers

import (
	"net/http"
	"slices"

	"github.com/clientele/clientele/internal/directory"
)

// adminCaller is who calls an administration endpoint: an account admin
// token (every realm), or an admin of one realm signed in through the
// realm's OAuth server with the admin scope.
type adminCaller struct {
	// token is the account admin token; nil for a realm admin.
	token *directory.AdminToken
	// realm is the realm of the path; nil on account-level routes.
	realm *directory.Realm
	// user is the realm admin; nil for an admin token.
	user *directory.User
}

// Actor is the caller as the directory's rules see it: an operator of
// the realm.
func (a *adminCaller) Actor() directory.Actor {
	if a.user != nil {
		return directory.Actor{RealmID: a.realm.ID, UserID: a.user.ID, Role: a.user.Role}
	}
	return directory.Operator(a.realm.ID)
}

// adminFunc is an administration endpoint.
type adminFunc func(w http.ResponseWriter, r *http.Request, a *adminCaller) error

// The answers to administration calls without the right credential, in
// Modyo's admin API envelope.
var (
	errAdminUnauthenticated = &directory.Error{Kind: directory.KindUnauthenticated, Message: "admin: no valid admin token"}
	errAdminForbidden       = &directory.Error{Kind: directory.KindForbidden, Message: "This token may not administer this realm"}
)

// accountAdmin wraps fn for account-level routes (the realms themselves):
// only an admin token may call them.
func (h *Handler) accountAdmin(fn adminFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := h.authenticateAdmin(r, nil)
		if err == nil {
			err = fn(w, r, a)
		}
		if err != nil {
			h.failAdmin(w, r, err)
		}
	}
}

// admin wraps fn for the routes of one realm: the realm of the path (404
// {} when unknown), then an admin token or an admin-scoped token of an
// admin of that realm.
func (h *Handler) admin(fn adminFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		realm, err := h.realm(r.Context(), r.PathValue("realm"))
		if err == nil {
			var a *adminCaller
			if a, err = h.authenticateAdmin(r, realm); err == nil {
				err = fn(w, r, a)
			}
		}
		if err != nil {
			h.failAdmin(w, r, err)
		}
	}
}

// authenticateAdmin checks the bearer token of an administration call.
// realm is nil on account-level routes, where only admin tokens count.
func (h *Handler) authenticateAdmin(r *http.Request, realm *directory.Realm) (*adminCaller, error) {
	ctx := r.Context()
	token := bearerToken(r)
	if token == "" {
		return nil, errAdminUnauthenticated
	}
	t, err := h.svc.AdminToken(ctx, token)
	if err == nil {
		return &adminCaller{token: t, realm: realm}, nil
	}
	if directory.KindOf(err) != directory.KindNotFound {
		return nil, err
	}
	if realm == nil {
		return nil, h.otherRealmToken(r, token, nil)
	}
	at, _, u, err := h.signin.AccessToken(ctx, realm.ID, token)
	if err != nil {
		if k := directory.KindOf(err); k == directory.KindNotFound {
			return nil, h.otherRealmToken(r, token, realm)
		} else if k == directory.KindUnauthenticated {
			return nil, errAdminUnauthenticated
		}
		return nil, err
	}
	if !slices.Contains(at.Scopes, "admin") || u.Role != directory.RoleAdmin {
		return nil, errAdminForbidden
	}
	return &adminCaller{realm: realm, user: u}, nil
}

// failAdmin answers an administration call's error: 401 with a
// WWW-Authenticate challenge when the credential is missing or wrong,
// otherwise as fail does.
func (h *Handler) failAdmin(w http.ResponseWriter, r *http.Request, err error) {
	if directory.KindOf(err) == directory.KindUnauthenticated && err != directory.ErrSessionExpired {
		w.Header().Set("WWW-Authenticate", `Bearer realm="clientele"`)
		writeJSON(w, http.StatusUnauthorized, errorList("Unauthorized: send an admin token as Authorization: Bearer"))
		return
	}
	h.fail(w, r, err)
}

// otherRealmToken answers an admin call whose bearer token is no admin
// token and no usable access token of realm (nil on account routes): 403
// when it is another realm's access token (a realm admin on another realm
// or on account routes: the caller is known, the call is not theirs), 401
// when it is nothing, or an expired token of realm.
func (h *Handler) otherRealmToken(r *http.Request, token string, realm *directory.Realm) error {
	t, err := h.svc.Store().AccessTokenByHash(r.Context(), directory.HashSecret(token))
	switch {
	case err == nil && (realm == nil || t.RealmID != realm.ID):
		return errAdminForbidden
	case err == nil:
		return errAdminUnauthenticated
	case directory.KindOf(err) == directory.KindNotFound:
		return errAdminUnauthenticated
	}
	return err
}
