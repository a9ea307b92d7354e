package zendesk_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// orgFixture is the organizations of a test env: in acme, "Acme Corp"
// (the customer's default and the agent's only organization), "Beta
// Partners" (the customer's other one) and "Gamma" (empty); in beta, one
// organization holding beta's customer. ids names them for paths:
// {org:acme}, {org:partners}, {org:gamma}, {org:beta}, and the
// memberships {m:customer-acme}, {m:customer-partners}, {m:agent-acme},
// {m:beta}.
type orgFixture struct {
	ids map[string]int64
}

func strptr(s string) *string { return &s }

func boolptr(b bool) *bool { return &b }

func (e *env) createOrg(r *directory.Realm, in directory.OrganizationInput) *directory.Organization {
	e.t.Helper()
	o, err := e.svc.CreateOrganization(context.Background(), directory.Operator(r.ID), in)
	if err != nil {
		e.t.Fatalf("create organization: %v", err)
	}
	return o
}

func (e *env) joinOrg(r *directory.Realm, userID, orgID int64) *directory.Membership {
	e.t.Helper()
	m, err := e.svc.CreateMembership(context.Background(), directory.Operator(r.ID),
		directory.MembershipInput{UserID: userID, OrganizationID: orgID})
	if err != nil {
		e.t.Fatalf("create membership: %v", err)
	}
	return m
}

func newOrgFixture(e *env) *orgFixture {
	e.t.Helper()
	tags := []string{"Enterprise", "vip customer"}
	domains := []string{"acme.test", "ACME.example"}
	acme := e.createOrg(e.acme, directory.OrganizationInput{
		Name: strptr("Acme Corp"), ExternalID: strptr("ACME-1"), Details: strptr("HQ in Springfield"),
		SharedTickets: boolptr(true), DomainNames: &domains, Tags: &tags,
		Fields: map[string]any{"tier": "gold", "seats": 12.0},
	})
	partners := e.createOrg(e.acme, directory.OrganizationInput{Name: strptr("Beta Partners")})
	gamma := e.createOrg(e.acme, directory.OrganizationInput{Name: strptr("Gamma"), ExternalID: strptr("g-1")})
	beta := e.createOrg(e.beta, directory.OrganizationInput{Name: strptr("Beta Realm Org"), ExternalID: strptr("ACME-1")})
	f := &orgFixture{ids: map[string]int64{"org:acme": acme.ID, "org:partners": partners.ID, "org:gamma": gamma.ID, "org:beta": beta.ID}}
	f.ids["m:customer-acme"] = e.joinOrg(e.acme, e.users["customer"].ID, acme.ID).ID
	f.ids["m:customer-partners"] = e.joinOrg(e.acme, e.users["customer"].ID, partners.ID).ID
	f.ids["m:agent-acme"] = e.joinOrg(e.acme, e.users["agent"].ID, acme.ID).ID
	f.ids["m:beta"] = e.joinOrg(e.beta, e.users["beta-customer"].ID, beta.ID).ID
	return f
}

// expand replaces {name} in s by the id of a user or of a fixture record.
func (f *orgFixture) expand(e *env, s string) string {
	for name, u := range e.users {
		s = strings.ReplaceAll(s, "{"+name+"}", fmt.Sprint(u.ID))
	}
	for name, id := range f.ids {
		s = strings.ReplaceAll(s, "{"+name+"}", fmt.Sprint(id))
	}
	return strings.ReplaceAll(s, "{base}", e.srv.URL)
}

// orgScenario is a scenario run over the organization fixture; its path,
// body, want and headers may name fixture records.
type orgScenario struct {
	scenario
	check func(t *testing.T, e *env, f *orgFixture, res response)
}

func runOrgs(t *testing.T, scenarios []orgScenario) {
	eachEngine(t, func(t *testing.T, eng engine) {
		// Reads and refusals by agents and admins change nothing, so they
		// share one env: a fresh env (a database, its migrations, a
		// password hash) is most of a scenario's cost. (A password
		// sign-in, as the customer makes, records the login.)
		var shared *env
		var sharedFixture *orgFixture
		for _, sc := range scenarios {
			if readOnly(sc.scenario) && shared == nil {
				shared = newEnv(t, eng, 0) // lives as long as the engine's test
				sharedFixture = newOrgFixture(shared)
			}
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				var e *env
				var f *orgFixture
				if readOnly(sc.scenario) {
					e, f = shared, sharedFixture
					e.t = t
				} else {
					e = newEnv(t, eng, 0)
					f = newOrgFixture(e)
				}
				path := f.expand(e, sc.path)
				res := e.do(sc.method, path, sc.who, f.expand(e, sc.body))
				if res.status != sc.status {
					t.Fatalf("%s %s: status %d, want %d\n%s", sc.method, path, res.status, sc.status, res.body)
				}
				if ct := res.header.Get("Content-Type"); res.status != http.StatusNoContent && ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				if res.status == http.StatusNoContent && len(res.body) != 0 {
					t.Errorf("204 with a body: %s", res.body)
				}
				for k, v := range sc.headers {
					if got, want := res.header.Get(k), f.expand(e, v); got != want {
						t.Errorf("header %s = %q, want %q", k, got, want)
					}
				}
				if res.header.Get("Retry-After") != "" {
					t.Errorf("Retry-After on a %d response", res.status)
				}
				if sc.golden != "" {
					e.golden(sc.golden, res.body)
				}
				if sc.want != "" {
					jsonEqual(t, res.body, f.expand(e, sc.want))
				}
				if sc.check != nil {
					sc.check(t, e, f, res)
				}
			})
		}
	})
}

