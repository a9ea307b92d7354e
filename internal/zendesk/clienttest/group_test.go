package clienttest_test

import (
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

type nodeGroup struct {
	Status      int    `json:"status"`
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     bool   `json:"default"`
	Deleted     bool   `json:"deleted"`
}

type nodeGroupMembership struct {
	Status  int   `json:"status"`
	ID      int64 `json:"id"`
	UserID  int64 `json:"user_id"`
	GroupID int64 `json:"group_id"`
	Default bool  `json:"default"`
}

// groupsReport is the one JSON object groups.js prints.
type groupsReport struct {
	CreatedGroups []nodeGroup   `json:"created_groups"`
	ShownGroup    nodeGroup     `json:"shown_group"`
	UpdatedGroup  nodeGroup     `json:"updated_group"`
	GroupCount    int64         `json:"group_count"`
	GroupList     nodeList      `json:"group_list"`
	ForeignGroup  nodeRejection `json:"foreign_group"`
	Agent         struct {
		ID             int64 `json:"id"`
		DefaultGroupID int64 `json:"default_group_id"`
	} `json:"agent"`
	CreatedMemberships []nodeGroupMembership `json:"created_memberships"`
	Duplicate          nodeRejection         `json:"duplicate"`
	ByUser             []nodeGroupMembership `json:"by_user"`
	ByGroup            []nodeGroupMembership `json:"by_group"`
	AllMemberships     []nodeGroupMembership `json:"all_memberships"`
	AssignableGroups   []int64               `json:"assignable_groups"`
	ShownMembership    nodeGroupMembership   `json:"shown_membership"`
	MadeDefault        struct {
		Status      int                   `json:"status"`
		Memberships []nodeGroupMembership `json:"memberships"`
	} `json:"made_default"`
	AgentAfterMakeDefault int64                 `json:"agent_after_make_default"`
	DeletedMembership     int                   `json:"deleted_membership"`
	AgentAfterDelete      int64                 `json:"agent_after_delete"`
	DeletedByUser         int                   `json:"deleted_by_user"`
	DeletedGroup          int                   `json:"deleted_group"`
	GroupsAfterDelete     []int64               `json:"groups_after_delete"`
	UserGroupCount        int64                 `json:"user_group_count"`
	FirstGroup            int64                 `json:"first_group"`
	AdminID               int64                 `json:"admin_id"`
	BulkCreate            jobSubmission         `json:"bulk_create"`
	BulkCreateDone        jobPoll               `json:"bulk_create_done"`
	BulkDelete            jobSubmission         `json:"bulk_delete"`
	BulkDeleteDone        jobPoll               `json:"bulk_delete_done"`
	AgentAfterBulk        []nodeGroupMembership `json:"agent_after_bulk"`
	AdminAfterBulk        int64                 `json:"admin_after_bulk"`
	Exchanges             []nodeExchange        `json:"exchanges"`
}

// TestNodeZendeskGroups runs node/groups.js, a groups and group
// memberships scenario written against the unmodified npm client
// node-zendesk, and checks its report and the stored state.
func TestNodeZendeskGroups(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: node-zendesk client test skipped")
	}
	ensureNodeModules(t)
	f := startServer(t)
	startJobRunner(t, f.svc)
	// A group of realm beta, created first so that ids alone cannot tell
	// the realms apart.
	foreignName := "Beta Desk"
	foreign, err := f.svc.CreateGroup(t.Context(), directory.Operator(f.beta.ID), directory.GroupInput{Name: &foreignName})
	if err != nil {
		t.Fatal(err)
	}

	var r groupsReport
	runNodeScript(t, node, "groups.js", f.endpoint, []string{
		"ZENDESK_USERNAME=" + f.admin.Email,
		"ZENDESK_TOKEN=" + f.token,
		"ZENDESK_FOREIGN_GROUP_ID=" + strconv.FormatInt(foreign.ID, 10),
	}, &r)

	// Groups.
	if len(r.CreatedGroups) != 3 {
		t.Fatalf("created %d groups, want 3: %+v", len(r.CreatedGroups), r.CreatedGroups)
	}
	g := []int64{r.CreatedGroups[0].ID, r.CreatedGroups[1].ID, r.CreatedGroups[2].ID}
	for i, cg := range r.CreatedGroups {
		if cg.Status != http.StatusCreated || cg.Default != (i == 0) || cg.Deleted || cg.Description != cg.Name+" team" {
			t.Errorf("created group %d = %+v, want 201, only the first default", i, cg)
		}
	}
	if r.ShownGroup.Status != 200 || r.ShownGroup.ID != g[1] || r.ShownGroup.Name != "Node Sales" {
		t.Errorf("shown group = %+v", r.ShownGroup)
	}
	if r.UpdatedGroup.Status != 200 || r.UpdatedGroup.Name != "Node Sales EMEA" {
		t.Errorf("updated group = %+v", r.UpdatedGroup)
	}
	if r.GroupCount != 3 {
		t.Errorf("group count = %d, want 3", r.GroupCount)
	}
	checkIDs(t, "groups.list", r.GroupList.IDs, g)
	// Three groups in pages of 2: two requests, the second from links.next.
	if len(r.GroupList.Requests) != 2 {
		t.Errorf("groups.list took %d requests, want 2: %+v", len(r.GroupList.Requests), r.GroupList.Requests)
	}
	for i, x := range r.GroupList.Requests {
		u, err := url.Parse(x.URI)
		if err != nil || x.Method != http.MethodGet || x.Status != 200 || !strings.HasPrefix(x.URI, f.endpoint+"/groups.json?") ||
			u.Query().Get("page[size]") != strconv.Itoa(pageSize) || (i == 0) == u.Query().Has("page[after]") {
			t.Errorf("groups.list request %d = %+v, want GET /groups.json with page[size]=%d, page[after] after the first", i+1, x, pageSize)
		}
	}
	if r.ForeignGroup.StatusCode != 404 || r.ForeignGroup.Error != "RecordNotFound" {
		t.Errorf("another realm's group = %+v, want 404 RecordNotFound", r.ForeignGroup)
	}

	// Memberships.
	agent := r.Agent.ID
	if r.Agent.DefaultGroupID != g[0] {
		t.Errorf("new agent's default_group_id = %d, want the default group %d", r.Agent.DefaultGroupID, g[0])
	}
	if len(r.CreatedMemberships) != 2 {
		t.Fatalf("created memberships = %+v", r.CreatedMemberships)
	}
	m2, m3 := r.CreatedMemberships[0], r.CreatedMemberships[1]
	if m2.Status != 201 || m2.UserID != agent || m2.GroupID != g[1] || m2.Default ||
		m3.Status != 201 || m3.UserID != agent || m3.GroupID != g[2] || m3.Default {
		t.Errorf("created memberships = %+v", r.CreatedMemberships)
	}
	if r.Duplicate.StatusCode != 422 || r.Duplicate.Error != "RecordInvalid" {
		t.Errorf("duplicate membership = %+v, want 422 RecordInvalid", r.Duplicate)
	}
	groupsOf := func(ms []nodeGroupMembership) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.GroupID)
		}
		return out
	}
	checkIDs(t, "listByUser groups", groupsOf(r.ByUser), g)
	if len(r.ByUser) == 3 && (!r.ByUser[0].Default || r.ByUser[1].Default || r.ByUser[2].Default) {
		t.Errorf("listByUser defaults = %+v, want the first only", r.ByUser)
	}
	if len(r.ByGroup) != 1 || r.ByGroup[0].ID != m2.ID {
		t.Errorf("listByGroup = %+v, want %d", r.ByGroup, m2.ID)
	}
	if len(r.AllMemberships) != 3 {
		t.Errorf("list = %+v, want the agent's 3 (the admin joined no group)", r.AllMemberships)
	}
	checkIDs(t, "assignable groups", r.AssignableGroups, g)
	if r.ShownMembership.Status != 200 || r.ShownMembership.ID != m2.ID {
		t.Errorf("shown membership = %+v", r.ShownMembership)
	}
	if r.MadeDefault.Status != 200 || len(r.MadeDefault.Memberships) != 3 {
		t.Fatalf("make default = %+v", r.MadeDefault)
	}
	for _, m := range r.MadeDefault.Memberships {
		if m.Default != (m.ID == m2.ID) {
			t.Errorf("after make default: %+v", r.MadeDefault.Memberships)
		}
	}
	if r.AgentAfterMakeDefault != g[1] {
		t.Errorf("default_group_id after make default = %d, want %d", r.AgentAfterMakeDefault, g[1])
	}
	if r.DeletedMembership != 204 || r.DeletedByUser != 204 || r.DeletedGroup != 204 {
		t.Errorf("deletes answered %d, %d, %d; want 204", r.DeletedMembership, r.DeletedByUser, r.DeletedGroup)
	}
	if r.AgentAfterDelete != g[0] {
		t.Errorf("default_group_id after deleting the default = %d, want the oldest left %d", r.AgentAfterDelete, g[0])
	}
	checkIDs(t, "groups after delete", r.GroupsAfterDelete, g[:2])
	if r.UserGroupCount != 1 {
		t.Errorf("countByUser = %d, want 1", r.UserGroupCount)
	}
	// Bulk memberships, run as jobs by the runner and polled by the
	// client.
	for _, sub := range []jobSubmission{r.BulkCreate, r.BulkDelete} {
		if sub.Status != 200 || !slices.Equal(sub.Keys, []string{"job_status"}) || sub.JobStatus.Status != "queued" {
			t.Errorf("bulk submission = %+v, want 200 with a queued job_status only", sub)
		}
	}
	checkJobDone(t, f.endpoint, "bulkCreate", r.BulkCreateDone.JobStatus, r.BulkCreate.JobStatus.ID, "create_many_group_memberships", 4)
	checkJobDone(t, f.endpoint, "bulkDelete", r.BulkDeleteDone.JobStatus, r.BulkDelete.JobStatus.ID, "destroy_many_group_memberships", 2)
	created := r.BulkCreateDone.JobStatus.Results
	if len(created) == 4 {
		joined, adminJoined := created[0].ID, created[3].ID
		want := []nodeJobResult{
			{Index: ptr(0), ID: joined, Status: "Created"},
			{Index: ptr(1), Error: "GroupMembershipCreateFailed", Details: "Group id: the user is already a member of this group", Status: "Failed"},
			{Index: ptr(2), Error: "GroupMembershipCreateFailed", Details: "Group id: is not a group of this account", Status: "Failed"},
			{Index: ptr(3), ID: adminJoined, Status: "Created"},
		}
		if diff := cmp.Diff(want, created); diff != "" || joined == nil || adminJoined == nil {
			t.Errorf("bulkCreate results (-want +got):\n%s", diff)
		}
		if joined != nil {
			wantDeleted := []nodeJobResult{
				{ID: joined, Action: "delete", Status: "Deleted", Success: ptr(true)},
				{Index: ptr(1), ID: ptr(int64(999999999)), Action: "delete", Error: "RecordNotFound",
					Details: "Group Membership 999999999 not found", Status: "Failed", Success: ptr(false)},
			}
			if diff := cmp.Diff(wantDeleted, r.BulkDeleteDone.JobStatus.Results); diff != "" {
				t.Errorf("bulkDelete results (-want +got):\n%s", diff)
			}
		}
	}
	if len(r.AgentAfterBulk) != 1 || r.AgentAfterBulk[0].GroupID != g[0] || !r.AgentAfterBulk[0].Default {
		t.Errorf("agent's memberships after the bulk jobs = %+v, want its default one in %d", r.AgentAfterBulk, g[0])
	}
	if r.AdminAfterBulk != g[1] {
		t.Errorf("admin's default_group_id after bulkCreate = %d, want %d", r.AdminAfterBulk, g[1])
	}
	for _, x := range r.Exchanges {
		if x.RetryAfter != nil && *x.RetryAfter != "" {
			t.Errorf("%s %s carried Retry-After %q", x.Method, x.URI, *x.RetryAfter)
		}
	}

	// Stored state, read past the API.
	store := f.svc.Store()
	ms, err := store.ListGroupMemberships(t.Context(), f.admin.RealmID, directory.GroupMembershipFilter{UserID: agent}, directory.Page{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].GroupID != g[0] || !ms[0].Default {
		t.Errorf("stored memberships = %+v, want the default one in %d", ms, g[0])
	}
	ms, err = store.ListGroupMemberships(t.Context(), f.admin.RealmID, directory.GroupMembershipFilter{UserID: r.AdminID}, directory.Page{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].GroupID != g[1] || !ms[0].Default {
		t.Errorf("admin's stored memberships = %+v, want the default one in %d", ms, g[1])
	}
	betaMembers, err := store.CountGroupMemberships(t.Context(), f.beta.ID, directory.GroupMembershipFilter{GroupID: foreign.ID})
	if err != nil || betaMembers != 0 {
		t.Errorf("beta's group members = %d, %v; want 0", betaMembers, err)
	}
	deleted, err := store.GroupByID(t.Context(), f.admin.RealmID, g[2])
	if err != nil || !deleted.Deleted() {
		t.Errorf("stored deleted group = %+v, %v", deleted, err)
	}
	betaGroups, err := store.ListGroups(t.Context(), f.beta.ID, directory.GroupFilter{}, directory.Page{Limit: -1})
	if err != nil || len(betaGroups) != 1 || betaGroups[0].Name != foreignName || !betaGroups[0].Default {
		t.Errorf("beta's groups = %+v, %v", betaGroups, err)
	}
	if slices.Contains(g, foreign.ID) {
		t.Errorf("a group of acme has beta's id %d", foreign.ID)
	}
}
