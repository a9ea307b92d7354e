package zendesk_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// exportIDs returns the ids of a page's users and the page.
func exportIDs(t *testing.T, e *env, path, who string) ([]int64, map[string]any) {
	t.Helper()
	res := e.do("GET", path, who, "")
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	body := res.json(t)
	ids := []int64{}
	for _, u := range body["users"].([]any) {
		ids = append(ids, int64(u.(map[string]any)["id"].(float64)))
	}
	return ids, body
}

func TestIncrementalUserExport(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		t0 := e.clock.Now().Unix()
		admin, agent, customer := e.users["admin"].ID, e.users["agent"].ID, e.users["customer"].ID
		// A second later: two new users, then the agent changes; later
		// still, the customer is deleted.
		e.clock.Advance(time.Second)
		var created []int64
		for _, name := range []string{"Dora", "Eve"} {
			res := e.do("POST", "/api/v2/users", "admin", `{"user":{"name":"`+name+`"}}`)
			created = append(created, int64(res.json(t)["user"].(map[string]any)["id"].(float64)))
		}
		e.clock.Advance(time.Second)
		e.do("PUT", fmt.Sprintf("/api/v2/users/%d", agent), "admin", `{"user":{"notes":"moved"}}`)
		e.clock.Advance(time.Second)
		e.do("DELETE", fmt.Sprintf("/api/v2/users/%d", customer), "admin", "")
		// Changes of the current second are not exported yet.
		all := []int64{admin, created[0], created[1], agent}
		ids, body := exportIDs(t, e, "/api/v2/incremental/users?start_time=0", "admin")
		if !cmp.Equal(ids, all) || body["end_of_stream"] != true || body["end_time"] != float64(t0+3) {
			t.Errorf("export before the second ends = %v, end_time %v, end_of_stream %v", ids, body["end_time"], body["end_of_stream"])
		}
		e.clock.Advance(time.Second)
		all = append(all, customer)

		// Time-based, one a page: the admin is alone in the first second
		// (agent and customer were created in it too, but changed later).
		ids, body = exportIDs(t, e, "/api/v2/incremental/users.json?start_time=0&per_page=1", "admin")
		if !cmp.Equal(ids, []int64{admin}) || body["end_of_stream"] != false || body["count"] != float64(1) || body["end_time"] != float64(t0+1) {
			t.Errorf("first page = %v %v", ids, body)
		}
		want := fmt.Sprintf("%s/api/v2/incremental/users.json?per_page=1&start_time=%d", e.srv.URL, t0+1)
		if body["next_page"] != want {
			t.Errorf("next_page = %v, want %s", body["next_page"], want)
		}
		// Dora and Eve share a second: a page of one holds both.
		ids, body = exportIDs(t, e, strings.TrimPrefix(body["next_page"].(string), e.srv.URL), "admin")
		if !cmp.Equal(ids, created) || body["end_time"] != float64(t0+2) {
			t.Errorf("second page = %v, end_time %v; want both users of the second", ids, body["end_time"])
		}
		// Walking on reaches every user once, deleted ones included.
		var walked []int64
		next := fmt.Sprintf("/api/v2/incremental/users?start_time=%d&per_page=2", t0)
		for i := 0; i < 10; i++ {
			ids, body := exportIDs(t, e, next, "admin")
			walked = append(walked, ids...)
			next = strings.TrimPrefix(body["next_page"].(string), e.srv.URL)
			if body["end_of_stream"] == true {
				break
			}
		}
		if !cmp.Equal(walked, all) {
			t.Errorf("time-based walk = %v, want %v", walked, all)
		}
		res := e.do("GET", fmt.Sprintf("/api/v2/incremental/users?start_time=%d", t0+3), "admin", "")
		e.golden("incremental_users", res.body)

		// Cursor-based: every user once, then a resumable end.
		walked = nil
		next = "/api/v2/incremental/users/cursor.json?start_time=0&per_page=2"
		var last map[string]any
		for i := 0; i < 10; i++ {
			ids, body := exportIDs(t, e, next, "admin")
			walked = append(walked, ids...)
			last = body
			next = strings.TrimPrefix(body["after_url"].(string), e.srv.URL)
			if body["end_of_stream"] == true {
				break
			}
		}
		if !cmp.Equal(walked, all) || last["before_url"] != nil || last["before_cursor"] != nil || last["after_cursor"] == nil {
			t.Errorf("cursor walk = %v (last page %v), want %v", walked, last, all)
		}
		// A later change shows up when the stream is resumed.
		e.do("PUT", fmt.Sprintf("/api/v2/users/%d", admin), "admin", `{"user":{"notes":"again"}}`)
		e.clock.Advance(time.Second)
		ids, body = exportIDs(t, e, next, "admin")
		if !cmp.Equal(ids, []int64{admin}) || body["end_of_stream"] != true {
			t.Errorf("resumed stream = %v %v, want the admin's change", ids, body)
		}

		// Another realm exports its own users only; agents may not export.
		ids, _ = exportIDs(t, e, "/api/v2/incremental/users?start_time=0", "beta-admin")
		if !cmp.Equal(ids, []int64{e.users["beta-admin"].ID, e.users["beta-customer"].ID}) {
			t.Errorf("beta's export = %v", ids)
		}
		for _, tc := range []struct {
			path, who string
			status    int
		}{
			{"/api/v2/incremental/users?start_time=0", "agent", http.StatusForbidden},
			{"/api/v2/incremental/users", "admin", http.StatusBadRequest},
			{"/api/v2/incremental/users?start_time=yesterday", "admin", http.StatusBadRequest},
			{fmt.Sprintf("/api/v2/incremental/users?start_time=%d", t0+3600), "admin", http.StatusBadRequest},
			{"/api/v2/incremental/users/cursor?cursor=nonsense", "admin", http.StatusBadRequest},
			{"/api/v2/incremental/users/cursor", "admin", http.StatusBadRequest},
			{"/api/v2/incremental/users?start_time=0", "", http.StatusUnauthorized},
		} {
			if res := e.do("GET", tc.path, tc.who, ""); res.status != tc.status {
				t.Errorf("GET %s as %q: %d %s, want %d", tc.path, tc.who, res.status, res.body, tc.status)
			}
		}
		// The sample is the first 50 of a time-based page.
		ids, _ = exportIDs(t, e, "/api/v2/incremental/users/sample?start_time=0", "admin")
		if len(ids) != len(all) {
			t.Errorf("sample = %v", ids)
		}
	})
}
