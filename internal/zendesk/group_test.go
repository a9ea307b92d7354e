package zendesk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// groupFixture adds groups to newEnv's realms: in acme, Support (the
// default group), Sales and an empty Empty; in beta, Beta Desk. Members:
// the agent in Support (default) and Sales, the admin in Sales (default),
// a suspended agent "off" in Sales, and beta's admin in Beta Desk. ids
// names every record for the paths of scenarios: {support}, {sales},
// {empty}, {beta-group}, {m-agent-support}, {m-agent-sales},
// {m-admin-sales}, {m-off-sales}, {m-beta}, and the users.
func groupFixture(t testing.TB, e *env) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	for name, u := range e.users {
		ids[name] = u.ID
	}
	str := func(s string) *string { return &s }
	yes := true
	off, err := e.svc.CreateUser(ctx, directory.Operator(e.acme.ID), directory.UserInput{Name: str("Otto Off"),
		Email: str("off@acme.test"), Role: str("agent"), Suspended: &yes})
	if err != nil {
		t.Fatal(err)
	}
	e.users["off"], ids["off"] = off, off.ID
	group := func(r *directory.Realm, key, name string) {
		g, err := e.svc.CreateGroup(ctx, directory.Operator(r.ID), directory.GroupInput{Name: &name, Description: str(name + " team")})
		if err != nil {
			t.Fatal(err)
		}
		ids[key] = g.ID
	}
	group(e.acme, "support", "Support")
	group(e.acme, "sales", "Sales")
	group(e.acme, "empty", "Empty")
	group(e.beta, "beta-group", "Beta Desk")
	member := func(r *directory.Realm, key, user, group string) {
		m, err := e.svc.CreateGroupMembership(ctx, directory.Operator(r.ID),
			directory.GroupMembership{UserID: ids[user], GroupID: ids[group]})
		if err != nil {
			t.Fatal(err)
		}
		ids[key] = m.ID
	}
	member(e.acme, "m-agent-support", "agent", "support")
	member(e.acme, "m-agent-sales", "agent", "sales")
	member(e.acme, "m-admin-sales", "admin", "sales")
	member(e.acme, "m-off-sales", "off", "sales")
	member(e.beta, "m-beta", "beta-admin", "beta-group")
	return ids
}

// substitute replaces every {name} of ids in s.
func substitute(s string, ids map[string]int64) string {
	for name, id := range ids {
		s = strings.ReplaceAll(s, "{"+name+"}", fmt.Sprint(id))
	}
	return s
}

// runGroups runs scenarios as run does, each on a fresh env with the
// group fixture; paths, bodies, headers and wanted bodies may name its
// records.
func runGroups(t *testing.T, scenarios []scenario) {
	eachEngine(t, func(t *testing.T, eng engine) {
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				e := newEnv(t, eng, 0)
				ids := groupFixture(t, e)
				fixtures.Store(e, ids)
				t.Cleanup(func() { fixtures.Delete(e) })
				path := substitute(sc.path, ids)
				res := e.do(sc.method, path, sc.who, substitute(sc.body, ids))
				if res.status != sc.status {
					t.Fatalf("%s %s: status %d, want %d\n%s", sc.method, path, res.status, sc.status, res.body)
				}
				if ct := res.header.Get("Content-Type"); res.status != http.StatusNoContent && ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				if res.status == http.StatusNoContent && len(res.body) != 0 {
					t.Errorf("a 204 with a body: %s", res.body)
				}
				for k, v := range sc.headers {
					v = strings.ReplaceAll(substitute(v, ids), "{base}", e.srv.URL)
					if got := res.header.Get(k); got != v {
						t.Errorf("header %s = %q, want %q", k, got, v)
					}
				}
				if sc.golden != "" {
					e.golden(sc.golden, res.body)
				}
				if sc.want != "" {
					jsonEqual(t, res.body, strings.ReplaceAll(substitute(sc.want, ids), "{base}", e.srv.URL))
				}
				if sc.check != nil {
					sc.check(t, e, res)
				}
			})
		}
	})
}

// fixtures holds the ids of each running env's group fixture, for checks.
var fixtures sync.Map // *env -> map[string]int64

// fixtureIDs returns the ids of e's group fixture.
func fixtureIDs(t *testing.T, e *env) map[string]int64 {
	t.Helper()
	ids, ok := fixtures.Load(e)
	if !ok {
		t.Fatal("no group fixture for this env")
	}
	return ids.(map[string]int64)
}

