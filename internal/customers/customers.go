// Package customers serves the Modyo Customers API: what a customer-facing
// site calls as the signed-in customer under
// /api/customers/realms/{realm_uid}/ (me, notifications, events, the
// delivery token, the Zendesk SSO token), the legacy account-level
// /api/profile/ paths that @modyo/sdk still calls, and the CORS rules
// that let other origins call them with the customer's cookie. It also
// serves the API's OpenAPI 3.1 document (/api/customers/openapi.json,
// assembled from openapi/*.json) and an interactive reference page over
// it (/api/customers/docs, with the npm files of package docsui).
//
// A caller is the realm's bearer access token first and the realm's
// session cookie second, with Modyo's exact errors: 404 {} for an unknown
// realm, 401 {"error":{"user_session":"user not found"}} without a usable
// credential, 401 {"error":{"grant_expired":"session expired"}} when the
// session behind it ended. The rules live in directory; this package only
// translates HTTP. README.md lists every endpoint and every choice made
// where Modyo's documentation is silent.
package customers

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/customers/docsui"
	"github.com/clientele/clientele/internal/directory"
)

// maxBodyBytes bounds a request body; profile updates and events are small.
const maxBodyBytes = 256 << 10

// Config is what the Customers API needs.
type Config struct {
	Signin *directory.Signin
	Logger *slog.Logger
	// PublicURL is the scheme and host of generated links; "" uses the
	// request's own.
	PublicURL string
	// OIDC refreshes identity providers' tokens while customers use the
	// API; nil turns that off.
	OIDC *auth.OIDC
	// AllowedOrigins is the account's CORS allow-list: exact origins
	// ("https://shop.example"), or "*" for any origin.
	AllowedOrigins []string
	// DocsAssets holds the docs page's npm files (docsui.Files) at its
	// root; nil uses those vendored into this build (docsui.Assets()).
	DocsAssets fs.FS
}

// Handler serves /api/customers/ and /api/profile/.
type Handler struct {
	signin    *directory.Signin
	svc       *directory.Service
	log       *slog.Logger
	publicURL string
	oidc      *auth.OIDC
	mux       *http.ServeMux
	cors      *corsPolicy
	// origin refuses cookie-authenticated writes from other origins
	// (CSRF); the CORS allow-list's origins are trusted.
	origin *http.CrossOriginProtection
	// openAPI is the OpenAPI document; docs the page over it.
	openAPI *staticFile
	docs    *docs
}

