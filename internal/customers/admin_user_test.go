package customers_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// TestAdminUsers checks the users' CRUD with both admin credentials, the
// stored state after each write, and that bad input changes nothing.
func TestAdminUsers(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		op := directory.Operator(e.acme.ID)
		const users = "/api/customers/realms/acme/users"
		for name, c := range a.both() {
			t.Run(name, func(t *testing.T) {
				username := "dora." + strconv.Itoa(len(name))
				email := username + "@acme.test"
				r := e.do("POST", users, map[string]any{"email": email, "username": username, "first_name": "Dora",
					"last_name": "Diaz", "second_last_name": "Soto", "password": "correct horse", "external_id": "ext-" + username,
					"tag_list": "vip, Gold Club", "locale": "es", "time_zone": "Santiago", "activate": true}, c)
				wantStatus(t, r, http.StatusCreated)
				got := r.json(t)
				id := int64(got["id"].(float64))
				if got["name"] != "Dora Diaz Soto" || got["email"] != email || got["username"] != username || got["active"] != true ||
					got["external_id"] != "ext-"+username {
					t.Errorf("created = %s", r.body)
				}
				u, err := e.store.UserByID(ctx, e.acme.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				if u.Username != username || u.FirstName != "Dora" || u.SecondLastName != "Soto" || u.Suspended ||
					len(u.Tags) != 2 || u.Tags[1] != "gold_club" || u.Locale != "es" || !auth.VerifyPassword(u.PasswordHash, "correct horse") {
					t.Errorf("stored = %+v", u)
				}
				r = e.do("GET", users+"/"+strconv.FormatInt(id, 10), nil, c)
				wantStatus(t, r, http.StatusOK)
				if got := r.json(t); got["id"] != float64(id) || got["uuid"] != u.UUID {
					t.Errorf("show = %s", r.body)
				}
				r = e.do("PUT", users+"/"+strconv.FormatInt(id, 10), map[string]any{"first_name": "Dorotea", "activate": false,
					"tag_list": []string{"one"}, "password": "another password"}, c)
				wantStatus(t, r, http.StatusOK)
				if got := r.json(t); got["name"] != "Dorotea Diaz Soto" || got["active"] != false || got["email"] != email {
					t.Errorf("update = %s", r.body)
				}
				u, _ = e.store.UserByID(ctx, e.acme.ID, id)
				if u.FirstName != "Dorotea" || !u.Suspended || len(u.Tags) != 1 || !auth.VerifyPassword(u.PasswordHash, "another password") {
					t.Errorf("stored after update = %+v", u)
				}
				r = e.do("DELETE", users+"/"+strconv.FormatInt(id, 10), nil, c)
				wantStatus(t, r, http.StatusOK)
				wantBody(t, r, `{}`)
				if u, _ := e.store.UserByID(ctx, e.acme.ID, id); u.Active() {
					t.Errorf("deleted user still active")
				}
				for _, m := range []string{"GET", "PUT", "DELETE"} {
					r := e.do(m, users+"/"+strconv.FormatInt(id, 10), map[string]any{}, c)
					wantStatus(t, r, http.StatusNotFound)
				}
			})
		}

		// Usernames are unique in the realm (deleted users keep theirs),
		// not across realms.
		r := e.do("POST", users, map[string]any{"email": "x@acme.test", "username": "dora.11"}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"username":["has already been taken"]}}`)
		r = e.do("POST", "/api/customers/realms/beta/users", map[string]any{"email": "x@beta.test", "username": "dora.11"}, a.account)
		wantStatus(t, r, http.StatusCreated)

		count := func() int64 {
			n, err := e.svc.CountUsers(ctx, op, directory.UserFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		for body, want := range map[string]string{
			`{"username":"nomail"}`:                              `{"errors":{"email":["can't be blank"]}}`,
			`{"email":"bad"}`:                                    `{"errors":{"email":["bad is not properly formatted"]}}`,
			`{"email":"carla@acme.test"}`:                        `{"errors":{"email":["carla@acme.test is already being used by another user"]}}`,
			`{"email":"p@acme.test","password":"short"}`:         `{"errors":{"password":["must be at least 8 characters"]}}`,
			`{"email":"p@acme.test","username":"has space"}`:     `{"errors":{"username":["may contain only letters, digits and | # @ % . _ - ' + /, without spaces"]}}`,
			`{"email":"p@acme.test","time_zone":"Mars/Olympus"}`: `{"errors":{"time_zone":["Mars/Olympus is not a known time zone"]}}`,
			`{"email":"p@acme.test","tag_list":5}`:               `{"errors":{"tag_list":["must be a comma-separated string (\"a, b\") or a list of tags"]}}`,
			`{"email":"p@acme.test","custom_fields":"x"}`:        `{"errors":{"custom_fields":["must be a list of {key, value} objects"]}}`,
			`{"email":"p@acme.test","activate":"yes"}`:           ``,
			`{"email":`: ``,
		} {
			r := e.do("POST", users, body, a.account)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if want != "" {
				wantBody(t, r, want)
			}
		}
		if after := count(); after != before {
			t.Errorf("refused creates changed the count: %d -> %d", before, after)
		}
		// A refused update changes nothing either.
		carla := "/api/customers/realms/acme/users/" + strconv.FormatInt(e.carla.ID, 10)
		for body, want := range map[string]string{
			`{"first_name":"C","email":"new@acme.test"}`:      `{"errors":{"email":["cannot be changed through this endpoint"]}}`,
			`{"first_name":"C","username":"dora.11"}`:         `{"errors":{"username":["has already been taken"]}}`,
			`{"first_name":"C","password":"carla@acme.test"}`: `{"errors":{"password":["must be different from email address"]}}`,
		} {
			r := e.do("PUT", carla, body, a.acme)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, want)
		}
		if u, _ := e.store.UserByID(ctx, e.acme.ID, e.carla.ID); u.FirstName != "" || u.Name != "Carla Customer" || u.PasswordHash != "" {
			t.Errorf("refused updates changed carla: %+v", u)
		}
		// Beta's users are not acme's.
		for _, m := range []string{"GET", "PUT", "DELETE"} {
			r := e.do(m, users+"/"+strconv.FormatInt(e.bob.ID, 10), map[string]any{"first_name": "X"}, a.account)
			wantStatus(t, r, http.StatusNotFound)
		}
		for _, bad := range []string{"abc", "0", "-1", "99999999999999999999"} {
			r := e.do("GET", users+"/"+bad, nil, a.account)
			wantStatus(t, r, http.StatusNotFound)
		}
		if u, _ := e.store.UserByID(ctx, e.beta.ID, e.bob.ID); u.FirstName != "" || !u.Active() {
			t.Errorf("bob changed through acme: %+v", u)
		}
	})
}

// TestAdminUserList checks the list: its shape, the search query, the
// active and verified filters, exact counts and pagination.
func TestAdminUserList(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		op := directory.Operator(e.acme.ID)
		yes := true
		for i := range 12 {
			name := "Zed Number" + strconv.Itoa(i)
			email := "zed" + strconv.Itoa(i) + "@acme.test"
			in := directory.UserInput{Name: &name, Email: &email}
			if i%3 == 0 {
				in.Suspended = &yes
			}
			if i%2 == 0 {
				in.Verified = &yes
			}
			if _, err := e.svc.CreateUser(ctx, op, in); err != nil {
				t.Fatal(err)
			}
		}
		// acme: carla, its admin and the twelve.
		list := func(query string, c cred) (ids []string, meta map[string]any) {
			t.Helper()
			r := e.do("GET", "/api/customers/realms/acme/users"+query, nil, c)
			wantStatus(t, r, http.StatusOK)
			got := r.json(t)
			for _, u := range got["users"].([]any) {
				ids = append(ids, u.(map[string]any)["email"].(string))
			}
			return ids, got["meta"].(map[string]any)
		}
		for name, c := range a.both() {
			ids, meta := list("", c)
			if len(ids) != 10 || ids[0] != "carla@acme.test" || meta["total_entries"] != float64(14) || meta["total_pages"] != float64(2) ||
				meta["per_page"] != float64(10) || meta["current_page"] != float64(1) {
				t.Errorf("%s: list = %v %v", name, ids, meta)
			}
		}
		ids, meta := list("?page=2&per_page=5", a.account)
		if len(ids) != 5 || ids[0] != "zed3@acme.test" || meta["total_pages"] != float64(3) {
			t.Errorf("page 2 of 5 = %v %v", ids, meta)
		}
		// Out-of-range values fall back silently.
		if ids, meta := list("?page=0&per_page=1000", a.account); len(ids) != 14 || meta["per_page"] != float64(100) || meta["current_page"] != float64(1) {
			t.Errorf("per_page=1000 = %d users, %v", len(ids), meta)
		}
		if ids, meta := list("?page=x&per_page=-3", a.account); len(ids) != 10 || meta["per_page"] != float64(10) {
			t.Errorf("junk paging = %d users, %v", len(ids), meta)
		}
		// The search, and the filters, with exact counts.
		if ids, meta := list("?query=zed&per_page=3", a.account); len(ids) != 3 || meta["total_entries"] != float64(12) {
			t.Errorf("query=zed = %v %v", ids, meta)
		}
		if ids, meta := list("?query=number7", a.account); len(ids) != 1 || ids[0] != "zed7@acme.test" || meta["total_entries"] != float64(1) {
			t.Errorf("query=number7 = %v %v", ids, meta)
		}
		if _, meta := list("?active=0", a.account); meta["total_entries"] != float64(4) {
			t.Errorf("active=0 = %v", meta)
		}
		if _, meta := list("?active=1&verified=1", a.account); meta["total_entries"] != float64(4) {
			t.Errorf("active=1&verified=1 = %v", meta) // 2, 4, 8, 10
		}
		if ids, meta := list("?query=zed&active=0&verified=0", a.account); meta["total_entries"] != float64(2) || len(ids) != 2 {
			t.Errorf("query=zed&active=0&verified=0 = %v %v", ids, meta) // 3, 9
		}
		if ids, _ := list("?query=email:carla@acme.test", a.account); len(ids) != 1 {
			t.Errorf("query=email: = %v", ids)
		}
		// Beta's customer shares carla's email, and is not in acme's lists.
		if ids, meta := list("?query=bob", a.account); len(ids) != 0 || meta["total_entries"] != float64(0) {
			t.Errorf("query=bob in acme = %v %v", ids, meta)
		}
		for _, q := range []string{"?active=2", "?verified=yes", "?query=%22unterminated", "?query=nosuchfield:x"} {
			r := e.do("GET", "/api/customers/realms/acme/users"+q, nil, a.account)
			wantStatus(t, r, http.StatusUnprocessableEntity)
		}
		// The UserList shape.
		r := e.do("GET", "/api/customers/realms/acme/users?query=email:carla@acme.test", nil, a.account)
		wantBody(t, r, `{"users":[{"avatar":null,"id":`+itoa(e.carla.ID)+`,"uuid":"`+e.carla.UUID+`","external_id":null,
			"email":"carla@acme.test","username":null,"first_name":null,"last_name":null,"second_last_name":null,
			"name":"Carla Customer","full_name":"Carla Customer","sex":null,"active":true,"verified":false,"tag_list":[],
			"locale":"en-US","time_zone":"America/New_York","custom_fields":[],"created_at":"2024-05-06T07:08:09.000+00:00",
			"updated_at":"2024-05-06T07:08:09.000+00:00","last_login_at":"2024-05-06T07:08:09.000+00:00","login_count":null}],
			"meta":{"total_entries":1,"per_page":10,"current_page":1,"total_pages":1}}`)
	})
}
