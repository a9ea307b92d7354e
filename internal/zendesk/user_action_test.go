package zendesk_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// withDupe adds an end user "dupe" to acme, with an email, a phone, a
// twitter handle and a password, and an admin signed in with OAuth.
func withDupe(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	e.users["dupe"] = e.mustCreate(e.acme, `{"name":"Carla Duplicate","email":"dupe@acme.test","phone":"+15550001111"}`)
	op := directory.Operator(e.acme.ID)
	if _, err := e.svc.CreateIdentity(ctx, op, e.users["dupe"].ID, directory.NewIdentity{Type: "twitter", Value: "carla_dupe", Verified: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetPassword(ctx, op, e.users["dupe"].ID, "dupe password 1", auth.Passwords); err != nil {
		t.Fatal(err)
	}
	e.users["bare"] = e.mustCreate(e.acme, `{"name":"Bare End User"}`)
	adminOAuth(t, e)
}

func wantActive(name string, active bool) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		if got := storedUser(t, e, e.users[name].ID).Active(); got != active {
			t.Errorf("%s active = %v, want %v", name, got, active)
		}
	}
}

const dupeIDs = "email:dupe@acme.test* phone_number:+15550001111* twitter:carla_dupe*(v)"

func TestMergeUsers(t *testing.T) {
	unchanged := both(wantActive("dupe", true), wantIdentities("dupe", strings.Fields(dupeIDs)...), wantIdentities("customer", strings.Fields(customerIDs)...))
	runSetup(t, withDupe, []scenario{
		{name: "merge", method: "PUT", path: "/api/v2/users/{dupe}/merge.json", who: "agent", body: `{"user":{"id":{customer}}}`,
			status: 200, golden: "merge_users",
			check: both(wantActive("dupe", false), wantIdentities("dupe"),
				wantIdentities("customer", "email:carla@acme.test*", "phone_number:+15551234567*", "twitter:carla_dupe*(v)", "email:dupe@acme.test", "phone_number:+15550001111"),
				wantUser("customer", "carla@acme.test", "+15551234567", true), wantCount(4),
				wantSearch("email:dupe@acme.test", 1), wantSearch("duplicate", 0),
				func(t *testing.T, e *env, _ response) {
					res := e.do("GET", fmt.Sprint("/api/v2/deleted_users/", e.users["dupe"].ID), "admin", "")
					if res.status != 200 {
						t.Errorf("merged user not among deleted users: %d", res.status)
					}
				})},
		{name: "merge into a user without email", method: "PUT", path: "/api/v2/users/{dupe}/merge", who: "admin", body: `{"user":{"id":{bare}}}`,
			status: 200, check: both(wantActive("dupe", false), wantUser("bare", "dupe@acme.test", "+15550001111", true),
				wantIdentities("bare", strings.Fields(dupeIDs)...))},
		{name: "merge into itself", method: "PUT", path: "/api/v2/users/{dupe}/merge", who: "admin", body: `{"user":{"id":{dupe}}}`,
			status: 422, check: unchanged},
		{name: "merge an agent", method: "PUT", path: "/api/v2/users/{agent}/merge", who: "admin", body: `{"user":{"id":{customer}}}`,
			status: 422, golden: "merge_users_agent", check: wantActive("agent", true)},
		{name: "merge into an admin", method: "PUT", path: "/api/v2/users/{dupe}/merge", who: "admin", body: `{"user":{"id":{admin}}}`,
			status: 422, check: unchanged},
		{name: "merge into a missing user", method: "PUT", path: "/api/v2/users/{dupe}/merge", who: "admin", body: `{"user":{"id":999999}}`,
			status: 404, want: notFound, check: unchanged},
		{name: "merge into another realm's user", method: "PUT", path: "/api/v2/users/{dupe}/merge", who: "admin", body: `{"user":{"id":{beta-customer}}}`,
			status: 404, want: notFound, check: unchanged},
		{name: "merge another realm's user", method: "PUT", path: "/api/v2/users/{beta-customer}/merge", who: "admin", body: `{"user":{"id":{customer}}}`,
			status: 404, want: notFound, check: unchanged},
		{name: "merge by an end user", method: "PUT", path: "/api/v2/users/{dupe}/merge", who: "customer", body: `{"user":{"id":{customer}}}`,
			status: 403, want: forbiddenBody, check: unchanged},
		{name: "merge without a target", method: "PUT", path: "/api/v2/users/{dupe}/merge", who: "admin", body: `{"user":{}}`,
			status: 422, check: unchanged},
		{name: "merge without envelope", method: "PUT", path: "/api/v2/users/{dupe}/merge", who: "admin", body: `{"id":1}`,
			status: 400, check: unchanged},

		{name: "merge self", method: "PUT", path: "/api/v2/users/me/merge.json", who: "customer",
			body: `{"user":{"email":"DUPE@acme.test","password":"dupe password 1"}}`, status: 200, golden: "merge_self",
			check: both(wantActive("customer", false), wantIdentities("customer"),
				wantIdentities("dupe", "email:dupe@acme.test*", "phone_number:+15550001111*", "twitter:carla_dupe*(v)", "email:carla@acme.test", "phone_number:+15551234567"))},
		{name: "merge self with a wrong password", method: "PUT", path: "/api/v2/users/me/merge", who: "customer",
			body: `{"user":{"email":"dupe@acme.test","password":"guess"}}`, status: 422, golden: "merge_self_wrong_password", check: unchanged},
		{name: "merge self with an unknown email", method: "PUT", path: "/api/v2/users/me/merge", who: "customer",
			body: `{"user":{"email":"nobody@acme.test","password":"dupe password 1"}}`, status: 422, golden: "merge_self_wrong_password", check: unchanged},
		{name: "merge self into another realm's user", method: "PUT", path: "/api/v2/users/me/merge", who: "customer",
			body: `{"user":{"email":"admin@beta.test","password":"dupe password 1"}}`, status: 422, check: unchanged},
		{name: "merge self as staff", method: "PUT", path: "/api/v2/users/me/merge", who: "admin",
			body: `{"user":{"email":"dupe@acme.test","password":"dupe password 1"}}`, status: 422, check: unchanged},
		{name: "merge self unauthenticated", method: "PUT", path: "/api/v2/users/me/merge", body: `{"user":{}}`, status: 401},
	})
}

