package realmweb

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// fieldMessages turns a validation error into lines for the page.
func fieldMessages(err error) ([]string, bool) {
	var de *directory.Error
	if !errors.As(err, &de) || de.Kind != directory.KindInvalid {
		return nil, false
	}
	labels := map[string]string{"password": "Password", "password_confirmation": "Password confirmation", "email": "Email",
		"name": "Name", "current_password": "Current password"}
	var out []string
	for _, f := range de.Fields {
		label := labels[f.Field]
		if label == "" {
			label = f.Field
		}
		out = append(out, label+" "+f.Message)
	}
	return out, true
}

// afterLogin is where a signed-in customer goes: the redirect_uri when it
// is safe, else the profile.
func afterLogin(r *request, target string) string {
	return directory.SafeRedirect(r.settings, target, r.base+"/profile")
}

func (h *Handler) showLogin(w http.ResponseWriter, r *request) error {
	target := r.URL.Query().Get("redirect_uri")
	_, u, err := h.session(w, r)
	if err != nil {
		return err
	}
	if u != nil {
		http.Redirect(w, r.Request, afterLogin(r, target), http.StatusSeeOther)
		return nil
	}
	return h.render(w, r, http.StatusOK, "login", &page{Title: "Sign in", RedirectURI: target, Providers: h.providers(r)})
}

// providers lists the realm's identity providers for the login page's
// buttons; none when OIDC is off or they cannot be read.
func (h *Handler) providers(r *request) []directory.IdentityProvider {
	if h.oidc == nil {
		return nil
	}
	ps, err := h.signin.IdPs(r.Context(), r.realm.ID)
	if err != nil {
		h.log.ErrorContext(r.Context(), "listing identity providers", "err", err)
		return nil
	}
	return ps
}

func (h *Handler) login(w http.ResponseWriter, r *request) error {
	email, target := r.PostFormValue("email"), r.PostFormValue("redirect_uri")
	_, secret, err := h.signin.Login(r.Context(), r.realm, email, r.PostFormValue("password"), r.client)
	switch directory.KindOf(err) {
	case directory.KindUnauthenticated, directory.KindRateLimited:
		status := http.StatusUnauthorized
		if directory.KindOf(err) == directory.KindRateLimited {
			status = http.StatusTooManyRequests
		}
		var de *directory.Error
		errors.As(err, &de)
		return h.render(w, r, status, "login", &page{Title: "Sign in", Errors: []string{de.Message}, Email: email, RedirectURI: target, Providers: h.providers(r)})
	case directory.KindInternal:
		if err != nil {
			return err
		}
	default:
		return err
	}
	h.startSession(w, r, secret)
	http.Redirect(w, r.Request, afterLogin(r, target), http.StatusSeeOther)
	return nil
}

// startSession sets the session cookie for a new session.
func (h *Handler) startSession(w http.ResponseWriter, r *request, secret string) {
	auth.SetSessionCookie(w, r.realm.UID, secret, r.settings.SessionLifetime, r.secure)
}

// logout ends the session and goes to redirect_to when it is safe, else
// to the login page. A GET works too, as Modyo sites link to it.
func (h *Handler) logout(w http.ResponseWriter, r *request) error {
	if c, err := r.Cookie(auth.SessionCookie(r.realm.UID)); err == nil {
		if err := h.signin.Logout(r.Context(), r.realm.ID, c.Value, r.client); err != nil {
			return err
		}
	}
	auth.ClearSessionCookie(w, r.realm.UID, r.secure)
	target := r.FormValue("redirect_to")
	http.Redirect(w, r.Request, directory.SafeRedirect(r.settings, target, r.base+"/login"), http.StatusSeeOther)
	return nil
}

// errSignupOff answers the signup page of a realm that closed it.
var errSignupOff = &directory.Error{Kind: directory.KindNotFound, Message: "This realm does not accept new sign-ups."}

func (h *Handler) showSignup(w http.ResponseWriter, r *request) error {
	if !r.settings.SignupEnabled {
		return errSignupOff
	}
	return h.render(w, r, http.StatusOK, "signup", &page{Title: "Create an account", RedirectURI: r.URL.Query().Get("redirect_uri")})
}

func (h *Handler) signup(w http.ResponseWriter, r *request) error {
	if !r.settings.SignupEnabled {
		return errSignupOff
	}
	name, email, target := r.PostFormValue("name"), r.PostFormValue("email"), r.PostFormValue("redirect_uri")
	_, secret, err := h.signin.Signup(r.Context(), r.realm, name, email, r.PostFormValue("password"), r.client)
	if msgs, ok := fieldMessages(err); ok {
		return h.render(w, r, http.StatusUnprocessableEntity, "signup", &page{Title: "Create an account", Errors: msgs, Name: name, Email: email, RedirectURI: target})
	}
	if err != nil {
		return err
	}
	h.startSession(w, r, secret)
	http.Redirect(w, r.Request, afterLogin(r, target), http.StatusSeeOther)
	return nil
}

func (h *Handler) activate(w http.ResponseWriter, r *request) error {
	if _, err := h.signin.Activate(r.Context(), r.realm, r.PathValue("token")); err != nil {
		return err
	}
	return h.message(w, r, http.StatusOK, "Email confirmed", "Thank you: your email address is confirmed.", link{r.base + "/profile", "Go to your profile"})
}

