package auth_test

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// TestDeletedRealmCredentials checks that every credential of a deleted
// realm (password, API token, OAuth token) stops working at once, as bad
// credentials rather than an error, while the other realm's still work.
func TestDeletedRealmCredentials(t *testing.T) {
	e := newEnv(t)
	agent := e.user(t, e.a, directory.RoleAgent, "agent@acme.test", "acme password")
	tok, _ := e.apiToken(t, e.a)
	bearer := e.accessToken(t, e.a, agent, []string{"read"}, 0)
	other := e.user(t, e.b, directory.RoleAgent, "agent@globex.test", "globex password")
	a := auth.NewAuthenticator(e.store, fixedClock(epoch))
	try := func(header string) (*auth.Principal, error) {
		r := httptest.NewRequest("GET", "/api/v2/users/me.json", nil)
		r.Header.Set("Authorization", header)
		return a.Authenticate(e.ctx, r)
	}
	creds := map[string]string{"password": basic("agent@acme.test", "acme password"),
		"api token": basic("agent@acme.test/token", tok), "bearer": "Bearer " + bearer}
	for name, h := range creds {
		if p, err := try(h); err != nil || p.User.ID != agent.ID {
			t.Fatalf("%s before the delete: %+v, %v", name, p, err)
		}
	}
	if err := e.store.DeleteRealm(e.ctx, e.a.ID, epoch.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	want := map[string]error{"password": auth.ErrBadCredentials, "api token": auth.ErrBadCredentials, "bearer": auth.ErrInvalidToken}
	for name, h := range creds {
		if _, err := try(h); !errors.Is(err, want[name]) {
			t.Errorf("%s after the delete: %v, want %v", name, err, want[name])
		}
	}
	// The same email and password in a live realm signs in there: the
	// deleted realm's user is no candidate (it would make the login
	// ambiguous, and refused).
	twin := e.user(t, e.b, directory.RoleAgent, "agent@acme.test", "acme password")
	if p, err := try(creds["password"]); err != nil || p.User.ID != twin.ID {
		t.Errorf("the same password in the live realm: %+v, %v; want user %d", p, err, twin.ID)
	}
	if p, err := try(basic("agent@globex.test", "globex password")); err != nil || p.User.ID != other.ID {
		t.Errorf("the other realm's password: %+v, %v", p, err)
	}
}
