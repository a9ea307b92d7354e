package clienttest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/cli"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/nodetest"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
	"github.com/google/go-cmp/cmp"
)

// nodeDir holds users.js, package.json and package-lock.json.
const nodeDir = "node"

// nodeClientVersion is the node-zendesk version package.json pins.
const nodeClientVersion = "6.0.1"

// usersToCreate is how many users users.js creates. With the admin they
// make 8 users, so pages of 2 span 4 pages in both pagination modes.
const usersToCreate = 7

// pageSize is the page size users.js asks for.
const pageSize = 2

// nodeUser is a user as users.js summarises it, with the HTTP status of
// the response that carried it.
type nodeUser struct {
	Status     int      `json:"status"`
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Email      string   `json:"email"`
	Role       string   `json:"role"`
	Active     bool     `json:"active"`
	Suspended  bool     `json:"suspended"`
	ExternalID string   `json:"external_id"`
	Tags       []string `json:"tags"`
	Notes      string   `json:"notes"`
}

// nodeExchange is one request the client sent and what came back.
type nodeExchange struct {
	Method     string  `json:"method"`
	URI        string  `json:"uri"`
	Status     int     `json:"status,omitempty"`
	RetryAfter *string `json:"retry_after,omitempty"`
}

// nodeList is the flat array a getAll-based method resolved with, and the
// requests it took.
type nodeList struct {
	IDs      []int64        `json:"ids"`
	Requests []nodeExchange `json:"requests"`
}

// nodeRejection is what a rejected call threw (throwOriginalException).
type nodeRejection struct {
	StatusCode  int    `json:"status_code"`
	Message     string `json:"message"`
	Error       string `json:"error"`
	Description string `json:"description"`
}

type nodeCount struct {
	Status int   `json:"status"`
	Value  int64 `json:"value"`
}

// nodeReport is the one JSON object users.js prints.
type nodeReport struct {
	UserAgent   string     `json:"user_agent"`
	Me          nodeUser   `json:"me"`
	Created     []nodeUser `json:"created"`
	Shown       nodeUser   `json:"shown"`
	Updated     nodeUser   `json:"updated"`
	Suspended   nodeUser   `json:"suspended"`
	Unsuspended nodeUser   `json:"unsuspended"`
	ShowMany    struct {
		Status int     `json:"status"`
		IDs    []int64 `json:"ids"`
	} `json:"show_many"`
	Count            nodeCount     `json:"count"`
	CursorList       nodeList      `json:"cursor_list"`
	OffsetList       nodeList      `json:"offset_list"`
	ShowMissing      nodeRejection `json:"show_missing"`
	ShowForeign      nodeRejection `json:"show_foreign"`
	Deleted          nodeUser      `json:"deleted"`
	ShownAfterDelete nodeUser      `json:"shown_after_delete"`
	DeletedUser      struct {
		nodeUser
		Keys []string `json:"keys"`
	} `json:"deleted_user"`
	CountAfterDelete nodeCount      `json:"count_after_delete"`
	ListAfterDelete  nodeList       `json:"list_after_delete"`
	Exchanges        []nodeExchange `json:"exchanges"`
}

