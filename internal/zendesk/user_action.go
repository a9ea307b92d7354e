package zendesk

import (
	"net/http"
	"strconv"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// userActionRoutes registers the user endpoints beyond plain CRUD:
// merging, passwords, related counts, signing out, requests to create a
// user and GDPR deletion statuses.
func (h *Handler) userActionRoutes() {
	h.handle("PUT /api/v2/users/{id}/merge", h.mergeEndUsers)
	h.handle("PUT /api/v2/users/me/merge", h.mergeSelf)
	h.handle("POST /api/v2/users/{id}/password", h.setUserPassword)
	h.handle("PUT /api/v2/users/{id}/password", h.changeOwnPassword)
	h.handle("GET /api/v2/users/{id}/password/requirements", h.getUserPasswordRequirements)
	h.handle("GET /api/v2/users/{id}/related", h.showUserRelated)
	h.handle("POST /api/v2/users/logout_many", h.logoutManyUsers)
	h.handle("POST /api/v2/users/request_create", h.requestUserCreate)
	h.handle("GET /api/v2/users/{id}/compliance_deletion_statuses", h.showUserComplianceDeletionStatuses)
}

// mergeEndUsers serves PUT /api/v2/users/{id}/merge with
// {"user":{"id":target}}: the path's user is merged into the target, which
// is returned.
func (h *Handler) mergeEndUsers(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	body, err := readObject(r)
	if err != nil {
		return err
	}
	obj, err := member(body, "user")
	if err != nil {
		return err
	}
	var target *int64
	f := fields{obj: obj}
	f.id("id", &target)
	if target == nil || *target == 0 {
		f.invalid.Add("id", "BlankValue", "the user to merge into is required")
	}
	if err := f.err(); err != nil {
		return err
	}
	u, err := h.svc.MergeUsers(r.Context(), a, id, *target)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": h.fullUser(r, u)})
	return nil
}

// mergeSelf serves PUT /api/v2/users/me/merge with
// {"user":{"email","password"}}: the signed-in end user is merged into the
// account those credentials name, which is returned as the end user sees
// it.
func (h *Handler) mergeSelf(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	body, err := readObject(r)
	if err != nil {
		return err
	}
	obj, err := member(body, "user")
	if err != nil {
		return err
	}
	var email, password *string
	f := fields{obj: obj}
	f.str("email", &email)
	f.str("password", &password)
	if err := f.err(); err != nil {
		return err
	}
	u, err := h.svc.MergeSelf(r.Context(), a, deref(email), deref(password), auth.Passwords)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": h.userView(r, u)})
	return nil
}

// errTokenPassword answers the password endpoints when called with an API
// token, which Zendesk does not permit there.
var errTokenPassword = directory.Errorf(directory.KindForbidden, "API token authentication is not permitted for password changes; use OAuth or a password.")

// passwordActor returns the actor of a password endpoint, refusing API
// tokens.
func passwordActor(r *http.Request) (directory.Actor, int64, error) {
	a, id, err := actorAndID(r)
	if err != nil {
		return a, 0, err
	}
	if p := principalOf(r); p != nil && p.Method == auth.MethodAPIToken {
		return a, 0, errTokenPassword
	}
	return a, id, nil
}

// setUserPassword serves POST /api/v2/users/{id}/password with
// {"password": "..."}: an admin sets a user's password. 200, empty body.
func (h *Handler) setUserPassword(w http.ResponseWriter, r *http.Request) error {
	a, id, err := passwordActor(r)
	if err != nil {
		return err
	}
	var password *string
	if err := decodePasswords(r, &password, nil); err != nil {
		return err
	}
	if err := h.svc.SetPassword(r.Context(), a, id, deref(password), auth.Passwords); err != nil {
		return err
	}
	writeEmpty(w, http.StatusOK)
	return nil
}

// changeOwnPassword serves PUT /api/v2/users/{id}/password with
// {"previous_password", "password"}: users change their own password.
// 200, empty body.
func (h *Handler) changeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	a, id, err := passwordActor(r)
	if err != nil {
		return err
	}
	var password, previous *string
	if err := decodePasswords(r, &password, &previous); err != nil {
		return err
	}
	if err := h.svc.ChangePassword(r.Context(), a, id, deref(previous), deref(password), auth.Passwords); err != nil {
		return err
	}
	writeEmpty(w, http.StatusOK)
	return nil
}

