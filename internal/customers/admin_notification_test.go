package customers_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

// TestAdminNotifications checks sending to one user, to a tag and to the
// whole realm, with both credentials, and what each customer received.
func TestAdminNotifications(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		op := directory.Operator(e.acme.ID)
		dave := e.customer(e.acme, "Dave", "dave@acme.test")
		if _, err := e.svc.SetUserTags(ctx, op, dave.ID, []string{"vip"}); err != nil {
			t.Fatal(err)
		}
		received := func(realm *directory.Realm, u *directory.User) []string {
			t.Helper()
			list, _, _, err := e.svc.Notifications(ctx, realm.ID, u.ID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var subjects []string
			for _, n := range list {
				subjects = append(subjects, n.Subject)
			}
			return subjects
		}
		const path = "/api/customers/realms/acme/notifications"
		r := e.do("POST", path, map[string]any{"subject": "To all", "body": "Hello"}, a.account)
		wantStatus(t, r, http.StatusCreated)
		wantBody(t, r, `{"sent":3}`) // carla, dave and acme's admin
		r = e.do("POST", path, map[string]any{"subject": "To VIPs", "body": "Hi", "tag": "VIP"}, a.acme)
		wantStatus(t, r, http.StatusCreated)
		wantBody(t, r, `{"sent":1}`)
		r = e.do("POST", path, map[string]any{"subject": "To Carla", "body": "Hi", "user_id": e.carla.ID}, a.account)
		wantStatus(t, r, http.StatusCreated)
		wantBody(t, r, `{"sent":1}`)
		r = e.do("POST", path, map[string]any{"subject": "To Carla again", "user_id": strconv.FormatInt(e.carla.ID, 10)}, a.acme)
		wantStatus(t, r, http.StatusCreated)
		r = e.do("POST", "/api/customers/realms/acme/users/"+strconv.FormatInt(dave.ID, 10)+"/notifications",
			map[string]any{"subject": "To Dave", "body": "Hi"}, a.acme)
		wantStatus(t, r, http.StatusCreated)
		wantBody(t, r, `{"sent":1}`)

		if got := received(e.acme, e.carla); len(got) != 3 {
			t.Errorf("carla received %v", got)
		}
		if got := received(e.acme, dave); len(got) != 3 {
			t.Errorf("dave received %v", got)
		}
		// The customer reads them on the same path with GET.
		r = e.do("GET", path, nil, e.signIn(e.acme, dave).bearer())
		wantStatus(t, r, http.StatusOK)
		if got := r.json(t); got["meta"].(map[string]any)["total_entries"] != float64(3) {
			t.Errorf("dave's list = %s", r.body)
		}
		// Nothing reached beta.
		if got := received(e.beta, e.bob); len(got) != 0 {
			t.Errorf("bob received %v", got)
		}

		// Bad input: 422 or 404, and nothing sent.
		for body, status := range map[string]int{
			`{"subject":""}`:                                   http.StatusUnprocessableEntity,
			`{"subject":"x","user_id":"abc"}`:                  http.StatusUnprocessableEntity,
			`{"subject":"x","user_id":1.5}`:                    http.StatusUnprocessableEntity,
			`{"subject":"x","user_id":-3}`:                     http.StatusUnprocessableEntity,
			`{"subject":"x","user_id":5,"tag":"vip"}`:          http.StatusUnprocessableEntity,
			`{"subject":`:                                      http.StatusUnprocessableEntity,
			`{"subject":"x","user_id":` + itoa(e.bob.ID) + `}`: http.StatusNotFound,
		} {
			wantStatus(t, e.do("POST", path, body, a.account), status)
		}
		r = e.do("POST", "/api/customers/realms/acme/users/"+itoa(e.bob.ID)+"/notifications", map[string]any{"subject": "x"}, a.account)
		wantStatus(t, r, http.StatusNotFound)
		r = e.do("POST", "/api/customers/realms/acme/users/"+itoa(dave.ID)+"/notifications", map[string]any{"subject": "x", "tag": "vip"}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		r = e.do("POST", path, map[string]any{"subject": ""}, a.account)
		wantBody(t, r, `{"errors":{"subject":["Subject cannot be blank"]}}`)
		if got := received(e.acme, e.carla); len(got) != 3 {
			t.Errorf("after refused sends carla has %v", got)
		}
		if got := received(e.beta, e.bob); len(got) != 0 {
			t.Errorf("after refused sends bob has %v", got)
		}
	})
}
