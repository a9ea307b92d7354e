package zendesk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// submit sends a bulk request, which must be answered 200 with a queued
// job, and returns the job's id.
func (e *env) submit(method, path, who, body string) (string, response) {
	e.t.Helper()
	res := e.do(method, path, who, body)
	if res.status != http.StatusOK {
		e.t.Fatalf("%s %s: status %d\n%s", method, path, res.status, res.body)
	}
	js, ok := res.json(e.t)["job_status"].(map[string]any)
	if !ok || js["status"] != "queued" || js["progress"] != nil || js["results"] != nil {
		e.t.Fatalf("%s %s: not a queued job status: %s", method, path, res.body)
	}
	id, _ := js["id"].(string)
	if len(id) != len("V3-")+32 || !strings.HasPrefix(id, "V3-") {
		e.t.Fatalf("job id %q is not V3- and 32 hex digits", id)
	}
	if want := e.srv.URL + "/api/v2/job_statuses/" + id + ".json"; js["url"] != want {
		e.t.Errorf("job url = %v, want %s", js["url"], want)
	}
	return id, res
}

// runJobs runs every waiting job, as a runner would, and checks how many
// there were.
func (e *env) runJobs(want int) {
	e.t.Helper()
	n, err := e.svc.RunPendingJobs(context.Background())
	if err != nil || n != want {
		e.t.Fatalf("RunPendingJobs = %d, %v; want %d jobs", n, err, want)
	}
}

// jobStatus fetches a job status as admin.
func (e *env) jobStatus(id string) (map[string]any, response) {
	e.t.Helper()
	res := e.do("GET", "/api/v2/job_statuses/"+id+".json", "admin", "")
	if res.status != http.StatusOK {
		e.t.Fatalf("job status %s: %d %s", id, res.status, res.body)
	}
	return res.json(e.t)["job_status"].(map[string]any), res
}

// jobGolden compares body with a golden file once the random job ids are
// replaced by V3-000...1, V3-000...2, in the order given.
func (e *env) jobGolden(name string, body []byte, ids ...string) {
	e.t.Helper()
	s := string(body)
	for i, id := range ids {
		s = strings.ReplaceAll(s, id, fmt.Sprintf("V3-%032x", i+1))
	}
	e.golden(name, []byte(s))
}