// TestNodeZendeskUsers runs node/users.js, a Users API scenario written
// against the unmodified npm client node-zendesk, and checks its report
// and the stored state.
func TestNodeZendeskUsers(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: node-zendesk client test skipped")
	}
	ensureNodeModules(t)
	f := startServer(t)

	report := runNode(t, node, f)

	if want := "node-zendesk/" + nodeClientVersion + " (node/"; !strings.HasPrefix(report.UserAgent, want) {
		t.Errorf("User-Agent = %q, want %s...) (run npm ci in %s)", report.UserAgent, want, nodeDir)
	}

	// me
	if report.Me.Status != http.StatusOK || report.Me.ID != f.admin.ID || report.Me.Role != "admin" || report.Me.Email != f.admin.Email {
		t.Errorf("me = %+v, want status 200, id %d, admin %s", report.Me, f.admin.ID, f.admin.Email)
	}

	// create
	if len(report.Created) != usersToCreate {
		t.Fatalf("created %d users, want %d: %+v", len(report.Created), usersToCreate, report.Created)
	}
	var created []int64
	for i, u := range report.Created {
		n := i + 1
		want := nodeUser{
			Status: http.StatusCreated, ID: u.ID, Name: fmt.Sprintf("Node User %d", n),
			Email: fmt.Sprintf("node-user-%d@example.com", n), Role: "end-user", Active: true, Tags: []string{},
		}
		if n == 1 {
			want.ExternalID, want.Tags = "node-ext-1", []string{"node", "vip"}
		}
		if diff := cmp.Diff(want, u); diff != "" {
			t.Errorf("created user %d (-want +got):\n%s", n, diff)
		}
		if i > 0 && u.ID <= created[i-1] {
			t.Errorf("created ids not increasing: %d after %d", u.ID, created[i-1])
		}
		created = append(created, u.ID)
	}
	first, second, last := created[0], created[1], created[len(created)-1]
	everyone := append([]int64{f.admin.ID}, created...)

	// show
	if s := report.Shown; s.Status != http.StatusOK || s.ID != first || s.Name != "Node User 1" || s.ExternalID != "node-ext-1" {
		t.Errorf("show = %+v, want user %d as created", s, first)
	}

	// update, checked in the store too
	if u := report.Updated; u.Status != http.StatusOK || u.ID != first || u.Name != "Node User 1 Renamed" || u.Notes != "updated by node-zendesk" {
		t.Errorf("update = %+v, want status 200 and the new name and notes", u)
	}
	stored := f.api.user(t, first)
	if stored.Name != "Node User 1 Renamed" || stored.Notes != "updated by node-zendesk" ||
		stored.ExternalID != "node-ext-1" || !slices.Equal(stored.Tags, []string{"node", "vip"}) {
		t.Errorf("stored user %d after update = %+v, want the new name and notes, external id and tags kept", first, stored)
	}

	// suspend and unsuspend
	if s := report.Suspended; s.Status != http.StatusOK || s.ID != second || !s.Suspended {
		t.Errorf("suspend = %+v, want status 200 and suspended", s)
	}
	if s := report.Unsuspended; s.Status != http.StatusOK || s.ID != second || s.Suspended {
		t.Errorf("unsuspend = %+v, want status 200 and not suspended", s)
	}
	if got := f.api.user(t, second); got.Suspended || !got.Active {
		t.Errorf("stored user %d after unsuspend = %+v, want active and not suspended", second, got)
	}

	// showMany was also asked for the foreign user's id.
	if report.ShowMany.Status != http.StatusOK {
		t.Errorf("showMany status = %d, want 200", report.ShowMany.Status)
	}
	if diff := cmp.Diff(created, report.ShowMany.IDs); diff != "" {
		t.Errorf("showMany ids (-want +got):\n%s", diff)
	}

	// count
	if c := report.Count; c.Status != http.StatusOK || c.Value != int64(len(everyone)) {
		t.Errorf("count = %+v, want status 200 and %d", c, len(everyone))
	}

	// Cursor pagination: every user once, in id order, in pages of 2.
	checkIDs(t, "cursor list", report.CursorList.IDs, everyone)
	checkCursorRequests(t, f.endpoint, report.CursorList.Requests, len(everyone))

	// Offset pagination: the same users, page=1..4 with per_page=2.
	checkIDs(t, "offset list", report.OffsetList.IDs, everyone)
	checkOffsetRequests(t, f.endpoint, report.OffsetList.Requests, len(everyone))

	// Errors
	notFound := nodeRejection{StatusCode: http.StatusNotFound, Message: "Zendesk Error (404): Item not found",
		Error: "RecordNotFound", Description: "Not found"}
	if diff := cmp.Diff(notFound, report.ShowMissing); diff != "" {
		t.Errorf("show of a missing id (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(notFound, report.ShowForeign); diff != "" {
		t.Errorf("show of another realm's user (-want +got):\n%s", diff)
	}

	// delete: 200 with the user, inactive from then on.
	if d := report.Deleted; d.Status != http.StatusOK || d.ID != last || d.Active || d.Name != "Node User 7" {
		t.Errorf("delete = %+v, want status 200 and user %d inactive", d, last)
	}
	if s := report.ShownAfterDelete; s.Status != http.StatusOK || s.ID != last || s.Active {
		t.Errorf("show after delete = %+v, want status 200 and active false", s)
	}
	if d := report.DeletedUser; d.Status != http.StatusOK || !slices.Equal(d.Keys, []string{"deleted_user"}) ||
		d.ID != last || d.Active || d.Name != "Node User 7" {
		t.Errorf("GET deleted_users/%d = %+v, want status 200 and {deleted_user} for the deleted user", last, d)
	}
	if got := f.api.user(t, last); got.Active {
		t.Errorf("stored user %d after delete = %+v, want active false", last, got)
	}
	if status := f.api.get(t, "/deleted_users/"+strconv.FormatInt(last, 10)+".json", nil); status != http.StatusOK {
		t.Errorf("GET deleted_users/%d = %d, want 200", last, status)
	}
	remaining := everyone[:len(everyone)-1]
	if c := report.CountAfterDelete; c.Status != http.StatusOK || c.Value != int64(len(remaining)) {
		t.Errorf("count after delete = %+v, want status 200 and %d", c, len(remaining))
	}
	checkIDs(t, "list after delete", report.ListAfterDelete.IDs, remaining)
	checkCursorRequests(t, f.endpoint, report.ListAfterDelete.Requests, len(remaining))
	if diff := cmp.Diff(remaining, f.api.listIDs(t)); diff != "" {
		t.Errorf("stored users after delete (-want +got):\n%s", diff)
	}
	if n := f.api.count(t); n != int64(len(remaining)) {
		t.Errorf("stored count after delete = %d, want %d", n, len(remaining))
	}

	// The other realm's user never showed through, and is still there.
	for name, ids := range map[string][]int64{
		"created": created, "showMany": report.ShowMany.IDs, "cursor list": report.CursorList.IDs,
		"offset list": report.OffsetList.IDs, "list after delete": report.ListAfterDelete.IDs,
	} {
		if slices.Contains(ids, f.foreign.ID) {
			t.Errorf("%s contains user %d of realm %q", name, f.foreign.ID, f.beta.UID)
		}
	}
	if status := f.api.get(t, "/users/"+strconv.FormatInt(f.foreign.ID, 10)+".json", nil); status != http.StatusNotFound {
		t.Errorf("GET users/%d of realm %q = %d, want 404", f.foreign.ID, f.beta.UID, status)
	}
	if u, err := f.svc.User(t.Context(), directory.Operator(f.beta.ID), f.foreign.ID); err != nil || !u.Active() {
		t.Errorf("realm %q user %d afterwards: %+v, %v; want it untouched", f.beta.UID, f.foreign.ID, u, err)
	}

	// node-zendesk reports any response with Retry-After as a 429 without
	// retrying; none may carry it. The only failures are the two 404s.
	var notFounds int
	for _, x := range report.Exchanges {
		if x.RetryAfter != nil || x.Status == http.StatusTooManyRequests {
			t.Errorf("%s %s: status %d, Retry-After %v; the client reports a 429", x.Method, x.URI, x.Status, x.RetryAfter)
		}
		switch {
		case x.Status == http.StatusNotFound:
			notFounds++
		case x.Status < 200 || x.Status > 299:
			t.Errorf("%s %s: status %d", x.Method, x.URI, x.Status)
		}
	}
	if notFounds != 2 {
		t.Errorf("%d responses were 404, want 2 (missing and foreign user)", notFounds)
	}
	t.Logf("%s: %d requests, %d users created, %d cursor pages, %d offset pages",
		report.UserAgent, len(report.Exchanges), len(created), len(report.CursorList.Requests), len(report.OffsetList.Requests))
}

