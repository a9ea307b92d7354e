package zendesk_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

// scenario is one request and what must come back. Golden names a file in
// testdata; body is an exact JSON body; check inspects stored state.
type scenario struct {
	name    string
	method  string
	path    string
	who     string
	body    string
	status  int
	headers map[string]string
	golden  string
	want    string
	check   func(t *testing.T, e *env, res response)
}

func run(t *testing.T, scenarios []scenario) {
	eachEngine(t, func(t *testing.T, eng engine) { runOn(t, eng, scenarios) })
}

func runOn(t *testing.T, eng engine, scenarios []scenario) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := newEnv(t, eng, 0)
			path := sc.path
			for name, u := range e.users {
				path = strings.ReplaceAll(path, "{"+name+"}", fmt.Sprint(u.ID))
			}
			res := e.do(sc.method, path, sc.who, sc.body)
			if res.status != sc.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", sc.method, path, res.status, sc.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); res.status != http.StatusNoContent && ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			for k, v := range sc.headers {
				got := res.header.Get(k)
				if strings.Contains(v, "{") {
					for name, u := range e.users {
						v = strings.ReplaceAll(v, "{"+name+"}", fmt.Sprint(u.ID))
					}
					v = strings.ReplaceAll(v, "{base}", e.srv.URL)
				}
				if got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if res.header.Get("Retry-After") != "" && res.status != http.StatusTooManyRequests {
				t.Errorf("Retry-After on a %d response", res.status)
			}
			if res.header.Get("X-Rate-Limit") == "" || res.header.Get("ratelimit-remaining") == "" {
				t.Errorf("missing rate-limit headers: %v", res.header)
			}
			if sc.golden != "" {
				e.golden(sc.golden, res.body)
			}
			if sc.want != "" {
				jsonEqual(t, res.body, strings.ReplaceAll(sc.want, "{base}", e.srv.URL))
			}
			if sc.check != nil {
				sc.check(t, e, res)
			}
		})
	}
}

const notFound = `{"error":"RecordNotFound","description":"Not found"}`
const unauthenticated = `{"error":"Couldn't authenticate you"}`
const forbiddenBody = `{"error":"Forbidden","description":"You do not have access to this page. Please contact the account owner of this help desk for further help."}`