// usersJSON returns {"users":[...]} with n users user0@acme.test...
func usersJSON(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"name":"User %d","email":"user%d@acme.test"}`, i, i)
	}
	return `{"users":[` + strings.Join(parts, ",") + `]}`
}

func idList(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(1000 + i)
	}
	return strings.Join(parts, ",")
}

// storedJobs lists acme's jobs as stored.
func storedJobs(t *testing.T, e *env) []directory.Job {
	t.Helper()
	jobs, err := e.store.ListJobs(context.Background(), e.acme.ID, directory.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

func TestCreateManyUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		before := userCount(t, e)
		// The second user repeats the first one's email: it fails alone,
		// and the third is still created.
		id, res := e.submit("POST", "/api/v2/users/create_many.json", "admin", `{"users":[
			{"name":"Dana","email":"dana@acme.test"},
			{"name":"Dana Again","email":"DANA@acme.test"},
			{"name":"Eve","external_id":"eve-1","role":"agent","unknown_key":true}]}`)
		e.jobGolden("job_queued", res.body, id)
		if n := userCount(t, e); n != before {
			t.Errorf("users created before the job ran: %d -> %d", before, n)
		}
		e.runJobs(1)
		_, res = e.jobStatus(id)
		e.jobGolden("job_create_many", res.body, id)
		if n := userCount(t, e); n != before+2 {
			t.Errorf("users = %d, want %d", n, before+2)
		}
		eve, err := e.store.UserByExternalID(context.Background(), e.acme.ID, "eve-1")
		if err != nil || eve.Name != "Eve" || eve.Role != directory.RoleAgent {
			t.Errorf("eve = %+v, %v", eve, err)
		}
		// Without the .json suffix too; nothing is left to run.
		if res := e.do("GET", "/api/v2/job_statuses/"+id, "admin", ""); res.status != http.StatusOK {
			t.Errorf("without .json: %d", res.status)
		}
		e.runJobs(0)
	})
}

func TestCreateOrUpdateManyUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		before := userCount(t, e)
		id, _ := e.submit("POST", "/api/v2/users/create_or_update_many", "admin", `{"users":[
			{"email":"CARLA@acme.test","name":"Carla Bulk"},
			{"name":"Frank","email":"frank@acme.test"},
			{"name":"Bad","email":"not-an-email"},
			{"external_id":"CUST-1","notes":"by external id"},
			{"name":"Typed","verified":"yes"}]}`)
		e.runJobs(1)
		_, res := e.jobStatus(id)
		e.jobGolden("job_create_or_update_many", res.body, id)
		carla := storedUser(t, e, e.users["customer"].ID)
		if carla.Name != "Carla Bulk" || carla.Notes != "by external id" || carla.ExternalID != "CUST-1" {
			t.Errorf("carla = %q, notes %q, external id %q", carla.Name, carla.Notes, carla.ExternalID)
		}
		if n := userCount(t, e); n != before+1 {
			t.Errorf("users = %d, want %d", n, before+1)
		}
	})
}

func TestUpdateManyUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		customer, agent, admin := e.users["customer"].ID, e.users["agent"].ID, e.users["admin"].ID

		// One change for every id; an unknown id fails alone.
		id, _ := e.submit("PUT", fmt.Sprintf("/api/v2/users/update_many.json?ids=%d,%d,999", customer, agent), "admin",
			`{"user":{"notes":"bulk"}}`)
		e.runJobs(1)
		_, res := e.jobStatus(id)
		e.jobGolden("job_update_many", res.body, id)
		if storedUser(t, e, customer).Notes != "bulk" || storedUser(t, e, agent).Notes != "bulk" {
			t.Errorf("notes not updated")
		}

		// By external id.
		id, _ = e.submit("PUT", "/api/v2/users/update_many?external_ids=CUST-1,nope", "admin", `{"user":{"tags":["gold"]}}`)
		e.runJobs(1)
		_, res = e.jobStatus(id)
		jsonEqual(t, res.body, fmt.Sprintf(`{"job_status":{"id":%q,"url":"%s/api/v2/job_statuses/%s.json","total":2,"progress":2,
			"status":"completed","message":"Completed at 2024-05-06 07:08:09 +0000","job_type":"update_many_users","results":[
			{"id":%d,"action":"update","status":"Updated","success":true},
			{"index":1,"id":null,"action":"update","error":"RecordNotFound","details":"No user has the external_id nope","status":"Failed","success":false}]}}`,
			id, e.srv.URL, id, customer))
		if tags := storedUser(t, e, customer).Tags; !cmp.Equal(tags, []string{"gold"}) {
			t.Errorf("tags = %v", tags)
		}

		// One change per user, each naming its user by id or external_id.
		id, _ = e.submit("PUT", "/api/v2/users/update_many", "admin", fmt.Sprintf(`{"users":[
			{"id":%d,"name":"Per User"},
			{"external_id":"cust-1","alias":"CC"},
			{"name":"Nobody"},
			{"id":"x","name":"Bad Id"},
			{"id":%d,"email":"broken"}]}`, customer, agent))
		e.runJobs(1)
		_, res = e.jobStatus(id)
		e.jobGolden("job_update_many_users", res.body, id)
		if c := storedUser(t, e, customer); c.Name != "Per User" || c.Alias != "CC" {
			t.Errorf("customer = %q alias %q", c.Name, c.Alias)
		}

		// An agent may update end users and themself, not admins: item by
		// item, as with PUT /users/{id}.
		id, _ = e.submit("PUT", fmt.Sprintf("/api/v2/users/update_many?ids=%d,%d", customer, admin), "agent", `{"user":{"details":"by agent"}}`)
		e.runJobs(1)
		_, res = e.jobStatus(id)
		jsonEqual(t, res.body, fmt.Sprintf(`{"job_status":{"id":%q,"url":"%s/api/v2/job_statuses/%s.json","total":2,"progress":2,
			"status":"completed","message":"Completed at 2024-05-06 07:08:09 +0000","job_type":"update_many_users","results":[
			{"id":%d,"action":"update","status":"Updated","success":true},
			{"index":1,"id":%d,"action":"update","error":"PermissionDenied","details":%q,"status":"Failed","success":false}]}}`,
			id, e.srv.URL, id, customer, admin,
			"You do not have access to this page. Please contact the account owner of this help desk for further help."))
		if storedUser(t, e, admin).Details != "" || storedUser(t, e, customer).Details != "by agent" {
			t.Errorf("agent's update_many wrote the wrong users")
		}
	})
}

func TestDestroyManyUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		customer, admin := e.users["customer"].ID, e.users["admin"].ID
		// Nobody may delete themself; an unknown id fails alone.
		id, _ := e.submit("DELETE", fmt.Sprintf("/api/v2/users/destroy_many.json?ids=%d,%d,999", customer, admin), "admin", "")
		e.runJobs(1)
		_, res := e.jobStatus(id)
		e.jobGolden("job_destroy_many", res.body, id)
		if storedUser(t, e, customer).Active() || !storedUser(t, e, admin).Active() {
			t.Errorf("customer active %v, admin active %v", storedUser(t, e, customer).Active(), storedUser(t, e, admin).Active())
		}
		// Deleting again: the user is already gone.
		id, _ = e.submit("DELETE", "/api/v2/users/destroy_many?external_ids=cust-1", "admin", "")
		e.runJobs(1)
		_, res = e.jobStatus(id)
		jsonEqual(t, res.body, fmt.Sprintf(`{"job_status":{"id":%q,"url":"%s/api/v2/job_statuses/%s.json","total":1,"progress":1,
			"status":"completed","message":"Completed at 2024-05-06 07:08:09 +0000","job_type":"destroy_many_users","results":[
			{"index":0,"id":%d,"action":"delete","error":"RecordNotFound","details":"User %d not found","status":"Failed","success":false}]}}`,
			id, e.srv.URL, id, customer, customer))
	})
}

func TestBulkRequestErrors(t *testing.T) {
	tooMany := func(verb string) string {
		return `{"error":"TooManyValues","description":"Maximum 100 users may be ` + verb + ` per call"}`
	}
	// nothingWritten checks that a refused request stored no job and no user.
	nothingWritten := func(t *testing.T, e *env, _ response) {
		t.Helper()
		if jobs := storedJobs(t, e); len(jobs) != 0 {
			t.Errorf("jobs stored: %v", jobs)
		}
		if n := userCount(t, e); n != 3 {
			t.Errorf("users = %d, want 3", n)
		}
	}
	badRequest := func(description string) string {
		return `{"error":"InvalidParameter","description":` + fmt.Sprintf("%q", description) + `}`
	}
	run(t, []scenario{
		{name: "create_many 101 users", method: "POST", path: "/api/v2/users/create_many.json", who: "admin", body: usersJSON(101),
			status: 400, want: tooMany("created"), check: nothingWritten},
		{name: "create_or_update_many 101 users", method: "POST", path: "/api/v2/users/create_or_update_many", who: "admin", body: usersJSON(101),
			status: 400, want: tooMany("created or updated"), check: nothingWritten},
		{name: "update_many 101 users", method: "PUT", path: "/api/v2/users/update_many", who: "admin", body: usersJSON(101),
			status: 400, want: tooMany("updated"), check: nothingWritten},
		{name: "update_many 101 ids", method: "PUT", path: "/api/v2/users/update_many?ids=" + idList(101), who: "admin", body: `{"user":{"notes":"x"}}`,
			status: 400, want: tooMany("updated"), check: nothingWritten},
		{name: "destroy_many 101 ids", method: "DELETE", path: "/api/v2/users/destroy_many?ids=" + idList(101), who: "admin",
			status: 400, want: tooMany("deleted"), check: nothingWritten},
		{name: "create_many 100 users", method: "POST", path: "/api/v2/users/create_many", who: "admin", body: usersJSON(100),
			status: 200, check: func(t *testing.T, e *env, res response) {
				if js := res.json(t)["job_status"].(map[string]any); js["total"] != float64(100) {
					t.Errorf("total = %v", js["total"])
				}
				e.runJobs(1)
				if n := userCount(t, e); n != 103 {
					t.Errorf("users = %d, want 103", n)
				}
			}},
		{name: "empty list", method: "POST", path: "/api/v2/users/create_many", who: "admin", body: `{"users":[]}`,
			status: 400, want: badRequest("Send at least one user"), check: nothingWritten},
		{name: "users not a list", method: "POST", path: "/api/v2/users/create_many", who: "admin", body: `{"users":{"name":"x"}}`,
			status: 400, want: badRequest(`"users" must be a JSON array`), check: nothingWritten},
		{name: "no users", method: "POST", path: "/api/v2/users/create_or_update_many", who: "admin", body: `{"user":{"name":"x"}}`,
			status: 400, want: badRequest(`The request body needs a "users" array`), check: nothingWritten},
		{name: "bad JSON", method: "POST", path: "/api/v2/users/create_many", who: "admin", body: `{"users":[{"name":"x"}`,
			status: 400, want: badRequest("The request body is not valid JSON (at byte 22)"), check: nothingWritten},
		{name: "empty body", method: "POST", path: "/api/v2/users/create_many", who: "admin",
			status: 400, want: badRequest("The request body is empty; send a JSON object"), check: nothingWritten},
		{name: "update_many ids without a user", method: "PUT", path: "/api/v2/users/update_many?ids=1", who: "admin", body: `{"users":[]}`,
			status: 400, want: badRequest(`The request body needs a "user" object`), check: nothingWritten},
		{name: "update_many bad id", method: "PUT", path: "/api/v2/users/update_many?ids=1,x", who: "admin", body: `{"user":{}}`,
			status: 400, want: badRequest(`ids must be comma-separated user ids, got "x"`), check: nothingWritten},
		{name: "destroy_many without ids", method: "DELETE", path: "/api/v2/users/destroy_many", who: "admin",
			status: 400, want: badRequest("Send ids or external_ids"), check: nothingWritten},
		{name: "destroy_many empty ids", method: "DELETE", path: "/api/v2/users/destroy_many?ids=", who: "admin",
			status: 400, want: badRequest("Send at least one user"), check: nothingWritten},
		{name: "end user create_many", method: "POST", path: "/api/v2/users/create_many", who: "customer", body: usersJSON(1),
			status: 403, want: forbiddenBody, check: nothingWritten},
		{name: "end user update_many", method: "PUT", path: "/api/v2/users/update_many?ids=3", who: "customer", body: `{"user":{"name":"x"}}`,
			status: 403, want: forbiddenBody, check: nothingWritten},
		{name: "end user destroy_many", method: "DELETE", path: "/api/v2/users/destroy_many?ids=3", who: "customer",
			status: 403, want: forbiddenBody, check: nothingWritten},
		{name: "end user job statuses", method: "GET", path: "/api/v2/job_statuses", who: "customer", status: 403, want: forbiddenBody},
		{name: "end user job status", method: "GET", path: "/api/v2/job_statuses/V3-x", who: "customer", status: 403, want: forbiddenBody},
		{name: "anonymous create_many", method: "POST", path: "/api/v2/users/create_many", body: usersJSON(1),
			status: 401, want: unauthenticated, check: nothingWritten},
		{name: "unknown job", method: "GET", path: "/api/v2/job_statuses/V3-nope.json", who: "admin", status: 404, want: notFound},
		{name: "show_many without ids", method: "GET", path: "/api/v2/job_statuses/show_many", who: "admin",
			status: 400, want: badRequest("Send ids")},
	})
}

func TestJobStatusesRealmIsolation(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		id, _ := e.submit("POST", "/api/v2/users/create_many", "admin", usersJSON(1))
		res := e.do("GET", "/api/v2/job_statuses/"+id+".json", "beta-admin", "")
		if res.status != http.StatusNotFound {
			t.Fatalf("beta reads acme's job: %d %s", res.status, res.body)
		}
		jsonEqual(t, res.body, notFound)
		res = e.do("GET", "/api/v2/job_statuses/show_many?ids="+id, "beta-admin", "")
		jsonEqual(t, res.body, `{"job_statuses":[]}`)
		res = e.do("GET", "/api/v2/job_statuses", "beta-admin", "")
		jsonEqual(t, res.body, `{"job_statuses":[],"meta":{"has_more":false,"after_cursor":null,"before_cursor":null},"links":{"prev":null,"next":null}}`)
		// Beta's job runs with beta's rights, in beta.
		betaID, _ := e.submit("DELETE", fmt.Sprintf("/api/v2/users/destroy_many?ids=%d", e.users["customer"].ID), "beta-admin", "")
		e.runJobs(2)
		if !storedUser(t, e, e.users["customer"].ID).Active() {
			t.Errorf("beta's destroy_many deleted acme's user")
		}
		js, _ := e.jobStatus(id)
		if js["status"] != "completed" {
			t.Errorf("acme's job = %v", js)
		}
		res = e.do("GET", "/api/v2/job_statuses/"+betaID, "admin", "")
		jsonEqual(t, res.body, notFound)
	})
}

func TestListJobStatuses(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		var ids []string
		for range 3 {
			id, _ := e.submit("DELETE", "/api/v2/users/destroy_many?ids=999", "admin", "")
			ids = append(ids, id)
		}
		e.runJobs(3)
		listed := func(res response) []string {
			t.Helper()
			if res.status != http.StatusOK {
				t.Fatalf("list: %d %s", res.status, res.body)
			}
			var out []string
			for _, js := range res.json(t)["job_statuses"].([]any) {
				out = append(out, js.(map[string]any)["id"].(string))
			}
			return out
		}
		// Newest first, by cursor.
		res := e.do("GET", "/api/v2/job_statuses.json?page[size]=2", "admin", "")
		e.jobGolden("job_statuses_page", res.body, ids...)
		if diff := cmp.Diff([]string{ids[2], ids[1]}, listed(res)); diff != "" {
			t.Errorf("first page (-want +got):\n%s", diff)
		}
		body := res.json(t)
		next := body["links"].(map[string]any)["next"].(string)
		res = e.follow(next, "admin")
		if diff := cmp.Diff([]string{ids[0]}, listed(res)); diff != "" {
			t.Errorf("second page (-want +got):\n%s", diff)
		}
		if meta := res.json(t)["meta"].(map[string]any); meta["has_more"] != false || res.json(t)["links"].(map[string]any)["next"] != nil {
			t.Errorf("last page: %s", res.body)
		}
		// Back from the last page.
		prev := res.json(t)["links"].(map[string]any)["prev"].(string)
		if diff := cmp.Diff([]string{ids[2], ids[1]}, listed(e.follow(prev, "admin"))); diff != "" {
			t.Errorf("previous page (-want +got):\n%s", diff)
		}
		// Without page[size]: one cursor page of up to 100; sort=id: oldest first.
		res = e.do("GET", "/api/v2/job_statuses", "admin", "")
		if diff := cmp.Diff([]string{ids[2], ids[1], ids[0]}, listed(res)); diff != "" || res.json(t)["meta"] == nil {
			t.Errorf("default list (-want +got):\n%s\n%s", diff, res.body)
		}
		if diff := cmp.Diff(ids, listed(e.do("GET", "/api/v2/job_statuses?sort=id", "admin", ""))); diff != "" {
			t.Errorf("sort=id (-want +got):\n%s", diff)
		}
		// show_many: the jobs found, newest first.
		res = e.do("GET", "/api/v2/job_statuses/show_many.json?ids="+ids[0]+","+ids[2]+",V3-nope", "admin", "")
		if diff := cmp.Diff([]string{ids[2], ids[0]}, listed(res)); diff != "" {
			t.Errorf("show_many (-want +got):\n%s", diff)
		}
		if _, ok := res.json(t)["job_statuses"].([]any)[0].(map[string]any)["results"].([]any); !ok {
			t.Errorf("show_many without results: %s", res.body)
		}
	})
}

// TestJobRunner runs jobs as clientele serve does: a runner polling in the
// background.
func TestJobRunner(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			e.svc.RunJobs(ctx, 2, 10*time.Millisecond, nil)
			close(stopped)
		}()
		defer func() {
			cancel()
			<-stopped
		}()
		first, _ := e.submit("POST", "/api/v2/users/create_many", "admin", usersJSON(3))
		second, _ := e.submit("DELETE", fmt.Sprintf("/api/v2/users/destroy_many?ids=%d", e.users["customer"].ID), "admin", "")
		for _, id := range []string{first, second} {
			deadline := time.Now().Add(20 * time.Second)
			for {
				js, res := e.jobStatus(id)
				if js["status"] == "completed" {
					if len(js["results"].([]any)) != int(js["total"].(float64)) {
						t.Errorf("job %s: %s", id, res.body)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("job %s not completed: %s", id, res.body)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		if n := userCount(t, e); n != 3+3-1 {
			t.Errorf("users = %d, want 5", n)
		}
	})
}

// crashingStore kills its runner, by ending the runner's context, when
// the runner writes the user of item crashAt: the writes before it have
// committed, that one never does. It stands for a process that dies in the
// middle of a job.
type crashingStore struct {
	directory.Store
	crashAt int32
	crash   context.CancelFunc
	writes  atomic.Int32
}

func (c *crashingStore) CreateUserInJob(ctx context.Context, realmID int64, u *directory.User, ids []directory.Identity, step *directory.JobStep) error {
	if c.writes.Add(1) == c.crashAt+1 {
		c.crash()
	}
	return c.Store.CreateUserInJob(ctx, realmID, u, ids, step)
}

func TestJobResumesAfterCrash(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		before := userCount(t, e)
		id, _ := e.submit("POST", "/api/v2/users/create_many", "admin", usersJSON(5))

		ctx, crash := context.WithCancel(context.Background())
		dying := directory.NewService(&crashingStore{Store: e.store, crashAt: 2, crash: crash}, directory.ServiceOptions{Now: e.clock.Now})
		n, err := dying.RunPendingJobs(ctx)
		if n != 1 || !errors.Is(err, context.Canceled) {
			t.Fatalf("dying runner: %d jobs, %v", n, err)
		}
		// Items 0 and 1 are done and recorded; item 2 was cut short, so
		// nothing of it was written.
		js, res := e.jobStatus(id)
		e.jobGolden("job_working", res.body, id)
		if js["status"] != "working" || js["progress"] != float64(2) {
			t.Fatalf("after the crash: %s", res.body)
		}
		if n := userCount(t, e); n != before+2 {
			t.Errorf("users after the crash = %d, want %d", n, before+2)
		}
		done := map[string]int64{}
		for i := range 2 {
			u, err := e.store.UserByIdentity(context.Background(), e.acme.ID, directory.IdentityEmail, fmt.Sprintf("user%d@acme.test", i))
			if err != nil {
				t.Fatal(err)
			}
			done[u.Email] = u.ID
		}

		// The job is held by the dead runner until its lease ends.
		e.runJobs(0)
		e.clock.Advance(directory.JobLease + time.Second)
		e.runJobs(1)

		js, res = e.jobStatus(id)
		if js["status"] != "completed" || js["progress"] != float64(5) {
			t.Fatalf("after the resume: %s", res.body)
		}
		if n := userCount(t, e); n != before+5 {
			t.Errorf("users after the resume = %d, want %d: an item ran twice or not at all", n, before+5)
		}
		results := js["results"].([]any)
		seen := map[float64]bool{}
		for i, r := range results {
			r := r.(map[string]any)
			uid := r["id"].(float64)
			if r["index"] != float64(i) || r["status"] != "Created" || seen[uid] {
				t.Errorf("result %d = %v", i, r)
			}
			seen[uid] = true
			u := storedUser(t, e, int64(uid))
			if want := fmt.Sprintf("user%d@acme.test", i); u.Email != want {
				t.Errorf("result %d is user %d, %s, want %s", i, int64(uid), u.Email, want)
			}
			if prev, ok := done[u.Email]; ok && prev != u.ID {
				t.Errorf("item %d was created again: %d, then %d", i, prev, u.ID)
			}
		}
	})
}