func basicAuth(email, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
}

// wantPassword checks that the customer signs in with password and not
// with the old one.
func wantPassword(email, password, old string) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		if res := e.do("GET", "/api/v2/users/me", basicAuth(email, password), ""); res.status != 200 {
			t.Errorf("sign-in with the new password: %d", res.status)
		}
		if old != password {
			if res := e.do("GET", "/api/v2/users/me", basicAuth(email, old), ""); res.status != 401 {
				t.Errorf("sign-in with the old password: %d, want 401", res.status)
			}
		}
	}
}

func TestUserPasswords(t *testing.T) {
	const old = "correct horse battery"
	unchanged := wantPassword("carla@acme.test", old, old)
	empty := func(t *testing.T, e *env, res response) {
		if len(res.body) != 0 {
			t.Errorf("body %q, want empty", res.body)
		}
	}
	runSetup(t, withDupe, []scenario{
		{name: "set", method: "POST", path: "/api/v2/users/{customer}/password.json", who: "admin-oauth", body: `{"password":"a new secret"}`,
			status: 200, check: both(empty, wantPassword("carla@acme.test", "a new secret", old))},
		{name: "set a first password", method: "POST", path: "/api/v2/users/{agent}/password", who: "admin-oauth", body: `{"password":"agent secret"}`,
			status: 200, check: wantPassword("agent@acme.test", "agent secret", "agent secret")},
		{name: "set with an API token", method: "POST", path: "/api/v2/users/{customer}/password", who: "admin", body: `{"password":"a new secret"}`,
			status: 403, golden: "password_api_token", check: unchanged},
		{name: "set by an agent", method: "POST", path: "/api/v2/users/{customer}/password", who: "agent-oauth", body: `{"password":"a new secret"}`,
			status: 403, want: forbiddenBody, check: unchanged},
		{name: "set too short", method: "POST", path: "/api/v2/users/{customer}/password", who: "admin-oauth", body: `{"password":"short"}`,
			status: 422, golden: "password_too_short", check: unchanged},
		{name: "set the email as password", method: "POST", path: "/api/v2/users/{customer}/password", who: "admin-oauth", body: `{"password":"Carla@acme.test"}`,
			status: 422, check: unchanged},
		{name: "set without a password", method: "POST", path: "/api/v2/users/{customer}/password", who: "admin-oauth", body: `{}`,
			status: 422, check: unchanged},
		{name: "set for another realm's user", method: "POST", path: "/api/v2/users/{beta-customer}/password", who: "admin-oauth", body: `{"password":"a new secret"}`,
			status: 404, want: notFound},

		{name: "change own", method: "PUT", path: "/api/v2/users/{customer}/password.json", who: "customer",
			body: `{"previous_password":"` + old + `","password":"brand new pass"}`, status: 200,
			check: both(empty, wantPassword("carla@acme.test", "brand new pass", old))},
		{name: "change with a wrong previous password", method: "PUT", path: "/api/v2/users/{customer}/password", who: "customer",
			body: `{"previous_password":"wrong","password":"brand new pass"}`, status: 422, golden: "password_wrong_previous", check: unchanged},
		{name: "change without the previous password", method: "PUT", path: "/api/v2/users/{customer}/password", who: "customer",
			body: `{"password":"brand new pass"}`, status: 422, check: unchanged},
		{name: "change to a short one", method: "PUT", path: "/api/v2/users/{customer}/password", who: "customer",
			body: `{"previous_password":"` + old + `","password":"x"}`, status: 422, check: unchanged},
		{name: "change another user's", method: "PUT", path: "/api/v2/users/{dupe}/password", who: "customer",
			body: `{"previous_password":"dupe password 1","password":"brand new pass"}`, status: 403,
			check: wantPassword("dupe@acme.test", "dupe password 1", "dupe password 1")},
		{name: "change as admin another user's", method: "PUT", path: "/api/v2/users/{customer}/password", who: "admin-oauth",
			body: `{"previous_password":"` + old + `","password":"brand new pass"}`, status: 403, check: unchanged},

		{name: "requirements", method: "GET", path: "/api/v2/users/{customer}/password/requirements.json", who: "customer", status: 200, golden: "password_requirements"},
		{name: "requirements by an agent", method: "GET", path: "/api/v2/users/{customer}/password/requirements", who: "agent", status: 200, golden: "password_requirements"},
		{name: "requirements of another user", method: "GET", path: "/api/v2/users/{agent}/password/requirements", who: "customer", status: 403},
		{name: "requirements across realms", method: "GET", path: "/api/v2/users/{beta-customer}/password/requirements", who: "agent", status: 404, want: notFound},
	})
}