// storedMemberships lists a user's stored memberships as "group:default".
func storedMemberships(t *testing.T, e *env, realmID, userID int64) []string {
	t.Helper()
	ms, err := e.store.ListGroupMemberships(context.Background(), realmID, directory.GroupMembershipFilter{UserID: userID}, directory.Page{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, m := range ms {
		g, err := e.store.GroupByID(context.Background(), realmID, m.GroupID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%v", g.Name, m.Default))
	}
	return out
}

// wantGroupMemberships checks the stored memberships of a user of acme and its
// default_group_id (by group name, "" for none).
func wantGroupMemberships(user string, defaultGroup string, want ...string) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		u := storedUser(t, e, e.users[user].ID)
		got := storedMemberships(t, e, e.acme.ID, u.ID)
		if want == nil {
			want = []string{}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("memberships of %s = %v, want %v", user, got, want)
		}
		wantID := int64(0)
		if defaultGroup != "" {
			wantID = fixtureIDs(t, e)[strings.ToLower(defaultGroup)]
		}
		if u.DefaultGroupID != wantID {
			t.Errorf("default_group_id of %s = %d, want %d (%s)", user, u.DefaultGroupID, wantID, defaultGroup)
		}
	}
}

// wantGroupCount checks the number of acme's active groups.
func wantGroupCount(n int64) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		got, err := e.store.CountGroups(context.Background(), e.acme.ID, directory.GroupFilter{})
		if err != nil || got != n {
			t.Errorf("stored groups = %d, %v; want %d", got, err, n)
		}
	}
}

