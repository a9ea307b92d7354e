package zendesk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// runSetup runs scenarios as run does, after setup has prepared each
// fresh env. Paths and bodies may name identities as {user/type} (the
// primary identity of that type) or {user/type#n} (the nth of that type,
// from 1, in id order). GET scenarios change nothing, so they share one
// env per engine: a fresh PostgreSQL schema per scenario is what makes
// these tests slow. Other scenarios run in parallel, each on its own env.
func runSetup(t *testing.T, setup func(t *testing.T, e *env), scenarios []scenario) {
	eachEngine(t, func(t *testing.T, eng engine) {
		fresh := func(t *testing.T) *env {
			e := newEnv(t, eng, 0)
			if setup != nil {
				setup(t, e)
			}
			return e
		}
		var shared *env
		for _, sc := range scenarios {
			if sc.method == "GET" && shared == nil {
				shared = fresh(t)
			}
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				var e *env
				if sc.method == "GET" {
					e = shared
					e.t = t
				} else {
					// Writes get an env of their own, so they may run side
					// by side: most of their time is spent waiting on the
					// database.
					t.Parallel()
					e = fresh(t)
				}
				runScenario(t, e, sc)
			})
		}
	})
}

func runScenario(t *testing.T, e *env, sc scenario) {
	fill := placeholders(t, e)
	res := e.do(sc.method, fill(sc.path), sc.who, fill(sc.body))
	if res.status != sc.status {
		t.Fatalf("%s %s: status %d, want %d\n%s", sc.method, fill(sc.path), res.status, sc.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); len(res.body) > 0 && ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if ct := res.header.Get("Content-Type"); len(res.body) == 0 && ct != "" {
		t.Errorf("Content-Type %q on an empty body", ct)
	}
	for k, v := range sc.headers {
		if got, want := res.header.Get(k), strings.ReplaceAll(fill(v), "{base}", e.srv.URL); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if sc.golden != "" {
		e.golden(sc.golden, res.body)
	}
	if sc.want != "" {
		jsonEqual(t, res.body, strings.ReplaceAll(fill(sc.want), "{base}", e.srv.URL))
	}
	if sc.check != nil {
		sc.check(t, e, res)
	}
}

// placeholders returns a function that replaces {user} and {user/type#n}
// with ids.
func placeholders(t *testing.T, e *env) func(string) string {
	t.Helper()
	var pairs []string
	for name, u := range e.users {
		pairs = append(pairs, "{"+name+"}", fmt.Sprint(u.ID))
		realmID := e.acme.ID
		if strings.HasPrefix(name, "beta") {
			realmID = e.beta.ID
		}
		ids, err := e.store.IdentitiesByUser(context.Background(), realmID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, id := range ids {
			if id.Primary {
				pairs = append(pairs, "{"+name+"/"+id.Type+"}", fmt.Sprint(id.ID))
			}
		}
		byID := append([]directory.Identity(nil), ids...)
		for i := range byID {
			for j := i + 1; j < len(byID); j++ {
				if byID[j].ID < byID[i].ID {
					byID[i], byID[j] = byID[j], byID[i]
				}
			}
		}
		for _, id := range byID {
			n[id.Type]++
			pairs = append(pairs, fmt.Sprintf("{%s/%s#%d}", name, id.Type, n[id.Type]), fmt.Sprint(id.ID))
		}
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}

// identitiesOf reads the stored identities of a user of acme as
// "type:value" strings, primary ones marked with a *.
func identitiesOf(t *testing.T, e *env, name string) []string {
	t.Helper()
	ids, err := e.store.IdentitiesByUser(context.Background(), e.acme.ID, e.users[name].ID)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, id := range ids {
		s := id.Type + ":" + id.Value
		if id.Primary {
			s += "*"
		}
		if id.Verified {
			s += "(v)"
		}
		out = append(out, s)
	}
	return out
}

func wantIdentities(name string, want ...string) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		got := identitiesOf(t, e, name)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("stored identities of %s = %v, want %v", name, got, want)
		}
	}
}

// wantUser checks the stored email, phone and verified flag of a user of
// acme.
func wantUser(name, email, phone string, verified bool) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		u := storedUser(t, e, e.users[name].ID)
		if u.Email != email || u.Phone != phone || u.Verified != verified {
			t.Errorf("stored %s: email %q phone %q verified %v; want %q %q %v", name, u.Email, u.Phone, u.Verified, email, phone, verified)
		}
	}
}