// readOnly reports whether a scenario can run in an env other scenarios
// share: a GET or a refused request, with an API token or none. A refused
// request must change nothing; if one did, the scenarios after it would
// see it.
func readOnly(sc scenario) bool {
	return (sc.method == http.MethodGet || sc.status >= 400) && (sc.who == "admin" || sc.who == "agent" || sc.who == "")
}

// storedOrg reads an organization of acme, or nil when it is gone.
func storedOrg(t *testing.T, e *env, id int64) *directory.Organization {
	t.Helper()
	o, err := e.store.OrganizationByID(context.Background(), e.acme.ID, id)
	if directory.KindOf(err) == directory.KindNotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// userMemberships lists a user's memberships in acme as "org name" or
// "org name*" for the default, in the store's order.
func userMemberships(t *testing.T, e *env, userID int64) []string {
	t.Helper()
	ms, err := e.store.ListMemberships(context.Background(), e.acme.ID, directory.MembershipFilter{UserID: userID}, directory.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, m := range ms {
		s := m.OrganizationName
		if m.Default {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

func wantMemberships(t *testing.T, e *env, who string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if diff := cmp.Diff(want, userMemberships(t, e, e.users[who].ID)); diff != "" {
		t.Errorf("%s's memberships (-want +got):\n%s", who, diff)
	}
}

func wantUserOrg(t *testing.T, e *env, who string, want int64) {
	t.Helper()
	if got := storedUser(t, e, e.users[who].ID).OrganizationID; got != want {
		t.Errorf("%s's organization_id = %d, want %d", who, got, want)
	}
}

func orgCount(t *testing.T, e *env) int64 {
	t.Helper()
	n, err := e.store.CountOrganizations(context.Background(), e.acme.ID, directory.OrganizationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOrganizations(t *testing.T) {
	runOrgs(t, []orgScenario{
		{scenario: scenario{name: "list", method: "GET", path: "/api/v2/organizations.json", who: "agent", status: 200, golden: "list_organizations"}},
		{scenario: scenario{name: "list by cursor", method: "GET", path: "/api/v2/organizations?page%5Bsize%5D=2", who: "admin", status: 200,
			golden: "list_organizations_cursor"}},
		{scenario: scenario{name: "list as end user", method: "GET", path: "/api/v2/organizations", who: "customer", status: 403, want: forbiddenBody}},
		{scenario: scenario{name: "list without credentials", method: "GET", path: "/api/v2/organizations", status: 401, want: unauthenticated}},
		{scenario: scenario{name: "show", method: "GET", path: "/api/v2/organizations/{org:acme}.json", who: "agent", status: 200, golden: "show_organization"}},
		{scenario: scenario{name: "show of another realm", method: "GET", path: "/api/v2/organizations/{org:beta}", who: "admin", status: 404, want: notFound}},
		{scenario: scenario{name: "show non-numeric", method: "GET", path: "/api/v2/organizations/abc", who: "admin", status: 404,
			want: `{"error":"InvalidEndpoint","description":"Not found"}`}},
		{scenario: scenario{name: "count", method: "GET", path: "/api/v2/organizations/count.json", who: "agent", status: 200,
			want: `{"count":{"value":3,"refreshed_at":"2024-05-06T07:08:09Z"}}`}},
		{scenario: scenario{name: "related", method: "GET", path: "/api/v2/organizations/{org:acme}/related.json", who: "agent", status: 200,
			want: `{"organization_related":{"tickets_count":0,"users_count":2}}`}},
		{scenario: scenario{name: "related of another realm", method: "GET", path: "/api/v2/organizations/{org:beta}/related", who: "admin", status: 404, want: notFound}},
		{scenario: scenario{name: "show many", method: "GET", path: "/api/v2/organizations/show_many.json?ids={org:gamma},{org:acme},{org:beta},999999", who: "agent", status: 200,
			golden: "show_many_organizations"}},
		{scenario: scenario{name: "show many by external ids", method: "GET", path: "/api/v2/organizations/show_many?external_ids=acme-1,G-1,nope", who: "agent", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if got := listedIDs(t, res, "organizations"); !cmp.Equal(got, []int64{f.ids["org:acme"], f.ids["org:gamma"]}) {
					t.Errorf("show_many external_ids = %s", res.body)
				}
			}},
		{scenario: scenario{name: "show many without ids", method: "GET", path: "/api/v2/organizations/show_many", who: "agent", status: 400,
			want: `{"error":"InvalidParameter","description":"Send ids or external_ids"}`}},
		{scenario: scenario{name: "show many over 100", method: "GET", path: "/api/v2/organizations/show_many?ids=" + strings.Repeat("1,", 101), who: "agent", status: 400,
			want: `{"error":"TooManyValues","description":"Maximum 100 organizations may be requested per call"}`}},
		{scenario: scenario{name: "autocomplete", method: "GET", path: "/api/v2/organizations/autocomplete.json?name=bE", who: "agent", status: 200,
			golden: "autocomplete_organizations"}},
		{scenario: scenario{name: "autocomplete, nothing", method: "GET", path: "/api/v2/organizations/autocomplete?name=zz", who: "agent", status: 200,
			want: `{"organizations":[],"next_page":null,"previous_page":null,"count":0}`}},
		{scenario: scenario{name: "autocomplete pages by offset", method: "GET", path: "/api/v2/organizations/autocomplete?name=a&page%5Bsize%5D=1", who: "agent", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				body := res.json(t)
				if got := listedIDs(t, res, "organizations"); len(got) != 1 || got[0] != f.ids["org:acme"] || body["count"] != 1.0 || body["next_page"] != nil {
					t.Errorf("autocomplete a = %s", res.body)
				}
			}},
		{scenario: scenario{name: "autocomplete without name", method: "GET", path: "/api/v2/organizations/autocomplete", who: "agent", status: 400,
			want: `{"error":"InvalidParameter","description":"name is required"}`}},
		{scenario: scenario{name: "search by external id", method: "GET", path: "/api/v2/organizations/search?external_id=acme-1", who: "agent", status: 200,
			golden: "search_organizations"}},
		{scenario: scenario{name: "search by name", method: "GET", path: "/api/v2/organizations/search.json?name=GAMMA", who: "agent", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if got := listedIDs(t, res, "organizations"); len(got) != 1 || got[0] != f.ids["org:gamma"] {
					t.Errorf("search name=GAMMA = %s", res.body)
				}
			}},
		{scenario: scenario{name: "search without a term", method: "GET", path: "/api/v2/organizations/search", who: "agent", status: 400,
			want: `{"error":"InvalidParameter","description":"Send external_id or name"}`}},
		{scenario: scenario{name: "a user's organizations", method: "GET", path: "/api/v2/users/{customer}/organizations.json", who: "agent", status: 200,
			golden: "user_organizations"}},
		{scenario: scenario{name: "a user's organizations count", method: "GET", path: "/api/v2/users/{customer}/organizations/count", who: "agent", status: 200,
			want: `{"count":{"value":2,"refreshed_at":"2024-05-06T07:08:09Z"}}`}},
		{scenario: scenario{name: "organizations of a user of another realm", method: "GET", path: "/api/v2/users/{beta-customer}/organizations", who: "admin", status: 404,
			want: notFound}},
		{scenario: scenario{name: "an organization's users", method: "GET", path: "/api/v2/organizations/{org:acme}/users.json", who: "agent", status: 200,
			golden: "organization_users"}},
		{scenario: scenario{name: "an organization's users by cursor", method: "GET", path: "/api/v2/organizations/{org:acme}/users?page%5Bsize%5D=1", who: "agent", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				body := res.json(t)
				if got := listedIDs(t, res, "users"); len(got) != 1 || got[0] != e.users["agent"].ID || body["meta"].(map[string]any)["has_more"] != true {
					t.Errorf("first cursor page = %s", res.body)
				}
				next := body["links"].(map[string]any)["next"].(string)
				res2 := e.follow(next, "agent")
				if got := listedIDs(t, res2, "users"); len(got) != 1 || got[0] != e.users["customer"].ID {
					t.Errorf("second cursor page = %s", res2.body)
				}
				if res2.json(t)["links"].(map[string]any)["next"] != nil {
					t.Errorf("links.next on the last page: %s", res2.body)
				}
			}},
		{scenario: scenario{name: "an organization's end users", method: "GET", path: "/api/v2/organizations/{org:acme}/users?role=end-user", who: "agent", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if got := listedIDs(t, res, "users"); len(got) != 1 || got[0] != e.users["customer"].ID || res.json(t)["count"] != 1.0 {
					t.Errorf("end users of acme = %s", res.body)
				}
			}},
		{scenario: scenario{name: "an organization's users count", method: "GET", path: "/api/v2/organizations/{org:acme}/users/count.json", who: "agent", status: 200,
			want: `{"count":{"value":2,"refreshed_at":"2024-05-06T07:08:09Z"}}`}},
		{scenario: scenario{name: "users of an organization of another realm", method: "GET", path: "/api/v2/organizations/{org:beta}/users", who: "admin", status: 404, want: notFound}},
	})
}

func TestWriteOrganizations(t *testing.T) {
	runOrgs(t, []orgScenario{
		{scenario: scenario{name: "create", method: "POST", path: "/api/v2/organizations.json", who: "admin", status: 201,
			body: `{"organization":{"name":" Delta Inc ","external_id":"D-1","details":"d","notes":"n","shared_tickets":true,"shared_comments":true,
				"domain_names":["Delta.test","delta.test"," "],"tags":"Big  small Big","organization_fields":{"tier":"silver","n":1},"id":5,"url":"x","unknown":1}}`,
			golden: "create_organization"},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				body := res.json(t)["organization"].(map[string]any)
				if want := e.srv.URL + "/api/v2/organizations/" + fmt.Sprint(body["id"]) + ".json"; res.header.Get("Location") != want {
					t.Errorf("Location = %q, want %q", res.header.Get("Location"), want)
				}
				o := storedOrg(t, e, int64(body["id"].(float64)))
				if o == nil || o.Name != "Delta Inc" || !cmp.Equal(o.Tags, []string{"big", "small"}) || !cmp.Equal(o.DomainNames, []string{"delta.test"}) {
					t.Errorf("stored organization = %+v", o)
				}
				if n := orgCount(t, e); n != 4 {
					t.Errorf("organizations = %d, want 4", n)
				}
			}},
		{scenario: scenario{name: "create with only a name, as go-zendesk sends it", method: "POST", path: "/api/v2/organizations", who: "admin", status: 201,
			body: `{"organization":{"name":"Acme2","domain_names":null,"group_id":0,"shared_tickets":false,"shared_comments":false,"tags":null,
				"created_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}}`,
			golden: "create_organization_name_only"}},
		{scenario: scenario{name: "create by an agent", method: "POST", path: "/api/v2/organizations", who: "agent", status: 403,
			body: `{"organization":{"name":"Nope"}}`, want: forbiddenBody},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if n := orgCount(t, e); n != 3 {
					t.Errorf("organizations = %d, want 3", n)
				}
			}},
		{scenario: scenario{name: "create a taken name", method: "POST", path: "/api/v2/organizations", who: "admin", status: 422,
			body: `{"organization":{"name":"ACME corp","external_id":"g-1"}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{
				"external_id":[{"description":"External id: g-1 has already been taken","error":"DuplicateValue"}],
				"name":[{"description":"Name: ACME corp has already been taken","error":"DuplicateValue"}]}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if n := orgCount(t, e); n != 3 {
					t.Errorf("organizations = %d, want 3", n)
				}
			}},
		{scenario: scenario{name: "create a name taken in another realm", method: "POST", path: "/api/v2/organizations", who: "admin", status: 201,
			body: `{"organization":{"name":"beta realm org"}}`}},
		{scenario: scenario{name: "create without a name", method: "POST", path: "/api/v2/organizations", who: "admin", status: 422,
			body: `{"organization":{"notes":"x"}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"name":[{"description":"Name: cannot be blank","error":"BlankValue"}]}}`}},
		{scenario: scenario{name: "create with wrong types", method: "POST", path: "/api/v2/organizations", who: "admin", status: 422,
			body: `{"organization":{"name":5,"tags":{},"shared_tickets":"yes","organization_fields":[1],"group_id":"x","domain_names":["a b"]}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{
				"group_id":[{"description":"Group id: must be a positive integer id or null","error":"InvalidValue"}],
				"name":[{"description":"Name: must be a string","error":"InvalidValue"}],
				"organization_fields":[{"description":"Organization fields: must be an object","error":"InvalidValue"}],
				"shared_tickets":[{"description":"Shared tickets: must be true or false","error":"InvalidValue"}],
				"tags":[{"description":"Tags: must be an array of strings","error":"InvalidValue"}]}}`}},
		{scenario: scenario{name: "create with a bad domain and group", method: "POST", path: "/api/v2/organizations", who: "admin", status: 422,
			body: `{"organization":{"name":"X","domain_names":["a b.com"],"group_id":7}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{
				"domain_names":[{"description":"Domain names: must be at most 100 domain names such as example.com","error":"InvalidValue"}],
				"group_id":[{"description":"Group id: is not a group of this account","error":"InvalidValue"}]}}`}},
		{scenario: scenario{name: "create without the envelope", method: "POST", path: "/api/v2/organizations", who: "admin", status: 400,
			body: `{"name":"X"}`, want: `{"error":"InvalidParameter","description":"The request body needs a \"organization\" object"}`}},
		{scenario: scenario{name: "update", method: "PUT", path: "/api/v2/organizations/{org:acme}.json", who: "admin", status: 200,
			body:   `{"organization":{"notes":"renewed","tags":["renewed"],"organization_fields":{"seats":null,"region":"emea"},"external_id":null}}`,
			golden: "update_organization"},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				o := storedOrg(t, e, f.ids["org:acme"])
				if !cmp.Equal(o.Fields, map[string]any{"tier": "gold", "region": "emea"}) || o.ExternalID != "" || o.Notes != "renewed" {
					t.Errorf("stored organization = %+v", o)
				}
			}},
		{scenario: scenario{name: "update to a taken name", method: "PUT", path: "/api/v2/organizations/{org:gamma}", who: "admin", status: 422,
			body: `{"organization":{"name":"beta partners"}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"name":[{"description":"Name: beta partners has already been taken","error":"DuplicateValue"}]}}`}},
		{scenario: scenario{name: "update the case of its own name", method: "PUT", path: "/api/v2/organizations/{org:gamma}", who: "admin", status: 200,
			body: `{"organization":{"name":"GAMMA"}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if o := storedOrg(t, e, f.ids["org:gamma"]); o.Name != "GAMMA" {
					t.Errorf("name = %q", o.Name)
				}
			}},
		{scenario: scenario{name: "update by an agent", method: "PUT", path: "/api/v2/organizations/{org:acme}", who: "agent", status: 403,
			body: `{"organization":{"notes":"x"}}`, want: forbiddenBody}},
		{scenario: scenario{name: "update of another realm", method: "PUT", path: "/api/v2/organizations/{org:beta}", who: "admin", status: 404,
			body: `{"organization":{"notes":"x"}}`, want: notFound}},
		{scenario: scenario{name: "create or update by external id", method: "POST", path: "/api/v2/organizations/create_or_update.json", who: "admin", status: 200,
			body:    `{"organization":{"external_id":"acme-1","name":"Acme Renamed"}}`,
			headers: map[string]string{"Location": "{base}/api/v2/organizations/{org:acme}.json"}},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if o := storedOrg(t, e, f.ids["org:acme"]); o.Name != "Acme Renamed" || o.ExternalID != "acme-1" {
					t.Errorf("stored organization = %+v", o)
				}
			}},
		{scenario: scenario{name: "create or update by id", method: "POST", path: "/api/v2/organizations/create_or_update", who: "admin", status: 200,
			body: `{"organization":{"id":{org:gamma},"notes":"by id"}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if o := storedOrg(t, e, f.ids["org:gamma"]); o.Notes != "by id" {
					t.Errorf("stored organization = %+v", o)
				}
			}},
		{scenario: scenario{name: "create or update creates", method: "POST", path: "/api/v2/organizations/create_or_update", who: "admin", status: 201,
			body: `{"organization":{"id":{org:beta},"external_id":"new-1","name":"Newco"}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if n := orgCount(t, e); n != 4 {
					t.Errorf("organizations = %d, want 4", n)
				}
				if storedOrg(t, e, f.ids["org:beta"]) != nil {
					t.Errorf("beta's organization showed through acme")
				}
			}},
		{scenario: scenario{name: "delete", method: "DELETE", path: "/api/v2/organizations/{org:acme}.json", who: "admin", status: 204},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if storedOrg(t, e, f.ids["org:acme"]) != nil || orgCount(t, e) != 2 {
					t.Errorf("organization still there, or count %d", orgCount(t, e))
				}
				// The customer's other membership becomes her default; the
				// agent has none left.
				wantMemberships(t, e, "customer", "Beta Partners*")
				wantUserOrg(t, e, "customer", f.ids["org:partners"])
				wantMemberships(t, e, "agent")
				wantUserOrg(t, e, "agent", 0)
			}},
		{scenario: scenario{name: "delete by an agent", method: "DELETE", path: "/api/v2/organizations/{org:acme}", who: "agent", status: 403, want: forbiddenBody},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if storedOrg(t, e, f.ids["org:acme"]) == nil {
					t.Error("organization deleted")
				}
			}},
		{scenario: scenario{name: "delete of another realm", method: "DELETE", path: "/api/v2/organizations/{org:beta}", who: "admin", status: 404, want: notFound},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if _, err := e.store.OrganizationByID(context.Background(), e.beta.ID, f.ids["org:beta"]); err != nil {
					t.Errorf("beta's organization: %v", err)
				}
			}},
		{scenario: scenario{name: "delete twice", method: "DELETE", path: "/api/v2/organizations/999999", who: "admin", status: 404, want: notFound}},
	})
}

func TestOrganizationMemberships(t *testing.T) {
	runOrgs(t, []orgScenario{
		{scenario: scenario{name: "list all", method: "GET", path: "/api/v2/organization_memberships.json", who: "agent", status: 200,
			golden: "list_organization_memberships"}},
		{scenario: scenario{name: "list all by cursor", method: "GET", path: "/api/v2/organization_memberships?page%5Bsize%5D=2", who: "agent", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				body := res.json(t)
				if got := listedIDs(t, res, "organization_memberships"); !cmp.Equal(got, []int64{f.ids["m:customer-acme"], f.ids["m:customer-partners"]}) ||
					body["meta"].(map[string]any)["has_more"] != true {
					t.Errorf("first page = %s", res.body)
				}
			}},
		{scenario: scenario{name: "list by user", method: "GET", path: "/api/v2/users/{customer}/organization_memberships.json", who: "agent", status: 200,
			golden: "user_organization_memberships"}},
		{scenario: scenario{name: "list by user, query form", method: "GET", path: "/api/v2/organization_memberships.json?user_id={agent}", who: "agent", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if got := listedIDs(t, res, "organization_memberships"); !cmp.Equal(got, []int64{f.ids["m:agent-acme"]}) {
					t.Errorf("memberships of the agent = %s", res.body)
				}
			}},
		{scenario: scenario{name: "list by organization", method: "GET", path: "/api/v2/organizations/{org:acme}/organization_memberships", who: "agent", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if got := listedIDs(t, res, "organization_memberships"); !cmp.Equal(got, []int64{f.ids["m:customer-acme"], f.ids["m:agent-acme"]}) || res.json(t)["count"] != 2.0 {
					t.Errorf("memberships of acme = %s", res.body)
				}
			}},
		{scenario: scenario{name: "list by user of another realm", method: "GET", path: "/api/v2/users/{beta-customer}/organization_memberships", who: "admin", status: 404, want: notFound}},
		{scenario: scenario{name: "list by organization of another realm", method: "GET", path: "/api/v2/organizations/{org:beta}/organization_memberships", who: "admin", status: 404, want: notFound}},
		{scenario: scenario{name: "list as end user", method: "GET", path: "/api/v2/organization_memberships", who: "customer", status: 403, want: forbiddenBody}},
		{scenario: scenario{name: "show", method: "GET", path: "/api/v2/organization_memberships/{m:customer-partners}.json", who: "agent", status: 200,
			golden: "show_organization_membership"}},
		{scenario: scenario{name: "show by user", method: "GET", path: "/api/v2/users/{customer}/organization_memberships/{m:customer-acme}", who: "agent", status: 200}},
		{scenario: scenario{name: "show by the wrong user", method: "GET", path: "/api/v2/users/{agent}/organization_memberships/{m:customer-acme}", who: "agent", status: 404, want: notFound}},
		{scenario: scenario{name: "show of another realm", method: "GET", path: "/api/v2/organization_memberships/{m:beta}", who: "admin", status: 404, want: notFound}},
		{scenario: scenario{name: "create", method: "POST", path: "/api/v2/organization_memberships.json", who: "admin", status: 201,
			body:   `{"organization_membership":{"user_id":{admin},"organization_id":{org:gamma},"default":false,"organization_name":""}}`,
			golden: "create_organization_membership"},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "admin", "Gamma*")
				wantUserOrg(t, e, "admin", f.ids["org:gamma"])
			}},
		{scenario: scenario{name: "create as default", method: "POST", path: "/api/v2/users/{customer}/organization_memberships", who: "agent", status: 201,
			body: `{"organization_membership":{"organization_id":{org:gamma},"default":true}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer", "Gamma*", "Acme Corp", "Beta Partners")
				wantUserOrg(t, e, "customer", f.ids["org:gamma"])
			}},
		{scenario: scenario{name: "create a second time", method: "POST", path: "/api/v2/organization_memberships", who: "admin", status: 422,
			body: `{"organization_membership":{"user_id":{customer},"organization_id":{org:acme}}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"user_id":[{"description":"User id: is already a member of Acme Corp","error":"DuplicateValue"}]}}`}},
		{scenario: scenario{name: "create in another realm's organization", method: "POST", path: "/api/v2/organization_memberships", who: "admin", status: 422,
			body: `{"organization_membership":{"user_id":{admin},"organization_id":{org:beta}}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"organization_id":[{"description":"Organization id: is not an organization of this account","error":"InvalidValue"}]}}`}},
		{scenario: scenario{name: "create for another realm's user", method: "POST", path: "/api/v2/organization_memberships", who: "admin", status: 422,
			body: `{"organization_membership":{"user_id":{beta-customer},"organization_id":{org:gamma}}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"user_id":[{"description":"User id: is not a user of this account","error":"InvalidValue"}]}}`}},
		{scenario: scenario{name: "create on a path user of another realm", method: "POST", path: "/api/v2/users/{beta-customer}/organization_memberships", who: "admin", status: 404,
			body: `{"organization_membership":{"organization_id":{org:gamma}}}`, want: notFound}},
		{scenario: scenario{name: "create without ids", method: "POST", path: "/api/v2/organization_memberships", who: "admin", status: 422,
			body: `{"organization_membership":{}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{
				"organization_id":[{"description":"Organization id: cannot be blank","error":"BlankValue"}],
				"user_id":[{"description":"User id: cannot be blank","error":"BlankValue"}]}}`}},
		{scenario: scenario{name: "agent adds an admin", method: "POST", path: "/api/v2/organization_memberships", who: "agent", status: 403,
			body: `{"organization_membership":{"user_id":{admin},"organization_id":{org:gamma}}}`, want: forbiddenBody}},
		{scenario: scenario{name: "end user adds themself", method: "POST", path: "/api/v2/organization_memberships", who: "customer", status: 403,
			body: `{"organization_membership":{"user_id":{customer},"organization_id":{org:gamma}}}`, want: forbiddenBody}},
		{scenario: scenario{name: "delete the default", method: "DELETE", path: "/api/v2/organization_memberships/{m:customer-acme}.json", who: "agent", status: 204},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer", "Beta Partners*")
				wantUserOrg(t, e, "customer", f.ids["org:partners"])
			}},
		{scenario: scenario{name: "delete by user", method: "DELETE", path: "/api/v2/users/{agent}/organization_memberships/{m:agent-acme}", who: "admin", status: 204},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "agent")
				wantUserOrg(t, e, "agent", 0)
			}},
		{scenario: scenario{name: "delete by the wrong user", method: "DELETE", path: "/api/v2/users/{agent}/organization_memberships/{m:customer-acme}", who: "admin", status: 404, want: notFound},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer", "Acme Corp*", "Beta Partners")
			}},
		{scenario: scenario{name: "delete of another realm", method: "DELETE", path: "/api/v2/organization_memberships/{m:beta}", who: "admin", status: 404, want: notFound}},
		{scenario: scenario{name: "unassign an organization", method: "DELETE", path: "/api/v2/users/{customer}/organizations/{org:partners}.json", who: "agent", status: 204},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer", "Acme Corp*")
			}},
		{scenario: scenario{name: "unassign an organization not joined", method: "DELETE", path: "/api/v2/users/{customer}/organizations/{org:gamma}", who: "agent", status: 404, want: notFound}},
		{scenario: scenario{name: "make default", method: "PUT", path: "/api/v2/users/{customer}/organization_memberships/{m:customer-partners}/make_default.json", who: "agent", status: 200,
			golden: "make_default_organization_membership"},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer", "Beta Partners*", "Acme Corp")
				wantUserOrg(t, e, "customer", f.ids["org:partners"])
			}},
		{scenario: scenario{name: "make default by organization", method: "PUT", path: "/api/v2/users/{customer}/organizations/{org:partners}/make_default", who: "agent", status: 200,
			body: `null`, golden: "make_default_organization"},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantUserOrg(t, e, "customer", f.ids["org:partners"])
			}},
		{scenario: scenario{name: "make default for the wrong user", method: "PUT", path: "/api/v2/users/{agent}/organization_memberships/{m:customer-partners}/make_default", who: "admin", status: 404, want: notFound}},
		{scenario: scenario{name: "make default of another realm", method: "PUT", path: "/api/v2/users/{beta-customer}/organizations/{org:beta}/make_default", who: "admin", status: 404, want: notFound}},
	})
}

// TestUserOrganizationID checks the user side: organization_id on create
// and update follows seed 003, and a deleted user leaves its
// organizations.
func TestUserOrganizationID(t *testing.T) {
	runOrgs(t, []orgScenario{
		{scenario: scenario{name: "create with an organization", method: "POST", path: "/api/v2/users", who: "agent", status: 201,
			body: `{"user":{"name":"New","organization_id":{org:gamma}}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				u := res.json(t)["user"].(map[string]any)
				if u["organization_id"] != float64(f.ids["org:gamma"]) {
					t.Errorf("organization_id = %v", u["organization_id"])
				}
				ms, _ := e.store.ListMemberships(context.Background(), e.acme.ID, directory.MembershipFilter{UserID: int64(u["id"].(float64))}, directory.Page{Limit: 10})
				if len(ms) != 1 || !ms[0].Default || ms[0].OrganizationID != f.ids["org:gamma"] {
					t.Errorf("memberships = %+v", ms)
				}
			}},
		{scenario: scenario{name: "create with another realm's organization", method: "POST", path: "/api/v2/users", who: "agent", status: 422,
			body: `{"user":{"name":"New","organization_id":{org:beta}}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"organization_id":[{"description":"Organization id: is not an organization of this account","error":"InvalidValue"}]}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) { wantCount(3)(t, e, res) }},
		{scenario: scenario{name: "update sets the only organization", method: "PUT", path: "/api/v2/users/{customer}", who: "agent", status: 200,
			body: `{"user":{"organization_id":{org:gamma}}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				if got := res.json(t)["user"].(map[string]any)["organization_id"]; got != float64(f.ids["org:gamma"]) {
					t.Errorf("organization_id = %v", got)
				}
				wantMemberships(t, e, "customer", "Gamma*")
			}},
		{scenario: scenario{name: "update to a member organization drops the others", method: "PUT", path: "/api/v2/users/{customer}", who: "agent", status: 200,
			body: `{"user":{"organization_id":{org:partners}}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer", "Beta Partners*")
				wantUserOrg(t, e, "customer", f.ids["org:partners"])
			}},
		{scenario: scenario{name: "update with null leaves every organization", method: "PUT", path: "/api/v2/users/{customer}", who: "agent", status: 200,
			body: `{"user":{"organization_id":null}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer")
				wantUserOrg(t, e, "customer", 0)
			}},
		{scenario: scenario{name: "update without organization_id keeps them", method: "PUT", path: "/api/v2/users/{customer}", who: "agent", status: 200,
			body: `{"user":{"notes":"x"}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer", "Acme Corp*", "Beta Partners")
			}},
		{scenario: scenario{name: "update with a missing organization", method: "PUT", path: "/api/v2/users/{customer}", who: "agent", status: 422,
			body: `{"user":{"organization_id":999999,"notes":"changed"}}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer", "Acme Corp*", "Beta Partners")
				if u := storedUser(t, e, e.users["customer"].ID); u.Notes != "" {
					t.Errorf("notes changed to %q", u.Notes)
				}
			}},
		{scenario: scenario{name: "delete leaves the organizations", method: "DELETE", path: "/api/v2/users/{customer}", who: "admin", status: 200},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				wantMemberships(t, e, "customer")
				if got := res.json(t)["user"].(map[string]any)["organization_id"]; got != nil {
					t.Errorf("deleted user's organization_id = %v", got)
				}
				n, err := e.store.CountOrganizationUsers(context.Background(), e.acme.ID, f.ids["org:acme"], nil)
				if err != nil || n != 1 {
					t.Errorf("acme's users = %d, %v; want 1", n, err)
				}
			}},
	})
}