// decodePasswords reads password (and previous_password when previous is
// not nil) from the body; both are required strings.
func decodePasswords(r *http.Request, password, previous **string) error {
	body, err := readObject(r)
	if err != nil {
		return err
	}
	f := fields{obj: body}
	f.str("password", password)
	if *password == nil {
		f.invalid.Add("password", "BlankValue", "can't be blank")
	}
	if previous != nil {
		f.str("previous_password", previous)
		if *previous == nil {
			f.invalid.Add("previous_password", "BlankValue", "can't be blank")
		}
	}
	return f.err()
}

// getUserPasswordRequirements serves GET /api/v2/users/{id}/password/requirements.
func (h *Handler) getUserPasswordRequirements(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	reqs, err := h.svc.PasswordRequirements(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"requirements": reqs})
	return nil
}

// userRelated is the user_related object.
type userRelated struct {
	AssignedTickets           int64 `json:"assigned_tickets"`
	RequestedTickets          int64 `json:"requested_tickets"`
	CCDTickets                int64 `json:"ccd_tickets"`
	OrganizationSubscriptions int64 `json:"organization_subscriptions"`
}

// showUserRelated serves GET /api/v2/users/{id}/related.
func (h *Handler) showUserRelated(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	rel, err := h.svc.RelatedToUser(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_related": userRelated{
		AssignedTickets: rel.AssignedTickets, RequestedTickets: rel.RequestedTickets,
		CCDTickets: rel.CCDTickets, OrganizationSubscriptions: rel.OrganizationSubscriptions,
	}})
	return nil
}

// logoutManyUsers serves POST /api/v2/users/logout_many?ids=1,2: the
// users' OAuth access tokens are revoked. 202, empty body.
func (h *Handler) logoutManyUsers(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	var ids []int64
	for _, s := range splitList(r.URL.Query().Get("ids")) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return badRequest("ids must be comma-separated user ids, got %q", s)
		}
		ids = append(ids, id)
	}
	if err := h.svc.LogoutUsers(r.Context(), a, ids); err != nil {
		return err
	}
	writeEmpty(w, http.StatusAccepted)
	return nil
}

// requestUserCreate serves POST /api/v2/users/request_create with
// {"user":{"name","email"}}: validated as a create, nothing stored, no
// email sent. 200, empty body.
func (h *Handler) requestUserCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	in, err := decodeUser(r)
	if err != nil {
		return err
	}
	if err := h.svc.RequestUserCreate(r.Context(), a, in); err != nil {
		return err
	}
	writeEmpty(w, http.StatusOK)
	return nil
}

// complianceDeletionStatus is one status of compliance_deletion_statuses.
type complianceDeletionStatus struct {
	Action           string `json:"action"`
	Application      string `json:"application"`
	AccountSubdomain string `json:"account_subdomain"`
	ExecuterID       *int64 `json:"executer_id"`
	UserID           int64  `json:"user_id"`
	CreatedAt        string `json:"created_at"`
}

// showUserComplianceDeletionStatuses serves
// GET /api/v2/users/{id}/compliance_deletion_statuses (application= filters).
func (h *Handler) showUserComplianceDeletionStatuses(w http.ResponseWriter, r *http.Request) error {
	a, id, err := actorAndID(r)
	if err != nil {
		return err
	}
	list, err := h.svc.ComplianceDeletionStatuses(r.Context(), a, id, r.URL.Query().Get("application"))
	if err != nil {
		return err
	}
	out := make([]complianceDeletionStatus, len(list))
	for i, st := range list {
		out[i] = complianceDeletionStatus{Action: st.Action, Application: st.Application, AccountSubdomain: st.AccountSubdomain,
			ExecuterID: nullID(st.ExecuterID), UserID: st.UserID, CreatedAt: timestamp(st.CreatedAt)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"compliance_deletion_statuses": out})
	return nil
}