// checkIDs fails unless got is want: every id once, in order.
func checkIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s ids (-want +got):\n%s", what, diff)
	}
	seen := map[int64]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("%s: id %d twice", what, id)
		}
		seen[id] = true
	}
}

// checkCursorRequests checks the requests of a cursor-paginated list of
// total users: all GET /users.json with page[size]=2, the first without a
// cursor and every later one with page[after]. Zendesk may end with one
// empty page, so one request more than the pages needed is accepted.
func checkCursorRequests(t *testing.T, endpoint string, reqs []nodeExchange, total int) {
	t.Helper()
	pages := (total + pageSize - 1) / pageSize
	if len(reqs) != pages && len(reqs) != pages+1 {
		t.Errorf("cursor list of %d users took %d requests, want %d pages of %d: %+v", total, len(reqs), pages, pageSize, reqs)
	}
	for i, r := range reqs {
		q := checkListRequest(t, endpoint, r)
		if q == nil {
			continue
		}
		if q.Get("page[size]") != strconv.Itoa(pageSize) || q.Has("per_page") {
			t.Errorf("cursor request %d %s: want page[size]=%d and no per_page", i+1, r.URI, pageSize)
		}
		if (i == 0) == q.Has("page[after]") {
			t.Errorf("cursor request %d %s: page[after] only on later pages", i+1, r.URI)
		}
	}
}

