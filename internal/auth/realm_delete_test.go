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
	for name, h := range creds {
		_, err := try(h)
		if !errors.Is(err, auth.ErrBadCredentials) && !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("%s after the delete: %v, want bad credentials", name, err)
		}
	}
	if p, err := try(basic("agent@globex.test", "globex password")); err != nil || p.User.ID != other.ID {
		t.Errorf("the other realm's password: %+v, %v", p, err)
	}
}
