package zendesk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

func TestCreateOrUpdate(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		res := e.do("POST", "/api/v2/users/create_or_update.json", "admin", `{"user":{"name":"New","email":"new@acme.test","external_id":"N-1"}}`)
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		id := res.json(t)["user"].(map[string]any)["id"].(float64)
		if loc := res.header.Get("Location"); loc != fmt.Sprintf("%s/api/v2/users/%d.json", e.srv.URL, int64(id)) {
			t.Errorf("Location = %q", loc)
		}
		// The same external id in another case updates, and stores the new case.
		res = e.do("POST", "/api/v2/users/create_or_update", "admin", `{"user":{"name":"Renamed","external_id":"n-1"}}`)
		if res.status != http.StatusOK {
			t.Fatalf("update: %d %s", res.status, res.body)
		}
		u := res.json(t)["user"].(map[string]any)
		if u["id"] != id || u["name"] != "Renamed" || u["external_id"] != "n-1" || res.header.Get("Location") == "" {
			t.Errorf("update by external id = %s", res.body)
		}
		// Matching by email.
		res = e.do("POST", "/api/v2/users/create_or_update", "admin", `{"user":{"name":"By Email","email":"NEW@acme.test"}}`)
		if res.status != http.StatusOK || res.json(t)["user"].(map[string]any)["id"] != id {
			t.Errorf("update by email: %d %s", res.status, res.body)
		}
		if n := userCount(t, e); n != 4 {
			t.Errorf("users = %d, want 4", n)
		}
		// The other realm is untouched by acme's create_or_update of the same email.
		beta, err := e.store.UserByIdentity(context.Background(), e.beta.ID, directory.IdentityEmail, "carla@acme.test")
		if err != nil || beta.Name != "Carla Customer" {
			t.Errorf("beta customer = %+v, %v", beta, err)
		}
		res = e.do("POST", "/api/v2/users/create_or_update", "admin", `{"user":{"email":"carla@acme.test","name":"Carla Updated"}}`)
		if res.status != http.StatusOK || res.json(t)["user"].(map[string]any)["id"] != float64(e.users["customer"].ID) {
			t.Errorf("create_or_update of acme's carla: %d %s", res.status, res.body)
		}
		beta, _ = e.store.UserByID(context.Background(), e.beta.ID, e.users["beta-customer"].ID)
		if beta.Name != "Carla Customer" {
			t.Errorf("beta customer renamed to %q", beta.Name)
		}
	})
}

func TestDeletedUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		id := e.users["customer"].ID
		if res := e.do("DELETE", fmt.Sprintf("/api/v2/users/%d", id), "admin", ""); res.status != 200 {
			t.Fatalf("delete: %d %s", res.status, res.body)
		}
		e.do("DELETE", fmt.Sprintf("/api/v2/users/%d", e.users["beta-customer"].ID), "beta-admin", "")

		// The deleted user still answers by id, inactive, and no longer lists.
		res := e.do("GET", fmt.Sprintf("/api/v2/users/%d", id), "admin", "")
		if res.status != 200 || res.json(t)["user"].(map[string]any)["active"] != false {
			t.Errorf("show deleted: %d %s", res.status, res.body)
		}
		res = e.do("GET", "/api/v2/users", "admin", "")
		if n := len(res.json(t)["users"].([]any)); n != 2 {
			t.Errorf("active users listed = %d", n)
		}
		// Deleting twice is a 404: it is no longer an active user.
		if res := e.do("DELETE", fmt.Sprintf("/api/v2/users/%d", id), "admin", ""); res.status != 404 {
			t.Errorf("second delete: %d", res.status)
		}
		// The deleted user's credentials stop working.
		if res := e.do("GET", "/api/v2/users/me", "customer", ""); res.status != 401 {
			t.Errorf("deleted user's password still works: %d", res.status)
		}

		res = e.do("GET", "/api/v2/deleted_users.json", "agent", "")
		if res.status != 200 {
			t.Fatalf("list deleted: %d %s", res.status, res.body)
		}
		e.golden("list_deleted_users", res.body)
		jsonEqual(t, e.do("GET", "/api/v2/deleted_users/count.json", "agent", "").body,
			`{"count":{"value":1,"refreshed_at":"2024-05-06T07:08:09Z"}}`)
		res = e.do("GET", fmt.Sprintf("/api/v2/deleted_users/%d.json", id), "agent", "")
		if res.status != 200 || res.json(t)["deleted_user"].(map[string]any)["email"] != "carla@acme.test" {
			t.Errorf("show deleted user: %d %s", res.status, res.body)
		}
		if res := e.do("GET", fmt.Sprintf("/api/v2/deleted_users/%d", e.users["admin"].ID), "agent", ""); res.status != 404 {
			t.Errorf("an active user shows as deleted: %d", res.status)
		}
		if res := e.do("GET", fmt.Sprintf("/api/v2/deleted_users/%d", e.users["beta-customer"].ID), "admin", ""); res.status != 404 {
			t.Errorf("another realm's deleted user shows: %d", res.status)
		}

		// Permanent deletion erases the personal data and frees the email.
		e.clock.Advance(time.Hour)
		res = e.do("DELETE", fmt.Sprintf("/api/v2/deleted_users/%d.json", id), "admin", "")
		if res.status != 200 {
			t.Fatalf("permanent delete: %d %s", res.status, res.body)
		}
		e.golden("permanently_deleted_user", res.body)
		u, err := e.store.UserByID(context.Background(), e.acme.ID, id)
		if err != nil || u.Email != "" || u.Phone != "" || u.ExternalID != "" || u.PasswordHash != "" || u.Name != directory.PermanentlyDeletedName {
			t.Errorf("stored after erase: %+v, %v", u, err)
		}
		idents, _ := e.store.IdentitiesByUser(context.Background(), e.acme.ID, id)
		if len(idents) != 0 {
			t.Errorf("identities after erase: %+v", idents)
		}
		if res := e.do("POST", "/api/v2/users", "admin", `{"user":{"name":"Carla Again","email":"carla@acme.test"}}`); res.status != 201 {
			t.Errorf("email not freed by erase: %d %s", res.status, res.body)
		}
		// Erasing an active user is refused.
		if res := e.do("DELETE", fmt.Sprintf("/api/v2/deleted_users/%d", e.users["agent"].ID), "admin", ""); res.status != 404 {
			t.Errorf("erase of an active user: %d", res.status)
		}
	})
}