// NewHandler returns the Customers API's handler.
func NewHandler(c Config) (*Handler, error) {
	h := &Handler{signin: c.Signin, svc: c.Signin.Service(), log: c.Logger, publicURL: strings.TrimSuffix(c.PublicURL, "/"),
		oidc: c.OIDC, mux: http.NewServeMux(), origin: http.NewCrossOriginProtection()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	cors, err := newCORSPolicy(c.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	h.cors = cors
	for _, o := range cors.origins {
		if err := h.origin.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	spec, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	h.openAPI = newStaticFile("openapi.json", "application/json", spec)
	assets := c.DocsAssets
	if assets == nil {
		assets = docsui.Assets()
	}
	if h.docs, err = newDocs(assets); err != nil {
		return nil, err
	}
	h.routes()
	return h, nil
}

// routes registers every endpoint of the API (routeTable, which the
// OpenAPI document must describe, as its completeness test checks) and
// those of its documentation.
func (h *Handler) routes() {
	for _, rt := range append(h.routeTable(), h.docsRoutes()...) {
		h.mux.HandleFunc(rt.Method+" "+rt.Pattern, rt.handler)
	}
}

// Route is one endpoint of the API: its method and path pattern as
// net/http's ServeMux spells them.
type Route struct {
	Method  string
	Pattern string
	handler http.HandlerFunc
}

// Routes lists the API's endpoints: those the OpenAPI document
// describes, without the document and the docs page themselves.
func (h *Handler) Routes() []Route { return h.routeTable() }

func (h *Handler) routeTable() []Route {
	const realm = "/api/customers/realms/{realm}"
	return []Route{
		{"GET", realm + "/me", h.customer(h.showMe)},
		{"PUT", realm + "/me", h.customer(h.updateMe)},
		{"GET", realm + "/notifications", h.customer(h.listNotifications)},
		{"PUT", realm + "/notifications/{id}/mark_as_read", h.customer(h.markNotificationRead)},
		{"POST", realm + "/notifications/{id}/mark_as_read", h.customer(h.markNotificationRead)},
		{"GET", realm + "/events", h.customer(h.listEvents)},
		{"POST", realm + "/events", h.trackEvent},
		{"GET", realm + "/delivery_token", h.customer(h.showDeliveryToken)},
		{"GET", realm + "/integrations/zendesk_token", h.customer(h.showZendeskToken)},
		{"GET", realm + "/integrations/zendesk_sso_url", h.customer(h.showZendeskSSOURL)},
		{"GET", realm + "/integrations/zendesk", h.admin(h.showZendeskIntegration)},
		{"PUT", realm + "/integrations/zendesk", h.admin(h.updateZendeskIntegration)},
		{"DELETE", realm + "/integrations/zendesk", h.admin(h.deleteZendeskIntegration)},

		{"GET", "/api/customers/realms", h.accountAdmin(h.listRealms)},
		{"POST", "/api/customers/realms", h.accountAdmin(h.createRealm)},
		{"GET", realm, h.admin(h.showRealm)},
		{"PUT", realm, h.admin(h.updateRealm)},
		{"DELETE", realm, h.admin(h.deleteRealm)},
		{"GET", realm + "/users", h.admin(h.listUsers)},
		{"POST", realm + "/users", h.admin(h.createUser)},
		{"GET", realm + "/users/{id}", h.admin(h.showUser)},
		{"PUT", realm + "/users/{id}", h.admin(h.updateUser)},
		{"DELETE", realm + "/users/{id}", h.admin(h.deleteUser)},
		{"POST", realm + "/users/{id}/notifications", h.admin(h.sendUserNotification)},
		{"POST", realm + "/notifications", h.admin(h.sendNotification)},
		{"GET", realm + "/custom_fields", h.admin(h.listFields)},
		{"POST", realm + "/custom_fields", h.admin(h.createField)},
		{"GET", realm + "/custom_fields/{id}", h.admin(h.showField)},
		{"PUT", realm + "/custom_fields/{id}", h.admin(h.updateField)},
		{"DELETE", realm + "/custom_fields/{id}", h.admin(h.deleteField)},
		{"GET", realm + "/identity_providers", h.admin(h.listIdPs)},
		{"POST", realm + "/identity_providers", h.admin(h.createIdP)},
		{"GET", realm + "/identity_providers/{uid}", h.admin(h.showIdP)},
		{"DELETE", realm + "/identity_providers/{uid}", h.admin(h.deleteIdP)},
		{"GET", realm + "/oauth_clients", h.admin(h.listOAuthClients)},
		{"POST", realm + "/oauth_clients", h.admin(h.createOAuthClient)},
		{"GET", realm + "/oauth_clients/{uid}", h.admin(h.showOAuthClient)},
		{"DELETE", realm + "/oauth_clients/{uid}", h.admin(h.deleteOAuthClient)},

		{"GET", "/api/profile/me", h.profile(h.showMe)},
		{"GET", "/api/profile/notifications", h.profile(h.listNotifications)},
		{"PUT", "/api/profile/notifications/{id}/mark_as_read", h.profile(h.markNotificationRead)},
		{"POST", "/api/profile/notifications/{id}/mark_as_read", h.profile(h.markNotificationRead)},
		{"GET", "/api/profile/delivery_token", h.profile(h.showDeliveryToken)},
	}
}

// ServeHTTP answers CORS preflights and adds CORS headers, then routes.
// An unknown path under the API's prefixes is a JSON 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.cors.handle(w, r) {
		return
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		writeJSON(w, http.StatusNotFound, errorList("Not found"))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// errorList is Modyo's error envelope: {"errors": [...]}.
func errorList(messages ...string) map[string]any {
	return map[string]any{"errors": messages}
}

// The bodies of the authentication errors, as Modyo documents them.
var (
	bodyUserSession = map[string]any{"error": map[string]string{"user_session": "user not found"}}
	bodyGrantExpire = map[string]any{"error": map[string]string{"grant_expired": "session expired"}}
)

// errRealmNotFound marks a request for a realm that does not exist.
var errRealmNotFound = errors.New("customers: unknown realm")

// fail writes the answer to err: Modyo's authentication errors, 422 with
// the invalid fields, 404, or a logged 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errRealmNotFound):
		writeJSON(w, http.StatusNotFound, struct{}{})
		return
	case errors.Is(err, directory.ErrSessionExpired):
		writeJSON(w, http.StatusUnauthorized, bodyGrantExpire)
		return
	}
	var de *directory.Error
	if !errors.As(err, &de) {
		h.log.ErrorContext(r.Context(), "customers API", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorList("Something went wrong on our side. The error has been logged."))
		return
	}
	switch de.Kind {
	case directory.KindUnauthenticated:
		writeJSON(w, http.StatusUnauthorized, bodyUserSession)
	case directory.KindNotFound:
		writeJSON(w, http.StatusNotFound, errorList("Not found"))
	case directory.KindInvalid:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": fieldErrors(de)})
	case directory.KindForbidden:
		writeJSON(w, http.StatusForbidden, errorList(de.Message))
	case directory.KindConflict:
		writeJSON(w, http.StatusConflict, errorList(de.Message))
	case directory.KindRateLimited:
		writeJSON(w, http.StatusTooManyRequests, errorList(de.Message))
	case directory.KindBadRequest, directory.KindTooMany:
		writeJSON(w, http.StatusBadRequest, errorList(de.Message))
	default:
		h.log.ErrorContext(r.Context(), "customers API", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorList("Something went wrong on our side. The error has been logged."))
	}
}

// fieldErrors is Modyo's 422 body: messages by field,
// {"errors":{"email":["has already been taken"]}}.
func fieldErrors(de *directory.Error) map[string][]string {
	out := map[string][]string{}
	for _, f := range de.Fields {
		out[f.Field] = append(out[f.Field], f.Message)
	}
	if len(out) == 0 {
		out["base"] = []string{de.Message}
	}
	return out
}

// clientOf is what the directory records of a request's client.
func (h *Handler) clientOf(r *http.Request) directory.Client {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return directory.Client{UserAgent: r.UserAgent(), IP: ip, BaseURL: h.baseURL(r)}
}

// baseURL is the scheme and host of generated links.
func (h *Handler) baseURL(r *http.Request) string {
	if h.publicURL != "" {
		return h.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// decodeBody reads a JSON object body into v; a malformed body is a 422
// that names it.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return &directory.Error{Kind: directory.KindInvalid, Message: "The request body must be a JSON object",
			Fields: []directory.FieldError{{Field: "base", Code: "InvalidValue", Message: "must be a JSON object: " + err.Error()}}}
	}
	return nil
}
