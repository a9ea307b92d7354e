// Package realmweb serves a realm's sign-in pages under /realms/{realm_uid}/:
// login, logout, signup, activation, password reset and change, profile,
// and the realm's OAuth2 authorization server (oauth/authorize, token,
// revoke). Pages are server-rendered html/template with inline styles and
// no external assets; every form carries a CSRF token. The rules live in
// directory.Signin; this package only translates HTTP.
package realmweb

import (
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

//go:embed templates/*.html
var templateFS embed.FS

// maxFormBytes bounds a form body; sign-in forms are small.
const maxFormBytes = 64 << 10

// Config is what the realm pages need.
type Config struct {
	Signin *directory.Signin
	Logger *slog.Logger
	// PublicURL is the scheme and host of links in mails and of the
	// Secure cookie decision; "" uses the request's own.
	PublicURL string
	// OIDC signs customers in through the realms' external identity
	// providers; nil turns them off.
	OIDC *auth.OIDC
}

// Handler serves /realms/{realm_uid}/...
type Handler struct {
	signin    *directory.Signin
	svc       *directory.Service
	log       *slog.Logger
	publicURL string
	pages     map[string]*template.Template
	mux       *http.ServeMux
	origin    *http.CrossOriginProtection
	oidc      *auth.OIDC
}

// NewHandler returns the realm pages' handler.
func NewHandler(c Config) *Handler {
	h := &Handler{signin: c.Signin, svc: c.Signin.Service(), log: c.Logger, publicURL: strings.TrimSuffix(c.PublicURL, "/"),
		pages: map[string]*template.Template{}, mux: http.NewServeMux(), origin: http.NewCrossOriginProtection(), oidc: c.OIDC}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, name := range []string{"login", "signup", "password", "reset", "profile", "message"} {
		h.pages[name] = template.Must(template.New(name).Funcs(template.FuncMap{"providerLink": providerLink}).
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	h.routes()
	return h
}

// routes lists every realm page and OAuth endpoint.
func (h *Handler) routes() {
	h.handle("GET /realms/{realm}/login", h.showLogin)
	h.handle("POST /realms/{realm}/login", h.form(h.login))
	h.handle("GET /realms/{realm}/logout", h.logout)
	h.handle("POST /realms/{realm}/logout", h.form(h.logout))
	h.handle("GET /realms/{realm}/signup", h.showSignup)
	h.handle("POST /realms/{realm}/signup", h.form(h.signup))
	h.handle("GET /realms/{realm}/activate/{token}", h.activate)
	h.handle("GET /realms/{realm}/password", h.showPassword)
	h.handle("POST /realms/{realm}/password", h.form(h.requestReset))
	h.handle("GET /realms/{realm}/password/reset/{token}", h.showReset)
	h.handle("POST /realms/{realm}/password/reset/{token}", h.form(h.reset))
	h.handle("GET /realms/{realm}/password/change", h.showChange)
	h.handle("POST /realms/{realm}/password/change", h.form(h.change))
	h.handle("GET /realms/{realm}/profile", h.profile)
	h.handle("GET /realms/{realm}/oauth/authorize", h.authorize)
	h.handle("GET /realms/{realm}/auth/openidc/callback", h.oidcCallback)
	h.handle("GET /realms/{realm}/auth/openidc/{idp}", h.oidcStart)
	// The token and revoke endpoints are called by OAuth clients, not
	// browsers: they authenticate the client and carry no cookie, so no
	// CSRF token applies.
	h.handle("POST /realms/{realm}/oauth/token", h.token)
	h.handle("POST /realms/{realm}/oauth/revoke", h.revoke)
}

// ServeHTTP serves the realm pages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// request is one request to a realm page, with what every page needs.
type request struct {
	*http.Request
	realm    *directory.Realm
	settings *directory.SigninSettings
	base     string // "/realms/{uid}"
	client   directory.Client
	secure   bool
}

// pageFunc is a realm page handler that returns its errors.
type pageFunc func(w http.ResponseWriter, r *request) error

// handle registers fn for pattern: it finds the realm (404 for an unknown
// one), the realm's settings, and renders any error fn returns.
func (h *Handler) handle(pattern string, fn pageFunc) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, hr *http.Request) {
		ctx := hr.Context()
		realm, err := h.svc.Realm(ctx, hr.PathValue("realm"))
		if err != nil {
			h.fail(w, hr, nil, err)
			return
		}
		st, err := h.signin.Settings(ctx, realm.ID)
		if err != nil {
			h.fail(w, hr, realm, err)
			return
		}
		r := &request{Request: hr, realm: realm, settings: st, base: "/realms/" + realm.UID, secure: h.secure(hr)}
		r.client = directory.Client{UserAgent: hr.UserAgent(), IP: remoteIP(hr), BaseURL: h.baseURL(hr)}
		if err := fn(w, r); err != nil {
			h.fail(w, hr, realm, err)
		}
	})
}

// errCSRF answers a form whose CSRF token is missing or wrong.
var errCSRF = &directory.Error{Kind: directory.KindForbidden, Message: "This form has expired or did not come from this site. Go back, reload the page and try again."}

// form wraps a POST handler: it bounds and parses the body, and refuses
// cross-origin browser requests and forms without the CSRF token.
func (h *Handler) form(fn pageFunc) pageFunc {
	return func(w http.ResponseWriter, r *request) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			return directory.Errorf(directory.KindBadRequest, "The form could not be read.")
		}
		if err := h.origin.Check(r.Request); err != nil {
			return errCSRF
		}
		if !checkCSRF(r.Request) {
			return errCSRF
		}
		return fn(w, r)
	}
}