// page fetches an absolute link from a list response.
func (e *env) follow(link, who string) response {
	e.t.Helper()
	if !strings.HasPrefix(link, e.srv.URL+"/api/v2/") || !strings.Contains(link, ".json") {
		e.t.Fatalf("link %q is not an absolute .json link to this server", link)
	}
	return e.do("GET", strings.TrimPrefix(link, e.srv.URL), who, "")
}

func listedIDs(t *testing.T, res response, key string) []int64 {
	t.Helper()
	var out []int64
	for _, u := range res.json(t)[key].([]any) {
		out = append(out, int64(u.(map[string]any)["id"].(float64)))
	}
	return out
}

func TestPagination(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		want := []int64{e.users["admin"].ID, e.users["agent"].ID, e.users["customer"].ID}
		for i := range 5 {
			want = append(want, e.mustCreate(e.acme, fmt.Sprintf(`{"name":"Extra %d"}`, i)).ID)
		}

		t.Run("offset", func(t *testing.T) {
			var got []int64
			res := e.do("GET", "/api/v2/users.json?per_page=3&role%5B%5D=end-user&role%5B%5D=admin&role%5B%5D=agent", "admin", "")
			pages := 0
			for {
				pages++
				if res.status != 200 {
					t.Fatalf("page %d: %d %s", pages, res.status, res.body)
				}
				body := res.json(t)
				if body["count"] != 8.0 {
					t.Errorf("count = %v", body["count"])
				}
				got = append(got, listedIDs(t, res, "users")...)
				next, _ := body["next_page"].(string)
				if pages == 1 && body["previous_page"] != nil {
					t.Errorf("first page has previous_page %v", body["previous_page"])
				}
				if next == "" {
					break
				}
				q, _ := url.ParseQuery(next[strings.Index(next, "?")+1:])
				if q.Get("per_page") != "3" || len(q["role[]"]) != 3 || q.Get("page") != fmt.Sprint(pages+1) {
					t.Errorf("next_page %q lost parameters", next)
				}
				res = e.follow(next, "admin")
			}
			if pages != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("offset walk: %d pages, ids %v, want %v", pages, got, want)
			}
			prev := e.do("GET", "/api/v2/users?per_page=3&page=3", "admin", "").json(t)["previous_page"].(string)
			if ids := listedIDs(t, e.follow(prev, "admin"), "users"); fmt.Sprint(ids) != fmt.Sprint(want[3:6]) {
				t.Errorf("previous page ids %v", ids)
			}
			res = e.do("GET", "/api/v2/users?per_page=3&page=7", "admin", "")
			if res.status != 200 || len(listedIDs(t, res, "users")) != 0 || res.json(t)["next_page"] != nil {
				t.Errorf("page past the end: %d %s", res.status, res.body)
			}
			res = e.do("GET", "/api/v2/users?per_page=500", "admin", "")
			if len(listedIDs(t, res, "users")) != 8 {
				t.Errorf("per_page above 100 is capped, not refused: %s", res.body)
			}
		})

		t.Run("cursor forwards and back", func(t *testing.T) {
			var got []int64
			res := e.do("GET", "/api/v2/users.json?page%5Bsize%5D=3", "admin", "")
			first := res
			pages := 0
			for {
				pages++
				if res.status != 200 {
					t.Fatalf("page %d: %d %s", pages, res.status, res.body)
				}
				body := res.json(t)
				if _, ok := body["count"]; ok {
					t.Errorf("cursor page has count")
				}
				meta, links := body["meta"].(map[string]any), body["links"].(map[string]any)
				got = append(got, listedIDs(t, res, "users")...)
				next, _ := links["next"].(string)
				if (next != "") != meta["has_more"].(bool) {
					t.Errorf("links.next %q disagrees with has_more %v", next, meta["has_more"])
				}
				if next == "" {
					break
				}
				if !strings.Contains(next, "page%5Bsize%5D=3") || !strings.Contains(next, "page%5Bafter%5D=") {
					t.Errorf("links.next %q", next)
				}
				res = e.follow(next, "admin")
			}
			if pages != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("cursor walk: %d pages, ids %v, want %v", pages, got, want)
			}
			// Walk back from the last page.
			prev := res.json(t)["links"].(map[string]any)["prev"].(string)
			back := e.follow(prev, "admin")
			if ids := listedIDs(t, back, "users"); fmt.Sprint(ids) != fmt.Sprint(want[3:6]) {
				t.Errorf("prev page ids %v, want %v", ids, want[3:6])
			}
			prev = back.json(t)["links"].(map[string]any)["prev"].(string)
			back = e.follow(prev, "admin")
			if ids := listedIDs(t, back, "users"); fmt.Sprint(ids) != fmt.Sprint(want[:3]) {
				t.Errorf("first page going back %v", ids)
			}
			if back.json(t)["links"].(map[string]any)["prev"] != nil || back.json(t)["meta"].(map[string]any)["has_more"] != false {
				t.Errorf("the first page reached backwards still has a prev: %s", back.body)
			}
			if first.json(t)["links"].(map[string]any)["prev"] != nil {
				t.Errorf("first page has links.prev")
			}
		})

		t.Run("cursor descending", func(t *testing.T) {
			res := e.do("GET", "/api/v2/users?page%5Bsize%5D=5&sort=-id", "admin", "")
			ids := listedIDs(t, res, "users")
			next := res.json(t)["links"].(map[string]any)["next"].(string)
			ids = append(ids, listedIDs(t, e.follow(next, "admin"), "users")...)
			for i := range want {
				if ids[i] != want[len(want)-1-i] {
					t.Fatalf("descending ids %v", ids)
				}
			}
		})

		t.Run("deleted users by cursor", func(t *testing.T) {
			for _, id := range want[3:] {
				e.do("DELETE", fmt.Sprintf("/api/v2/users/%d", id), "admin", "")
			}
			res := e.do("GET", "/api/v2/deleted_users?page%5Bsize%5D=2", "admin", "")
			ids := listedIDs(t, res, "deleted_users")
			for link, _ := res.json(t)["links"].(map[string]any)["next"].(string); link != ""; link, _ = res.json(t)["links"].(map[string]any)["next"].(string) {
				res = e.follow(link, "admin")
				ids = append(ids, listedIDs(t, res, "deleted_users")...)
			}
			if fmt.Sprint(ids) != fmt.Sprint(want[3:]) {
				t.Errorf("deleted users walk %v, want %v", ids, want[3:])
			}
		})

		bad := []struct{ query, desc string }{
			{"page=0", `page must be a positive integer, got \"0\"`},
			{"page=-3", `page must be a positive integer, got \"-3\"`},
			{"page=abc", `page must be a positive integer, got \"abc\"`},
			{"per_page=0", `per_page must be a positive integer, got \"0\"`},
			{"page=101", "Offset pagination is limited to the first 10000 records; use cursor pagination (page[size]) to go further"},
			{"page=99999999999999999999", `page must be a positive integer, got \"99999999999999999999\"`},
			{"page=9223372036854775807", "Offset pagination is limited to the first 10000 records; use cursor pagination (page[size]) to go further"},
			{"page%5Bsize%5D=0", `page[size] must be a positive integer, got \"0\"`},
			{"page%5Bafter%5D=garbage", `The cursor \"garbage\" is not valid for this list`},
			{"page%5Bafter%5D=eyJvIjoiaWQiLCJ2IjoxfQ%3D%3D&page%5Bbefore%5D=eyJvIjoiaWQiLCJ2IjoxfQ%3D%3D", "Send page[after] or page[before], not both"},
			{"sort=name", `sort must be id or -id, got \"name\"`},
		}
		for _, b := range bad {
			res := e.do("GET", "/api/v2/users?"+b.query, "admin", "")
			if res.status != 400 {
				t.Errorf("%s: status %d", b.query, res.status)
				continue
			}
			jsonEqual(t, res.body, `{"error":"InvalidParameter","description":"`+b.desc+`"}`)
		}
		// The 10,000-record limit depends on the page size.
		if res := e.do("GET", "/api/v2/users?page=200&per_page=50", "admin", ""); res.status != 200 {
			t.Errorf("page 200 of 50 (records 9,951-10,000): %d", res.status)
		}
		if res := e.do("GET", "/api/v2/users?page=201&per_page=50", "admin", ""); res.status != 400 {
			t.Errorf("page 201 of 50: %d", res.status)
		}
	})
}

