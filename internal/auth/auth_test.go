package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
	"github.com/google/go-cmp/cmp"
)

// epoch is the fixed time of every test: tokens are issued at it and the
// authenticators' clocks are set relative to it.
var epoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// env is a migrated SQLite store with two realms, "acme" (a) and
// "globex" (b).
type env struct {
	ctx   context.Context
	store *sqlite.Store
	svc   *directory.Service
	a, b  *directory.Realm
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	s := sqlitetest.Open(t)
	svc := directory.NewService(s, directory.ServiceOptions{Now: func() time.Time { return epoch }})
	e := &env{ctx: ctx, store: s, svc: svc}
	e.a = e.realm(t, "acme")
	e.b = e.realm(t, "globex")
	return e
}

func (e *env) realm(t *testing.T, uid string) *directory.Realm {
	t.Helper()
	r, err := e.svc.CreateRealm(e.ctx, uid, "Realm "+uid)
	if err != nil {
		t.Fatalf("CreateRealm(%s): %v", uid, err)
	}
	return r
}

// user creates a user in realm r; password, when not "", is hashed and
// stored as the user's password.
func (e *env) user(t *testing.T, r *directory.Realm, role directory.Role, email, password string) *directory.User {
	t.Helper()
	in := directory.UserInput{Name: ptr("User " + email), Email: ptr(email), Role: ptr(string(role))}
	u, err := e.svc.CreateUser(e.ctx, directory.Operator(r.ID), in)
	if err != nil {
		t.Fatalf("CreateUser(%s in %s): %v", email, r.UID, err)
	}
	if password != "" {
		hash, err := auth.HashPassword(password)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.SetPasswordHash(e.ctx, r.ID, u.ID, hash); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func (e *env) apiToken(t *testing.T, r *directory.Realm) (string, *directory.APIToken) {
	t.Helper()
	tok, rec, err := auth.IssueAPIToken(e.ctx, e.store, r.ID, "test", epoch)
	if err != nil {
		t.Fatal(err)
	}
	return tok, rec
}

func (e *env) accessToken(t *testing.T, r *directory.Realm, u *directory.User, scopes []string, ttl time.Duration) string {
	t.Helper()
	tok, err := auth.IssueAccessToken(e.ctx, e.store, r.ID, u.ID, scopes, ttl, epoch)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func basic(user, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+secret))
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	h1, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("HashPassword = %q, want an argon2id PHC string with OWASP parameters", h1)
	}
	if parts := strings.Split(h1, "$"); len(parts) != 6 {
		t.Errorf("HashPassword = %q has %d $-separated parts, want 6", h1, len(parts))
	}
	if strings.Contains(h1, pw) {
		t.Errorf("HashPassword = %q contains the password", h1)
	}
	if h1 == h2 {
		t.Errorf("two hashes of the same password are equal (%q): no salt", h1)
	}
	for _, h := range []string{h1, h2} {
		if !auth.VerifyPassword(h, pw) {
			t.Errorf("VerifyPassword(%q, right password) = false", h)
		}
		for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", pw + " "} {
			if auth.VerifyPassword(h, wrong) {
				t.Errorf("VerifyPassword(%q, %q) = true", h, wrong)
			}
		}
	}
	empty, err := auth.HashPassword("")
	if err != nil {
		t.Fatal(err)
	}
	if !auth.VerifyPassword(empty, "") || auth.VerifyPassword(empty, "x") {
		t.Errorf("the hash of the empty password verifies wrongly")
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	const pw = "s3cret-password"
	good, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.VerifyPassword(good, pw) {
		t.Fatalf("VerifyPassword(good) = false")
	}
	parts := strings.Split(good, "$") // "", "argon2id", "v=19", "m=...", salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	b64 := base64.RawStdEncoding
	tests := []struct {
		name, hash string
	}{
		{"empty", ""},
		{"plain text", pw},
		{"dollar only", "$"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", with(1, "argon2i")},
		{"argon2d", with(1, "argon2d")},
		{"uppercase algorithm", with(1, "ARGON2ID")},
		{"version 16", with(2, "v=16")},
		{"version not a number", with(2, "v=x")},
		{"version missing", with(2, "")},
		{"memory 4294967295", with(3, "m=4294967295,t=2,p=1")},
		{"memory overflows uint32", with(3, "m=4294967296,t=2,p=1")},
		{"memory above 1 GiB", with(3, "m=1048577,t=2,p=1")},
		{"memory zero", with(3, "m=0,t=2,p=1")},
		{"memory negative", with(3, "m=-1,t=2,p=1")},
		{"time 4294967295", with(3, "m=19456,t=4294967295,p=1")},
		{"time 11", with(3, "m=19456,t=11,p=1")},
		{"time zero", with(3, "m=19456,t=0,p=1")},
		{"threads zero", with(3, "m=19456,t=2,p=0")},
		{"threads overflow uint8", with(3, "m=19456,t=2,p=256")},
		{"threads huge", with(3, "m=19456,t=2,p=4294967295")},
		{"parameters reordered", with(3, "t=2,m=19456,p=1")},
		{"parameters missing", with(3, "m=19456")},
		{"parameters empty", with(3, "")},
		{"salt bad base64", with(4, "!!!!not*base64")},
		{"salt padded base64", with(4, parts[4]+"==")},
		{"key bad base64", with(5, "%%%")},
		{"key empty", with(5, "")},
		{"key too short", with(5, b64.EncodeToString(make([]byte, 8)))},
		{"key too long", with(5, b64.EncodeToString(make([]byte, 65)))},
		{"key tampered", with(5, flip(parts[5]))},
		{"salt tampered", with(4, flip(parts[4]))},
		{"parameters tampered", with(3, "m=19456,t=3,p=1")},
		{"extra segment", good + "$extra"},
		{"missing segment", strings.Join(parts[:5], "$")},
		{"truncated", good[:len(good)-10]},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if auth.VerifyPassword(tc.hash, pw) {
				t.Errorf("VerifyPassword(%q) = true, want false", tc.hash)
			}
		})
	}
}

