package zendesk_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestSearchEndpoints(t *testing.T) {
	run(t, []scenario{
		{name: "users search", method: "GET", path: "/api/v2/users/search.json?query=carla", who: "agent", status: 200, golden: "search_users"},
		{name: "users search by property", method: "GET", path: "/api/v2/users/search?query=" + url.QueryEscape("role:agent"), who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if ids := listedIDs(t, res, "users"); fmt.Sprint(ids) != fmt.Sprint([]int64{e.users["agent"].ID}) || res.json(t)["count"] != 1.0 {
					t.Errorf("role:agent = %s", res.body)
				}
			}},
		{name: "users search with + for spaces", method: "GET", path: "/api/v2/users/search?query=type%3Auser+carla+customer", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if ids := listedIDs(t, res, "users"); len(ids) != 1 || ids[0] != e.users["customer"].ID {
					t.Errorf("search = %s", res.body)
				}
			}},
		{name: "users search by external_id", method: "GET", path: "/api/v2/users/search?external_id=CUST-1", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if ids := listedIDs(t, res, "users"); len(ids) != 1 || ids[0] != e.users["customer"].ID {
					t.Errorf("external_id search = %s", res.body)
				}
			}},
		{name: "users search, bad query", method: "GET", path: "/api/v2/users/search?query=" + url.QueryEscape(`name:"unterminated`), who: "admin", status: 400,
			check: func(t *testing.T, e *env, res response) {
				body := res.json(t)
				if body["error"] != "InvalidParameter" || !strings.HasPrefix(body["description"].(string), "Invalid search query: ") {
					t.Errorf("bad query = %s", res.body)
				}
			}},
		{name: "users search, unknown keyword", method: "GET", path: "/api/v2/users/search?query=shoe_size:9", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"shoe_size is not a search keyword or a user field key"}`},
		{name: "users search without a query", method: "GET", path: "/api/v2/users/search", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"query is required"}`},
		{name: "users search past 10,000", method: "GET", path: "/api/v2/users/search?query=a&page=101", who: "admin", status: 400},
		{name: "users search by an end user", method: "GET", path: "/api/v2/users/search?query=carla", who: "customer", status: 403, want: forbiddenBody},
		{name: "autocomplete", method: "GET", path: "/api/v2/users/autocomplete.json?name=car", who: "agent", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if ids := listedIDs(t, res, "users"); len(ids) != 1 || ids[0] != e.users["customer"].ID {
					t.Errorf("autocomplete = %s", res.body)
				}
			}},
		{name: "autocomplete without a name", method: "GET", path: "/api/v2/users/autocomplete", who: "agent", status: 400,
			want: `{"error":"InvalidParameter","description":"name is required"}`},
		{name: "search", method: "GET", path: "/api/v2/search.json?query=" + url.QueryEscape("type:user carla"), who: "admin", status: 200, golden: "search"},
		{name: "search other types", method: "GET", path: "/api/v2/search.json?query=" + url.QueryEscape("type:ticket status:open"), who: "admin", status: 200,
			want: `{"results":[],"facets":null,"next_page":null,"previous_page":null,"count":0}`},
		{name: "search tickets only", method: "GET", path: "/api/v2/search.json?query=" + url.QueryEscape("type:ticket carla"), who: "admin", status: 200,
			want: `{"results":[],"facets":null,"next_page":null,"previous_page":null,"count":0}`},
		{name: "search past 1,000", method: "GET", path: "/api/v2/search.json?query=carla&page=11", who: "admin", status: 422,
			want: `{"error":"invalid","description":"Invalid search: Requested response size was greater than Search Response Limits"}`},
		{name: "search sorted", method: "GET", path: "/api/v2/search.json?query=type:user&sort_by=created_at&sort_order=asc", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				ids := listedIDs(t, res, "results")
				want := []int64{e.users["admin"].ID, e.users["agent"].ID, e.users["customer"].ID}
				if fmt.Sprint(ids) != fmt.Sprint(want) || res.json(t)["count"] != 3.0 {
					t.Errorf("sorted search = %v", ids)
				}
			}},
		{name: "search bad sort", method: "GET", path: "/api/v2/search.json?query=type:user&sort_by=priority", who: "admin", status: 400},
		{name: "search count", method: "GET", path: "/api/v2/search/count.json?query=type:user", who: "admin", status: 200, want: `{"count":3}`},
		{name: "export needs a type", method: "GET", path: "/api/v2/search/export?query=carla", who: "admin", status: 400},
		{name: "export refuses type in the query", method: "GET", path: "/api/v2/search/export?query=type:user&filter%5Btype%5D=user", who: "admin", status: 400},
	})
}

func TestSearchPagination(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		var want []int64
		for i := range 7 {
			want = append(want, e.mustCreate(e.acme, fmt.Sprintf(`{"name":"Gil Number%d","email":"gil%d@example.com"}`, i, i)).ID)
		}
		e.mustCreate(e.beta, `{"name":"Gil Beta"}`)

		// Offset pages of /users/search, following next_page.
		res := e.do("GET", "/api/v2/users/search.json?query=gil&per_page=3", "admin", "")
		var got []int64
		for pages := 1; ; pages++ {
			if res.status != 200 || res.json(t)["count"] != 7.0 {
				t.Fatalf("page %d: %d %s", pages, res.status, res.body)
			}
			got = append(got, listedIDs(t, res, "users")...)
			next, _ := res.json(t)["next_page"].(string)
			if next == "" {
				if pages != 3 {
					t.Errorf("%d pages", pages)
				}
				break
			}
			if !strings.Contains(next, "query=gil") || !strings.Contains(next, "per_page=3") {
				t.Errorf("next_page %q lost the query", next)
			}
			res = e.follow(next, "admin")
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("search walk %v, want %v", got, want)
		}

		// The export walks every match by cursor.
		res = e.do("GET", "/api/v2/search/export.json?query=gil&filter%5Btype%5D=user&page%5Bsize%5D=2", "admin", "")
		got = nil
		for pages := 1; ; pages++ {
			if res.status != 200 {
				t.Fatalf("export page %d: %d %s", pages, res.status, res.body)
			}
			body := res.json(t)
			for _, r := range body["results"].([]any) {
				if r.(map[string]any)["result_type"] != "user" {
					t.Errorf("result without result_type user: %v", r)
				}
			}
			if _, ok := body["count"]; ok || body["facets"] != nil || body["links"].(map[string]any)["prev"] != nil {
				t.Errorf("export page keys: %s", res.body)
			}
			got = append(got, listedIDs(t, res, "results")...)
			next, _ := body["links"].(map[string]any)["next"].(string)
			if next == "" {
				if body["meta"].(map[string]any)["has_more"] != false || pages != 4 {
					t.Errorf("export ended after %d pages: %s", pages, res.body)
				}
				break
			}
			res = e.follow(next, "admin")
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("export walk %v, want %v", got, want)
		}

		// A user is searchable as soon as the write returns.
		res = e.do("POST", "/api/v2/users", "admin", `{"user":{"name":"Zebulon Fresh"}}`)
		if res.status != 201 {
			t.Fatal(res.status)
		}
		res = e.do("GET", "/api/v2/users/search?query=zebulon", "admin", "")
		if n := len(listedIDs(t, res, "users")); n != 1 {
			t.Errorf("new user found %d times", n)
		}
	})
}