func TestPublicURL(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		res := e.do("GET", "/api/v2/users?per_page=1", "admin", "")
		if next := res.json(t)["next_page"].(string); !strings.HasPrefix(next, e.srv.URL+"/api/v2/users.json?") {
			t.Errorf("next_page %q not built from the request's host", next)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v2/users/me", nil)
		req.Header.Set("Authorization", e.creds["admin"])
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Host = "help.example.com"
		r, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var body struct{ User struct{ URL string } }
		if err := jsonDecode(r, &body); err != nil {
			t.Fatal(err)
		}
		if body.User.URL != fmt.Sprintf("https://help.example.com/api/v2/users/%d.json", e.users["admin"].ID) {
			t.Errorf("url behind a proxy = %q", body.User.URL)
		}
	})
}

func TestRateLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 3)
		for i := range 3 {
			res := e.do("GET", "/api/v2/users/me", "admin", "")
			if res.status != 200 {
				t.Fatalf("request %d: %d", i, res.status)
			}
			if res.header.Get("X-Rate-Limit") != "3" || res.header.Get("X-Rate-Limit-Remaining") != fmt.Sprint(2-i) ||
				res.header.Get("ratelimit-limit") != "3" || res.header.Get("ratelimit-remaining") != fmt.Sprint(2-i) {
				t.Errorf("request %d headers: %v", i, res.header)
			}
			if res.header.Get("Retry-After") != "" {
				t.Errorf("Retry-After on a 200")
			}
		}
		res := e.do("GET", "/api/v2/users/me", "admin", "")
		if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") != "20" || res.header.Get("X-Rate-Limit-Remaining") != "0" {
			t.Errorf("4th request: %d %v", res.status, res.header)
		}
		jsonEqual(t, res.body, `{"error":"TooManyRequests","description":"Number of allowed API requests per minute exceeded"}`)
		// Another realm has its own budget.
		if res := e.do("GET", "/api/v2/users/me", "beta-admin", ""); res.status != 200 {
			t.Errorf("beta limited by acme's traffic: %d", res.status)
		}
		// The budget refills with time.
		e.clock.Advance(20 * time.Second)
		if res := e.do("GET", "/api/v2/users/me", "agent", ""); res.status != 200 {
			t.Errorf("after 20s: %d", res.status)
		}
	})
}

func TestInternalErrorIsGeneric(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		token := e.creds["admin"]
		e.store.Close()
		res := e.do("GET", "/api/v2/users", token, "")
		if res.status != http.StatusInternalServerError && res.status != http.StatusUnauthorized {
			t.Fatalf("status %d", res.status)
		}
		if res.status == http.StatusInternalServerError {
			jsonEqual(t, res.body, `{"error":"InternalError","description":"Something went wrong on our side. The error has been logged."}`)
			if log := e.logBuf.String(); !strings.Contains(log, `msg="request failed"`) || !strings.Contains(log, "closed") {
				t.Errorf("the real error was not logged: %s", e.logBuf.String())
			}
		} else {
			t.Errorf("a database failure during authentication answered 401, hiding the outage")
		}
	})
}