func both(checks ...func(*testing.T, *env, response)) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		for _, c := range checks {
			c(t, e, res)
		}
	}
}

// secondaryEmail gives the customer a second, unverified email.
func secondaryEmail(t *testing.T, e *env) {
	t.Helper()
	_, err := e.svc.CreateIdentity(context.Background(), directory.Operator(e.acme.ID), e.users["customer"].ID,
		directory.NewIdentity{Type: "email", Value: "carla.work@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
}

// verifiedCustomer verifies the customer's email, so that she may use the
// end-user identity endpoints, and gives her a second email.
func verifiedCustomer(t *testing.T, e *env) {
	t.Helper()
	c := e.users["customer"]
	ids, err := e.store.IdentitiesByUser(context.Background(), e.acme.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.VerifyIdentity(context.Background(), directory.Operator(e.acme.ID), c.ID, ids[0].ID); err != nil {
		t.Fatal(err)
	}
	secondaryEmail(t, e)
}

const customerIDs = "email:carla@acme.test* phone_number:+15551234567*"

func TestUserIdentities(t *testing.T) {
	dup := func(field, value string) string {
		return `{"error":"RecordInvalid","description":"Record validation errors","details":{"` + field +
			`":[{"description":"Value: ` + value + `","error":"DuplicateValue"}]}}`
	}
	runSetup(t, secondaryEmail, []scenario{
		{name: "list", method: "GET", path: "/api/v2/users/{customer}/identities.json", who: "admin", status: 200, golden: "list_identities"},
		{name: "list by agent without .json", method: "GET", path: "/api/v2/users/{customer}/identities", who: "agent", status: 200, golden: "list_identities"},
		{name: "list by type", method: "GET", path: "/api/v2/users/{customer}/identities.json?type[]=phone_number", who: "admin", status: 200, golden: "list_identities_phone"},
		{name: "list by two types", method: "GET", path: "/api/v2/users/{customer}/identities.json?type%5B%5D=phone_number&type%5B%5D=email", who: "admin", status: 200, golden: "list_identities"},
		{name: "list by unknown type", method: "GET", path: "/api/v2/users/{customer}/identities.json?type[]=pigeon", who: "admin", status: 400},
		{name: "list offset page 2", method: "GET", path: "/api/v2/users/{customer}/identities.json?per_page=2&page=2", who: "admin", status: 200, golden: "list_identities_page2"},
		{name: "list cursor", method: "GET", path: "/api/v2/users/{customer}/identities.json?page[size]=2", who: "admin", status: 200, golden: "list_identities_cursor"},
		// The cursors name identity ids 4 (the customer's phone) and 7
		// (the secondary email), the same on both engines.
		{name: "list cursor after", method: "GET", path: "/api/v2/users/{customer}/identities.json?page[size]=2&page[after]=eyJvIjoiaWQiLCJ2Ijo0fQ%3D%3D", who: "admin",
			status: 200, check: wantPage(`"carla.work@acme.test"`, false, true, false)},
		{name: "list cursor before", method: "GET", path: "/api/v2/users/{customer}/identities.json?page[size]=2&page[before]=eyJvIjoiaWQiLCJ2Ijo3fQ%3D%3D", who: "admin",
			status: 200, check: wantPage(`"carla@acme.test" "+15551234567"`, false, false, true)},
		{name: "list cursor descending", method: "GET", path: "/api/v2/users/{customer}/identities.json?page[size]=2&sort=-id", who: "admin",
			status: 200, check: wantPage(`"carla.work@acme.test" "+15551234567"`, true, false, true)},
		{name: "list of a missing user", method: "GET", path: "/api/v2/users/999999/identities", who: "admin", status: 404, want: notFound},
		{name: "list of another realm's user", method: "GET", path: "/api/v2/users/{beta-customer}/identities", who: "admin", status: 404, want: notFound},
		{name: "list across realms", method: "GET", path: "/api/v2/users/{customer}/identities", who: "beta-admin", status: 404, want: notFound},
		{name: "list unauthenticated", method: "GET", path: "/api/v2/users/{customer}/identities", status: 401, want: unauthenticated},
		{name: "list by an unverified end user", method: "GET", path: "/api/v2/end_users/{customer}/identities", who: "customer", status: 403, want: forbiddenBody},
		{name: "show", method: "GET", path: "/api/v2/users/{customer}/identities/{customer/email}.json", who: "agent", status: 200, golden: "show_identity"},
		{name: "show phone", method: "GET", path: "/api/v2/users/{customer}/identities/{customer/phone_number}", who: "agent", status: 200, golden: "show_identity_phone"},
		{name: "show under the wrong user", method: "GET", path: "/api/v2/users/{agent}/identities/{customer/email}", who: "admin", status: 404, want: notFound},
		{name: "show across realms", method: "GET", path: "/api/v2/users/{beta-customer}/identities/{beta-customer/email}", who: "admin", status: 404, want: notFound},
		{name: "show non-numeric", method: "GET", path: "/api/v2/users/{customer}/identities/abc", who: "admin", status: 404},

		{name: "create", method: "POST", path: "/api/v2/users/{customer}/identities.json", who: "agent",
			body: `{"identity":{"type":"email","value":" Carla.Home@Example.COM "}}`, status: 201, golden: "create_identity",
			check: both(wantSearch("email:carla.home@example.com", 1), wantIdentities("customer", "email:carla@acme.test*", "phone_number:+15551234567*", "email:carla.work@acme.test", "email:carla.home@example.com"),
				wantUser("customer", "carla@acme.test", "+15551234567", false))},
		{name: "create primary and verified", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"email","value":"carla@new.test","primary":true,"verified":true},"skip_verify_email":true}`, status: 201,
			check: both(wantIdentities("customer", "phone_number:+15551234567*", "email:carla@new.test*(v)", "email:carla@acme.test", "email:carla.work@acme.test"),
				wantUser("customer", "carla@new.test", "+15551234567", true))},
		{name: "create phone in E.164", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"phone_number","value":"+1 555-987-6543"}}`, status: 201, golden: "create_identity_phone",
			check: wantUser("customer", "carla@acme.test", "+15551234567", false)},
		{name: "create the first phone of a user", method: "POST", path: "/api/v2/users/{agent}/identities", who: "admin",
			body: `{"identity":{"type":"phone_number","value":"+442071838750"}}`, status: 201,
			check: both(wantIdentities("agent", "email:agent@acme.test*(v)", "phone_number:+442071838750*"), wantUser("agent", "agent@acme.test", "+442071838750", true))},
		{name: "create twitter", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"twitter","value":"carla_c"}}`, status: 201, golden: "create_identity_twitter"},
		{name: "create agent forwarding", method: "POST", path: "/api/v2/users/{agent}/identities", who: "agent",
			body: `{"identity":{"type":"agent_forwarding","value":"+1 555 123 0000"}}`, status: 201,
			check: wantIdentities("agent", "email:agent@acme.test*(v)", "agent_forwarding:+15551230000*")},
		{name: "create a value another user has", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"email","value":"ADMIN@acme.test"}}`, status: 422, want: dup("value", "admin@acme.test is already being used by another user"),
			check: wantIdentities("customer", "email:carla@acme.test*", "phone_number:+15551234567*", "email:carla.work@acme.test")},
		{name: "create a value the user has", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"phone_number","value":"+15551234567"}}`, status: 422, want: dup("value", "+15551234567 has already been taken")},
		{name: "create a value only another realm has", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"email","value":"admin@beta.test"}}`, status: 201},
		{name: "create with a bad email", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"email","value":"not an email"}}`, status: 422, golden: "create_identity_bad_email"},
		{name: "create with a bad phone", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"phone_number","value":"5551234"}}`, status: 422},
		{name: "create with an unknown type", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"pigeon","value":"coo"}}`, status: 422, golden: "create_identity_bad_type"},
		{name: "create without a type", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"value":"x@y.test"}}`, status: 422},
		{name: "create with a wrong JSON type", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":{"type":"email","value":5}}`, status: 422},
		{name: "create without envelope", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"type":"email","value":"x@y.test"}`, status: 400},
		{name: "create with broken JSON", method: "POST", path: "/api/v2/users/{customer}/identities", who: "admin",
			body: `{"identity":`, status: 400},
		{name: "create for an admin by an agent", method: "POST", path: "/api/v2/users/{admin}/identities", who: "agent",
			body: `{"identity":{"type":"email","value":"x@y.test"}}`, status: 403, want: forbiddenBody,
			check: wantIdentities("admin", "email:admin@acme.test*(v)")},
		{name: "create for another realm's user", method: "POST", path: "/api/v2/users/{beta-customer}/identities", who: "admin",
			body: `{"identity":{"type":"email","value":"x@y.test"}}`, status: 404, want: notFound},

		{name: "update value", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email}", who: "agent",
			body: `{"identity":{"value":"Carla@Changed.test","primary":false}}`, status: 200, golden: "update_identity",
			check: both(wantIdentities("customer", "email:carla@changed.test*", "phone_number:+15551234567*", "email:carla.work@acme.test"),
				wantUser("customer", "carla@changed.test", "+15551234567", false))},
		{name: "update verified", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email#2}.json", who: "agent",
			body: `{"identity":{"verified":true}}`, status: 200,
			check: both(wantIdentities("customer", "email:carla@acme.test*", "phone_number:+15551234567*", "email:carla.work@acme.test(v)"),
				wantUser("customer", "carla@acme.test", "+15551234567", true))},
		{name: "update verification_method none", method: "PUT", path: "/api/v2/users/{admin}/identities/{admin/email}", who: "admin",
			body: `{"identity":{"verification_method":"none"}}`, status: 200,
			check: both(wantIdentities("admin", "email:admin@acme.test*"), wantUser("admin", "admin@acme.test", "", false))},
		{name: "update phone value", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/phone_number}", who: "agent",
			body: `{"identity":{"value":"+44 20 7183 8750"}}`, status: 200, check: wantUser("customer", "carla@acme.test", "+442071838750", false)},
		{name: "update to a taken value", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email}", who: "agent",
			body: `{"identity":{"value":"agent@acme.test"}}`, status: 422, want: dup("value", "agent@acme.test is already being used by another user"),
			check: wantUser("customer", "carla@acme.test", "+15551234567", false)},
		{name: "update to a bad value", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email}", who: "agent",
			body: `{"identity":{"value":"nope"}}`, status: 422},
		{name: "update across realms", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email}", who: "beta-admin",
			body: `{"identity":{"verified":true}}`, status: 404, want: notFound},

		{name: "make primary", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email#2}/make_primary.json", who: "agent",
			status: 200, golden: "make_primary_identity",
			check: both(wantSearch("carla.work", 1), wantSearch("email:carla.work@acme.test", 1), wantIdentities("customer", "phone_number:+15551234567*", "email:carla.work@acme.test*", "email:carla@acme.test"),
				wantUser("customer", "carla.work@acme.test", "+15551234567", false))},
		{name: "make primary the primary", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email}/make_primary", who: "agent",
			status: 200, check: wantIdentities("customer", customerIDs, "email:carla.work@acme.test")},
		{name: "make primary across realms", method: "PUT", path: "/api/v2/users/{beta-customer}/identities/{beta-customer/email}/make_primary", who: "admin",
			status: 404, want: notFound},
		{name: "verify", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email#2}/verify", who: "agent", status: 200, golden: "verify_identity",
			check: wantUser("customer", "carla@acme.test", "+15551234567", true)},
		{name: "request verification", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email}/request_verification.json", who: "agent",
			status: 200, check: func(t *testing.T, e *env, res response) {
				if len(res.body) != 0 {
					t.Errorf("body %q, want empty", res.body)
				}
			}},
		{name: "request verification of a missing identity", method: "PUT", path: "/api/v2/users/{customer}/identities/999999/request_verification", who: "agent",
			status: 404, want: notFound},

		{name: "delete the primary email", method: "DELETE", path: "/api/v2/users/{customer}/identities/{customer/email}.json", who: "agent", status: 204,
			check: both(wantIdentities("customer", "phone_number:+15551234567*", "email:carla.work@acme.test*"),
				wantUser("customer", "carla.work@acme.test", "+15551234567", false))},
		{name: "delete the only phone", method: "DELETE", path: "/api/v2/users/{customer}/identities/{customer/phone_number}", who: "agent", status: 204,
			check: both(wantIdentities("customer", "email:carla@acme.test*", "email:carla.work@acme.test"),
				wantUser("customer", "carla@acme.test", "", false))},
		{name: "delete the only email", method: "DELETE", path: "/api/v2/users/{agent}/identities/{agent/email}", who: "admin", status: 204,
			check: both(wantSearch("email:agent@acme.test", 0), wantIdentities("agent"), wantUser("agent", "", "", true))},
		{name: "delete twice", method: "DELETE", path: "/api/v2/users/{customer}/identities/999999", who: "agent", status: 404, want: notFound},
		{name: "delete across realms", method: "DELETE", path: "/api/v2/users/{customer}/identities/{customer/email}", who: "beta-admin", status: 404,
			check: wantIdentities("customer", customerIDs, "email:carla.work@acme.test")},
		{name: "delete by an end user", method: "DELETE", path: "/api/v2/users/{customer}/identities/{customer/email}", who: "customer", status: 403,
			check: wantIdentities("customer", customerIDs, "email:carla.work@acme.test")},
	})
}

func TestEndUserIdentities(t *testing.T) {
	runSetup(t, verifiedCustomer, []scenario{
		{name: "list own", method: "GET", path: "/api/v2/end_users/{customer}/identities.json", who: "customer", status: 200, golden: "end_user_list_identities"},
		{name: "list own through /users", method: "GET", path: "/api/v2/users/{customer}/identities.json", who: "customer", status: 200, golden: "end_user_list_identities"},
		{name: "list another user's", method: "GET", path: "/api/v2/end_users/{agent}/identities", who: "customer", status: 403, want: forbiddenBody},
		{name: "list another realm's", method: "GET", path: "/api/v2/end_users/{beta-customer}/identities", who: "customer", status: 403},
		{name: "show own", method: "GET", path: "/api/v2/end_users/{customer}/identities/{customer/phone_number}", who: "customer", status: 200, golden: "show_identity_phone"},
		{name: "create email", method: "POST", path: "/api/v2/end_users/{customer}/identities", who: "customer",
			body: `{"identity":{"type":"email","value":"carla@home.test"}}`, status: 201,
			check: wantIdentities("customer", "email:carla@acme.test*(v)", "phone_number:+15551234567*", "email:carla.work@acme.test", "email:carla@home.test")},
		{name: "create twitter", method: "POST", path: "/api/v2/end_users/{customer}/identities", who: "customer",
			body: `{"identity":{"type":"twitter","value":"carla"}}`, status: 422, golden: "end_user_create_identity_twitter"},
		{name: "create for another user", method: "POST", path: "/api/v2/end_users/{agent}/identities", who: "customer",
			body: `{"identity":{"type":"email","value":"carla@home.test"}}`, status: 403},
		{name: "make primary an unverified email", method: "PUT", path: "/api/v2/end_users/{customer}/identities/{customer/email#2}/make_primary", who: "customer",
			status: 422, check: wantUser("customer", "carla@acme.test", "+15551234567", true)},
		{name: "make primary a verified email", method: "PUT", path: "/api/v2/end_users/{customer}/identities/{customer/email}/make_primary", who: "customer",
			status: 200, golden: "end_user_make_primary_identity"},
		{name: "create verified and primary", method: "POST", path: "/api/v2/end_users/{customer}/identities", who: "customer",
			body: `{"identity":{"type":"email","value":"carla@home.test","verified":true,"primary":true}}`, status: 201,
			check: both(wantIdentities("customer", "email:carla@acme.test*(v)", "phone_number:+15551234567*", "email:carla.work@acme.test", "email:carla@home.test"),
				wantUser("customer", "carla@acme.test", "+15551234567", true))},
		{name: "verify own", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email#2}/verify", who: "customer",
			status: 403, want: forbiddenBody, check: wantIdentities("customer", "email:carla@acme.test*(v)", "phone_number:+15551234567*", "email:carla.work@acme.test")},
		{name: "update own", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email#2}", who: "customer",
			body: `{"identity":{"verified":true}}`, status: 403, want: forbiddenBody},
		{name: "request verification of own", method: "PUT", path: "/api/v2/users/{customer}/identities/{customer/email#2}/request_verification", who: "customer",
			status: 403, want: forbiddenBody},
		{name: "delete own", method: "DELETE", path: "/api/v2/users/{customer}/identities/{customer/email#2}", who: "customer",
			status: 403, want: forbiddenBody, check: wantIdentities("customer", "email:carla@acme.test*(v)", "phone_number:+15551234567*", "email:carla.work@acme.test")},
		{name: "make primary own phone", method: "PUT", path: "/api/v2/end_users/{customer}/identities/{customer/phone_number}/make_primary", who: "customer",
			status: 200},
		{name: "delete through the end-user path", method: "DELETE", path: "/api/v2/end_users/{customer}/identities/{customer/email}", who: "customer",
			status: 404, want: `{"error":"InvalidEndpoint","description":"Not found"}`},
	})
}

// adminOAuth gives the env an admin signed in with OAuth, for endpoints
// that refuse API tokens.
func adminOAuth(t *testing.T, e *env) {
	t.Helper()
	tok, err := auth.IssueAccessToken(context.Background(), e.store, e.acme.ID, e.users["admin"].ID, []string{"read", "write"}, time.Hour, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.creds["admin-oauth"] = "Bearer " + tok
}

// wantPage checks the values on a cursor page of identities, and whether
// it has more, a previous link and a next link.
func wantPage(values string, hasMore, prev, next bool) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, res response) {
		t.Helper()
		body := res.json(t)
		var got []string
		for _, id := range body["identities"].([]any) {
			got = append(got, fmt.Sprintf("%q", id.(map[string]any)["value"]))
		}
		meta := body["meta"].(map[string]any)
		links := body["links"].(map[string]any)
		if strings.Join(got, " ") != values || meta["has_more"] != hasMore || (links["prev"] != nil) != prev || (links["next"] != nil) != next {
			t.Errorf("page = %v has_more %v links %v; want %s, %v, prev %v next %v", got, meta["has_more"], links, values, hasMore, prev, next)
		}
	}
}

// wantSearch checks how many users of acme a users search finds.
func wantSearch(query string, n int) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		if got := searchCount(t, e, query); got != n {
			t.Errorf("search %q finds %d users, want %d", query, got, n)
		}
	}
}