// TestOrganizationJobs runs the organization and membership bulk
// endpoints through the job runner, with items that fail alone.
func TestOrganizationJobs(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		f := newOrgFixture(e)
		x := func(s string) string { return f.expand(e, s) }
		submitAndRun := func(method, path, body, golden string) map[string]any {
			t.Helper()
			id, _ := e.submit(method, x(path), "admin", x(body))
			e.runJobs(1)
			js, res := e.jobStatus(id)
			e.jobGolden(golden, res.body, id)
			return js
		}

		submitAndRun("POST", "/api/v2/organizations/create_many.json", `{"organizations":[
			{"name":"Delta","tags":["a b"]},{"name":"acme corp"},{"name":5},"nope"]}`, "job_create_many_organizations")
		if n := orgCount(t, e); n != 4 {
			t.Errorf("organizations after create_many = %d, want 4", n)
		}
		if o, err := e.store.OrganizationByName(context.Background(), e.acme.ID, "delta"); err != nil || !cmp.Equal(o.Tags, []string{"a_b"}) {
			t.Errorf("Delta = %+v, %v", o, err)
		}

		submitAndRun("PUT", "/api/v2/organizations/update_many?ids={org:acme},{org:beta},{org:gamma}", `{"organization":{"notes":"bulk"}}`,
			"job_update_many_organizations")
		if o := storedOrg(t, e, f.ids["org:gamma"]); o.Notes != "bulk" {
			t.Errorf("gamma's notes = %q", o.Notes)
		}
		if o, _ := e.store.OrganizationByID(context.Background(), e.beta.ID, f.ids["org:beta"]); o.Notes != "" {
			t.Errorf("beta's organization changed: %+v", o)
		}

		submitAndRun("PUT", "/api/v2/organizations/update_many", `{"organizations":[
			{"id":{org:gamma},"name":"Beta Partners"},{"external_id":"G-1","details":"by external id"},{"external_id":"none"},{"notes":"x"}]}`,
			"job_update_many_organizations_list")
		if o := storedOrg(t, e, f.ids["org:gamma"]); o.Name != "Gamma" || o.Details != "by external id" {
			t.Errorf("gamma = %+v", o)
		}

		submitAndRun("DELETE", "/api/v2/organizations/destroy_many?ids={org:acme},{org:beta},999999", "", "job_destroy_many_organizations")
		if storedOrg(t, e, f.ids["org:acme"]) != nil {
			t.Error("acme still stored")
		}
		wantMemberships(t, e, "customer", "Beta Partners*")
		wantMemberships(t, e, "agent")

		submitAndRun("POST", "/api/v2/organization_memberships/create_many", `{"organization_memberships":[
			{"user_id":{agent},"organization_id":{org:gamma}},{"user_id":{customer},"organization_id":{org:partners}},
			{"user_id":{beta-customer},"organization_id":{org:gamma}},{"user_id":{customer},"organization_id":{org:gamma},"default":true}]}`,
			"job_create_many_organization_memberships")
		wantMemberships(t, e, "agent", "Gamma*")
		wantMemberships(t, e, "customer", "Gamma*", "Beta Partners")

		submitAndRun("DELETE", "/api/v2/organization_memberships/destroy_many?ids={m:customer-partners},{m:beta}", "",
			"job_destroy_many_organization_memberships")
		wantMemberships(t, e, "customer", "Gamma*")
		if _, err := e.store.MembershipByID(context.Background(), e.beta.ID, f.ids["m:beta"]); err != nil {
			t.Errorf("beta's membership: %v", err)
		}
	})
}