func (h *Handler) showPassword(w http.ResponseWriter, r *request) error {
	return h.render(w, r, http.StatusOK, "password", &page{Title: "Reset your password"})
}

func (h *Handler) requestReset(w http.ResponseWriter, r *request) error {
	if err := h.signin.RequestPasswordReset(r.Context(), r.realm, r.PostFormValue("email"), r.client); err != nil {
		return err
	}
	// The same answer whether or not the email has an account.
	return h.render(w, r, http.StatusOK, "password", &page{Title: "Reset your password",
		Notice: "If an account uses that email, we have sent it a link to choose a new password. The link works for 3 days."})
}

func (h *Handler) showReset(w http.ResponseWriter, r *request) error {
	if _, err := h.signin.CheckLink(r.Context(), r.realm.ID, directory.TokenPasswordReset, r.PathValue("token")); err != nil {
		if errors.Is(err, directory.ErrLinkInvalid) {
			return h.message(w, r, http.StatusNotFound, "Link expired", err.Error(), link{r.base + "/password", "Ask for a new link"})
		}
		return err
	}
	return h.render(w, r, http.StatusOK, "reset", &page{Title: "Choose a new password", Action: r.URL.Path})
}

func (h *Handler) reset(w http.ResponseWriter, r *request) error {
	err := h.signin.ResetPassword(r.Context(), r.realm, r.PathValue("token"), r.PostFormValue("password"), r.PostFormValue("password_confirmation"), r.client)
	if errors.Is(err, directory.ErrLinkInvalid) {
		return h.message(w, r, http.StatusNotFound, "Link expired", err.Error(), link{r.base + "/password", "Ask for a new link"})
	}
	if msgs, ok := fieldMessages(err); ok {
		return h.render(w, r, http.StatusUnprocessableEntity, "reset", &page{Title: "Choose a new password", Errors: msgs, Action: r.URL.Path})
	}
	if err != nil {
		return err
	}
	auth.ClearSessionCookie(w, r.realm.UID, r.secure)
	return h.message(w, r, http.StatusOK, "Password changed", "Your password was changed and every session signed out.", link{r.base + "/login", "Sign in"})
}

func (h *Handler) showChange(w http.ResponseWriter, r *request) error {
	_, u, err := h.session(w, r)
	if err != nil {
		return err
	}
	if u == nil {
		return toLogin(w, r, r.base+"/password/change")
	}
	return h.render(w, r, http.StatusOK, "reset", &page{Title: "Change your password", Action: r.URL.Path, AskCurrent: u.PasswordHash != ""})
}

func (h *Handler) change(w http.ResponseWriter, r *request) error {
	_, u, err := h.session(w, r)
	if err != nil {
		return err
	}
	if u == nil {
		return toLogin(w, r, r.base+"/password/change")
	}
	err = h.signin.ChangePassword(r.Context(), r.realm.ID, u, r.PostFormValue("current_password"), r.PostFormValue("password"), r.PostFormValue("password_confirmation"))
	if msgs, ok := fieldMessages(err); ok {
		return h.render(w, r, http.StatusUnprocessableEntity, "reset", &page{Title: "Change your password", Errors: msgs, Action: r.URL.Path, AskCurrent: u.PasswordHash != ""})
	}
	if err != nil {
		return err
	}
	return h.message(w, r, http.StatusOK, "Password changed", "Your password was changed.", link{r.base + "/profile", "Back to your profile"})
}

// notificationsPerPage is how many notifications the profile lists at once.
const notificationsPerPage = 20

// profile shows the customer's data and notifications, unread first.
// ?notification_id=ID opens one, which marks it read, as the
// notifications' url says; ?page=N pages the list.
func (h *Handler) profile(w http.ResponseWriter, r *request) error {
	_, u, err := h.session(w, r)
	if err != nil {
		return err
	}
	if u == nil {
		back := r.base + "/profile"
		if r.URL.RawQuery != "" {
			back += "?" + r.URL.RawQuery
		}
		return toLogin(w, r, back)
	}
	p := &page{Title: "Your profile", User: u}
	if id, err := strconv.ParseInt(r.URL.Query().Get("notification_id"), 10, 64); err == nil {
		n, err := h.svc.MarkNotificationRead(r.Context(), r.realm.ID, u.ID, id, r.client)
		switch directory.KindOf(err) {
		case directory.KindInternal:
			if err != nil {
				return err
			}
			p.Opened = &openedNotification{Notification: *n, HTML: template.HTML(n.Body)}
		case directory.KindNotFound:
			p.Errors = []string{"That notification does not exist."}
		default:
			return err
		}
	}
	pageNo := 1
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 && n <= 1_000_000 {
		pageNo = n
	}
	list, total, unread, err := h.svc.Notifications(r.Context(), r.realm.ID, u.ID, (pageNo-1)*notificationsPerPage, notificationsPerPage)
	if err != nil {
		return err
	}
	p.Notifications, p.Unread = list, unread
	if pageNo > 1 {
		p.PrevPage = r.base + "/profile?page=" + strconv.Itoa(pageNo-1)
	}
	if int64(pageNo*notificationsPerPage) < total {
		p.NextPage = r.base + "/profile?page=" + strconv.Itoa(pageNo+1)
	}
	return h.render(w, r, http.StatusOK, "profile", p)
}