// userCount reads the stored number of active users of acme.
func userCount(t *testing.T, e *env) int64 {
	t.Helper()
	n, err := e.store.CountUsers(context.Background(), e.acme.ID, directory.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func storedUser(t *testing.T, e *env, id int64) *directory.User {
	t.Helper()
	u, err := e.store.UserByID(context.Background(), e.acme.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantCount(n int64) func(*testing.T, *env, response) {
	return func(t *testing.T, e *env, _ response) {
		t.Helper()
		if got := userCount(t, e); got != n {
			t.Errorf("stored active users = %d, want %d", got, n)
		}
	}
}

func TestShowAndListUsers(t *testing.T) {
	run(t, []scenario{
		{name: "show user", method: "GET", path: "/api/v2/users/{customer}.json", who: "admin", status: 200, golden: "show_user"},
		{name: "show user without .json", method: "GET", path: "/api/v2/users/{customer}", who: "agent", status: 200, golden: "show_user"},
		{name: "show user with oauth", method: "GET", path: "/api/v2/users/{customer}", who: "agent-oauth", status: 200, golden: "show_user"},
		{name: "show missing user", method: "GET", path: "/api/v2/users/999999", who: "admin", status: 404, want: notFound},
		{name: "show non-numeric id", method: "GET", path: "/api/v2/users/abc", who: "admin", status: 404, want: `{"error":"InvalidEndpoint","description":"Not found"}`},
		{name: "show user of another realm", method: "GET", path: "/api/v2/users/{beta-customer}", who: "admin", status: 404, want: notFound},
		{name: "list users", method: "GET", path: "/api/v2/users.json", who: "admin", status: 200, golden: "list_users"},
		{name: "list users by role", method: "GET", path: "/api/v2/users.json?role=agent", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				users := res.json(t)["users"].([]any)
				if len(users) != 1 || users[0].(map[string]any)["name"] != "Alan Agent" || res.json(t)["count"] != 1.0 {
					t.Errorf("role=agent gave %s", res.body)
				}
			}},
		{name: "list users by role[]", method: "GET", path: "/api/v2/users?role%5B%5D=agent&role%5B%5D=admin", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if n := len(res.json(t)["users"].([]any)); n != 2 {
					t.Errorf("role[]=agent,admin gave %d users", n)
				}
			}},
		{name: "list users by external_id, any case", method: "GET", path: "/api/v2/users?external_id=CUST-1", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				users := res.json(t)["users"].([]any)
				if len(users) != 1 || users[0].(map[string]any)["id"] != float64(e.users["customer"].ID) {
					t.Errorf("external_id filter gave %s", res.body)
				}
			}},
		{name: "list users with a bad role", method: "GET", path: "/api/v2/users?role=owner", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"role must be end-user, agent or admin, got \"owner\""}`},
		{name: "count users", method: "GET", path: "/api/v2/users/count.json", who: "agent", status: 200,
			want: `{"count":{"value":3,"refreshed_at":"2024-05-06T07:08:09Z"}}`},
		{name: "count end users", method: "GET", path: "/api/v2/users/count?role=end-user", who: "agent", status: 200,
			want: `{"count":{"value":1,"refreshed_at":"2024-05-06T07:08:09Z"}}`},
		{name: "show many", method: "GET", path: "/api/v2/users/show_many.json?ids={customer},{admin},999999,{beta-customer}", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				body := res.json(t)
				users := body["users"].([]any)
				if len(users) != 2 || users[0].(map[string]any)["id"] != float64(e.users["admin"].ID) ||
					users[1].(map[string]any)["id"] != float64(e.users["customer"].ID) || body["count"] != 2.0 ||
					body["next_page"] != nil || body["previous_page"] != nil {
					t.Errorf("show_many = %s", res.body)
				}
			}},
		{name: "show many by external ids", method: "GET", path: "/api/v2/users/show_many?external_ids=CUST-1,nope", who: "admin", status: 200,
			check: func(t *testing.T, e *env, res response) {
				users := res.json(t)["users"].([]any)
				if len(users) != 1 || users[0].(map[string]any)["id"] != float64(e.users["customer"].ID) {
					t.Errorf("show_many external_ids = %s", res.body)
				}
			}},
		{name: "show many with a bad id", method: "GET", path: "/api/v2/users/show_many?ids=1,x", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"ids must be comma-separated user ids, got \"x\""}`},
		{name: "show many without ids", method: "GET", path: "/api/v2/users/show_many", who: "admin", status: 400,
			want: `{"error":"InvalidParameter","description":"Send ids or external_ids"}`},
		{name: "show many over 100", method: "GET", path: "/api/v2/users/show_many?ids=" + strings.Repeat("1,", 101), who: "admin", status: 400,
			want: `{"error":"TooManyValues","description":"Maximum 100 users may be requested per call"}`},
		{name: "me as admin", method: "GET", path: "/api/v2/users/me.json", who: "admin", status: 200, golden: "me_admin"},
		{name: "me as end user", method: "GET", path: "/api/v2/users/me", who: "customer", status: 200, golden: "me_end_user"},
		{name: "me anonymous", method: "GET", path: "/api/v2/users/me", status: 200, golden: "me_anonymous"},
		{name: "users of a missing group", method: "GET", path: "/api/v2/groups/5/users", who: "admin", status: 404, want: notFound},
		{name: "users count of a missing organization", method: "GET", path: "/api/v2/organizations/5/users/count.json", who: "admin", status: 404,
			want: notFound},
		{name: "users count of a missing group", method: "GET", path: "/api/v2/groups/5/users/count", who: "agent", status: 404, want: notFound},
		{name: "users of a missing organization", method: "GET", path: "/api/v2/organizations/5/users?page%5Bsize%5D=10", who: "admin", status: 404,
			want: notFound},
	})
}

