package zendesk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

// taggedCustomer gives the customer the tags vip and gold.
func taggedCustomer(t *testing.T, e *env) {
	t.Helper()
	tags := []string{"vip", "gold"}
	if _, err := e.svc.UpdateUser(context.Background(), directory.Operator(e.acme.ID), e.users["customer"].ID, directory.UserInput{Tags: &tags}); err != nil {
		t.Fatal(err)
	}
}

// wantTags checks the customer's stored tags, and that a tag search finds
// her by each of them and by none of gone.
func wantTags(want []string, gone ...string) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		u := storedUser(t, e, e.users["customer"].ID)
		if strings.Join(u.Tags, ",") != strings.Join(want, ",") {
			t.Errorf("stored tags = %q, want %q", u.Tags, want)
		}
		for _, tag := range want {
			if n := searchCount(t, e, "tags:"+tag); n != 1 {
				t.Errorf("search tags:%s finds %d users, want 1", tag, n)
			}
		}
		for _, tag := range gone {
			if n := searchCount(t, e, "tags:"+tag); n != 0 {
				t.Errorf("search tags:%s finds %d users, want 0", tag, n)
			}
		}
	}
}

func searchCount(t *testing.T, e *env, query string) int {
	t.Helper()
	res := e.do("GET", "/api/v2/users/search.json?query="+query, "admin", "")
	if res.status != 200 {
		t.Fatalf("search %s: %d %s", query, res.status, res.body)
	}
	return len(res.json(t)["users"].([]any))
}

func TestUserTags(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprint("t", i))
	}
	unchanged := wantTags([]string{"vip", "gold"})
	runSetup(t, taggedCustomer, []scenario{
		{name: "list", method: "GET", path: "/api/v2/users/{customer}/tags.json", who: "agent", status: 200, want: `{"tags":["vip","gold"]}`},
		{name: "list without tags", method: "GET", path: "/api/v2/users/{agent}/tags", who: "agent", status: 200, want: `{"tags":[]}`},
		{name: "list by an end user", method: "GET", path: "/api/v2/users/{customer}/tags", who: "customer", status: 403, want: forbiddenBody},
		{name: "list across realms", method: "GET", path: "/api/v2/users/{beta-customer}/tags", who: "admin", status: 404, want: notFound},
		{name: "list of a missing user", method: "GET", path: "/api/v2/users/999999/tags", who: "admin", status: 404, want: notFound},

		{name: "set", method: "POST", path: "/api/v2/users/{customer}/tags.json", who: "agent", body: `{"tags":["Big Spender"," VIP "]}`,
			status: 201, want: `{"tags":["big_spender","vip"]}`, check: wantTags([]string{"big_spender", "vip"}, "gold")},
		{name: "set none", method: "POST", path: "/api/v2/users/{customer}/tags", who: "agent", body: `{"tags":[]}`,
			status: 201, want: `{"tags":[]}`, check: wantTags(nil, "vip", "gold")},
		{name: "set as a string", method: "POST", path: "/api/v2/users/{customer}/tags", who: "agent", body: `{"tags":"one two"}`,
			status: 201, want: `{"tags":["one","two"]}`},
		{name: "set too many", method: "POST", path: "/api/v2/users/{customer}/tags", who: "agent", body: `{"tags":[` + strings.Join(many, ",") + `]}`,
			status: 422, golden: "set_tags_too_many", check: unchanged},
		{name: "set a wrong type", method: "POST", path: "/api/v2/users/{customer}/tags", who: "agent", body: `{"tags":5}`,
			status: 422, check: unchanged},
		{name: "set without tags", method: "POST", path: "/api/v2/users/{customer}/tags", who: "agent", body: `{"user":{}}`,
			status: 400, check: unchanged},
		{name: "set on an admin by an agent", method: "POST", path: "/api/v2/users/{admin}/tags", who: "agent", body: `{"tags":["x"]}`,
			status: 403, want: forbiddenBody},
		{name: "set across realms", method: "POST", path: "/api/v2/users/{customer}/tags", who: "beta-admin", body: `{"tags":["x"]}`,
			status: 404, want: notFound, check: unchanged},

		{name: "add", method: "PUT", path: "/api/v2/users/{customer}/tags.json", who: "agent", body: `{"tags":["new","VIP"]}`,
			status: 200, want: `{"tags":["vip","gold","new"]}`, check: wantTags([]string{"vip", "gold", "new"})},
		{name: "add across realms", method: "PUT", path: "/api/v2/users/{beta-customer}/tags", who: "admin", body: `{"tags":["x"]}`,
			status: 404, want: notFound},

		{name: "remove", method: "DELETE", path: "/api/v2/users/{customer}/tags.json", who: "agent", body: `{"tags":["VIP","absent"]}`,
			status: 200, want: `{"tags":["gold"]}`, check: wantTags([]string{"gold"}, "vip")},
		{name: "remove by query", method: "DELETE", path: "/api/v2/users/{customer}/tags?tags=vip,gold", who: "agent",
			status: 200, want: `{"tags":[]}`, check: wantTags(nil, "vip", "gold")},
		{name: "remove naming nothing", method: "DELETE", path: "/api/v2/users/{customer}/tags", who: "agent",
			status: 400, check: unchanged},
		{name: "remove by an end user", method: "DELETE", path: "/api/v2/users/{customer}/tags", who: "customer", body: `{"tags":["vip"]}`,
			status: 403, check: unchanged},
	})
}