func TestOrganizationBulkRequestErrors(t *testing.T) {
	many := func(key, item string, n int) string {
		return `{"` + key + `":[` + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + `]}`
	}
	nothingQueued := func(t *testing.T, e *env, f *orgFixture, _ response) {
		t.Helper()
		if jobs := storedJobs(t, e); len(jobs) != 0 {
			t.Errorf("jobs stored: %v", jobs)
		}
	}
	runOrgs(t, []orgScenario{
		{scenario: scenario{name: "create_many 101", method: "POST", path: "/api/v2/organizations/create_many", who: "admin",
			body: many("organizations", `{"name":"x"}`, 101), status: 400,
			want: `{"error":"TooManyValues","description":"Maximum 100 organizations may be created per call"}`}, check: nothingQueued},
		{scenario: scenario{name: "destroy_many 101", method: "DELETE", path: "/api/v2/organizations/destroy_many?ids=" + idList(101), who: "admin", status: 400,
			want: `{"error":"TooManyValues","description":"Maximum 100 organizations may be deleted per call"}`}, check: nothingQueued},
		{scenario: scenario{name: "memberships create_many 101", method: "POST", path: "/api/v2/organization_memberships/create_many", who: "admin",
			body: many("organization_memberships", `{"user_id":1,"organization_id":1}`, 101), status: 400,
			want: `{"error":"TooManyValues","description":"Maximum 100 organization memberships may be created per call"}`}, check: nothingQueued},
		{scenario: scenario{name: "memberships destroy_many without ids", method: "DELETE", path: "/api/v2/organization_memberships/destroy_many", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"Send ids"}`}, check: nothingQueued},
		{scenario: scenario{name: "update_many without a list", method: "PUT", path: "/api/v2/organizations/update_many", who: "admin", status: 400,
			body: `{"organization":{}}`, want: `{"error":"InvalidParameter","description":"The request body needs a \"organizations\" array"}`}, check: nothingQueued},
		{scenario: scenario{name: "update_many bad id", method: "PUT", path: "/api/v2/organizations/update_many?ids=x", who: "admin", status: 400,
			body: `{"organization":{}}`, want: `{"error":"InvalidParameter","description":"ids must be comma-separated organization ids, got \"x\""}`}, check: nothingQueued},
		{scenario: scenario{name: "end user create_many", method: "POST", path: "/api/v2/organizations/create_many", who: "customer", status: 403,
			body: `{"organizations":[{"name":"x"}]}`, want: forbiddenBody}, check: nothingQueued},
		{scenario: scenario{name: "agent create_many: items refused", method: "POST", path: "/api/v2/organizations/create_many", who: "agent", status: 200,
			body: `{"organizations":[{"name":"x"}]}`},
			check: func(t *testing.T, e *env, f *orgFixture, res response) {
				e.runJobs(1)
				js, _ := e.jobStatus(res.json(t)["job_status"].(map[string]any)["id"].(string))
				results := js["results"].([]any)
				if len(results) != 1 || results[0].(map[string]any)["error"] != "PermissionDenied" || orgCount(t, e) != 3 {
					t.Errorf("agent's job = %v, organizations %d", js, orgCount(t, e))
				}
			}},
	})
}

// TestUserJobsSetOrganizations checks that users bulk jobs set
// organization_id as the single-user endpoints do.
func TestUserJobsSetOrganizations(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		f := newOrgFixture(e)
		x := func(s string) string { return f.expand(e, s) }
		id, _ := e.submit("POST", "/api/v2/users/create_many", "admin", x(`{"users":[
			{"name":"Joiner","email":"joiner@acme.test","organization_id":{org:gamma}},{"name":"Lost","organization_id":{org:beta}}]}`))
		e.runJobs(1)
		js, _ := e.jobStatus(id)
		if results := js["results"].([]any); len(results) != 2 || results[1].(map[string]any)["details"] !=
			"Organization id: is not an organization of this account" {
			t.Errorf("create_many users with organizations = %v", results)
		}
		joiner, err := e.store.UserByIdentity(context.Background(), e.acme.ID, directory.IdentityEmail, "joiner@acme.test")
		if err != nil || joiner.OrganizationID != f.ids["org:gamma"] {
			t.Fatalf("joiner = %+v, %v", joiner, err)
		}
		e.users["joiner"] = joiner
		wantMemberships(t, e, "joiner", "Gamma*")
		e.submit("PUT", x("/api/v2/users/update_many?ids={customer},{joiner}"), "admin", x(`{"user":{"organization_id":{org:partners}}}`))
		e.runJobs(1)
		wantMemberships(t, e, "customer", "Beta Partners*")
		wantMemberships(t, e, "joiner", "Beta Partners*")
		e.submit("DELETE", x("/api/v2/users/destroy_many?ids={joiner}"), "admin", "")
		e.runJobs(1)
		wantMemberships(t, e, "joiner")
		if n, err := e.store.CountOrganizationUsers(context.Background(), e.acme.ID, f.ids["org:partners"], nil); err != nil || n != 1 {
			t.Errorf("partners' users = %d, %v; want 1", n, err)
		}
	})
}

// TestOrganizationGroup checks that an organization's group_id names an
// active group of the realm.
func TestOrganizationGroup(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		res := e.do("POST", "/api/v2/groups", "admin", `{"group":{"name":"Support"}}`)
		if res.status != http.StatusCreated {
			t.Fatalf("create group: %d %s", res.status, res.body)
		}
		group := res.json(t)["group"].(map[string]any)["id"].(float64)
		other := e.do("POST", "/api/v2/groups", "beta-admin", `{"group":{"name":"Beta support"}}`).json(t)["group"].(map[string]any)["id"].(float64)
		res = e.do("POST", "/api/v2/organizations", "admin", fmt.Sprintf(`{"organization":{"name":"Acme","group_id":%v}}`, group))
		if res.status != http.StatusCreated || res.json(t)["organization"].(map[string]any)["group_id"] != group {
			t.Fatalf("create with a group: %d %s", res.status, res.body)
		}
		org := res.json(t)["organization"].(map[string]any)["id"].(float64)
		res = e.do("PUT", fmt.Sprintf("/api/v2/organizations/%v", org), "admin", fmt.Sprintf(`{"organization":{"group_id":%v}}`, other))
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("another realm's group: %d %s", res.status, res.body)
		}
		res = e.do("PUT", fmt.Sprintf("/api/v2/organizations/%v", org), "admin", `{"organization":{"group_id":null}}`)
		if res.status != http.StatusOK || res.json(t)["organization"].(map[string]any)["group_id"] != nil {
			t.Errorf("clearing the group: %d %s", res.status, res.body)
		}
	})
}