func TestGroups(t *testing.T) {
	runGroups(t, []scenario{
		{name: "list", method: "GET", path: "/api/v2/groups.json", who: "agent", status: 200, golden: "list_groups"},
		{name: "list by cursor", method: "GET", path: "/api/v2/groups?page[size]=2", who: "admin", status: 200, golden: "list_groups_cursor"},
		{name: "list by offset", method: "GET", path: "/api/v2/groups?per_page=1&page=2", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				body := res.json(t)
				if body["count"] != 3.0 || len(body["groups"].([]any)) != 1 || !strings.Contains(body["next_page"].(string), "page=3") {
					t.Errorf("offset page = %s", res.body)
				}
			}},
		{name: "end user cannot list", method: "GET", path: "/api/v2/groups", who: "customer", status: 403, want: forbiddenBody},
		{name: "anonymous cannot list", method: "GET", path: "/api/v2/groups", status: 401, want: unauthenticated},
		{name: "beta lists its own", method: "GET", path: "/api/v2/groups", who: "beta-admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if got := listedIDs(t, res, "groups"); len(got) != 1 || got[0] != fixtureIDs(t, e)["beta-group"] {
					t.Errorf("beta's groups = %v", got)
				}
			}},
		{name: "assignable", method: "GET", path: "/api/v2/groups/assignable.json", who: "agent", status: 200, golden: "list_assignable_groups"},
		{name: "count", method: "GET", path: "/api/v2/groups/count.json", who: "agent", status: 200,
			want: `{"count":{"value":3,"refreshed_at":"2024-05-06T07:08:09Z"}}`},
		{name: "assignable count", method: "GET", path: "/api/v2/groups/assignable/count", who: "admin", status: 200,
			want: `{"count":{"value":2,"refreshed_at":"2024-05-06T07:08:09Z"}}`},
		{name: "groups of a user", method: "GET", path: "/api/v2/users/{agent}/groups.json", who: "admin", status: 200, golden: "list_user_groups"},
		{name: "groups of a user, count", method: "GET", path: "/api/v2/users/{off}/groups/count", who: "agent", status: 200,
			want: `{"count":{"value":1,"refreshed_at":"2024-05-06T07:08:09Z"}}`},
		{name: "groups of another realm's user", method: "GET", path: "/api/v2/users/{beta-admin}/groups", who: "admin", status: 404, want: notFound},
		{name: "show", method: "GET", path: "/api/v2/groups/{support}.json", who: "agent", status: 200, golden: "show_group"},
		{name: "show another realm's", method: "GET", path: "/api/v2/groups/{beta-group}", who: "admin", status: 404, want: notFound},
		{name: "show missing", method: "GET", path: "/api/v2/groups/99999", who: "admin", status: 404, want: notFound},
		{name: "end user cannot show", method: "GET", path: "/api/v2/groups/{support}", who: "customer", status: 403, want: forbiddenBody},

		{name: "create", method: "POST", path: "/api/v2/groups.json", who: "admin", status: 201, golden: "create_group",
			body:    `{"group":{"name":" Billing ","description":"Money matters","is_public":false,"unknown":1}}`,
			headers: map[string]string{"Location": "{base}/api/v2/groups/5.json"}, check: wantGroupCount(4)},
		{name: "create as default", method: "POST", path: "/api/v2/groups", who: "admin", status: 201,
			body: `{"group":{"name":"Billing","default":true}}`,
			check: func(t *testing.T, e *env, res response) {
				g, err := e.store.DefaultGroup(context.Background(), e.acme.ID)
				if err != nil || g.Name != "Billing" {
					t.Errorf("default group = %v, %v", g, err)
				}
				if g, _ := e.store.DefaultGroup(context.Background(), e.beta.ID); g.Name != "Beta Desk" {
					t.Errorf("beta's default group changed to %s", g.Name)
				}
			}},
		{name: "create with a taken name", method: "POST", path: "/api/v2/groups", who: "admin", status: 422,
			body: `{"group":{"name":"sUPPORT"}}`, check: wantGroupCount(3),
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"name":[{"description":"Name: sUPPORT has already been taken","error":"DuplicateValue"}]}}`},
		{name: "create with another realm's name", method: "POST", path: "/api/v2/groups", who: "admin", status: 201,
			body: `{"group":{"name":"Beta Desk"}}`, check: wantGroupCount(4)},
		{name: "create without a name", method: "POST", path: "/api/v2/groups", who: "admin", status: 422,
			body: `{"group":{"description":"x","is_public":"yes"}}`, check: wantGroupCount(3),
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"is_public":[{"description":"Is public: must be true or false","error":"InvalidValue"}]}}`},
		{name: "create with a blank name", method: "POST", path: "/api/v2/groups", who: "admin", status: 422,
			body: `{"group":{"name":"  "}}`, check: wantGroupCount(3),
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"name":[{"description":"Name: is too short (minimum is 1 characters)","error":"BlankValue"}]}}`},
		{name: "create from malformed JSON", method: "POST", path: "/api/v2/groups", who: "admin", status: 400,
			body: `{"group":`, check: wantGroupCount(3)},
		{name: "create without the envelope", method: "POST", path: "/api/v2/groups", who: "admin", status: 400,
			body: `{"name":"X"}`, want: `{"error":"InvalidParameter","description":"The request body needs a \"group\" object"}`},
		{name: "agent cannot create", method: "POST", path: "/api/v2/groups", who: "agent", status: 403,
			body: `{"group":{"name":"X"}}`, want: forbiddenBody, check: wantGroupCount(3)},

		{name: "update", method: "PUT", path: "/api/v2/groups/{sales}.json", who: "admin", status: 200, golden: "update_group",
			body: `{"group":{"name":"Sales EMEA","description":null,"default":true}}`,
			check: func(t *testing.T, e *env, res response) {
				g, err := e.store.DefaultGroup(context.Background(), e.acme.ID)
				if err != nil || g.Name != "Sales EMEA" {
					t.Errorf("default group = %v, %v", g, err)
				}
			}},
		{name: "update default false is ignored", method: "PUT", path: "/api/v2/groups/{support}", who: "admin", status: 200,
			body: `{"group":{"default":false}}`,
			check: func(t *testing.T, e *env, res response) {
				if g, err := e.store.DefaultGroup(context.Background(), e.acme.ID); err != nil || g.Name != "Support" {
					t.Errorf("default group = %v, %v", g, err)
				}
			}},
		{name: "update to a taken name", method: "PUT", path: "/api/v2/groups/{sales}", who: "admin", status: 422,
			body: `{"group":{"name":"support"}}`,
			check: func(t *testing.T, e *env, res response) {
				if g, _ := e.store.GroupByID(context.Background(), e.acme.ID, fixtureIDs(t, e)["sales"]); g.Name != "Sales" {
					t.Errorf("renamed to %q", g.Name)
				}
			}},
		{name: "update to private, and not back", method: "PUT", path: "/api/v2/groups/{empty}", who: "admin", status: 200,
			body: `{"group":{"is_public":false}}`,
			check: func(t *testing.T, e *env, res response) {
				back := e.do("PUT", fmt.Sprintf("/api/v2/groups/%d", fixtureIDs(t, e)["empty"]), "admin", `{"group":{"is_public":true}}`)
				jsonEqual(t, back.body, `{"error":"RecordInvalid","description":"Record validation errors","details":{"is_public":[{"description":"Is public: a private group cannot be made public","error":"InvalidValue"}]}}`)
				if g, _ := e.store.GroupByID(context.Background(), e.acme.ID, fixtureIDs(t, e)["empty"]); g.IsPublic {
					t.Error("the private group became public")
				}
			}},
		{name: "update another realm's", method: "PUT", path: "/api/v2/groups/{beta-group}", who: "admin", status: 404,
			body: `{"group":{"name":"Mine"}}`, want: notFound},
		{name: "agent cannot update", method: "PUT", path: "/api/v2/groups/{support}", who: "agent", status: 403,
			body: `{"group":{"name":"Mine"}}`, want: forbiddenBody},

		{name: "delete", method: "DELETE", path: "/api/v2/groups/{support}.json", who: "admin", status: 204,
			check: func(t *testing.T, e *env, res response) {
				wantGroupCount(2)(t, e, res)
				ids := fixtureIDs(t, e)
				g, err := e.store.GroupByID(context.Background(), e.acme.ID, ids["support"])
				if err != nil || !g.Deleted() {
					t.Errorf("Support after delete = %+v, %v", g, err)
				}
				// The agent's default moves to Sales; the realm's to Sales, the oldest left.
				wantGroupMemberships("agent", "Sales", "Sales:true")(t, e, res)
				if d, err := e.store.DefaultGroup(context.Background(), e.acme.ID); err != nil || d.ID != ids["sales"] {
					t.Errorf("default group = %v, %v", d, err)
				}
				shown := e.do("GET", fmt.Sprintf("/api/v2/groups/%d", g.ID), "admin", "")
				if shown.status != 200 || shown.json(t)["group"].(map[string]any)["deleted"] != true {
					t.Errorf("deleted group shows as %d %s", shown.status, shown.body)
				}
				if again := e.do("DELETE", fmt.Sprintf("/api/v2/groups/%d", g.ID), "admin", ""); again.status != 404 {
					t.Errorf("deleting twice: %d", again.status)
				}
				if join := e.do("POST", "/api/v2/group_memberships", "admin",
					fmt.Sprintf(`{"group_membership":{"user_id":%d,"group_id":%d}}`, e.users["admin"].ID, g.ID)); join.status != 422 {
					t.Errorf("joining a deleted group: %d %s", join.status, join.body)
				}
			}},
		{name: "delete another realm's", method: "DELETE", path: "/api/v2/groups/{beta-group}", who: "admin", status: 404, want: notFound,
			check: func(t *testing.T, e *env, res response) {
				if n, _ := e.store.CountGroups(context.Background(), e.beta.ID, directory.GroupFilter{}); n != 1 {
					t.Errorf("beta's groups = %d", n)
				}
			}},
		{name: "agent cannot delete", method: "DELETE", path: "/api/v2/groups/{support}", who: "agent", status: 403, want: forbiddenBody,
			check: wantGroupCount(3)},
	})
}

func TestGroupUsers(t *testing.T) {
	runGroups(t, []scenario{
		{name: "users of a group", method: "GET", path: "/api/v2/groups/{sales}/users.json", who: "agent", status: 200, golden: "list_group_users"},
		{name: "users of a group by cursor", method: "GET", path: "/api/v2/groups/{sales}/users?page%5Bsize%5D=2", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				body := res.json(t)
				if got := listedIDs(t, res, "users"); len(got) != 2 || got[0] != e.users["admin"].ID || got[1] != e.users["agent"].ID {
					t.Errorf("first page = %v", got)
				}
				next := body["links"].(map[string]any)["next"].(string)
				page2 := e.follow(next, "admin")
				if got := listedIDs(t, page2, "users"); len(got) != 1 || got[0] != e.users["off"].ID {
					t.Errorf("second page = %v (%s)", got, page2.body)
				}
			}},
		{name: "users of a group by role", method: "GET", path: "/api/v2/groups/{sales}/users?role=admin", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if got := listedIDs(t, res, "users"); len(got) != 1 || got[0] != e.users["admin"].ID || res.json(t)["count"] != 1.0 {
					t.Errorf("admins of Sales = %s", res.body)
				}
			}},
		{name: "users of a group, count", method: "GET", path: "/api/v2/groups/{sales}/users/count.json", who: "agent", status: 200,
			want: `{"count":{"value":3,"refreshed_at":"2024-05-06T07:08:09Z"}}`},
		{name: "users of an empty group", method: "GET", path: "/api/v2/groups/{empty}/users", who: "agent", status: 200,
			want: `{"users":[],"next_page":null,"previous_page":null,"count":0}`},
		{name: "users of another realm's group", method: "GET", path: "/api/v2/groups/{beta-group}/users", who: "admin", status: 404, want: notFound},
		{name: "users count of another realm's group", method: "GET", path: "/api/v2/groups/{beta-group}/users/count", who: "admin", status: 404, want: notFound},
		{name: "end user cannot list group users", method: "GET", path: "/api/v2/groups/{sales}/users", who: "customer", status: 403, want: forbiddenBody},
	})
}

func TestGroupMemberships(t *testing.T) {
	runGroups(t, []scenario{
		{name: "list", method: "GET", path: "/api/v2/group_memberships.json", who: "agent", status: 200, golden: "list_group_memberships"},
		{name: "list by cursor", method: "GET", path: "/api/v2/group_memberships?page[size]=3", who: "agent", status: 200, golden: "list_group_memberships_cursor"},
		{name: "list filtered by user_id", method: "GET", path: "/api/v2/group_memberships?user_id={agent}", who: "agent", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if got := listedIDs(t, res, "group_memberships"); len(got) != 2 {
					t.Errorf("agent's memberships = %v", got)
				}
			}},
		{name: "list filtered by another realm's group", method: "GET", path: "/api/v2/group_memberships?group_id={beta-group}", who: "admin", status: 404, want: notFound},
		{name: "list filtered by a malformed id", method: "GET", path: "/api/v2/group_memberships?user_id=abc", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"user_id must be an id, got \"abc\""}`},
		{name: "list by a non-numeric user", method: "GET", path: "/api/v2/users/abc/group_memberships", who: "admin", status: 404,
			want: `{"error":"InvalidEndpoint","description":"Not found"}`},
		{name: "list by user", method: "GET", path: "/api/v2/users/{agent}/group_memberships.json", who: "admin", status: 200, golden: "list_user_group_memberships"},
		{name: "list by another realm's user", method: "GET", path: "/api/v2/users/{beta-admin}/group_memberships", who: "admin", status: 404, want: notFound},
		{name: "list by group", method: "GET", path: "/api/v2/groups/{sales}/memberships.json", who: "agent", status: 200, golden: "list_group_memberships_by_group"},
		{name: "list by another realm's group", method: "GET", path: "/api/v2/groups/{beta-group}/memberships", who: "admin", status: 404, want: notFound},
		{name: "assignable", method: "GET", path: "/api/v2/group_memberships/assignable.json", who: "agent", status: 200,
			want: `{"group_memberships":[
				{"id":{m-agent-support},"url":"{base}/api/v2/group_memberships/{m-agent-support}.json","user_id":{agent},"group_id":{support},"default":true,"created_at":"2024-05-06T07:08:09Z","updated_at":"2024-05-06T07:08:09Z"},
				{"id":{m-agent-sales},"url":"{base}/api/v2/group_memberships/{m-agent-sales}.json","user_id":{agent},"group_id":{sales},"default":false,"created_at":"2024-05-06T07:08:09Z","updated_at":"2024-05-06T07:08:09Z"},
				{"id":{m-admin-sales},"url":"{base}/api/v2/group_memberships/{m-admin-sales}.json","user_id":{admin},"group_id":{sales},"default":true,"created_at":"2024-05-06T07:08:09Z","updated_at":"2024-05-06T07:08:09Z"}],
				"next_page":null,"previous_page":null,"count":3}`},
		{name: "assignable of a group", method: "GET", path: "/api/v2/groups/{sales}/memberships/assignable", who: "agent", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if got := listedIDs(t, res, "group_memberships"); len(got) != 2 || res.json(t)["count"] != 2.0 {
					t.Errorf("assignable of Sales = %s", res.body)
				}
			}},
		{name: "end user cannot list", method: "GET", path: "/api/v2/group_memberships", who: "customer", status: 403, want: forbiddenBody},

		{name: "show", method: "GET", path: "/api/v2/group_memberships/{m-agent-support}.json", who: "agent", status: 200, golden: "show_group_membership"},
		{name: "show by user", method: "GET", path: "/api/v2/users/{agent}/group_memberships/{m-agent-support}", who: "agent", status: 200, golden: "show_group_membership"},
		{name: "show by the wrong user", method: "GET", path: "/api/v2/users/{admin}/group_memberships/{m-agent-support}", who: "agent", status: 404, want: notFound},
		{name: "show another realm's", method: "GET", path: "/api/v2/group_memberships/{m-beta}", who: "admin", status: 404, want: notFound},

		{name: "create", method: "POST", path: "/api/v2/group_memberships.json", who: "admin", status: 201, golden: "create_group_membership",
			body:    `{"group_membership":{"user_id":{admin},"group_id":{support}}}`,
			headers: map[string]string{"Location": "{base}/api/v2/group_memberships/6.json"},
			check:   wantGroupMemberships("admin", "Sales", "Sales:true", "Support:false")},
		{name: "create as default", method: "POST", path: "/api/v2/group_memberships", who: "admin", status: 201,
			body:  `{"group_membership":{"user_id":{admin},"group_id":{empty},"default":true}}`,
			check: wantGroupMemberships("admin", "Empty", "Sales:false", "Empty:true")},
		{name: "create by user", method: "POST", path: "/api/v2/users/{admin}/group_memberships", who: "admin", status: 201,
			body:  `{"group_membership":{"user_id":{agent},"group_id":{empty}}}`,
			check: wantGroupMemberships("admin", "Sales", "Sales:true", "Empty:false")},
		{name: "create for an end user", method: "POST", path: "/api/v2/group_memberships", who: "admin", status: 422,
			body:  `{"group_membership":{"user_id":{customer},"group_id":{support}}}`,
			want:  `{"error":"RecordInvalid","description":"Record validation errors","details":{"user_id":[{"description":"User id: is an end user; only agents and admins can be members of a group","error":"InvalidValue"}]}}`,
			check: wantGroupMemberships("customer", "")},
		{name: "create twice", method: "POST", path: "/api/v2/group_memberships", who: "admin", status: 422,
			body:  `{"group_membership":{"user_id":{agent},"group_id":{sales}}}`,
			want:  `{"error":"RecordInvalid","description":"Record validation errors","details":{"group_id":[{"description":"Group id: the user is already a member of this group","error":"DuplicateValue"}]}}`,
			check: wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")},
		{name: "create in another realm's group", method: "POST", path: "/api/v2/group_memberships", who: "admin", status: 422,
			body:  `{"group_membership":{"user_id":{admin},"group_id":{beta-group}}}`,
			want:  `{"error":"RecordInvalid","description":"Record validation errors","details":{"group_id":[{"description":"Group id: is not a group of this account","error":"InvalidValue"}]}}`,
			check: wantGroupMemberships("admin", "Sales", "Sales:true")},
		{name: "create for another realm's user", method: "POST", path: "/api/v2/group_memberships", who: "admin", status: 422,
			body: `{"group_membership":{"user_id":{beta-admin},"group_id":{support}}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"user_id":[{"description":"User id: is not a user of this account","error":"InvalidValue"}]}}`},
		{name: "create by another realm's user path", method: "POST", path: "/api/v2/users/{beta-admin}/group_memberships", who: "admin", status: 404,
			body: `{"group_membership":{"group_id":{support}}}`, want: notFound},
		{name: "create with nothing", method: "POST", path: "/api/v2/group_memberships", who: "admin", status: 422,
			body: `{"group_membership":{"user_id":"x"}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"user_id":[{"description":"User id: must be a positive integer id or null","error":"InvalidValue"}]}}`},
		{name: "create without a group", method: "POST", path: "/api/v2/group_memberships", who: "admin", status: 422,
			body: `{"group_membership":{"user_id":{agent}}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"group_id":[{"description":"Group id: is required","error":"BlankValue"}]}}`},
		{name: "agent cannot create", method: "POST", path: "/api/v2/group_memberships", who: "agent", status: 403,
			body: `{"group_membership":{"user_id":{agent},"group_id":{empty}}}`, want: forbiddenBody,
			check: wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")},

		{name: "delete the default", method: "DELETE", path: "/api/v2/group_memberships/{m-agent-support}.json", who: "admin", status: 204,
			check: wantGroupMemberships("agent", "Sales", "Sales:true")},
		{name: "delete by user", method: "DELETE", path: "/api/v2/users/{agent}/group_memberships/{m-agent-sales}", who: "admin", status: 204,
			check: wantGroupMemberships("agent", "Support", "Support:true")},
		{name: "delete the last", method: "DELETE", path: "/api/v2/group_memberships/{m-admin-sales}", who: "admin", status: 204,
			check: wantGroupMemberships("admin", "")},
		{name: "delete by the wrong user", method: "DELETE", path: "/api/v2/users/{admin}/group_memberships/{m-agent-sales}", who: "admin", status: 404,
			want: notFound, check: wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")},
		{name: "delete another realm's", method: "DELETE", path: "/api/v2/group_memberships/{m-beta}", who: "admin", status: 404, want: notFound,
			check: func(t *testing.T, e *env, res response) {
				if got := storedMemberships(t, e, e.beta.ID, e.users["beta-admin"].ID); len(got) != 1 {
					t.Errorf("beta's memberships = %v", got)
				}
			}},
		{name: "agent cannot delete", method: "DELETE", path: "/api/v2/group_memberships/{m-agent-sales}", who: "agent", status: 403, want: forbiddenBody},

		{name: "make default", method: "PUT", path: "/api/v2/users/{agent}/group_memberships/{m-agent-sales}/make_default.json", who: "admin", status: 200,
			golden: "make_default_group_membership", check: wantGroupMemberships("agent", "Sales", "Support:false", "Sales:true")},
		{name: "agent makes their own default", method: "PUT", path: "/api/v2/users/{agent}/group_memberships/{m-agent-sales}/make_default", who: "agent",
			body: `null`, status: 200, check: wantGroupMemberships("agent", "Sales", "Support:false", "Sales:true")},
		{name: "agent cannot make another's default", method: "PUT", path: "/api/v2/users/{admin}/group_memberships/{m-admin-sales}/make_default", who: "agent",
			status: 403, want: forbiddenBody},
		{name: "make default by the wrong user", method: "PUT", path: "/api/v2/users/{admin}/group_memberships/{m-agent-sales}/make_default", who: "admin",
			status: 404, want: notFound, check: wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")},
		{name: "make default of another realm", method: "PUT", path: "/api/v2/users/{beta-admin}/group_memberships/{m-beta}/make_default", who: "admin",
			status: 404, want: notFound},
	})
}

func TestUserDefaultGroup(t *testing.T) {
	runGroups(t, []scenario{
		{name: "naming a group joins it", method: "PUT", path: "/api/v2/users/{agent}", who: "admin", status: 200,
			body: `{"user":{"default_group_id":{empty}}}`,
			check: func(t *testing.T, e *env, res response) {
				if got := res.json(t)["user"].(map[string]any)["default_group_id"]; got != float64(fixtureIDs(t, e)["empty"]) {
					t.Errorf("default_group_id in the answer = %v", got)
				}
				wantGroupMemberships("agent", "Empty", "Support:false", "Sales:false", "Empty:true")(t, e, res)
			}},
		{name: "naming a group of the user", method: "PUT", path: "/api/v2/users/{agent}", who: "admin", status: 200,
			body: `{"user":{"default_group_id":{sales}}}`, check: wantGroupMemberships("agent", "Sales", "Support:false", "Sales:true")},
		{name: "null changes nothing", method: "PUT", path: "/api/v2/users/{agent}", who: "admin", status: 200,
			body: `{"user":{"default_group_id":null}}`, check: wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")},
		{name: "another realm's group", method: "PUT", path: "/api/v2/users/{agent}", who: "admin", status: 422,
			body: `{"user":{"default_group_id":{beta-group},"name":"Changed"}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"default_group_id":[{"description":"Default group id: is not a group of this account","error":"InvalidValue"}]}}`,
			check: func(t *testing.T, e *env, res response) {
				wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")(t, e, res)
				if u := storedUser(t, e, e.users["agent"].ID); u.Name != "Alan Agent" {
					t.Errorf("renamed to %q", u.Name)
				}
			}},
		{name: "a missing group", method: "PUT", path: "/api/v2/users/{agent}", who: "admin", status: 422,
			body: `{"user":{"default_group_id":99999}}`, check: wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")},
		{name: "an end user", method: "PUT", path: "/api/v2/users/{customer}", who: "admin", status: 422,
			body:  `{"user":{"default_group_id":{support}}}`,
			want:  `{"error":"RecordInvalid","description":"Record validation errors","details":{"default_group_id":[{"description":"Default group id: cannot be set on an end user: only agents and admins belong to groups","error":"InvalidValue"}]}}`,
			check: wantGroupMemberships("customer", "")},
		{name: "agent picks among their groups", method: "PUT", path: "/api/v2/users/{agent}", who: "agent", status: 200,
			body: `{"user":{"default_group_id":{sales}}}`, check: wantGroupMemberships("agent", "Sales", "Support:false", "Sales:true")},
		{name: "agent cannot join a group", method: "PUT", path: "/api/v2/users/{agent}", who: "agent", status: 403,
			body: `{"user":{"default_group_id":{empty}}}`, want: forbiddenBody,
			check: wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")},
		{name: "demoting leaves every group", method: "PUT", path: "/api/v2/users/{agent}", who: "admin", status: 200,
			body: `{"user":{"role":"end-user"}}`,
			check: func(t *testing.T, e *env, res response) {
				if got := res.json(t)["user"].(map[string]any)["default_group_id"]; got != nil {
					t.Errorf("default_group_id in the answer = %v", got)
				}
				wantGroupMemberships("agent", "")(t, e, res)
				if n, _ := e.store.CountGroupUsers(context.Background(), e.acme.ID, fixtureIDs(t, e)["sales"], directory.UserFilter{}); n != 2 {
					t.Errorf("Sales has %d users, want 2", n)
				}
			}},
		{name: "a new agent joins the default group", method: "POST", path: "/api/v2/users", who: "admin", status: 201,
			body: `{"user":{"name":"Nina","email":"nina@acme.test","role":"agent"}}`,
			check: func(t *testing.T, e *env, res response) {
				e.users["nina"] = &directory.User{ID: int64(res.json(t)["user"].(map[string]any)["id"].(float64))}
				wantGroupMemberships("nina", "Support", "Support:true")(t, e, res)
			}},
		{name: "a new agent in a named group", method: "POST", path: "/api/v2/users", who: "admin", status: 201,
			body: `{"user":{"name":"Nina","email":"nina@acme.test","role":"agent","default_group_id":{sales}}}`,
			check: func(t *testing.T, e *env, res response) {
				e.users["nina"] = &directory.User{ID: int64(res.json(t)["user"].(map[string]any)["id"].(float64))}
				wantGroupMemberships("nina", "Sales", "Sales:true")(t, e, res)
			}},
		{name: "a promoted end user joins the default group", method: "PUT", path: "/api/v2/users/{customer}", who: "admin", status: 200,
			body: `{"user":{"role":"agent"}}`, check: wantGroupMemberships("customer", "Support", "Support:true")},
		{name: "a new end user joins nothing", method: "POST", path: "/api/v2/users", who: "agent", status: 201,
			body: `{"user":{"name":"Eve"}}`,
			check: func(t *testing.T, e *env, res response) {
				e.users["eve"] = &directory.User{ID: int64(res.json(t)["user"].(map[string]any)["id"].(float64))}
				wantGroupMemberships("eve", "")(t, e, res)
			}},
	})
}

// TestGroupMembershipJobs runs group_memberships/create_many and
// destroy_many through the job runner: results in request order, items
// that fail alone (another realm's user, group or membership among them),
// and the default membership and default_group_id following each write.
func TestGroupMembershipJobs(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		ids := groupFixture(t, e)
		fixtures.Store(e, ids)
		t.Cleanup(func() { fixtures.Delete(e) })
		submitAndRun := func(method, path, body, golden string) []any {
			t.Helper()
			id, _ := e.submit(method, substitute(path, ids), "admin", substitute(body, ids))
			e.runJobs(1)
			js, res := e.jobStatus(id)
			e.jobGolden(golden, res.body, id)
			if js["status"] != "completed" {
				t.Errorf("job = %v", js)
			}
			return js["results"].([]any)
		}

		results := submitAndRun("POST", "/api/v2/group_memberships/create_many.json", `{"group_memberships":[
			{"user_id":{admin},"group_id":{support}},
			{"user_id":{agent},"group_id":{sales}},
			{"user_id":{beta-admin},"group_id":{support}},
			{"user_id":{admin},"group_id":{beta-group}},
			{"user_id":{customer},"group_id":{empty}},
			{"user_id":{agent},"group_id":{empty},"default":true},
			"nope",
			{"user_id":"x","group_id":{empty}}]}`, "job_create_many_group_memberships")
		if len(results) != 8 {
			t.Fatalf("results = %v", results)
		}
		wantGroupMemberships("admin", "Sales", "Sales:true", "Support:false")(t, e, response{})
		wantGroupMemberships("agent", "Empty", "Support:false", "Sales:false", "Empty:true")(t, e, response{})
		wantGroupMemberships("customer", "")(t, e, response{})
		if got := storedMemberships(t, e, e.beta.ID, ids["beta-admin"]); strings.Join(got, " ") != "Beta Desk:true" {
			t.Errorf("beta-admin's memberships = %v", got)
		}
		ids["m-admin-support"] = int64(results[0].(map[string]any)["id"].(float64))

		// Deleting the admin's default membership makes its other one the
		// default; beta's membership and an unknown id fail alone.
		submitAndRun("DELETE", "/api/v2/group_memberships/destroy_many?ids={m-admin-sales},{m-beta},999999,{m-agent-support}", "",
			"job_destroy_many_group_memberships")
		wantGroupMemberships("admin", "Support", "Support:true")(t, e, response{})
		wantGroupMemberships("agent", "Empty", "Sales:false", "Empty:true")(t, e, response{})
		if got := storedMemberships(t, e, e.beta.ID, ids["beta-admin"]); strings.Join(got, " ") != "Beta Desk:true" {
			t.Errorf("beta's membership was deleted: %v", got)
		}
		if _, err := e.store.GroupMembershipByID(context.Background(), e.acme.ID, ids["m-admin-sales"]); directory.KindOf(err) != directory.KindNotFound {
			t.Errorf("deleted membership: %v", err)
		}
	})
}

// TestGroupMembershipJobsRunOnce checks that an item whose result is
// already recorded is not written again when a job is run anew, as after
// a runner that died: a create item makes one membership, not two.
func TestGroupMembershipJobsRunOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		ids := groupFixture(t, e)
		id, _ := e.submit("POST", "/api/v2/group_memberships/create_many", "admin",
			substitute(`{"group_memberships":[{"user_id":{admin},"group_id":{empty}}]}`, ids))
		e.runJobs(1)
		// Run the same item again through the store, as a second runner
		// whose lease expired would: the write must be refused whole.
		step := &directory.JobStep{JobID: id, Result: directory.JobResult{Index: 0, Outcome: directory.JobCreated}, At: time.Now()}
		err := e.store.WriteInJob(context.Background(), e.acme.ID, step, func(ctx context.Context) error {
			_, err := e.svc.CreateGroupMembership(ctx, directory.Operator(e.acme.ID),
				directory.GroupMembership{UserID: ids["agent"], GroupID: ids["empty"]})
			return err
		})
		if !errors.Is(err, directory.ErrJobItemDone) {
			t.Errorf("second write of a done item = %v, want ErrJobItemDone", err)
		}
		n, err := e.store.CountGroupMemberships(context.Background(), e.acme.ID, directory.GroupMembershipFilter{GroupID: ids["empty"]})
		if err != nil || n != 1 {
			t.Errorf("memberships of Empty = %d, %v; want the job's 1", n, err)
		}
	})
}