// authFixture holds the users and credentials TestAuthenticate signs in
// with.
type authFixture struct {
	*env
	adminA, agentA, endUserA, suspendedA, deletedA, pwUserA, secondaryA *directory.User
	agentB                                                              *directory.User
	sharedA, sharedB                                                    *directory.User // same email and password
	multiA, multiB                                                      *directory.User // same email, other passwords
	tokA, tokB, revoked                                                 string
	bearerAgentA, bearerExpiring, bearerSuspended, bearerDeleted        string
}

func newAuthFixture(t *testing.T) *authFixture {
	t.Helper()
	f := &authFixture{env: newEnv(t)}
	op := directory.Operator(f.a.ID)
	f.adminA = f.user(t, f.a, directory.RoleAdmin, "admin@acme.test", "")
	f.agentA = f.user(t, f.a, directory.RoleAgent, "agent@acme.test", "")
	f.endUserA = f.user(t, f.a, directory.RoleEndUser, "customer@acme.test", "customer-pass")
	f.suspendedA = f.user(t, f.a, directory.RoleAgent, "suspended@acme.test", "suspended-pass")
	if _, err := f.svc.UpdateUser(f.ctx, op, f.suspendedA.ID, directory.UserInput{Suspended: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	f.deletedA = f.user(t, f.a, directory.RoleAgent, "gone@acme.test", "gone-password")
	f.pwUserA = f.user(t, f.a, directory.RoleAgent, "pw@acme.test", "agent-pass:word")
	secondary, err := f.svc.CreateUser(f.ctx, op, directory.UserInput{
		Name: ptr("Two Emails"), Email: ptr("first@acme.test"), Role: ptr("agent"),
		Identities: []directory.IdentityInput{{Type: "email", Value: "second@acme.test"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.secondaryA = secondary
	f.agentB = f.user(t, f.b, directory.RoleAgent, "onlyb@globex.test", "")
	f.sharedA = f.user(t, f.a, directory.RoleAgent, "shared@both.test", "same password")
	f.sharedB = f.user(t, f.b, directory.RoleAgent, "shared@both.test", "same password")
	f.multiA = f.user(t, f.a, directory.RoleEndUser, "multi@both.test", "password-in-acme")
	f.multiB = f.user(t, f.b, directory.RoleEndUser, "multi@both.test", "password-in-globex")

	f.tokA, _ = f.apiToken(t, f.a)
	f.tokB, _ = f.apiToken(t, f.b)
	var rec *directory.APIToken
	f.revoked, rec = f.apiToken(t, f.a)
	if err := f.store.DeleteAPIToken(f.ctx, f.a.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	f.bearerAgentA = f.accessToken(t, f.a, f.agentA, []string{"read", "write"}, 0)
	f.bearerExpiring = f.accessToken(t, f.a, f.adminA, []string{"read"}, time.Hour)
	f.bearerSuspended = f.accessToken(t, f.a, f.suspendedA, nil, 0)
	f.bearerDeleted = f.accessToken(t, f.a, f.deletedA, nil, 0)

	// Soft-delete last, so the tokens above were issued to an active user.
	if _, err := f.svc.DeleteUser(f.ctx, op, f.deletedA.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestAuthenticate(t *testing.T) {
	f := newAuthFixture(t)
	type want struct {
		realm  string
		user   *directory.User
		method auth.Method
		scopes []string
	}
	tests := []struct {
		name   string
		header string // Authorization; "" sends none
		query  string // raw query of the request URL
		now    time.Duration
		want   want  // zero when an error or no principal is expected
		err    error // nil: success (or no credentials when want is zero)
	}{
		// API tokens.
		{name: "token as admin", header: basic("admin@acme.test/token", f.tokA),
			want: want{"acme", f.adminA, auth.MethodAPIToken, nil}},
		{name: "token as agent", header: basic("agent@acme.test/token", f.tokA),
			want: want{"acme", f.agentA, auth.MethodAPIToken, nil}},
		{name: "token, email in other case", header: basic("Agent@ACME.test/token", f.tokA),
			want: want{"acme", f.agentA, auth.MethodAPIToken, nil}},
		{name: "token, secondary email", header: basic("second@acme.test/token", f.tokA),
			want: want{"acme", f.secondaryA, auth.MethodAPIToken, nil}},
		{name: "token of realm b", header: basic("onlyb@globex.test/token", f.tokB),
			want: want{"globex", f.agentB, auth.MethodAPIToken, nil}},
		{name: "token names the realm of a shared email", header: basic("shared@both.test/token", f.tokB),
			want: want{"globex", f.sharedB, auth.MethodAPIToken, nil}},
		{name: "scheme is case-insensitive", header: strings.Replace(basic("agent@acme.test/token", f.tokA), "Basic", "basic", 1),
			want: want{"acme", f.agentA, auth.MethodAPIToken, nil}},
		{name: "token with end user's email", header: basic("customer@acme.test/token", f.tokA), err: auth.ErrBadCredentials},
		{name: "token of a, email only in b", header: basic("onlyb@globex.test/token", f.tokA), err: auth.ErrBadCredentials},
		{name: "token of b, email only in a", header: basic("agent@acme.test/token", f.tokB), err: auth.ErrBadCredentials},
		{name: "revoked token", header: basic("agent@acme.test/token", f.revoked), err: auth.ErrBadCredentials},
		{name: "unknown token", header: basic("agent@acme.test/token", "not-a-token"), err: auth.ErrBadCredentials},
		{name: "token for suspended user", header: basic("suspended@acme.test/token", f.tokA), err: auth.ErrBadCredentials},
		{name: "token for soft-deleted user", header: basic("gone@acme.test/token", f.tokA), err: auth.ErrBadCredentials},
		{name: "token for unknown email", header: basic("nobody@acme.test/token", f.tokA), err: auth.ErrBadCredentials},
		{name: "token as password", header: basic("agent@acme.test", f.tokA), err: auth.ErrBadCredentials},
		{name: "empty token", header: basic("agent@acme.test/token", ""), err: auth.ErrBadCredentials},

		// Passwords.
		{name: "password of an agent", header: basic("pw@acme.test", "agent-pass:word"),
			want: want{"acme", f.pwUserA, auth.MethodPassword, nil}},
		{name: "password of an end user", header: basic("customer@acme.test", "customer-pass"),
			want: want{"acme", f.endUserA, auth.MethodPassword, nil}},
		{name: "password, email in other case", header: basic("PW@Acme.Test", "agent-pass:word"),
			want: want{"acme", f.pwUserA, auth.MethodPassword, nil}},
		{name: "wrong password", header: basic("pw@acme.test", "agent-pass:wore"), err: auth.ErrBadCredentials},
		{name: "password of another user", header: basic("pw@acme.test", "customer-pass"), err: auth.ErrBadCredentials},
		{name: "user without password", header: basic("agent@acme.test", "anything"), err: auth.ErrBadCredentials},
		{name: "unknown email", header: basic("nobody@acme.test", "agent-pass:word"), err: auth.ErrBadCredentials},
		{name: "password of suspended user", header: basic("suspended@acme.test", "suspended-pass"), err: auth.ErrBadCredentials},
		{name: "password of soft-deleted user", header: basic("gone@acme.test", "gone-password"), err: auth.ErrBadCredentials},
		{name: "same email and password in two realms", header: basic("shared@both.test", "same password"), err: auth.ErrBadCredentials},
		{name: "same email, password of realm a", header: basic("multi@both.test", "password-in-acme"),
			want: want{"acme", f.multiA, auth.MethodPassword, nil}},
		{name: "same email, password of realm b", header: basic("multi@both.test", "password-in-globex"),
			want: want{"globex", f.multiB, auth.MethodPassword, nil}},
		{name: "empty password", header: basic("pw@acme.test", ""), err: auth.ErrBadCredentials},
		{name: "password cut at its colon", header: basic("pw@acme.test", "agent-pass"), err: auth.ErrBadCredentials},

		// OAuth bearer tokens.
		{name: "bearer", header: "Bearer " + f.bearerAgentA,
			want: want{"acme", f.agentA, auth.MethodOAuth, []string{"read", "write"}}},
		{name: "bearer, lowercase scheme", header: "bearer " + f.bearerAgentA,
			want: want{"acme", f.agentA, auth.MethodOAuth, []string{"read", "write"}}},
		{name: "bearer before expiry", header: "Bearer " + f.bearerExpiring, now: time.Hour - time.Second,
			want: want{"acme", f.adminA, auth.MethodOAuth, []string{"read"}}},
		{name: "bearer at expiry", header: "Bearer " + f.bearerExpiring, now: time.Hour, err: auth.ErrInvalidToken},
		{name: "bearer after expiry", header: "Bearer " + f.bearerExpiring, now: 48 * time.Hour, err: auth.ErrInvalidToken},
		{name: "bearer without expiry, years later", header: "Bearer " + f.bearerAgentA, now: 5 * 365 * 24 * time.Hour,
			want: want{"acme", f.agentA, auth.MethodOAuth, []string{"read", "write"}}},
		{name: "unknown bearer", header: "Bearer nope", err: auth.ErrInvalidToken},
		{name: "empty bearer", header: "Bearer ", err: auth.ErrInvalidToken},
		{name: "api token as bearer", header: "Bearer " + f.tokA, err: auth.ErrInvalidToken},
		{name: "bearer of suspended user", header: "Bearer " + f.bearerSuspended, err: auth.ErrInvalidToken},
		{name: "bearer of soft-deleted user", header: "Bearer " + f.bearerDeleted, err: auth.ErrInvalidToken},
		{name: "access_token in the query", query: "access_token=" + f.bearerAgentA,
			want: want{"acme", f.agentA, auth.MethodOAuth, []string{"read", "write"}}},
		{name: "expired access_token in the query", query: "access_token=" + f.bearerExpiring, now: 2 * time.Hour, err: auth.ErrInvalidToken},
		{name: "unknown access_token in the query", query: "access_token=nope", err: auth.ErrInvalidToken},

		// No or malformed credentials.
		{name: "no credentials"},
		{name: "empty access_token", query: "access_token="},
		{name: "basic, not base64", header: "Basic ###", err: auth.ErrBadCredentials},
		{name: "basic, no colon", header: "Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon")), err: auth.ErrBadCredentials},
		{name: "basic, empty", header: "Basic ", err: auth.ErrBadCredentials},
		{name: "basic, scheme only", header: "Basic", err: auth.ErrBadCredentials},
		{name: "basic, empty user", header: basic("", "agent-pass:word"), err: auth.ErrBadCredentials},
		{name: "unknown scheme", header: "Token x", err: auth.ErrBadCredentials},
		{name: "digest scheme", header: `Digest username="pw@acme.test"`, err: auth.ErrBadCredentials},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v2/users/me.json?"+tc.query, nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			a := auth.NewAuthenticator(f.store, fixedClock(epoch.Add(tc.now)))
			p, err := a.Authenticate(f.ctx, r)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Authenticate = %+v, %v; want error %v", p, err, tc.err)
				}
				if directory.KindOf(err) != directory.KindUnauthenticated {
					t.Errorf("error kind = %v, want KindUnauthenticated", directory.KindOf(err))
				}
				if p != nil {
					t.Errorf("principal = %+v with an error, want nil", p)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if tc.want.user == nil {
				if p != nil {
					t.Fatalf("principal = %+v (user %d), want nil for a request without credentials", p, p.User.ID)
				}
				return
			}
			if p == nil {
				t.Fatalf("principal = nil, want user %d of %s", tc.want.user.ID, tc.want.realm)
			}
			got := want{p.Realm.UID, p.User, p.Method, p.Scopes}
			if got.realm != tc.want.realm || got.user.ID != tc.want.user.ID || got.method != tc.want.method {
				t.Errorf("principal = realm %s user %d (%s) method %s, want realm %s user %d (%s) method %s",
					got.realm, got.user.ID, got.user.Email, got.method, tc.want.realm, tc.want.user.ID, tc.want.user.Email, tc.want.method)
			}
			if diff := cmp.Diff(tc.want.scopes, p.Scopes); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
			if p.User.RealmID != p.Realm.ID {
				t.Errorf("user of realm %d returned with realm %d", p.User.RealmID, p.Realm.ID)
			}
			wantActor := directory.Actor{RealmID: p.Realm.ID, UserID: tc.want.user.ID, Role: tc.want.user.Role}
			if diff := cmp.Diff(wantActor, p.Actor()); diff != "" {
				t.Errorf("Actor (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPasswordLoginBeyondFiveNamesakes signs in a user whose email also
// belongs, without a password, to users of five older realms: a customer
// of several businesses is common, and only one of the users has a
// password.
func TestPasswordLoginBeyondFiveNamesakes(t *testing.T) {
	e := newEnv(t)
	const email = "many@realms.test"
	e.user(t, e.a, directory.RoleEndUser, email, "")
	e.user(t, e.b, directory.RoleEndUser, email, "")
	for _, uid := range []string{"c", "d", "f"} {
		e.user(t, e.realm(t, uid), directory.RoleEndUser, email, "")
	}
	last := e.realm(t, "last")
	want := e.user(t, last, directory.RoleAgent, email, "the only password")

	r := httptest.NewRequest("GET", "/api/v2/users/me.json", nil)
	r.Header.Set("Authorization", basic(email, "the only password"))
	p, err := auth.NewAuthenticator(e.store, fixedClock(epoch)).Authenticate(e.ctx, r)
	if err != nil {
		t.Fatalf("Authenticate: %v; want user %d of realm %q (the only user with this email that has a password)", err, want.ID, last.UID)
	}
	if p.Realm.UID != last.UID || p.User.ID != want.ID || p.Method != auth.MethodPassword {
		t.Errorf("principal = realm %s user %d %s, want realm %s user %d password", p.Realm.UID, p.User.ID, p.Method, last.UID, want.ID)
	}
}

// TestLoginUnicodeEmailCase signs in, with a password and with an API
// token, using the upper-case form of a non-ASCII email: emails are stored
// lowercased with Unicode rules, so a login must fold the same way.
func TestLoginUnicodeEmailCase(t *testing.T) {
	e := newEnv(t)
	u := e.user(t, e.a, directory.RoleAgent, "jürgen@acme.test", "password-jürgen")
	if u.Email != "jürgen@acme.test" {
		t.Fatalf("stored email = %q", u.Email)
	}
	tok, _ := e.apiToken(t, e.a)
	for _, login := range []string{"jürgen@acme.test", "Jürgen@ACME.test", "JÜRGEN@acme.test"} {
		for _, c := range []struct{ user, secret string }{{login, "password-jürgen"}, {login + "/token", tok}} {
			r := httptest.NewRequest("GET", "/api/v2/users/me.json", nil)
			r.Header.Set("Authorization", basic(c.user, c.secret))
			p, err := auth.NewAuthenticator(e.store, fixedClock(epoch)).Authenticate(e.ctx, r)
			if err != nil || p == nil || p.User.ID != u.ID {
				t.Errorf("login as %q = %+v, %v; want user %d", c.user, p, err, u.ID)
			}
		}
	}
}

func TestAuthenticateRecordsLastLogin(t *testing.T) {
	e := newEnv(t)
	agent := e.user(t, e.a, directory.RoleAgent, "agent@acme.test", "")
	suspended := e.user(t, e.a, directory.RoleAgent, "suspended@acme.test", "")
	if _, err := e.svc.UpdateUser(e.ctx, directory.Operator(e.a.ID), suspended.ID, directory.UserInput{Suspended: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	tok, _ := e.apiToken(t, e.a)
	now := epoch.Add(500 * time.Millisecond)
	a := auth.NewAuthenticator(e.store, func() time.Time { return now })
	call := func(email string) error {
		t.Helper()
		r := httptest.NewRequest("GET", "/api/v2/users.json", nil)
		r.Header.Set("Authorization", basic(email+"/token", tok))
		_, err := a.Authenticate(e.ctx, r)
		return err
	}
	lastLogin := func(u *directory.User) time.Time {
		t.Helper()
		got, err := e.store.UserByID(e.ctx, e.a.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastLoginAt
	}
	if got := lastLogin(agent); !got.IsZero() {
		t.Fatalf("last_login_at before any call = %v, want zero", got)
	}

	steps := []struct {
		at   time.Duration // after epoch
		want time.Time
	}{
		{0, epoch},                // first use: recorded, to the second
		{30 * time.Second, epoch}, // within a minute: not rewritten
		{59 * time.Second, epoch}, // still within a minute
		{61 * time.Second, epoch.Add(61 * time.Second)}, // a minute later: recorded again
		{90 * time.Second, epoch.Add(61 * time.Second)},
		{3 * time.Hour, epoch.Add(3 * time.Hour)},
	}
	for _, st := range steps {
		now = epoch.Add(st.at + 500*time.Millisecond)
		if err := call("agent@acme.test"); err != nil {
			t.Fatalf("at +%v: %v", st.at, err)
		}
		if got := lastLogin(agent); !got.Equal(st.want) {
			t.Errorf("at +%v: last_login_at = %v, want %v", st.at, got, st.want)
		}
	}

	if err := call("suspended@acme.test"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("suspended user: %v, want ErrBadCredentials", err)
	}
	if got := lastLogin(suspended); !got.IsZero() {
		t.Errorf("a refused call recorded last_login_at = %v", got)
	}
}
