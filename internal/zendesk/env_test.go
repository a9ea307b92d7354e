package zendesk_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/enginetest"
	"github.com/clientele/clientele/internal/zendesk"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestMain drops the PostgreSQL schema the API tests share once they end.
func TestMain(m *testing.M) { enginetest.Main(m) }

// env is a running /api/v2 over a fresh SQLite database with two realms:
// acme (admin, agent, end user with a password) and beta (its own admin
// and customer), whose records must never show through acme.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	store  directory.Store
	svc    *directory.Service
	clock  *enginetest.Clock
	acme   *directory.Realm
	beta   *directory.Realm
	creds  map[string]string // Authorization header by principal name
	users  map[string]*directory.User
	logBuf *bytes.Buffer
}

// engine is a store the API tests run on.
type engine = enginetest.Engine

// eachEngine runs fn as a subtest per engine, the engines side by side:
// SQLite works in the test process and PostgreSQL mostly in its server, so
// running them together nearly halves the package's time. The subtests of
// one engine still run one after the other.
func eachEngine(t *testing.T, fn func(t *testing.T, eng engine)) {
	for _, eng := range enginetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, eng)
		})
	}
}

func newEnv(t testing.TB, eng engine, rateLimit int) *env {
	t.Helper()
	ctx := context.Background()
	store := eng.Open(t)
	var err error
	c := enginetest.NewClock()
	var uuids atomic.Int64
	svc := directory.NewService(store, directory.ServiceOptions{Now: c.Now, NewUUID: func() string {
		return fmt.Sprintf("00000000-0000-4000-8000-%012d", uuids.Add(1))
	}})
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	h := zendesk.NewHandler(zendesk.Config{
		Service: svc, Authenticator: auth.NewAuthenticator(store, c.Now), Logger: log,
		RateLimit: rateLimit, Now: c.Now,
	})
	e := &env{t: t, store: store, svc: svc, clock: c, creds: map[string]string{}, users: map[string]*directory.User{}, logBuf: &logBuf}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)

	e.acme, err = svc.CreateRealm(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	e.beta, err = svc.CreateRealm(ctx, "beta", "Beta")
	if err != nil {
		t.Fatal(err)
	}
	acmeToken, _, err := auth.IssueAPIToken(ctx, store, e.acme.ID, "test", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	betaToken, _, err := auth.IssueAPIToken(ctx, store, e.beta.ID, "test", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.users["admin"] = e.mustCreate(e.acme, `{"name":"Ada Admin","email":"admin@acme.test","role":"admin","verified":true}`)
	e.users["agent"] = e.mustCreate(e.acme, `{"name":"Alan Agent","email":"agent@acme.test","role":"agent","verified":true}`)
	e.users["customer"] = e.mustCreate(e.acme, `{"name":"Carla Customer","email":"carla@acme.test","external_id":"cust-1","phone":"+15551234567"}`)
	e.users["beta-admin"] = e.mustCreate(e.beta, `{"name":"Bea Admin","email":"admin@beta.test","role":"admin"}`)
	e.users["beta-customer"] = e.mustCreate(e.beta, `{"name":"Carla Customer","email":"carla@acme.test","external_id":"cust-1"}`)
	hash, err := customerPasswordHash()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetPasswordHash(ctx, e.acme.ID, e.users["customer"].ID, hash); err != nil {
		t.Fatal(err)
	}
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	e.creds["admin"] = basic("admin@acme.test/token:" + acmeToken)
	e.creds["agent"] = basic("agent@acme.test/token:" + acmeToken)
	e.creds["customer"] = basic("carla@acme.test:correct horse battery")
	e.creds["beta-admin"] = basic("admin@beta.test/token:" + betaToken)
	oauth, err := auth.IssueAccessToken(ctx, store, e.acme.ID, e.users["agent"].ID, []string{"read", "write"}, time.Hour, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.creds["agent-oauth"] = "Bearer " + oauth
	return e
}

// customerPasswordHash is the hash of the customer's password, computed
// once: argon2id is slow by design, and every env needs it.
var customerPasswordHash = sync.OnceValues(func() (string, error) { return auth.HashPassword("correct horse battery") })

// mustCreate creates a user as the operator of realm r.
func (e *env) mustCreate(r *directory.Realm, userJSON string) *directory.User {
	e.t.Helper()
	var raw map[string]any
	if err := json.Unmarshal([]byte(userJSON), &raw); err != nil {
		e.t.Fatal(err)
	}
	in := directory.UserInput{}
	str := func(k string) *string {
		if v, ok := raw[k].(string); ok {
			return &v
		}
		return nil
	}
	in.Name, in.Email, in.Role, in.ExternalID, in.Phone = str("name"), str("email"), str("role"), str("external_id"), str("phone")
	if v, ok := raw["verified"].(bool); ok {
		in.Verified = &v
	}
	u, err := e.svc.CreateUser(context.Background(), directory.Operator(r.ID), in)
	if err != nil {
		e.t.Fatalf("create %s: %v", userJSON, err)
	}
	return u
}

// response is a completed request.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return v
}

// do sends a request as the named principal ("" for none; anything not in
// creds is sent verbatim as the Authorization header).
func (e *env) do(method, path, who, body string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		if c, ok := e.creds[who]; ok {
			req.Header.Set("Authorization", c)
		} else {
			req.Header.Set("Authorization", who)
		}
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// normalize re-indents a JSON body and replaces the test server's address,
// so golden files do not depend on the port.
func (e *env) normalize(body []byte) []byte {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		e.t.Fatalf("not JSON: %v\n%s", err, body)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	return bytes.ReplaceAll(buf.Bytes(), []byte(strings.TrimPrefix(e.srv.URL, "http://")), []byte("clientele.test"))
}

// golden compares body with testdata/name.golden.json, or rewrites it with
// -update.
func (e *env) golden(name string, body []byte) {
	e.t.Helper()
	got := e.normalize(body)
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			e.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatalf("golden file: %v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		e.t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// jsonEqual compares body with want, both as JSON values.
func jsonEqual(t testing.TB, body []byte, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if diff := cmp.Diff(exp, got); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

func jsonDecode(r *http.Response, v any) error { return json.NewDecoder(r.Body).Decode(v) }
