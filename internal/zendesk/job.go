package zendesk

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/clientele/clientele/internal/directory"
)

// jobRoutes registers the bulk endpoints and job statuses.
func (h *Handler) jobRoutes() {
	h.handle("POST /api/v2/users/create_many", h.createManyUsers)
	h.handle("POST /api/v2/users/create_or_update_many", h.createOrUpdateManyUsers)
	h.handle("PUT /api/v2/users/update_many", h.updateManyUsers)
	h.handle("DELETE /api/v2/users/destroy_many", h.destroyManyUsers)

	h.handle("GET /api/v2/job_statuses", h.listJobStatuses)
	h.handle("GET /api/v2/job_statuses/show_many", h.showManyJobStatuses)
	h.handle("GET /api/v2/job_statuses/{id}", h.showJobStatus)
}

// jobStatus is Zendesk's job status object. The keys come in the order of
// Zendesk's recorded responses; job_type, which the schema has but the
// recordings do not show, comes last.
type jobStatus struct {
	ID       string  `json:"id"`
	URL      string  `json:"url"`
	Total    int     `json:"total"`
	Progress *int    `json:"progress"`
	Status   string  `json:"status"`
	Message  *string `json:"message"`
	Results  []any   `json:"results"`
	JobType  string  `json:"job_type"`
}

// The result items of each job type, as Zendesk sends them.
type (
	createdResult struct {
		Index  int    `json:"index"`
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	createdOrUpdatedResult struct {
		ID     int64   `json:"id"`
		Status string  `json:"status"`
		Email  *string `json:"email"`
	}
	actionResult struct {
		ID      int64  `json:"id"`
		Action  string `json:"action"`
		Status  string `json:"status"`
		Success bool   `json:"success"`
	}
	failedResult struct {
		Index   int    `json:"index"`
		ID      *int64 `json:"id"`
		Error   string `json:"error"`
		Details string `json:"details"`
		Status  string `json:"status"`
	}
	failedActionResult struct {
		Index   int    `json:"index"`
		ID      *int64 `json:"id"`
		Action  string `json:"action"`
		Error   string `json:"error"`
		Details string `json:"details"`
		Status  string `json:"status"`
		Success bool   `json:"success"`
	}
	failedCreateOrUpdateResult struct {
		ID      *int64 `json:"id"`
		Error   string `json:"error"`
		Details string `json:"details"`
		Status  string `json:"status"`
	}
)

func (h *Handler) jobStatusView(r *http.Request, j *directory.Job) jobStatus {
	out := jobStatus{
		ID:      j.ID,
		URL:     h.baseURL(r) + "/api/v2/job_statuses/" + url.PathEscape(j.ID) + ".json",
		Total:   j.Total,
		Status:  string(j.Status),
		Message: nullString(j.Message),
		JobType: string(j.Type),
	}
	if j.Status != directory.JobQueued {
		progress := j.Progress
		out.Progress = &progress
	}
	// Zendesk shows results once the job is over.
	if j.Status == directory.JobCompleted || j.Status == directory.JobFailed {
		out.Results = make([]any, len(j.Results))
		for i, res := range j.Results {
			out.Results[i] = jobResultView(j.Type, res)
		}
	}
	return out
}

// jobShape is how the results of one job type look on the wire.
type jobShape struct {
	// action, for updates and deletes, is the results' "action"; they
	// also carry "success".
	action string
	// failCode is the error code of an item that failed validation.
	failCode string
	// upsert marks create_or_update_many's own result shapes.
	upsert bool
}

// jobShapes gives the result shape of every job type. A new kind of job
// adds its line here.
var jobShapes = map[directory.JobType]jobShape{
	directory.JobCreateUsers:         {failCode: "UserCreateError"},
	directory.JobCreateOrUpdateUsers: {failCode: "UserUpdateError", upsert: true},
	directory.JobUpdateUsers:         {action: "update", failCode: "UserUpdateError"},
	directory.JobDeleteUsers:         {action: "delete", failCode: "UserDeleteError"},
	directory.JobCreateOrganizations: {failCode: "OrganizationCreateFailed"},
	directory.JobUpdateOrganizations: {action: "update", failCode: "OrganizationUpdateFailed"},
	directory.JobDeleteOrganizations: {action: "delete", failCode: "OrganizationDeleteFailed"},
	directory.JobCreateMemberships:   {failCode: "OrganizationMembershipCreateFailed"},
	directory.JobDeleteMemberships:   {action: "delete", failCode: "OrganizationMembershipDeleteFailed"},

	directory.JobCreateGroupMemberships: {failCode: "GroupMembershipCreateFailed"},
	directory.JobDeleteGroupMemberships: {action: "delete", failCode: "GroupMembershipDeleteFailed"},
}

// jobResultView renders one item's result in the shape of its job type.
func jobResultView(typ directory.JobType, res directory.JobResult) any {
	shape := jobShapes[typ]
	if res.Outcome == directory.JobItemFailed {
		code, details := jobError(typ, res.Err)
		switch {
		case shape.upsert:
			return failedCreateOrUpdateResult{ID: nullID(res.UserID), Error: code, Details: details, Status: string(res.Outcome)}
		case shape.action != "":
			return failedActionResult{Index: res.Index, ID: nullID(res.UserID), Action: shape.action, Error: code, Details: details,
				Status: string(res.Outcome)}
		}
		return failedResult{Index: res.Index, ID: nullID(res.UserID), Error: code, Details: details, Status: string(res.Outcome)}
	}
	switch {
	case shape.upsert:
		return createdOrUpdatedResult{ID: res.UserID, Status: string(res.Outcome), Email: nullString(res.Email)}
	case shape.action != "":
		return actionResult{ID: res.UserID, Action: shape.action, Status: string(res.Outcome), Success: true}
	}
	return createdResult{Index: res.Index, ID: res.UserID, Status: string(res.Outcome)}
}

// jobError returns the error code and details of a failed item. Validation
// problems read as in a 422 ("Email: x is already being used by another
// user"), several joined by spaces as Zendesk joins them; an internal
// error's text stays in the database and the log.
func jobError(typ directory.JobType, e *directory.Error) (code, details string) {
	if e == nil {
		e = &directory.Error{Kind: directory.KindInternal}
	}
	switch e.Kind {
	case directory.KindNotFound:
		return "RecordNotFound", e.Message
	case directory.KindForbidden:
		return "PermissionDenied", e.Message
	case directory.KindConflict:
		return "DatabaseConflict", "Database collision"
	case directory.KindInvalid, directory.KindBadRequest, directory.KindTooMany:
		code = jobShapes[typ].failCode
		if len(e.Fields) == 0 {
			return code, e.Message
		}
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = humanize(f.Field) + ": " + f.Message
		}
		return code, strings.Join(parts, " ")
	}
	return "InternalError", "Something went wrong on our side. The error has been logged."
}