// checkOffsetRequests checks the requests of an offset-paginated list of
// total users: GET /users.json?per_page=2, then page=2, 3, ... from
// next_page, never a page[size].
func checkOffsetRequests(t *testing.T, endpoint string, reqs []nodeExchange, total int) {
	t.Helper()
	pages := (total + pageSize - 1) / pageSize
	if len(reqs) != pages {
		t.Errorf("offset list of %d users took %d requests, want %d pages of %d: %+v", total, len(reqs), pages, pageSize, reqs)
	}
	for i, r := range reqs {
		q := checkListRequest(t, endpoint, r)
		if q == nil {
			continue
		}
		wantPage := strconv.Itoa(i + 1)
		if i == 0 {
			wantPage = ""
		}
		if q.Get("per_page") != strconv.Itoa(pageSize) || q.Get("page") != wantPage || q.Has("page[size]") {
			t.Errorf("offset request %d %s: want per_page=%d, page=%q, no page[size]", i+1, r.URI, pageSize, wantPage)
		}
	}
}

func checkListRequest(t *testing.T, endpoint string, r nodeExchange) url.Values {
	t.Helper()
	u, err := url.Parse(r.URI)
	if err != nil || r.Method != http.MethodGet || !strings.HasPrefix(r.URI, endpoint+"/users.json?") {
		t.Errorf("list request %s %s: want GET %s/users.json?...", r.Method, r.URI, endpoint)
		return nil
	}
	if r.Status != http.StatusOK {
		t.Errorf("list request %s: status %d", r.URI, r.Status)
	}
	return u.Query()
}

// fixture is a running server over a fresh database: realm acme, whose
// admin the client acts as, and realm beta with one user of its own.
type fixture struct {
	endpoint string // what node-zendesk gets as endpointUri
	svc      *directory.Service
	beta     *directory.Realm
	admin    *directory.User
	foreign  *directory.User
	token    string
	api      apiClient
}

