package clienttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/search"
	"github.com/google/go-cmp/cmp"
)

// searchUser is a user as search.js summarises it; Status is the HTTP
// status of the response that carried it, when it came alone.
type searchUser struct {
	Status     int    `json:"status,omitempty"`
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Role       string `json:"role"`
	Active     bool   `json:"active"`
	ExternalID string `json:"external_id"`
	Details    string `json:"details"`
	Notes      string `json:"notes"`
}

// searchFound is what a getAll-based search resolved with: the result
// ids in order, the distinct result_type values (search and export only)
// and the requests that fetched them.
type searchFound struct {
	IDs         []int64        `json:"ids"`
	ResultTypes []string       `json:"result_types"`
	Requests    []nodeExchange `json:"requests"`
}

// nodeJobResult is one item of a job status's results, any job type; a
// key the result does not carry stays zero.
type nodeJobResult struct {
	Index   *int    `json:"index,omitempty"`
	ID      *int64  `json:"id,omitempty"`
	Action  string  `json:"action,omitempty"`
	Status  string  `json:"status,omitempty"`
	Success *bool   `json:"success,omitempty"`
	Error   string  `json:"error,omitempty"`
	Details string  `json:"details,omitempty"`
	Email   *string `json:"email,omitempty"`
}

// nodeJobStatus is a job_status object as the client received it.
type nodeJobStatus struct {
	ID       string          `json:"id"`
	URL      string          `json:"url"`
	Total    int             `json:"total"`
	Progress *int            `json:"progress"`
	Status   string          `json:"status"`
	Message  *string         `json:"message"`
	Results  []nodeJobResult `json:"results"`
	JobType  string          `json:"job_type"`
}

// jobSubmission is the answer to a bulk request: its status, the body's
// keys and the job_status.
type jobSubmission struct {
	Status    int           `json:"status"`
	Keys      []string      `json:"keys"`
	JobStatus nodeJobStatus `json:"job_status"`
}

// jobPoll is a job as jobstatuses.show last showed it, once over, and
// how many shows it took.
type jobPoll struct {
	Polls     int           `json:"polls"`
	JobStatus nodeJobStatus `json:"job_status"`
}

// searchReport is the one JSON object search.js prints.
type searchReport struct {
	UserAgent   string       `json:"user_agent"`
	Created     []searchUser `json:"created"`
	UsersSearch struct {
		All       searchFound `json:"all"`
		Agents    searchFound `json:"agents"`
		Phrase    searchFound `json:"phrase"`
		NotAgents searchFound `json:"not_agents"`
		NotWhale  searchFound `json:"not_whale"`
	} `json:"users_search"`
	SearchAll    searchFound `json:"search_all"`
	SearchAgents searchFound `json:"search_agents"`
	SearchCount  struct {
		Status int   `json:"status"`
		Count  int64 `json:"count"`
	} `json:"search_count"`
	Export              searchFound   `json:"export"`
	CreateMany          jobSubmission `json:"create_many"`
	CreateManyDone      nodeJobStatus `json:"create_many_done"`
	CreatedByJob        []searchUser  `json:"created_by_job"`
	UpdateMany          jobSubmission `json:"update_many"`
	UpdateManyDone      jobPoll       `json:"update_many_done"`
	UpdateManyList      jobSubmission `json:"update_many_list"`
	UpdateManyListDone  jobPoll       `json:"update_many_list_done"`
	DestroyMany         jobSubmission `json:"destroy_many"`
	DestroyManyDone     jobPoll       `json:"destroy_many_done"`
	JobStatusesShowMany struct {
		Status   int      `json:"status"`
		Keys     []string `json:"keys"`
		IDs      []string `json:"ids"`
		Statuses []string `json:"statuses"`
	} `json:"job_statuses_show_many"`
	JobStatusesList struct {
		Status int      `json:"status"`
		Keys   []string `json:"keys"`
		IDs    []string `json:"ids"`
	} `json:"job_statuses_list"`
	AfterJobs struct {
		All        searchFound `json:"all"`
		Bulk       searchFound `json:"bulk"`
		Notes      searchFound `json:"notes"`
		Details    searchFound `json:"details"`
		ExternalID searchFound `json:"external_id"`
		Dup        searchFound `json:"dup"`
	} `json:"after_jobs"`
	Exchanges []nodeExchange `json:"exchanges"`
}