func TestAuthAndPermissions(t *testing.T) {
	run(t, []scenario{
		{name: "no credentials", method: "GET", path: "/api/v2/users", status: 401, want: unauthenticated,
			headers: map[string]string{"WWW-Authenticate": `Basic realm="Web Password"`}},
		{name: "wrong token", method: "GET", path: "/api/v2/users", who: "Basic " + b64("admin@acme.test/token:nope"), status: 401, want: unauthenticated},
		{name: "token with unknown email", method: "GET", path: "/api/v2/users", who: "Basic " + b64("ghost@acme.test/token:nope"), status: 401, want: unauthenticated},
		{name: "token naming an end user", method: "GET", path: "/api/v2/users/me", who: "Basic " + b64("carla@acme.test/token:x"), status: 401, want: unauthenticated},
		{name: "wrong password", method: "GET", path: "/api/v2/users/me", who: "Basic " + b64("carla@acme.test:wrong password"), status: 401, want: unauthenticated},
		{name: "garbage basic", method: "GET", path: "/api/v2/users", who: "Basic !!!", status: 401, want: unauthenticated},
		{name: "unknown scheme", method: "GET", path: "/api/v2/users", who: "Digest abc", status: 401, want: unauthenticated},
		{name: "bad bearer", method: "GET", path: "/api/v2/users", who: "Bearer nope", status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="Clientele", error="invalid_token"`},
			want:    `{"error":"invalid_token","error_description":"The access token provided is expired, revoked, malformed or invalid for other reasons."}`},
		{name: "end user cannot list", method: "GET", path: "/api/v2/users", who: "customer", status: 403, want: forbiddenBody},
		{name: "end user cannot count", method: "GET", path: "/api/v2/users/count", who: "customer", status: 403, want: forbiddenBody},
		{name: "end user sees themself reduced", method: "GET", path: "/api/v2/users/{customer}", who: "customer", status: 200, golden: "me_end_user"},
		{name: "end user cannot see others", method: "GET", path: "/api/v2/users/{admin}", who: "customer", status: 403, want: forbiddenBody},
		{name: "end user cannot create", method: "POST", path: "/api/v2/users", who: "customer", body: `{"user":{"name":"X"}}`, status: 403, want: forbiddenBody, check: wantCount(3)},
		{name: "agent cannot create an admin", method: "POST", path: "/api/v2/users", who: "agent", body: `{"user":{"name":"X","role":"admin"}}`, status: 403, want: forbiddenBody, check: wantCount(3)},
		{name: "agent cannot update an admin", method: "PUT", path: "/api/v2/users/{admin}", who: "agent", body: `{"user":{"name":"X"}}`, status: 403, want: forbiddenBody,
			check: func(t *testing.T, e *env, _ response) {
				if u := storedUser(t, e, e.users["admin"].ID); u.Name != "Ada Admin" {
					t.Errorf("admin renamed to %q", u.Name)
				}
			}},
		{name: "agent cannot lift their own restriction", method: "PUT", path: "/api/v2/users/{agent}", who: "agent",
			body: `{"user":{"ticket_restriction":null,"custom_role_id":5}}`, status: 403, want: forbiddenBody},
		{name: "agent may rename themself", method: "PUT", path: "/api/v2/users/{agent}", who: "agent",
			body: `{"user":{"name":"Alan A."}}`, status: 200},
		{name: "agent cannot promote", method: "PUT", path: "/api/v2/users/{customer}", who: "agent", body: `{"user":{"role":"agent"}}`, status: 403, want: forbiddenBody},
		{name: "agent cannot delete an admin", method: "DELETE", path: "/api/v2/users/{admin}", who: "agent", status: 403, want: forbiddenBody, check: wantCount(3)},
		{name: "admin cannot delete themself", method: "DELETE", path: "/api/v2/users/{admin}", who: "admin", status: 403, want: forbiddenBody, check: wantCount(3)},
		{name: "agent cannot erase", method: "DELETE", path: "/api/v2/deleted_users/{customer}", who: "agent", status: 403, want: forbiddenBody},
		{name: "other realm's token", method: "PUT", path: "/api/v2/users/{customer}", who: "beta-admin", body: `{"user":{"name":"X"}}`, status: 404, want: notFound,
			check: func(t *testing.T, e *env, _ response) {
				if u := storedUser(t, e, e.users["customer"].ID); u.Name != "Carla Customer" {
					t.Errorf("customer renamed through another realm to %q", u.Name)
				}
			}},
	})
}

func TestCreateUser(t *testing.T) {
	run(t, []scenario{
		{name: "only a name", method: "POST", path: "/api/v2/users.json", who: "admin", body: `{"user":{"name":"testUser"}}`, status: 201,
			headers: map[string]string{"Location": "{base}/api/v2/users/6.json"}, golden: "create_user_name_only", check: wantCount(4)},
		{name: "full example", method: "POST", path: "/api/v2/users", who: "admin", status: 201, golden: "create_user_full",
			body: `{"user":{"name":"Roger Wilco","email":"Roge@Example.org","role":"agent","custom_role_id":123456,
				"identities":[{"type":"email","value":"test@user.com"},{"type":"twitter","value":"tester84"}],
				"verified":true,"skip_verify_email":true,"time_zone":"Eastern Time (US & Canada)","locale":"de","locale_id":5,
				"phone":"+1 (555) 765-4321","external_id":"RW-1","tags":["VIP","Gold Member","vip"],"alias":"Rog","details":"d","notes":"n",
				"signature":"Cheers","moderator":true,"only_private_comments":true,"ticket_restriction":"assigned",
				"first_name":"Roger","last_name":"Wilco","second_last_name":"Smith","username":"roger","unknown_key":{"x":1},
				"user_fields":{"unknown":"ignored"}}}`,
			check: func(t *testing.T, e *env, res response) {
				id := int64(res.json(t)["user"].(map[string]any)["id"].(float64))
				idents, _ := e.store.IdentitiesByUser(context.Background(), e.acme.ID, id)
				var got []string
				for _, i := range idents {
					got = append(got, fmt.Sprintf("%s:%s:%v:%v", i.Type, i.Value, i.Primary, i.Verified))
				}
				want := "email:roge@example.org:true:true phone_number:+15557654321:true:true email:test@user.com:false:false twitter:tester84:false:false"
				if strings.Join(got, " ") != want {
					t.Errorf("identities = %v\nwant %v", got, want)
				}
			}},
		{name: "end user restriction defaults", method: "POST", path: "/api/v2/users", who: "agent", status: 201,
			body: `{"user":{"name":"E","ticket_restriction":"groups","time_zone":"copenhagen","locale_id":1}}`,
			check: func(t *testing.T, e *env, res response) {
				u := res.json(t)["user"].(map[string]any)
				if u["ticket_restriction"] != "requested" || u["time_zone"] != "Copenhagen" || u["iana_time_zone"] != "Europe/Copenhagen" {
					t.Errorf("user = %s", res.body)
				}
			}},
		{name: "iana time zone kept as sent", method: "POST", path: "/api/v2/users", who: "admin", status: 201,
			body: `{"user":{"name":"E","time_zone":"Asia/Tokyo","locale":"pt-br"}}`,
			check: func(t *testing.T, e *env, res response) {
				u := res.json(t)["user"].(map[string]any)
				if u["time_zone"] != "Asia/Tokyo" || u["iana_time_zone"] != "Asia/Tokyo" || u["locale"] != "pt-BR" {
					t.Errorf("user = %s", res.body)
				}
			}},
		{name: "duplicate email", method: "POST", path: "/api/v2/users", who: "admin", body: `{"user":{"name":"Again","email":"CARLA@acme.test"}}`, status: 422,
			want:  `{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"Email: carla@acme.test is already being used by another user","error":"DuplicateValue"}]}}`,
			check: wantCount(3)},
		{name: "duplicate external id", method: "POST", path: "/api/v2/users", who: "admin", body: `{"user":{"name":"Again","external_id":"CUST-1"}}`, status: 422,
			want:  `{"error":"RecordInvalid","description":"Record validation errors","details":{"external_id":[{"description":"External id: CUST-1 has already been taken","error":"DuplicateValue"}]}}`,
			check: wantCount(3)},
		{name: "duplicate phone", method: "POST", path: "/api/v2/users", who: "admin", body: `{"user":{"name":"Again","phone":"+15551234567"}}`, status: 422, check: wantCount(3)},
		{name: "missing name", method: "POST", path: "/api/v2/users", who: "admin", body: `{"user":{"email":"x@example.com"}}`, status: 422,
			want:  `{"error":"RecordInvalid","description":"Record validation errors","details":{"name":[{"description":"Name: is too short (minimum is 1 characters)","error":"BlankValue"}]}}`,
			check: wantCount(3)},
		{name: "every problem at once", method: "POST", path: "/api/v2/users", who: "admin", status: 422, check: wantCount(3),
			body: `{"user":{"name":" ","email":"not-an-email","phone":"12345","role":"owner","time_zone":"Mars","locale":"xx-invalid-tag-!","organization_id":7}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{
				"email":[{"description":"Email: not-an-email is not properly formatted","error":"InvalidValue"}],
				"locale":[{"description":"Locale: xx-invalid-tag-! is not a supported BCP-47 locale","error":"InvalidValue"}],
				"name":[{"description":"Name: is too short (minimum is 1 characters)","error":"BlankValue"}],
				"organization_id":[{"description":"Organization id: is not an organization of this account","error":"InvalidValue"}],
				"phone":[{"description":"Phone: 12345 is not a valid E.164 phone number (it needs a + and the country code)","error":"InvalidValue"}],
				"role":[{"description":"Role: owner is not one of end-user, agent, admin","error":"InvalidValue"}],
				"time_zone":[{"description":"Time zone: Mars is not a known time zone","error":"InvalidValue"}]}}`},
		{name: "wrong types", method: "POST", path: "/api/v2/users", who: "admin", status: 422, check: wantCount(3),
			body: `{"user":{"name":42,"verified":"yes","tags":{"a":1},"locale_id":"one"}}`,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{
				"locale_id":[{"description":"Locale id: must be an integer","error":"InvalidValue"}],
				"name":[{"description":"Name: must be a string","error":"InvalidValue"}],
				"tags":[{"description":"Tags: must be an array of strings","error":"InvalidValue"}],
				"verified":[{"description":"Verified: must be true or false","error":"InvalidValue"}]}}`},
		{name: "malformed JSON", method: "POST", path: "/api/v2/users", who: "admin", body: `{"user":{"name":`, status: 400, check: wantCount(3),
			want: `{"error":"InvalidParameter","description":"The request body is not valid JSON (at byte 16)"}`},
		{name: "not an object", method: "POST", path: "/api/v2/users", who: "admin", body: `[1,2]`, status: 400, check: wantCount(3),
			want: `{"error":"InvalidParameter","description":"The request body must be a JSON object"}`},
		{name: "no user key", method: "POST", path: "/api/v2/users", who: "admin", body: `{"name":"X"}`, status: 400, check: wantCount(3),
			want: `{"error":"InvalidParameter","description":"The request body needs a \"user\" object"}`},
		{name: "empty body", method: "POST", path: "/api/v2/users", who: "admin", status: 400, check: wantCount(3),
			want: `{"error":"InvalidParameter","description":"The request body is empty; send a JSON object"}`},
		{name: "invalid utf-8", method: "POST", path: "/api/v2/users", who: "admin", body: "{\"user\":{\"name\":\"\xff\xfe\"}}", status: 400, check: wantCount(3),
			want: `{"error":"InvalidParameter","description":"The request body is not valid UTF-8"}`},
		{name: "control characters", method: "POST", path: "/api/v2/users", who: "admin", body: `{"user":{"name":"a\u0000b"}}`, status: 422, check: wantCount(3)},
		{name: "too large", method: "POST", path: "/api/v2/users", who: "admin", body: `{"user":{"name":"` + strings.Repeat("a", 2<<20) + `"}}`, status: 413, check: wantCount(3),
			want: `{"error":"RequestTooLarge","description":"The request body is larger than 1 MiB"}`},
	})
}