func startServer(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	store := sqlitetest.Open(t)
	svc := directory.NewService(store, directory.ServiceOptions{})
	acme, err := svc.CreateRealm(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	beta, err := svc.CreateRealm(ctx, "beta", "Beta")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := auth.IssueAPIToken(ctx, store, acme.ID, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	admin := createUser(t, svc, acme, "Acme Admin", "admin@acme.example", directory.RoleAdmin)
	// The foreign user has the email the script's first user gets, so
	// only the realm keeps them apart.
	foreign := createUser(t, svc, beta, "Beta Customer", "node-user-1@example.com", directory.RoleEndUser)

	handler := cli.NewHandler(store, &cli.Config{RateLimit: 100000}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	// node-zendesk follows a pagination link only when it contains
	// endpointUri verbatim, and links carry the request's host: both
	// must be 127.0.0.1.
	endpoint := srv.URL + "/api/v2"
	return &fixture{
		endpoint: endpoint, svc: svc, beta: beta, admin: admin, foreign: foreign, token: token,
		api: apiClient{endpoint: endpoint, authorization: "Basic " +
			base64.StdEncoding.EncodeToString([]byte(admin.Email+"/token:"+token))},
	}
}

func createUser(t *testing.T, svc *directory.Service, realm *directory.Realm, name, email string, role directory.Role) *directory.User {
	t.Helper()
	r, verified := string(role), true
	u, err := svc.CreateUser(t.Context(), directory.Operator(realm.ID), directory.UserInput{
		Name: &name, Email: &email, Role: &r, Verified: &verified,
	})
	if err != nil {
		t.Fatalf("create %s in realm %q: %v", email, realm.UID, err)
	}
	return u
}

// ensureNodeModules installs node-zendesk from package-lock.json when it is
// missing.
func ensureNodeModules(t *testing.T) { nodetest.EnsureModules(t, nodeDir, "node-zendesk") }

// runNode runs users.js against f and decodes its report.
func runNode(t *testing.T, node string, f *fixture) *nodeReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "users.js", f.endpoint)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(),
		"ZENDESK_USERNAME="+f.admin.Email,
		"ZENDESK_TOKEN="+f.token,
		"ZENDESK_FOREIGN_ID="+strconv.FormatInt(f.foreign.ID, 10),
		"USERS_TO_CREATE="+strconv.Itoa(usersToCreate),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node users.js: %v\nstderr:\n%s\nstdout:\n%s", err, &stderr, &stdout)
	}
	var report nodeReport
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&report); err != nil {
		t.Fatalf("users.js report: %v\nstdout:\n%s", err, stdout.String())
	}
	if dec.More() {
		t.Fatalf("users.js printed more than one JSON object:\n%s", stdout.String())
	}
	return &report
}

// apiClient reads the stored state through the server's own Zendesk API,
// independently of node-zendesk.
type apiClient struct {
	endpoint      string
	authorization string
}

// apiUser is the part of a Zendesk user object the test checks.
type apiUser struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Active     bool     `json:"active"`
	Suspended  bool     `json:"suspended"`
	ExternalID string   `json:"external_id"`
	Tags       []string `json:"tags"`
	Notes      string   `json:"notes"`
}

// get sends GET endpoint+path and decodes a 200 body into v (when not
// nil); it returns the status.
func (c apiClient) get(t *testing.T, path string, v any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", c.authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK && v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, body)
		}
	}
	return resp.StatusCode
}

func (c apiClient) user(t *testing.T, id int64) apiUser {
	t.Helper()
	var body struct {
		User apiUser `json:"user"`
	}
	if status := c.get(t, "/users/"+strconv.FormatInt(id, 10)+".json", &body); status != http.StatusOK {
		t.Fatalf("GET users/%d = %d, want 200", id, status)
	}
	return body.User
}

// listIDs returns the ids of the realm's users, from one page of 100.
func (c apiClient) listIDs(t *testing.T) []int64 {
	t.Helper()
	var body struct {
		Users    []apiUser `json:"users"`
		NextPage *string   `json:"next_page"`
	}
	if status := c.get(t, "/users.json?per_page=100", &body); status != http.StatusOK {
		t.Fatalf("GET users = %d, want 200", status)
	}
	if body.NextPage != nil {
		t.Fatalf("GET users: more than one page (next_page %s)", *body.NextPage)
	}
	ids := []int64{}
	for _, u := range body.Users {
		ids = append(ids, u.ID)
	}
	return ids
}

func (c apiClient) count(t *testing.T) int64 {
	t.Helper()
	var body struct {
		Count struct {
			Value int64 `json:"value"`
		} `json:"count"`
	}
	if status := c.get(t, "/users/count.json", &body); status != http.StatusOK {
		t.Fatalf("GET users/count = %d, want 200", status)
	}
	return body.Count.Value
}
