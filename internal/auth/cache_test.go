package auth_test

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

func TestCacheFor(t *testing.T) {
	e := newEnv(t)
	agent := e.user(t, e.a, directory.RoleAgent, "agent@acme.test", "")
	e.user(t, e.a, directory.RoleEndUser, "carla@acme.test", "long enough password")
	tok, rec := e.apiToken(t, e.a)
	now := epoch
	a := auth.NewAuthenticator(e.store, func() time.Time { return now }).CacheFor(2 * time.Second)
	call := func(header string) (*auth.Principal, error) {
		t.Helper()
		r := httptest.NewRequest("GET", "/api/v2/users/me.json", nil)
		r.Header.Set("Authorization", header)
		return a.Authenticate(e.ctx, r)
	}
	tokenHeader := basic("agent@acme.test/token", tok)

	p, err := call(tokenHeader)
	if err != nil || p.User.ID != agent.ID {
		t.Fatalf("first call: %v, %v", p, err)
	}
	// Revoked, but remembered for the cache's lifetime on this node.
	if err := e.store.DeleteAPIToken(e.ctx, e.a.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	now = epoch.Add(time.Second)
	if p, err := call(tokenHeader); err != nil || p.User.ID != agent.ID {
		t.Errorf("cached call within the TTL: %v, %v", p, err)
	}
	now = epoch.Add(2 * time.Second)
	if _, err := call(tokenHeader); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("after the TTL a revoked token: %v, want ErrBadCredentials", err)
	}

	// A wrong password is never remembered as right, and a right one is
	// hashed once per TTL.
	if _, err := call(basic("carla@acme.test", "wrong password!")); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	good := basic("carla@acme.test", "long enough password")
	for range 3 {
		if _, err := call(good); err != nil {
			t.Errorf("right password: %v", err)
		}
	}

	// Cached calls still record the login once a minute, not once per call.
	bearer := "Bearer " + e.accessToken(t, e.a, agent, nil, 0)
	for i := range 5 {
		now = epoch.Add(time.Hour + time.Duration(i)*300*time.Millisecond)
		if _, err := call(bearer); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := e.store.UserByID(e.ctx, e.a.ID, agent.ID)
	if want := epoch.Add(time.Hour); !got.LastLoginAt.Equal(want) {
		t.Errorf("last_login_at = %v, want %v", got.LastLoginAt, want)
	}
}

func TestCachedBearerExpires(t *testing.T) {
	e := newEnv(t)
	agent := e.user(t, e.a, directory.RoleAgent, "agent@acme.test", "")
	tok := e.accessToken(t, e.a, agent, nil, 10*time.Second)
	now := epoch.Add(9 * time.Second)
	a := auth.NewAuthenticator(e.store, func() time.Time { return now }).CacheFor(time.Minute)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	if _, err := a.Authenticate(e.ctx, r); err != nil {
		t.Fatal(err)
	}
	now = epoch.Add(10 * time.Second)
	if _, err := a.Authenticate(e.ctx, r); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("an expired bearer token served from the cache: %v", err)
	}
}
