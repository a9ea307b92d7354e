package clienttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// nodeMembership is an organization membership as organizations.js
// summarises it; Default is true or null on the wire.
type nodeMembership struct {
	Status           int    `json:"status,omitempty"`
	ID               int64  `json:"id"`
	UserID           int64  `json:"user_id"`
	OrganizationID   int64  `json:"organization_id"`
	OrganizationName string `json:"organization_name"`
	Default          *bool  `json:"default"`
}

// orgReport is the one JSON object organizations.js prints.
type orgReport struct {
	UserAgent string `json:"user_agent"`
	Created   []struct {
		Status     int      `json:"status"`
		ID         int64    `json:"id"`
		Name       string   `json:"name"`
		ExternalID *string  `json:"external_id"`
		Tags       []string `json:"tags"`
	} `json:"created"`
	List               nodeList         `json:"list"`
	ShowMany           []int64          `json:"show_many"`
	Autocomplete       []string         `json:"autocomplete"`
	Search             []int64          `json:"search"`
	MembershipsCreated []nodeMembership `json:"memberships_created"`
	MembershipAgain    struct {
		StatusCode int    `json:"status_code"`
		Error      string `json:"error"`
	} `json:"membership_again"`
	ByUser      []nodeMembership `json:"by_user"`
	MakeDefault struct {
		Status      int              `json:"status"`
		Memberships []nodeMembership `json:"memberships"`
	} `json:"make_default"`
	ByUserAfter []nodeMembership `json:"by_user_after"`
	Deleted     struct {
		Status int `json:"status"`
	} `json:"deleted"`
	ShowDeleted struct {
		StatusCode int    `json:"status_code"`
		Error      string `json:"error"`
	} `json:"show_deleted"`
	ShowForeign struct {
		StatusCode int    `json:"status_code"`
		Error      string `json:"error"`
	} `json:"show_foreign"`
	UsersByOrganization struct {
		Beta        []int64 `json:"beta"`
		AlphaPhrase []int64 `json:"alpha_phrase"`
		Gamma       []int64 `json:"gamma"`
	} `json:"users_by_organization"`
	ListAfterDelete []int64        `json:"list_after_delete"`
	Exchanges       []nodeExchange `json:"exchanges"`
}