// withTokens gives acme's customer and beta's admin OAuth tokens, and the
// env an admin signed in with OAuth.
func withTokens(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	for name, realm := range map[string]*directory.Realm{"customer": e.acme, "beta-admin": e.beta} {
		tok, err := auth.IssueAccessToken(ctx, e.store, realm.ID, e.users[name].ID, []string{"read"}, 0, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		e.creds[name+"-oauth"] = "Bearer " + tok
	}
}

// wantSignedIn checks which OAuth principals still authenticate.
func wantSignedIn(who map[string]bool) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		for name, want := range who {
			res := e.do("GET", "/api/v2/users/me", name, "")
			if got := res.status == 200; got != want {
				t.Errorf("%s signed in = %v (%d), want %v", name, got, res.status, want)
			}
		}
	}
}

func TestLogoutManyUsers(t *testing.T) {
	all := wantSignedIn(map[string]bool{"customer-oauth": true, "agent-oauth": true, "beta-admin-oauth": true})
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = "1"
	}
	runSetup(t, withTokens, []scenario{
		{name: "logout", method: "POST", path: "/api/v2/users/logout_many.json?ids={customer},{agent},{beta-admin}", who: "admin", status: 202,
			check: both(func(t *testing.T, e *env, res response) {
				if len(res.body) != 0 {
					t.Errorf("body %q, want empty", res.body)
				}
			}, wantSignedIn(map[string]bool{"customer-oauth": false, "agent-oauth": false, "beta-admin-oauth": true}))},
		{name: "logout by an agent", method: "POST", path: "/api/v2/users/logout_many?ids={customer}", who: "agent", status: 403, want: forbiddenBody, check: all},
		{name: "logout without ids", method: "POST", path: "/api/v2/users/logout_many", who: "admin", status: 400, check: all},
		{name: "logout bad ids", method: "POST", path: "/api/v2/users/logout_many?ids=1,x", who: "admin", status: 400, check: all},
		{name: "logout too many", method: "POST", path: "/api/v2/users/logout_many?ids=" + strings.Join(ids, ","), who: "admin", status: 400, golden: "logout_many_too_many", check: all},
		{name: "logout from another realm", method: "POST", path: "/api/v2/users/logout_many?ids={customer}", who: "beta-admin", status: 202, check: all},
	})
}