var (
	jobIDPattern      = regexp.MustCompile(`^V3-[0-9a-f]{32}$`)
	jobMessagePattern = regexp.MustCompile(`^Completed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$`)
)

// TestNodeZendeskSearchAndJobs runs node/search.js, in which the unmodified
// npm client node-zendesk searches users (users.search, search.queryAll,
// search.exportResults) across several pages and runs bulk jobs
// (users.createMany, updateMany, destroyMany, watched and shown through
// jobstatuses), and checks its report and the stored state. Realm beta
// holds users that match every query and must never show.
func TestNodeZendeskSearchAndJobs(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: node-zendesk client test skipped")
	}
	ensureNodeModules(t)
	f := startServer(t)
	startJobRunner(t, f.svc)

	// Realm beta's users match the queries search.js sends.
	betaWhale := createUser(t, f.svc, f.beta, "Quokka Beta Blue Whale", "quokka-beta-1@beta.example", directory.RoleEndUser)
	betaAgent := createUser(t, f.svc, f.beta, "Quokka Beta Agent", "quokka-beta-2@beta.example", directory.RoleAgent)
	betaBulk := createUser(t, f.svc, f.beta, "Quokka Beta Bulk Updated Dup", "quokka-bulk-beta@beta.example", directory.RoleEndUser)
	betaIDs := []int64{f.foreign.ID, betaWhale.ID, betaAgent.ID, betaBulk.ID}

	var report searchReport
	runNodeScript(t, node, "search.js", f.endpoint, []string{
		"ZENDESK_USERNAME=" + f.admin.Email,
		"ZENDESK_TOKEN=" + f.token,
		"ZENDESK_FOREIGN_ID=" + strconv.FormatInt(betaAgent.ID, 10),
		"ZENDESK_TAKEN_EMAIL=" + f.foreign.Email,
	}, &report)

	if want := "node-zendesk/" + nodeClientVersion + " (node/"; !strings.HasPrefix(report.UserAgent, want) {
		t.Errorf("User-Agent = %q, want %s...) (run npm ci in %s)", report.UserAgent, want, nodeDir)
	}

	// The users to find: quokkas 1-9 (2, 5, 8 agents) and a wombat.
	if len(report.Created) != 10 {
		t.Fatalf("search.js created %d users, want 10: %+v", len(report.Created), report.Created)
	}
	var s []int64 // s[i] is quokka i+1, s[9] the wombat
	for i, u := range report.Created {
		if u.Status != http.StatusCreated || !u.Active || (i > 0 && u.ID <= s[i-1]) {
			t.Errorf("created user %d = %+v, want status 201, active, ids increasing", i+1, u)
		}
		s = append(s, u.ID)
	}
	quokkas := s[:9]
	for _, i := range []int{1, 4, 7} {
		if r := report.Created[i].Role; r != "agent" {
			t.Errorf("quokka %d role = %q, want agent", i+1, r)
		}
	}

	// 1. users.search, following next_page with per_page=2.
	us := report.UsersSearch
	checkSearch(t, f.endpoint, "users.search quokka", us.All, "/users/search.json",
		url.Values{"query": {"quokka"}, "per_page": {"2"}}, quokkas, nil)
	checkSearch(t, f.endpoint, "users.search role:agent", us.Agents, "/users/search.json",
		url.Values{"query": {"role:agent"}, "per_page": {"2"}}, []int64{s[1], s[4], s[7]}, nil)
	checkSearch(t, f.endpoint, `users.search "blue whale"`, us.Phrase, "/users/search.json",
		url.Values{"query": {`"blue whale"`}, "per_page": {"2"}}, []int64{s[0], s[3], s[9]}, nil)
	checkSearch(t, f.endpoint, "users.search quokka -role:agent", us.NotAgents, "/users/search.json",
		url.Values{"query": {"quokka -role:agent"}, "per_page": {"2"}}, []int64{s[0], s[2], s[3], s[5], s[6], s[8]}, nil)
	checkSearch(t, f.endpoint, "users.search quokka -whale", us.NotWhale, "/users/search.json",
		url.Values{"query": {"quokka -whale"}, "per_page": {"2"}}, []int64{s[1], s[4], s[5], s[6], s[7], s[8]}, nil)

	// 2. search.queryAll, per_page=2 from the client's query option.
	user := []string{"user"}
	checkSearch(t, f.endpoint, "search.queryAll type:user quokka", report.SearchAll, "/search.json",
		url.Values{"query": {"type:user quokka"}, "per_page": {"2"}}, quokkas, user)
	checkSearch(t, f.endpoint, "search.queryAll type:user role:agent quokka", report.SearchAgents, "/search.json",
		url.Values{"query": {"type:user role:agent quokka"}, "per_page": {"2"}}, []int64{s[1], s[4], s[7]}, user)
	if c := report.SearchCount; c.Status != http.StatusOK || c.Count != int64(len(quokkas)) {
		t.Errorf("search.showResultsCount = %+v, want status 200 and count %d", c, len(quokkas))
	}

	// 3. search.exportResults, by cursor with page[size]=2.
	checkExport(t, f.endpoint, report.Export, quokkas)

	// 4. Bulk jobs: create_many, watched until completed.
	checkSubmission(t, f.endpoint, "create_many", report.CreateMany, "create_many_users", 4)
	cm := report.CreateManyDone
	checkJobDone(t, f.endpoint, "create_many (watch)", cm, report.CreateMany.JobStatus.ID, "create_many_users", 4)
	var b1, b2, b4 int64
	if len(cm.Results) == 4 && cm.Results[0].ID != nil && cm.Results[1].ID != nil && cm.Results[3].ID != nil {
		b1, b2, b4 = *cm.Results[0].ID, *cm.Results[1].ID, *cm.Results[3].ID
	}
	wantCreated := []nodeJobResult{
		{Index: ptr(0), ID: &b1, Status: "Created"},
		{Index: ptr(1), ID: &b2, Status: "Created"},
		{Index: ptr(2), Error: "UserCreateError", Status: "Failed",
			Details: "Email: quokka-1@acme.example is already being used by another user"},
		{Index: ptr(3), ID: &b4, Status: "Created"},
	}
	if diff := cmp.Diff(wantCreated, cm.Results); diff != "" {
		t.Fatalf("create_many results (-want +got):\n%s", diff)
	}
	if !(s[9] < b1 && b1 < b2 && b2 < b4) {
		t.Errorf("created ids %d, %d, %d: want increasing, after %d", b1, b2, b4, s[9])
	}
	// The users as the client showed them right after the job.
	wantByJob := []searchUser{
		{ID: b1, Name: "Quokka Bulk One", Email: f.foreign.Email, Role: "end-user", Active: true, ExternalID: "quokka-bulk-1"},
		{ID: b2, Name: "Quokka Bulk Two", Email: "quokka-bulk-2@acme.example", Role: "end-user", Active: true},
		{ID: b4, Name: "Quokka Bulk Four", Email: "quokka-bulk-4@acme.example", Role: "end-user", Active: true, ExternalID: "quokka-bulk-4"},
	}
	if diff := cmp.Diff(wantByJob, report.CreatedByJob); diff != "" {
		t.Errorf("users created by create_many, shown by users.showMany (-want +got):\n%s", diff)
	}

	// update_many ?ids= (one unknown id), then with a list of users.
	checkSubmission(t, f.endpoint, "update_many ids", report.UpdateMany, "update_many_users", 3)
	checkJobDone(t, f.endpoint, "update_many ids", report.UpdateManyDone.JobStatus, report.UpdateMany.JobStatus.ID, "update_many_users", 3)
	nobody := int64(999999999)
	if diff := cmp.Diff([]nodeJobResult{
		{ID: &b1, Action: "update", Status: "Updated", Success: ptr(true)},
		{ID: &b2, Action: "update", Status: "Updated", Success: ptr(true)},
		{Index: ptr(2), ID: &nobody, Action: "update", Error: "RecordNotFound", Details: "User 999999999 not found",
			Status: "Failed", Success: ptr(false)},
	}, report.UpdateManyDone.JobStatus.Results); diff != "" {
		t.Errorf("update_many ids results (-want +got):\n%s", diff)
	}
	checkSubmission(t, f.endpoint, "update_many list", report.UpdateManyList, "update_many_users", 2)
	checkJobDone(t, f.endpoint, "update_many list", report.UpdateManyListDone.JobStatus, report.UpdateManyList.JobStatus.ID, "update_many_users", 2)
	if diff := cmp.Diff([]nodeJobResult{
		{ID: &b2, Action: "update", Status: "Updated", Success: ptr(true)},
		{ID: &b4, Action: "update", Status: "Updated", Success: ptr(true)},
	}, report.UpdateManyListDone.JobStatus.Results); diff != "" {
		t.Errorf("update_many list results (-want +got):\n%s", diff)
	}

	// destroy_many ?ids=, with realm beta's agent, whom it must not find.
	checkSubmission(t, f.endpoint, "destroy_many", report.DestroyMany, "destroy_many_users", 3)
	checkJobDone(t, f.endpoint, "destroy_many", report.DestroyManyDone.JobStatus, report.DestroyMany.JobStatus.ID, "destroy_many_users", 3)
	if diff := cmp.Diff([]nodeJobResult{
		{ID: &b4, Action: "delete", Status: "Deleted", Success: ptr(true)},
		{ID: &s[8], Action: "delete", Status: "Deleted", Success: ptr(true)},
		{Index: ptr(2), ID: &betaAgent.ID, Action: "delete", Error: "RecordNotFound",
			Details: "User " + strconv.FormatInt(betaAgent.ID, 10) + " not found", Status: "Failed", Success: ptr(false)},
	}, report.DestroyManyDone.JobStatus.Results); diff != "" {
		t.Errorf("destroy_many results (-want +got):\n%s", diff)
	}

	// jobstatuses.showMany and list: the four jobs, newest first.
	jobIDs := []string{report.CreateMany.JobStatus.ID, report.UpdateMany.JobStatus.ID,
		report.UpdateManyList.JobStatus.ID, report.DestroyMany.JobStatus.ID}
	newestFirst := slices.Clone(jobIDs)
	slices.Reverse(newestFirst)
	if sm := report.JobStatusesShowMany; sm.Status != http.StatusOK || !slices.Equal(sm.Keys, []string{"job_statuses"}) ||
		!slices.Equal(sm.IDs, newestFirst) || !slices.Equal(sm.Statuses, []string{"completed", "completed", "completed", "completed"}) {
		t.Errorf("jobstatuses.showMany = %+v, want status 200, {job_statuses} with %v, all completed", sm, newestFirst)
	}
	if l := report.JobStatusesList; l.Status != http.StatusOK || !slices.Equal(l.IDs, newestFirst) ||
		!slices.Contains(l.Keys, "job_statuses") || !slices.Contains(l.Keys, "meta") || !slices.Contains(l.Keys, "links") {
		t.Errorf("jobstatuses.list = %+v, want status 200, job_statuses %v with meta and links", l, newestFirst)
	}

	// Searches see the jobs' writes at once.
	aj := report.AfterJobs
	remaining := append(slices.Clone(quokkas[:8]), b1, b2)
	checkSearch(t, f.endpoint, "users.search quokka after the jobs", aj.All, "/users/search.json",
		url.Values{"query": {"quokka"}, "per_page": {"2"}}, remaining, nil)
	checkSearch(t, f.endpoint, "users.search quokka bulk", aj.Bulk, "/users/search.json",
		url.Values{"query": {"quokka bulk"}}, []int64{b1, b2}, nil)
	checkSearch(t, f.endpoint, `users.search "bulk updated"`, aj.Notes, "/users/search.json",
		url.Values{"query": {`"bulk updated"`}}, []int64{b1, b2}, nil)
	checkSearch(t, f.endpoint, `users.search details:"second pass"`, aj.Details, "/users/search.json",
		url.Values{"query": {`details:"second pass"`}}, []int64{b2}, nil)
	checkSearch(t, f.endpoint, "users.search external_id", aj.ExternalID, "/users/search.json",
		url.Values{"external_id": {"quokka-bulk-1"}}, []int64{b1}, nil)
	checkSearch(t, f.endpoint, "users.search dup", aj.Dup, "/users/search.json",
		url.Values{"query": {"dup"}}, []int64{}, nil)

	// 5. Realm beta: in no result, untouched, and searchable in its realm.
	for what, ids := range map[string][]int64{
		"users.search quokka": us.All.IDs, "role:agent": us.Agents.IDs, "phrase": us.Phrase.IDs,
		"-role:agent": us.NotAgents.IDs, "-whale": us.NotWhale.IDs, "queryAll": report.SearchAll.IDs,
		"queryAll agents": report.SearchAgents.IDs, "export": report.Export.IDs, "after jobs": aj.All.IDs,
		"quokka bulk": aj.Bulk.IDs, "bulk updated": aj.Notes.IDs, "dup": aj.Dup.IDs,
		"created by job": {b1, b2, b4},
	} {
		for _, id := range betaIDs {
			if slices.Contains(ids, id) {
				t.Errorf("%s: user %d of realm %q among the results %v", what, id, f.beta.UID, ids)
			}
		}
	}
	for _, u := range []*directory.User{f.foreign, betaWhale, betaAgent, betaBulk} {
		got, err := f.svc.User(t.Context(), directory.Operator(f.beta.ID), u.ID)
		if err != nil || !got.Active() || got.Name != u.Name {
			t.Errorf("realm %q user %d afterwards: %+v, %v; want it untouched", f.beta.UID, u.ID, got, err)
		}
	}
	uq, err := search.Parse("quokka", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	inBeta, err := f.svc.SearchUsers(t.Context(), directory.Operator(f.beta.ID), uq, directory.SearchPage{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var inBetaIDs []int64
	for _, u := range inBeta {
		inBetaIDs = append(inBetaIDs, u.ID)
	}
	if diff := cmp.Diff([]int64{betaWhale.ID, betaAgent.ID, betaBulk.ID}, inBetaIDs); diff != "" {
		t.Errorf("search quokka in realm %q (-want +got):\n%s", f.beta.UID, diff)
	}

	// The stored state, through the server's own API.
	checkStoredSearch(t, f.api, "/users/search.json?query=quokka&per_page=100", "users", remaining)
	checkStoredSearch(t, f.api, "/search.json?query=type%3Auser+quokka&per_page=100", "results", remaining)
	checkStoredSearch(t, f.api, "/users/search.json?query=dup", "users", []int64{})
	checkStoredSearch(t, f.api, "/users/search.json?query=email%3Aquokka-1%40acme.example", "users", []int64{s[0]})
	var count struct {
		Count int64 `json:"count"`
	}
	if status := f.api.get(t, "/search/count.json?query=quokka", &count); status != http.StatusOK || count.Count != int64(len(remaining)) {
		t.Errorf("GET search/count?query=quokka = %d, %d; want 200, %d", status, count.Count, len(remaining))
	}
	for id, want := range map[int64]storedUser{
		b1:   {Name: "Quokka Bulk One", Email: f.foreign.Email, Active: true, ExternalID: "quokka-bulk-1", Notes: "bulk updated"},
		b2:   {Name: "Quokka Bulk Two", Email: "quokka-bulk-2@acme.example", Active: true, Notes: "bulk updated", Details: "second pass"},
		b4:   {Name: "Quokka Bulk Four", Email: "quokka-bulk-4@acme.example", ExternalID: "quokka-bulk-4", Notes: "named by external id"},
		s[8]: {Name: "Quokka Eight", Email: "quokka-9@acme.example"},
		s[0]: {Name: "Quokka Blue Whale", Email: "quokka-1@acme.example", Active: true},
	} {
		var body struct {
			User storedUser `json:"user"`
		}
		if status := f.api.get(t, "/users/"+strconv.FormatInt(id, 10)+".json", &body); status != http.StatusOK {
			t.Errorf("GET users/%d = %d, want 200", id, status)
			continue
		}
		if diff := cmp.Diff(want, body.User); diff != "" {
			t.Errorf("stored user %d (-want +got):\n%s", id, diff)
		}
	}
	for i, id := range jobIDs {
		var body struct {
			JobStatus nodeJobStatus `json:"job_status"`
		}
		if status := f.api.get(t, "/job_statuses/"+id+".json", &body); status != http.StatusOK {
			t.Errorf("GET job_statuses/%s = %d, want 200", id, status)
			continue
		}
		seen := []nodeJobStatus{report.CreateManyDone, report.UpdateManyDone.JobStatus,
			report.UpdateManyListDone.JobStatus, report.DestroyManyDone.JobStatus}[i]
		if diff := cmp.Diff(seen, body.JobStatus); diff != "" {
			t.Errorf("GET job_statuses/%s differs from what node-zendesk saw (-client +stored):\n%s", id, diff)
		}
	}

	// No response carried Retry-After, and every one was a success.
	for _, x := range report.Exchanges {
		if x.RetryAfter != nil || x.Status < 200 || x.Status > 299 {
			t.Errorf("%s %s: status %d, Retry-After %v", x.Method, x.URI, x.Status, x.RetryAfter)
		}
	}
	t.Logf("%s: %d requests; users.search %d pages, queryAll %d pages, export %d pages; polls %d, %d, %d",
		report.UserAgent, len(report.Exchanges), len(us.All.Requests), len(report.SearchAll.Requests),
		len(report.Export.Requests), report.UpdateManyDone.Polls, report.UpdateManyListDone.Polls, report.DestroyManyDone.Polls)
}

// storedUser is the part of a user the stored-state checks compare.
type storedUser struct {
	Name       string `json:"name"`
	Email      string `json:"email"`
	Active     bool   `json:"active"`
	ExternalID string `json:"external_id"`
	Details    string `json:"details"`
	Notes      string `json:"notes"`
}

func ptr[T any](v T) *T { return &v }

// startJobRunner runs svc's job runner until the test ends: the handler of
// cli.NewHandler only queues jobs.
func startJobRunner(t *testing.T, svc *directory.Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.RunJobs(ctx, 1, 20*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	// Cleanups run last-in first-out: the runner stops before the server
	// and the database close.
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// runNodeScript runs script in nodeDir against endpoint with env added
// and decodes the one JSON object it prints into v, refusing unknown keys.
func runNodeScript(t *testing.T, node, script, endpoint string, env []string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, endpoint)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\nstderr:\n%s\nstdout:\n%s", script, err, &stderr, &stdout)
	}
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s report: %v\nstdout:\n%s", script, err, stdout.String())
	}
	if dec.More() {
		t.Fatalf("%s printed more than one JSON object:\n%s", script, stdout.String())
	}
}

// checkSearch checks an offset-paginated search: the ids in order, the
// result types, and the requests: GET endpoint+path with the parameters
// of params on every page, no page on the first, page=2, 3, ... (from
// next_page) on the later ones, one page per per_page results (100 when
// params has no per_page).
func checkSearch(t *testing.T, endpoint, what string, got searchFound, path string, params url.Values, want []int64, resultTypes []string) {
	t.Helper()
	checkIDs(t, what, got.IDs, want)
	if len(want) == 0 {
		resultTypes = nil
	}
	if !slices.Equal(got.ResultTypes, resultTypes) {
		t.Errorf("%s: result types %q, want %q", what, got.ResultTypes, resultTypes)
	}
	perPage := maxPerPage
	if params.Has("per_page") {
		perPage, _ = strconv.Atoi(params.Get("per_page"))
	}
	pages := max((len(want)+perPage-1)/perPage, 1)
	if len(got.Requests) != pages {
		t.Errorf("%s: %d requests, want %d pages of %d: %+v", what, len(got.Requests), pages, perPage, got.Requests)
	}
	for i, r := range got.Requests {
		q := checkGet(t, what, endpoint+path, r)
		if q == nil {
			continue
		}
		wantPage := strconv.Itoa(i + 1)
		if i == 0 {
			wantPage = ""
		}
		if q.Get("page") != wantPage {
			t.Errorf("%s request %d %s: page=%q, want %q", what, i+1, r.URI, q.Get("page"), wantPage)
		}
		for k := range params {
			if q.Get(k) != params.Get(k) {
				t.Errorf("%s request %d %s: %s=%q, want %q", what, i+1, r.URI, k, q.Get(k), params.Get(k))
			}
		}
		if q.Has("page[size]") {
			t.Errorf("%s request %d %s: page[size] on an offset search", what, i+1, r.URI)
		}
	}
}

// maxPerPage is the server's default and largest per_page.
const maxPerPage = 100

// checkExport checks exportResults('quokka', 'user', 2): the ids in order,
// all of result_type user, and the requests: GET search/export.json with
// query, filter[type] and page[size] on every page, page[after] on the
// later ones. As with Zendesk, one empty last page is accepted.
func checkExport(t *testing.T, endpoint string, got searchFound, want []int64) {
	t.Helper()
	checkIDs(t, "search.exportResults", got.IDs, want)
	if !slices.Equal(got.ResultTypes, []string{"user"}) {
		t.Errorf("search.exportResults: result types %q, want [user]", got.ResultTypes)
	}
	pages := (len(want) + pageSize - 1) / pageSize
	if n := len(got.Requests); n != pages && n != pages+1 {
		t.Errorf("search.exportResults: %d requests, want %d pages of %d: %+v", n, pages, pageSize, got.Requests)
	}
	for i, r := range got.Requests {
		q := checkGet(t, "search.exportResults", endpoint+"/search/export.json", r)
		if q == nil {
			continue
		}
		if q.Get("query") != "quokka" || q.Get("filter[type]") != "user" || q.Get("page[size]") != strconv.Itoa(pageSize) {
			t.Errorf("export request %d %s: want query=quokka, filter[type]=user, page[size]=%d", i+1, r.URI, pageSize)
		}
		if (i == 0) == q.Has("page[after]") {
			t.Errorf("export request %d %s: page[after] only on later pages", i+1, r.URI)
		}
		if q.Has("page") || q.Has("per_page") {
			t.Errorf("export request %d %s: offset parameters on a cursor export", i+1, r.URI)
		}
	}
}

// checkGet checks that r is a successful GET of prefix?... and returns
// its query.
func checkGet(t *testing.T, what, prefix string, r nodeExchange) url.Values {
	t.Helper()
	u, err := url.Parse(r.URI)
	if err != nil || r.Method != http.MethodGet || !strings.HasPrefix(r.URI, prefix+"?") {
		t.Errorf("%s: request %s %s, want GET %s?...", what, r.Method, r.URI, prefix)
		return nil
	}
	if r.Status != http.StatusOK {
		t.Errorf("%s: %s answered %d", what, r.URI, r.Status)
	}
	return u.Query()
}

// checkSubmission checks the answer to a bulk request: 200 with only a
// queued job_status of total items and no progress, message or results.
func checkSubmission(t *testing.T, endpoint, what string, got jobSubmission, jobType string, total int) {
	t.Helper()
	js := got.JobStatus
	if got.Status != http.StatusOK || !slices.Equal(got.Keys, []string{"job_status"}) {
		t.Errorf("%s: status %d, keys %v; want 200 and {job_status}", what, got.Status, got.Keys)
	}
	if !jobIDPattern.MatchString(js.ID) || js.URL != endpoint+"/job_statuses/"+js.ID+".json" {
		t.Errorf("%s: job id %q, url %q; want V3-<32 hex> and %s/job_statuses/<id>.json", what, js.ID, js.URL, endpoint)
	}
	if js.Status != "queued" || js.Total != total || js.JobType != jobType || js.Progress != nil || js.Message != nil || js.Results != nil {
		t.Errorf("%s: job_status %+v, want queued, total %d, %s, no progress, message or results", what, js, total, jobType)
	}
}

// checkJobDone checks a job status once over: completed, every item done,
// "Completed at ..." and one result per item (compared by the caller).
func checkJobDone(t *testing.T, endpoint, what string, js nodeJobStatus, id, jobType string, total int) {
	t.Helper()
	if js.ID != id || js.URL != endpoint+"/job_statuses/"+id+".json" || js.Status != "completed" || js.JobType != jobType ||
		js.Total != total || js.Progress == nil || *js.Progress != total || js.Message == nil ||
		!jobMessagePattern.MatchString(*js.Message) || len(js.Results) != total {
		t.Errorf("%s: job_status %+v (progress %v, message %v), want job %s completed, %s, %d of %d items, Completed at ...",
			what, js, deref(js.Progress), deref(js.Message), id, jobType, total, total)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// checkStoredSearch GETs a search through the server's own API, in one
// page, and checks the ids under key.
func checkStoredSearch(t *testing.T, api apiClient, path, key string, want []int64) {
	t.Helper()
	var body map[string]json.RawMessage
	if status := api.get(t, path, &body); status != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", path, status)
		return
	}
	var rows []struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(body[key], &rows); err != nil {
		t.Errorf("GET %s: %s: %v", path, key, err)
		return
	}
	ids := []int64{}
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("GET %s ids (-want +got):\n%s", path, diff)
	}
	if next := body["next_page"]; len(next) > 0 && string(next) != "null" {
		t.Errorf("GET %s: next_page %s, want one page", path, next)
	}
}