// TestNodeZendeskOrganizations runs node/organizations.js against a
// server and checks what node-zendesk observed and what was stored:
// organizations created, listed over cursor pages, show_many,
// autocomplete, search and delete; memberships created, listed by user
// and made default.
func TestNodeZendeskOrganizations(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: node-zendesk client test skipped")
	}
	ensureNodeModules(t)
	f := startServer(t)
	ctx := t.Context()
	acme := directory.Operator(f.admin.RealmID)
	name, email := "Org Member", "member@acme.example"
	member, err := f.svc.CreateUser(ctx, acme, directory.UserInput{Name: &name, Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	foreignName := "Node Alpha" // the same name, in the other realm
	foreign, err := f.svc.CreateOrganization(ctx, directory.Operator(f.beta.ID), directory.OrganizationInput{Name: &foreignName})
	if err != nil {
		t.Fatal(err)
	}

	report := runOrganizationsJS(t, node, f, member.ID, foreign.ID)

	if len(report.Created) != 5 {
		t.Fatalf("created %d organizations: %+v", len(report.Created), report.Created)
	}
	var ids []int64
	for _, o := range report.Created {
		if o.Status != http.StatusCreated || o.ID == 0 {
			t.Errorf("create = %+v, want 201 and an id", o)
		}
		ids = append(ids, o.ID)
	}
	if c := report.Created[0]; c.ExternalID == nil || *c.ExternalID != "node-org-1" || !slices.Equal(c.Tags, []string{"node", "vip"}) {
		t.Errorf("first organization = %+v, want its external id and normalised tags", c)
	}

	// Every page of the cursor list, in id order, 2 at a time.
	if diff := cmp.Diff(ids, report.List.IDs); diff != "" {
		t.Errorf("list ids (-want +got):\n%s", diff)
	}
	if n := len(report.List.Requests); n != 3 {
		t.Errorf("list took %d requests, want 3 pages of 2: %+v", n, report.List.Requests)
	}
	for i, r := range report.List.Requests {
		u, err := url.Parse(r.URI)
		if err != nil || r.Method != "GET" || u.Scheme+"://"+u.Host+u.Path != f.endpoint+"/organizations.json" {
			t.Errorf("list request %d: %s %s, want GET %s/organizations.json", i+1, r.Method, r.URI, f.endpoint)
			continue
		}
		if q := u.Query(); q.Get("page[size]") != "2" || (i == 0) == q.Has("page[after]") {
			t.Errorf("list request %d %s: want page[size]=2, page[after] on later pages", i+1, r.URI)
		}
	}
	if diff := cmp.Diff([]int64{ids[0], ids[3]}, report.ShowMany); diff != "" {
		t.Errorf("showMany (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Node Alpha", "node alphabet"}, report.Autocomplete); diff != "" {
		t.Errorf("autocomplete (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{ids[0]}, report.Search); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}

	// Memberships: the first one is the default; a second one for the
	// same organization is a 422.
	yes := true
	want := []nodeMembership{
		{Status: 201, ID: report.MembershipsCreated[0].ID, UserID: member.ID, OrganizationID: ids[1], OrganizationName: "Node Beta", Default: &yes},
		{Status: 201, ID: report.MembershipsCreated[1].ID, UserID: member.ID, OrganizationID: ids[0], OrganizationName: "Node Alpha"},
	}
	if diff := cmp.Diff(want, report.MembershipsCreated); diff != "" {
		t.Errorf("memberships created (-want +got):\n%s", diff)
	}
	if a := report.MembershipAgain; a.StatusCode != 422 || a.Error != "RecordInvalid" {
		t.Errorf("membership again = %+v, want 422 RecordInvalid", a)
	}
	beta, alpha := want[0], want[1]
	beta.Status, alpha.Status = 0, 0
	if diff := cmp.Diff([]nodeMembership{beta, alpha}, report.ByUser); diff != "" {
		t.Errorf("listByUser (-want +got):\n%s", diff)
	}
	beta.Default, alpha.Default = nil, &yes
	if diff := cmp.Diff([]nodeMembership{alpha, beta}, report.MakeDefault.Memberships); diff != "" || report.MakeDefault.Status != 200 {
		t.Errorf("makeDefault status %d (-want +got):\n%s", report.MakeDefault.Status, diff)
	}
	if diff := cmp.Diff([]nodeMembership{alpha, beta}, report.ByUserAfter); diff != "" {
		t.Errorf("listByUser after makeDefault (-want +got):\n%s", diff)
	}
	// users.search finds the member by its organizations' names, and
	// nobody in an organization without members.
	byOrg := report.UsersByOrganization
	if want := []int64{member.ID}; !slices.Equal(byOrg.Beta, want) || !slices.Equal(byOrg.AlphaPhrase, want) || len(byOrg.Gamma) != 0 {
		t.Errorf("users.search by organization = %+v, want %v, %v and none", byOrg, want, want)
	}
	if u, err := f.svc.User(ctx, acme, member.ID); err != nil || u.OrganizationID != ids[0] {
		t.Errorf("stored member = %+v, %v; want organization_id %d", u, err, ids[0])
	}

	// Delete: 204, then 404; the other realm's organization never shows.
	if report.Deleted.Status != http.StatusNoContent {
		t.Errorf("delete status = %d, want 204", report.Deleted.Status)
	}
	if s := report.ShowDeleted; s.StatusCode != 404 || s.Error != "RecordNotFound" {
		t.Errorf("show deleted = %+v, want 404 RecordNotFound", s)
	}
	if s := report.ShowForeign; s.StatusCode != 404 || s.Error != "RecordNotFound" {
		t.Errorf("show foreign = %+v, want 404 RecordNotFound", s)
	}
	if diff := cmp.Diff(ids[:4], report.ListAfterDelete); diff != "" {
		t.Errorf("list after delete (-want +got):\n%s", diff)
	}
	if _, err := f.svc.Organization(ctx, acme, ids[4]); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("deleted organization still stored: %v", err)
	}
	if o, err := f.svc.Organization(ctx, directory.Operator(f.beta.ID), foreign.ID); err != nil || o.Name != foreignName {
		t.Errorf("the other realm's organization = %+v, %v", o, err)
	}

	for _, x := range report.Exchanges {
		if x.RetryAfter != nil {
			t.Errorf("%s %s: Retry-After on a %d", x.Method, x.URI, x.Status)
		}
		if x.Status >= 300 && x.Status != 404 && x.Status != 422 {
			t.Errorf("%s %s: status %d", x.Method, x.URI, x.Status)
		}
	}
	t.Logf("%s: %d requests", report.UserAgent, len(report.Exchanges))
}

// runOrganizationsJS runs organizations.js against f and decodes its
// report.
func runOrganizationsJS(t *testing.T, node string, f *fixture, userID, foreignOrg int64) *orgReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "organizations.js", f.endpoint)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(),
		"ZENDESK_USERNAME="+f.admin.Email,
		"ZENDESK_TOKEN="+f.token,
		"ZENDESK_USER_ID="+strconv.FormatInt(userID, 10),
		"ZENDESK_FOREIGN_ORG="+strconv.FormatInt(foreignOrg, 10),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node organizations.js: %v\nstderr:\n%s\nstdout:\n%s", err, &stderr, &stdout)
	}
	var report orgReport
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&report); err != nil {
		t.Fatalf("organizations.js report: %v\nstdout:\n%s", err, stdout.String())
	}
	return &report
}