func TestUpdateAndDeleteUser(t *testing.T) {
	run(t, []scenario{
		{name: "update fields", method: "PUT", path: "/api/v2/users/{customer}.json", who: "agent", status: 200, golden: "update_user",
			body: `{"user":{"name":"Carla C.","notes":"likes tea","external_id":null,"tags":"a b","suspended":true,"locale":"fr","locale_id":1}}`,
			check: func(t *testing.T, e *env, _ response) {
				u := storedUser(t, e, e.users["customer"].ID)
				if u.Name != "Carla C." || u.ExternalID != "" || !u.Suspended || u.Locale != "fr" || strings.Join(u.Tags, ",") != "a,b" {
					t.Errorf("stored %+v", u)
				}
			}},
		{name: "email on update adds a secondary identity", method: "PUT", path: "/api/v2/users/{customer}", who: "admin", status: 200,
			body: `{"user":{"email":"carla.new@acme.test"}}`,
			check: func(t *testing.T, e *env, res response) {
				if got := res.json(t)["user"].(map[string]any)["email"]; got != "carla@acme.test" {
					t.Errorf("primary email changed to %v", got)
				}
				idents, _ := e.store.IdentitiesByUser(context.Background(), e.acme.ID, e.users["customer"].ID)
				var emails []string
				for _, i := range idents {
					if i.Type == directory.IdentityEmail {
						emails = append(emails, fmt.Sprintf("%s:%v", i.Value, i.Primary))
					}
				}
				if strings.Join(emails, " ") != "carla@acme.test:true carla.new@acme.test:false" {
					t.Errorf("email identities = %v", emails)
				}
			}},
		{name: "email taken by another user", method: "PUT", path: "/api/v2/users/{customer}", who: "admin", status: 422,
			body: `{"user":{"email":"agent@acme.test","name":"Changed"}}`,
			check: func(t *testing.T, e *env, _ response) {
				if u := storedUser(t, e, e.users["customer"].ID); u.Name != "Carla Customer" {
					t.Errorf("failed update wrote name %q", u.Name)
				}
			}},
		{name: "role change recounts", method: "PUT", path: "/api/v2/users/{customer}", who: "admin", status: 200, body: `{"user":{"role":"agent"}}`,
			check: func(t *testing.T, e *env, res response) {
				n, _ := e.store.CountUsers(context.Background(), e.acme.ID, directory.UserFilter{Roles: []directory.Role{directory.RoleAgent}})
				u := res.json(t)["user"].(map[string]any)
				// A new agent gets the staff default: no restriction.
				if n != 2 || u["role"] != "agent" || u["ticket_restriction"] != nil || u["restricted_agent"] != false {
					t.Errorf("agents = %d, user = %s", n, res.body)
				}
			}},
		{name: "update missing user", method: "PUT", path: "/api/v2/users/999999", who: "admin", body: `{"user":{"name":"X"}}`, status: 404, want: notFound},
		{name: "update with invalid time zone", method: "PUT", path: "/api/v2/users/{customer}", who: "admin", body: `{"user":{"time_zone":"Nowhere"}}`, status: 422,
			want: `{"error":"RecordInvalid","description":"Record validation errors","details":{"time_zone":[{"description":"Time zone: Nowhere is not a known time zone","error":"InvalidValue"}]}}`},
		{name: "delete user", method: "DELETE", path: "/api/v2/users/{customer}.json", who: "admin", status: 200, golden: "delete_user", check: wantCount(2)},
		{name: "delete missing user", method: "DELETE", path: "/api/v2/users/999999", who: "admin", status: 404, want: notFound, check: wantCount(3)},
		{name: "unknown endpoint", method: "GET", path: "/api/v2/unicorns.json", who: "admin", status: 404, want: `{"error":"InvalidEndpoint","description":"Not found"}`},
		{name: "unknown method on a known path", method: "PATCH", path: "/api/v2/users/{customer}", who: "admin", status: 404, want: `{"error":"InvalidEndpoint","description":"Not found"}`},
	})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