// writeJobStatus answers 200 {"job_status": {...}}.
func (h *Handler) writeJobStatus(w http.ResponseWriter, r *http.Request, j *directory.Job) error {
	writeJSON(w, http.StatusOK, map[string]any{"job_status": h.jobStatusView(r, j)})
	return nil
}

// submitJob queues a job of typ over items for the request's actor.
func (h *Handler) submitJob(w http.ResponseWriter, r *http.Request, typ directory.JobType, items func() ([]directory.JobItem, error)) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	// End users are refused before their body is read, as on every write.
	if !a.Role.Staff() {
		_, err := h.svc.SubmitJob(r.Context(), a, typ, nil)
		return err
	}
	list, err := items()
	if err != nil {
		return err
	}
	j, err := h.svc.SubmitJob(r.Context(), a, typ, list)
	if err != nil {
		return err
	}
	return h.writeJobStatus(w, r, j)
}

// createManyUsers serves POST /api/v2/users/create_many.
func (h *Handler) createManyUsers(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobCreateUsers, func() ([]directory.JobItem, error) { return decodeUsers(r, false) })
}

// createOrUpdateManyUsers serves POST /api/v2/users/create_or_update_many.
func (h *Handler) createOrUpdateManyUsers(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobCreateOrUpdateUsers, func() ([]directory.JobItem, error) { return decodeUsers(r, false) })
}

// updateManyUsers serves PUT /api/v2/users/update_many: with ids= or
// external_ids=, one {"user": {...}} change for all of them; without, a
// {"users": [...]} list whose items name their user by id or external_id.
func (h *Handler) updateManyUsers(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobUpdateUsers, func() ([]directory.JobItem, error) {
		targets, ok, err := jobTargets(r.URL.Query())
		if err != nil || !ok {
			if err == nil {
				return decodeUsers(r, true)
			}
			return nil, err
		}
		in, err := decodeUser(r)
		if err != nil {
			return nil, err
		}
		for i := range targets {
			targets[i].Input = in
		}
		return targets, nil
	})
}

// destroyManyUsers serves DELETE /api/v2/users/destroy_many?ids= or
// ?external_ids=: soft deletes, as DELETE /users/{id}.
func (h *Handler) destroyManyUsers(w http.ResponseWriter, r *http.Request) error {
	return h.submitJob(w, r, directory.JobDeleteUsers, func() ([]directory.JobItem, error) {
		targets, ok, err := jobTargets(r.URL.Query())
		if err == nil && !ok {
			err = badRequest("Send ids or external_ids")
		}
		return targets, err
	})
}

// jobTargets reads ids= or external_ids= as one item per user named; ok is
// false when neither was sent.
func jobTargets(q url.Values) (items []directory.JobItem, ok bool, err error) {
	switch {
	case q.Has("ids"):
		for _, s := range splitList(q.Get("ids")) {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id < 1 {
				return nil, true, badRequest("ids must be comma-separated user ids, got %q", s)
			}
			items = append(items, directory.JobItem{UserID: id})
		}
		return items, true, nil
	case q.Has("external_ids"):
		for _, s := range splitList(q.Get("external_ids")) {
			items = append(items, directory.JobItem{ExternalID: s})
		}
		return items, true, nil
	}
	return nil, false, nil
}

