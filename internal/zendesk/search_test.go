package zendesk_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
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
		// Dates end to end: the three users were created on the test
		// clock's day (enginetest.Epoch), and relative dates count back
		// from that clock, not from the wall clock.
		{name: "search count by a date", method: "GET", path: "/api/v2/search/count.json?query=" + url.QueryEscape("type:user created:2024-05-06"), who: "admin", status: 200, want: `{"count":3}`},
		{name: "search count before a date", method: "GET", path: "/api/v2/search/count.json?query=" + url.QueryEscape("type:user created<2024-05-06"), who: "admin", status: 200, want: `{"count":0}`},
		{name: "search count after a relative date", method: "GET", path: "/api/v2/search/count.json?query=" + url.QueryEscape("type:user created>2hours"), who: "admin", status: 200, want: `{"count":3}`},
		{name: "search count before a relative date", method: "GET", path: "/api/v2/search/count.json?query=" + url.QueryEscape("type:user created<2hours"), who: "admin", status: 200, want: `{"count":0}`},
		{name: "users search by an update date", method: "GET", path: "/api/v2/users/search.json?query=" + url.QueryEscape("updated>=2024-05-06 carla"), who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if ids := listedIDs(t, res, "users"); len(ids) != 1 || ids[0] != e.users["customer"].ID {
					t.Errorf("date search = %s", res.body)
				}
			}},
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

		// The export walks every match by cursor, in id order even when
		// the query asks for another (its cursor is an id).
		for _, query := range []string{"gil", "gil sort:desc", "order_by:name sort:desc gil"} {
			res = e.do("GET", "/api/v2/search/export.json?query="+url.QueryEscape(query)+"&filter%5Btype%5D=user&page%5Bsize%5D=2", "admin", "")
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
						t.Errorf("export of %q ended after %d pages: %s", query, pages, res.body)
					}
					break
				}
				res = e.follow(next, "admin")
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("export walk of %q: %v, want %v", query, got, want)
			}
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

// TestSearchByMembership searches users by organization and group over
// HTTP, on both engines: names, ids, organization:none, negation, counts,
// the other realm's namesakes invisible, and the refused forms.
func TestSearchByMembership(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		create := func(who, path, body, key string) int64 {
			t.Helper()
			res := e.do("POST", path, who, body)
			if res.status != 201 {
				t.Fatalf("POST %s %s: %d %s", path, body, res.status, res.body)
			}
			return int64(res.json(t)[key].(map[string]any)["id"].(float64))
		}
		admin, agent, customer := e.users["admin"].ID, e.users["agent"].ID, e.users["customer"].ID
		acme := create("admin", "/api/v2/organizations", `{"organization":{"name":"Acme Élan Corp"}}`, "organization")
		create("admin", "/api/v2/organization_memberships", fmt.Sprintf(`{"organization_membership":{"user_id":%d,"organization_id":%d}}`, customer, acme), "organization_membership")
		create("admin", "/api/v2/organization_memberships", fmt.Sprintf(`{"organization_membership":{"user_id":%d,"organization_id":%d}}`, agent, acme), "organization_membership")
		support := create("admin", "/api/v2/groups", `{"group":{"name":"Second Line Support"}}`, "group")
		create("admin", "/api/v2/group_memberships", fmt.Sprintf(`{"group_membership":{"user_id":%d,"group_id":%d}}`, agent, support), "group_membership")
		// The other realm: an organization of the same name, with a member.
		betaOrg := create("beta-admin", "/api/v2/organizations", `{"organization":{"name":"Acme Élan Corp"}}`, "organization")
		create("beta-admin", "/api/v2/organization_memberships", fmt.Sprintf(`{"organization_membership":{"user_id":%d,"organization_id":%d}}`,
			e.users["beta-customer"].ID, betaOrg), "organization_membership")

		cases := []struct {
			query string
			want  []int64
		}{
			{"organization:acme", []int64{agent, customer}},
			{"organization:ELAN", []int64{agent, customer}},
			{`organization:"acme elan"`, []int64{agent, customer}},
			{`organization:"elan acme"`, []int64{}},
			{"organization:co*", []int64{agent, customer}},
			{"organization:" + fmt.Sprint(acme), []int64{agent, customer}},
			{"organization:" + fmt.Sprint(betaOrg), []int64{}},
			{"organization:none", []int64{admin}},
			{"-organization:none", []int64{agent, customer}},
			{"-organization:acme", []int64{admin}},
			{"organization:acme role:end-user", []int64{customer}},
			{"organization:acme carla", []int64{customer}},
			{"group:support", []int64{agent}},
			{`group:"second line"`, []int64{agent}},
			{"group:" + fmt.Sprint(support), []int64{agent}},
			{"-group:support", []int64{admin, customer}},
			{"group:support organization:acme", []int64{agent}},
			{"group:umbrella", []int64{}},
		}
		for _, c := range cases {
			res := e.do("GET", "/api/v2/users/search.json?query="+url.QueryEscape(c.query), "agent", "")
			if res.status != 200 {
				t.Errorf("%s: %d %s", c.query, res.status, res.body)
				continue
			}
			if got := listedIDs(t, res, "users"); fmt.Sprint(got) != fmt.Sprint(c.want) || res.json(t)["count"] != float64(len(c.want)) {
				t.Errorf("%s = %v (count %v), want %v", c.query, got, res.json(t)["count"], c.want)
			}
			res = e.do("GET", "/api/v2/search/count.json?query="+url.QueryEscape("type:user "+c.query), "admin", "")
			if want := fmt.Sprintf(`{"count":%d}`, len(c.want)); res.status != 200 || strings.TrimSpace(string(res.body)) != want {
				t.Errorf("count of %s = %d %s, want %s", c.query, res.status, res.body, want)
			}
		}

		// The other realm finds only its own member.
		res := e.do("GET", "/api/v2/users/search.json?query=organization:acme", "beta-admin", "")
		if got := listedIDs(t, res, "users"); fmt.Sprint(got) != fmt.Sprint([]int64{e.users["beta-customer"].ID}) {
			t.Errorf("beta's organization:acme = %s", res.body)
		}

		// Refused forms: a clear 400, never a 500.
		for query, want := range map[string]string{
			"group:none":     `{"error":"InvalidParameter","description":"group:none is not supported: search for the members of a group by its name or id"}`,
			"organization>5": `{"error":"InvalidParameter","description":"Invalid search query: search: at 12: organization takes only ':'; <, >, <= and >= compare the dates created and updated"}`,
			// Orderings on words are refused too, not read as ':'.
			"name<a":           `{"error":"InvalidParameter","description":"Invalid search query: search: at 4: name takes only ':'; <, >, <= and >= compare the dates created and updated"}`,
			"role>agent":       `{"error":"InvalidParameter","description":"Invalid search query: search: at 4: role takes only ':'; <, >, <= and >= compare the dates created and updated"}`,
			"tags>=vip":        `{"error":"InvalidParameter","description":"Invalid search query: search: at 4: tags takes only ':'; <, >, <= and >= compare the dates created and updated"}`,
			"email<=a@b.test":  `{"error":"InvalidParameter","description":"Invalid search query: search: at 5: email takes only ':'; <, >, <= and >= compare the dates created and updated"}`,
			"organization:a*b": `{"error":"InvalidParameter","description":"a wildcard inside a word is supported on email, external_id and phone; elsewhere put * at the end of a word"}`,
		} {
			res := e.do("GET", "/api/v2/users/search.json?query="+url.QueryEscape(query), "admin", "")
			if res.status != 400 || strings.TrimSpace(string(res.body)) != want {
				t.Errorf("%s: %d %s, want 400 %s", query, res.status, res.body, want)
			}
		}
		// An end user may not search, by organization or otherwise.
		if res := e.do("GET", "/api/v2/users/search.json?query=organization:acme", "customer", ""); res.status != 403 {
			t.Errorf("end user's search: %d %s", res.status, res.body)
		}
	})
}