// TestGroupMembershipBulkRequestErrors sends bulk requests that are
// refused whole. None queues a job or writes anything, so they share one
// env per engine, checked after each.
func TestGroupMembershipBulkRequestErrors(t *testing.T) {
	many := func(n int) string {
		return `{"group_memberships":[` + strings.TrimSuffix(strings.Repeat(`{"user_id":1,"group_id":1},`, n), ",") + `]}`
	}
	scenarios := []scenario{
		{name: "create_many 101", method: "POST", path: "/api/v2/group_memberships/create_many", who: "admin", body: many(101), status: 400,
			want: `{"error":"TooManyValues","description":"Maximum 100 group memberships may be created per call"}`},
		{name: "destroy_many 101", method: "DELETE", path: "/api/v2/group_memberships/destroy_many?ids=" + idList(101), who: "admin", status: 400,
			want: `{"error":"TooManyValues","description":"Maximum 100 group memberships may be deleted per call"}`},
		{name: "destroy_many without ids", method: "DELETE", path: "/api/v2/group_memberships/destroy_many", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"Send ids"}`},
		{name: "destroy_many bad id", method: "DELETE", path: "/api/v2/group_memberships/destroy_many?ids=1,x", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"ids must be comma-separated group membership ids, got \"x\""}`},
		{name: "create_many not a list", method: "POST", path: "/api/v2/group_memberships/create_many", who: "admin", status: 400,
			body: `{"group_membership":{"user_id":1,"group_id":1}}`,
			want: `{"error":"InvalidParameter","description":"The request body needs a \"group_memberships\" array"}`},
		{name: "agent create_many", method: "POST", path: "/api/v2/group_memberships/create_many", who: "agent", status: 403,
			body: `{"group_memberships":[{"user_id":{agent},"group_id":{empty}}]}`, want: forbiddenBody},
		{name: "agent destroy_many", method: "DELETE", path: "/api/v2/group_memberships/destroy_many?ids={m-agent-sales}", who: "agent", status: 403,
			want: forbiddenBody},
		{name: "end user destroy_many", method: "DELETE", path: "/api/v2/group_memberships/destroy_many?ids={m-agent-sales}", who: "customer", status: 403,
			want: forbiddenBody},
	}
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		ids := groupFixture(t, e)
		fixtures.Store(e, ids)
		t.Cleanup(func() { fixtures.Delete(e) })
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				res := e.do(sc.method, substitute(sc.path, ids), sc.who, substitute(sc.body, ids))
				if res.status != sc.status {
					t.Fatalf("status %d, want %d\n%s", res.status, sc.status, res.body)
				}
				jsonEqual(t, res.body, sc.want)
				if jobs := storedJobs(t, e); len(jobs) != 0 {
					t.Errorf("jobs stored: %v", jobs)
				}
				wantGroupMemberships("agent", "Support", "Support:true", "Sales:false")(t, e, res)
			})
		}
	})
}