// decodeUsers reads the {"users": [...]} body of a bulk request, one item
// per element. A body that is not such an object is a 400; an element that
// cannot be read is an item that fails with the reason, as Zendesk reports
// each user's problems in the job. With selector, an element's id (or else
// external_id) names the user it changes.
func decodeUsers(r *http.Request, selector bool) ([]directory.JobItem, error) {
	return decodeJobList(r, "users", func(el json.RawMessage) directory.JobItem { return decodeJobItem(el, selector) })
}

// decodeObjectItems is decodeJobList for lists of objects: an element
// that is not a JSON object fails alone, as a problem of one record
// (named by one); the others are read by item.
func decodeObjectItems(r *http.Request, key, one string, item func(map[string]json.RawMessage) directory.JobItem) ([]directory.JobItem, error) {
	return decodeJobList(r, key, func(el json.RawMessage) directory.JobItem {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(el, &obj); err != nil || obj == nil {
			return directory.JobItem{Problem: invalidItem(one, "must be a JSON object")}
		}
		return item(obj)
	})
}

// decodeJobList reads the {key: [...]} body of a bulk request, one item
// per element, decoded by decode.
func decodeJobList(r *http.Request, key string, decode func(json.RawMessage) directory.JobItem) ([]directory.JobItem, error) {
	body, err := readObject(r)
	if err != nil {
		return nil, err
	}
	raw, ok := body[key]
	if !ok {
		return nil, badRequest("The request body needs a %q array", key)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return nil, badRequest("%q must be a JSON array", key)
	}
	items := make([]directory.JobItem, len(list))
	for i, el := range list {
		items[i] = decode(el)
	}
	return items, nil
}

// decodeJobItem reads one element of a bulk body.
func decodeJobItem(el json.RawMessage, selector bool) directory.JobItem {
	var item directory.JobItem
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(el, &obj); err != nil || obj == nil {
		item.Problem = invalidItem("user", "must be a JSON object")
		return item
	}
	if selector {
		if raw, ok := obj["id"]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, &item.UserID); err != nil || item.UserID < 1 {
				item.UserID = 0
				item.Problem = invalidItem("id", "must be a positive integer id")
				return item
			}
		}
		if raw, ok := obj["external_id"]; ok && item.UserID == 0 && !isNull(raw) {
			json.Unmarshal(raw, &item.ExternalID) // a non-string is reported by userInput below
		}
	}
	in, err := userInput(obj)
	var de *directory.Error
	switch {
	case errors.As(err, &de):
		item.Problem = de
	case err != nil:
		item.Problem = invalidItem("user", err.Error())
	}
	item.Input = in
	return item
}

func invalidItem(field, message string) *directory.Error {
	var v directory.Invalid
	v.Add(field, "InvalidValue", message)
	var e *directory.Error
	errors.As(v.Err(), &e)
	return e
}

// showJobStatus serves GET /api/v2/job_statuses/{id}.
func (h *Handler) showJobStatus(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	j, err := h.svc.Job(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeJobStatus(w, r, j)
}

// showManyJobStatuses serves GET /api/v2/job_statuses/show_many?ids=a,b:
// the jobs found, newest first; unknown ids are left out.
func (h *Handler) showManyJobStatuses(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	ids := splitList(r.URL.Query().Get("ids"))
	if len(ids) == 0 {
		return badRequest("Send ids")
	}
	jobs, err := h.svc.JobsByIDs(r.Context(), a, ids)
	if err != nil {
		return err
	}
	return writeList(w, "job_statuses", h.jobStatusViews(r, jobs), struct{}{})
}

func (h *Handler) jobStatusViews(r *http.Request, jobs []directory.Job) []any {
	out := make([]any, len(jobs))
	for i := range jobs {
		out[i] = h.jobStatusView(r, &jobs[i])
	}
	return out
}

// listJobStatuses serves GET /api/v2/job_statuses, newest first. As in
// Zendesk it pages by cursor only: without page[size] it is a cursor page
// of 100. sort=id lists oldest first.
func (h *Handler) listJobStatuses(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if !q.Has("sort") && !q.Has("sort_order") {
		q.Set("sort", "-id")
	}
	if !q.Has("page[size]") && !q.Has("page[after]") && !q.Has("page[before]") {
		q.Set("page[size]", strconv.Itoa(maxPerPage))
	}
	p, err := parsePage(q)
	if err != nil {
		return err
	}
	jobs, err := h.svc.Jobs(r.Context(), a, p.storePage())
	if err != nil {
		return err
	}
	rows, links := cursorPage(h.linker(r), p, jobs, func(j directory.Job) int64 { return j.Seq })
	return writeList(w, "job_statuses", h.jobStatusViews(r, rows), links)
}