// TestUsersSearchLastPage checks the 10,000-result cap of users/search
// against more matches than that: page 100 (records 9,901-10,000) is the
// last, with no next_page, while count stays exact; page 101 is refused.
// beta's users with the same word stay out of every page and count.
func TestUsersSearchLastPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		const n = 10050
		importWordUsers(t, e, e.acme.ID, "quokka", n)
		importWordUsers(t, e, e.beta.ID, "quokka", 10)

		page := func(p int) (map[string]any, []int64) {
			t.Helper()
			res := e.do("GET", fmt.Sprintf("/api/v2/users/search.json?query=quokka&page=%d&per_page=100", p), "agent", "")
			if res.status != 200 {
				t.Fatalf("page %d: %d %s", p, res.status, res.body)
			}
			return res.json(t), listedIDs(t, res, "users")
		}
		last, lastIDs := page(100)
		if len(lastIDs) != 100 || last["next_page"] != nil || last["count"] != float64(n) {
			t.Errorf("page 100: %d users, next_page %v, count %v; want 100, null, %d", len(lastIDs), last["next_page"], last["count"], n)
		}
		if prev, _ := last["previous_page"].(string); !strings.Contains(prev, "page=99") {
			t.Errorf("page 100's previous_page = %v", last["previous_page"])
		}
		before, beforeIDs := page(99)
		if next, _ := before["next_page"].(string); !strings.Contains(next, "page=100") {
			t.Errorf("page 99's next_page = %v", before["next_page"])
		}
		// The pages follow each other in id order, across the cap's edge.
		if len(beforeIDs) != 100 || len(lastIDs) != 100 || beforeIDs[99] >= lastIDs[0] {
			t.Errorf("page 99 ends at %d, page 100 starts at %d", beforeIDs[99], lastIDs[0])
		}
		if res := e.do("GET", "/api/v2/users/search.json?query=quokka&page=101&per_page=100", "agent", ""); res.status != 400 {
			t.Errorf("page 101: %d %s, want 400", res.status, res.body)
		}
	})
}

// importWordUsers imports n end users of realmID whose names hold word,
// through the store's bulk path: the API would take minutes for 10,000.
func importWordUsers(t *testing.T, e *env, realmID int64, word string, n int) {
	t.Helper()
	at := e.clock.Now()
	batch := make([]directory.ImportUser, n)
	for i := range batch {
		batch[i] = directory.ImportUser{User: &directory.User{
			UUID: fmt.Sprintf("%s-%d-%d", word, realmID, i), Name: fmt.Sprintf("%s %d", word, i), Role: directory.RoleEndUser,
			TimeZone: "UTC", IANATimeZone: "Etc/UTC", Locale: "en-US", LocaleID: 1, TicketRestriction: "requested",
			Tags: []string{}, UserFields: map[string]any{}, CreatedAt: at, UpdatedAt: at,
		}}
	}
	if err := e.store.ImportUsers(context.Background(), realmID, batch); err != nil {
		t.Fatal(err)
	}
}