// secure reports whether the browser talks https to us.
func (h *Handler) secure(r *http.Request) bool {
	if h.publicURL != "" {
		return strings.HasPrefix(h.publicURL, "https://")
	}
	return r.TLS != nil
}

// baseURL is the scheme and host links in mails point to.
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

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// page is what every template receives.
type page struct {
	Title         string
	Realm         *directory.Realm
	Base          string
	CSRF          string
	Errors        []string
	Notice        string
	SignupEnabled bool
	RedirectURI   string
	Email, Name   string
	User          *directory.User
	Action        string
	AskCurrent    bool
	Message       string
	Links         []link
	Providers     []directory.IdentityProvider
	// The profile's notifications: a page of them (unread first), how
	// many are unread, the one opened, and the neighbouring pages.
	Notifications []directory.Notification
	Unread        int64
	Opened        *openedNotification
	PrevPage      string
	NextPage      string
}

// openedNotification is the notification a profile link opened, with its
// body as HTML: notification bodies are written by the realm's
// administrators as HTML, and the pages' Content-Security-Policy
// (default-src 'none') keeps any script or remote content in them from
// running or loading.
type openedNotification struct {
	directory.Notification
	HTML template.HTML
}

// link is a link shown under a message.
type link struct{ Href, Text string }

// render writes a page with status.
func (h *Handler) render(w http.ResponseWriter, r *request, status int, name string, p *page) error {
	p.Realm, p.Base, p.SignupEnabled = r.realm, r.base, r.settings.SignupEnabled
	if p.CSRF == "" {
		p.CSRF = csrfToken(w, r.Request, r.secure)
	}
	var b strings.Builder
	if err := h.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write([]byte(b.String()))
	return err
}

// message renders a page that only says something.
func (h *Handler) message(w http.ResponseWriter, r *request, status int, title, msg string, links ...link) error {
	return h.render(w, r, status, "message", &page{Title: title, Message: msg, Links: links})
}

// fail renders an error as a page: a kinded error with its message and
// status, anything else as a logged 500 that says nothing of the cause.
func (h *Handler) fail(w http.ResponseWriter, hr *http.Request, realm *directory.Realm, err error) {
	status, title, msg := http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side. Please try again later."
	var de *directory.Error
	if errors.As(err, &de) {
		msg = de.Message
		switch de.Kind {
		case directory.KindNotFound:
			status, title = http.StatusNotFound, "Not found"
			if de == directory.ErrNotFound {
				msg = "There is nothing here."
			}
		case directory.KindForbidden:
			status, title = http.StatusForbidden, "Not allowed"
		case directory.KindBadRequest, directory.KindInvalid:
			status, title = http.StatusBadRequest, "Bad request"
		case directory.KindRateLimited:
			status, title = http.StatusTooManyRequests, "Too many attempts"
		case directory.KindUnauthenticated:
			status, title = http.StatusUnauthorized, "Sign in required"
		default:
			status, msg = http.StatusInternalServerError, "Something went wrong on our side. Please try again later."
		}
	}
	if status == http.StatusInternalServerError {
		h.log.ErrorContext(hr.Context(), "realm page failed", "method", hr.Method, "path", hr.URL.Path, "err", err)
	}
	if realm == nil {
		// No realm to brand the page with: plain text.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(msg + "\n"))
		return
	}
	r := &request{Request: hr, realm: realm, settings: &directory.SigninSettings{}, base: "/realms/" + realm.UID, secure: h.secure(hr)}
	if err := h.message(w, r, status, title, msg); err != nil {
		h.log.ErrorContext(hr.Context(), "rendering an error page", "err", err)
	}
}

// session returns the signed-in customer of r, or nil when there is none
// or it ended (the stale cookie is then removed).
func (h *Handler) session(w http.ResponseWriter, r *request) (*directory.Session, *directory.User, error) {
	c, err := r.Cookie(auth.SessionCookie(r.realm.UID))
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	sess, u, err := h.signin.Session(r.Context(), r.realm.ID, c.Value)
	switch directory.KindOf(err) {
	case directory.KindInternal:
		if err != nil {
			return nil, nil, err
		}
		h.refresh(r, sess)
		return sess, u, nil
	case directory.KindNotFound, directory.KindUnauthenticated:
		auth.ClearSessionCookie(w, r.realm.UID, r.secure)
		return nil, nil, nil
	}
	return nil, nil, err
}

// refresh renews the identity provider's token of a session that came
// from one, while the customer is active; a failure is recorded and
// logged, and the page goes on.
func (h *Handler) refresh(r *request, sess *directory.Session) {
	if h.oidc == nil || sess.Method != directory.MethodOpenIDC {
		return
	}
	if err := h.oidc.Refresh(r.Context(), r.realm, sess, r.client); err != nil {
		h.log.WarnContext(r.Context(), "refreshing an identity provider token", "realm", r.realm.UID, "session", sess.ID, "err", err)
	}
}

// toLogin redirects to the login page, which returns to back afterwards.
func toLogin(w http.ResponseWriter, r *request, back string) error {
	http.Redirect(w, r.Request, r.base+"/login?redirect_uri="+url.QueryEscape(back), http.StatusSeeOther)
	return nil
}
