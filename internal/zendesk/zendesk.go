// Package zendesk serves the Zendesk Support Users API at /api/v2: the
// wire types, envelopes, errors, pagination and rate-limit headers of
// Zendesk, on top of directory.Service. See README.md for what is
// implemented and every known deviation.
package zendesk

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// Config is what the Zendesk API needs from its host.
type Config struct {
	Service       *directory.Service
	Authenticator *auth.Authenticator
	Logger        *slog.Logger
	// PublicURL, when set, is the scheme and host of every link
	// ("https://help.example.com"); otherwise links use the request's own.
	PublicURL string
	// RateLimit is the number of requests a realm may make per minute.
	RateLimit int
	// Now is the clock of rate limits and counts; nil means time.Now.
	Now func() time.Time
}

// Handler serves /api/v2.
type Handler struct {
	svc     *directory.Service
	authn   *auth.Authenticator
	log     *slog.Logger
	public  string
	limiter *rateLimiter
	mux     *http.ServeMux
}

// NewHandler returns the /api/v2 handler.
func NewHandler(c Config) *Handler {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	h := &Handler{
		svc:     c.Service,
		authn:   c.Authenticator,
		log:     c.Logger,
		public:  strings.TrimSuffix(c.PublicURL, "/"),
		limiter: newRateLimiter(c.RateLimit, now),
		mux:     http.NewServeMux(),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.routes()
	return h
}

// handlerFunc is an endpoint that returns its error for ServeHTTP to write.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// routes registers every endpoint, in one place. Paths are matched without
// their optional .json suffix, which ServeHTTP strips.
func (h *Handler) routes() {
	h.handle("GET /api/v2/users", h.listUsers)
	h.handle("GET /api/v2/users/count", h.countUsers)
	h.handle("GET /api/v2/users/show_many", h.showManyUsers)
	h.handle("GET /api/v2/users/me", h.showCurrentUser)
	h.handle("GET /api/v2/users/{id}", h.showUser)
	h.handle("POST /api/v2/users", h.createUser)
	h.handle("POST /api/v2/users/create_or_update", h.createOrUpdateUser)
	h.handle("PUT /api/v2/users/{id}", h.updateUser)
	h.handle("DELETE /api/v2/users/{id}", h.deleteUser)

	h.handle("GET /api/v2/groups/{id}/users", h.listGroupUsers)
	h.handle("GET /api/v2/groups/{id}/users/count", h.countGroupUsers)
	h.handle("GET /api/v2/organizations/{id}/users", h.listOrganizationUsers)
	h.handle("GET /api/v2/organizations/{id}/users/count", h.countOrganizationUsers)

	h.handle("GET /api/v2/deleted_users", h.listDeletedUsers)
	h.handle("GET /api/v2/deleted_users/count", h.countDeletedUsers)
	h.handle("GET /api/v2/deleted_users/{id}", h.showDeletedUser)
	h.handle("DELETE /api/v2/deleted_users/{id}", h.permanentlyDeleteUser)

	h.handle("GET /api/v2/time_zones", h.listTimeZones)
	h.handle("GET /api/v2/time_zones/{name...}", h.showTimeZone)
	h.handle("GET /api/v2/locales", h.listLocales)
	h.handle("GET /api/v2/locales/public", h.listLocales)
	h.handle("GET /api/v2/locales/agent", h.listLocales)
	h.handle("GET /api/v2/locales/current", h.showCurrentLocale)
	h.handle("GET /api/v2/locales/detect_best_locale", h.detectBestLocale)
	h.handle("GET /api/v2/locales/{id}", h.showLocale)

	h.searchRoutes()      // search.go
	h.jobRoutes()         // job.go
	h.userFieldRoutes()   // userfield.go
	h.incrementalRoutes() // incremental.go
	h.groupRoutes()       // group.go

	h.identityRoutes()     // identity.go
	h.tagRoutes()          // tag.go
	h.userActionRoutes()   // user_action.go
	h.organizationRoutes() // organization.go

	h.handle("/api/v2/", func(http.ResponseWriter, *http.Request) error { return errInvalidEndpoint })
}

func (h *Handler) handle(pattern string, fn handlerFunc) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeError(w, r, h.log, err)
		}
	})
}

type principalKey struct{}

// ServeHTTP authenticates the request, applies the realm's rate limit and
// routes it. Every response carries the rate-limit headers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every route also answers with a .json suffix.
	if p, ok := strings.CutSuffix(r.URL.Path, ".json"); ok {
		r2 := *r
		u := *r.URL
		u.Path, u.RawPath = p, ""
		r2.URL = &u
		r = &r2
	}
	principal, err := h.authn.Authenticate(r.Context(), r)
	key := "ip:" + clientIP(r)
	if principal != nil {
		key = "realm:" + principal.Realm.UID
	}
	if !h.limiter.allow(w, key) {
		writeJSON(w, http.StatusTooManyRequests, errorBody{Error: "TooManyRequests",
			Description: "Number of allowed API requests per minute exceeded"})
		return
	}
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	if principal != nil {
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, principal))
	}
	h.mux.ServeHTTP(w, r)
}

// principalOf returns the authenticated principal, or nil for anonymous
// requests.
func principalOf(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(*auth.Principal)
	return p
}

// actor returns the actor of an authenticated request, or the 401 error.
func actor(r *http.Request) (directory.Actor, error) {
	p := principalOf(r)
	if p == nil {
		return directory.Actor{}, auth.ErrBadCredentials
	}
	return p.Actor(), nil
}

// baseURL is the scheme and host of links: the configured public URL, or
// the request's own.
func (h *Handler) baseURL(r *http.Request) string {
	if h.public != "" {
		return h.public
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// marshal encodes v as writeJSON does, without escaping &, < and > (links
// carry & and must stay readable).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}