func TestRequestUserCreate(t *testing.T) {
	runSetup(t, nil, []scenario{
		{name: "request", method: "POST", path: "/api/v2/users/request_create.json", who: "agent", body: `{"user":{"name":"New Agent","email":"new@acme.test"}}`,
			status: 200, check: both(wantCount(3), func(t *testing.T, e *env, res response) {
				if len(res.body) != 0 {
					t.Errorf("body %q, want empty", res.body)
				}
			})},
		{name: "request with a bad email", method: "POST", path: "/api/v2/users/request_create", who: "agent", body: `{"user":{"name":"New","email":"nope"}}`,
			status: 422, check: wantCount(3)},
		{name: "request without a name", method: "POST", path: "/api/v2/users/request_create", who: "agent", body: `{"user":{"email":"new@acme.test"}}`,
			status: 422},
		{name: "request by an end user", method: "POST", path: "/api/v2/users/request_create", who: "customer", body: `{"user":{"name":"New"}}`,
			status: 403, want: forbiddenBody},
		{name: "request unauthenticated", method: "POST", path: "/api/v2/users/request_create", body: `{"user":{"name":"New"}}`,
			status: 401},
	})
}

func TestUserRelated(t *testing.T) {
	runSetup(t, nil, []scenario{
		{name: "related", method: "GET", path: "/api/v2/users/{customer}/related.json", who: "agent", status: 200, golden: "user_related"},
		{name: "related by an end user", method: "GET", path: "/api/v2/users/{customer}/related", who: "customer", status: 403, want: forbiddenBody},
		{name: "related across realms", method: "GET", path: "/api/v2/users/{beta-customer}/related", who: "admin", status: 404, want: notFound},
	})
}

// withDeletions soft-deletes one user ("gone") and erases another
// ("erased"), an hour apart.
func withDeletions(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	op := directory.Operator(e.acme.ID)
	e.users["gone"] = e.mustCreate(e.acme, `{"name":"Gone User"}`)
	e.users["erased"] = e.mustCreate(e.acme, `{"name":"Erased User","email":"erased@acme.test"}`)
	e.clock.Advance(time.Hour)
	for _, name := range []string{"gone", "erased"} {
		if _, err := e.svc.DeleteUser(ctx, op, e.users[name].ID); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.EraseUser(ctx, op, e.users["erased"].ID); err != nil {
		t.Fatal(err)
	}
}

func TestComplianceDeletionStatuses(t *testing.T) {
	runSetup(t, withDeletions, []scenario{
		{name: "active user", method: "GET", path: "/api/v2/users/{customer}/compliance_deletion_statuses.json", who: "agent", status: 200,
			want: `{"compliance_deletion_statuses":[]}`},
		{name: "soft-deleted user", method: "GET", path: "/api/v2/users/{gone}/compliance_deletion_statuses", who: "agent", status: 200,
			golden: "compliance_deletion_statuses_deleted"},
		{name: "erased user", method: "GET", path: "/api/v2/users/{erased}/compliance_deletion_statuses", who: "admin", status: 200,
			golden: "compliance_deletion_statuses_erased"},
		{name: "erased user, support only", method: "GET", path: "/api/v2/users/{erased}/compliance_deletion_statuses?application=support", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if n := len(res.json(t)["compliance_deletion_statuses"].([]any)); n != 2 {
					t.Errorf("%d statuses, want 2", n)
				}
			}},
		{name: "by an end user", method: "GET", path: "/api/v2/users/{customer}/compliance_deletion_statuses", who: "customer", status: 403},
		{name: "across realms", method: "GET", path: "/api/v2/users/{beta-customer}/compliance_deletion_statuses", who: "admin", status: 404, want: notFound},
		{name: "missing user", method: "GET", path: "/api/v2/users/999999/compliance_deletion_statuses", who: "admin", status: 404, want: notFound},
	})
}
