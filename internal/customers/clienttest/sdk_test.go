package clienttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/cli"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/nodetest"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
	"github.com/google/go-cmp/cmp"
)

// nodeDir holds sdk.js, package.json and package-lock.json.
const nodeDir = "node"

// outcome is how one SDK call ended, as sdk.js reports it.
type outcome struct {
	Resolved bool            `json:"resolved"`
	Value    json.RawMessage `json:"value"`
	Error    string          `json:"error"`
}

// tokenCall is one delivery-token request the SDK made, as sdk.js saw it.
type tokenCall struct {
	URL           string          `json:"url"`
	Authorization string          `json:"authorization"`
	Status        int             `json:"status"`
	DeliveryToken string          `json:"delivery_token"`
	Body          json.RawMessage `json:"body"`
}

// sdkReport is what sdk.js prints.
type sdkReport struct {
	Anonymous              outcome     `json:"anonymous"`
	SignedIn               outcome     `json:"signed_in"`
	PrivateEntries         outcome     `json:"private_entries"`
	PrivateEntriesBadToken outcome     `json:"private_entries_bad_token"`
	TokenCalls             []tokenCall `json:"token_calls"`
	MissingToken           outcome     `json:"missing_token"`
}

// seen is a request the server received, with the headers that matter.
type seen struct {
	Method, Path, Authorization, DeliveryToken string
	Cookie                                     bool
}

// recorder remembers every request before the real handler answers it.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
	next http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, seen{Method: req.Method, Path: req.URL.Path, Authorization: req.Header.Get("Authorization"),
		DeliveryToken: req.Header.Get("Delivery-Token"), Cookie: req.Header.Get("Cookie") != ""})
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

// TestModyoSDK runs @modyo/sdk 2.0.6 against the server: getUserInfo()
// for a signed-in customer returns the me body, an anonymous call
// rejects, and a private content type's delivery-token call carries the
// customer's bearer token and gets a token back, which the SDK then sends
// as Delivery-Token.
func TestModyoSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: @modyo/sdk client test skipped")
	}
	ensureNodeModules(t)
	ctx := context.Background()
	store := sqlitetest.Open(t)
	svc := directory.NewService(store, directory.ServiceOptions{})
	acme, err := svc.CreateRealm(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRealm(ctx, "beta", "Beta"); err != nil {
		t.Fatal(err)
	}
	name, email := "Carla Customer", "carla@acme.test"
	carla, err := svc.CreateUser(ctx, directory.Operator(acme.ID), directory.UserInput{Name: &name, Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	signin := directory.NewSignin(svc, directory.SigninOptions{Passwords: auth.Argon2id{}})
	secret, sess, err := signin.StartSession(ctx, acme, carla, directory.MethodDirect, directory.Client{UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	token, err := signin.IssueSessionToken(ctx, sess, []string{"public"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{next: cli.NewHandler(store, &cli.Config{RateLimit: 100000}, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	cookie := auth.SessionCookie("acme") + "=" + secret

	report := runSDK(t, node, srv.URL, "acme", cookie, token)

	// Anonymous: the SDK rejects on the 401.
	if report.Anonymous.Resolved || !strings.Contains(report.Anonymous.Error, "Fetching UserInfo failed") ||
		!strings.Contains(report.Anonymous.Error, "401") {
		t.Errorf("anonymous getUserInfo = %+v", report.Anonymous)
	}
	// Signed in: exactly the body GET /api/profile/me gives the cookie.
	if !report.SignedIn.Resolved {
		t.Fatalf("getUserInfo rejected: %s", report.SignedIn.Error)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/customers/realms/acme/me", nil)
	req.Header.Set("Cookie", cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var want, got map[string]any
	if err := json.NewDecoder(res.Body).Decode(&want); err != nil || res.StatusCode != 200 {
		t.Fatalf("me: %d %v", res.StatusCode, err)
	}
	res.Body.Close()
	if err := json.Unmarshal(report.SignedIn.Value, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("getUserInfo() differs from GET me (-me +sdk):\n%s", diff)
	}
	if got["id"] != float64(carla.ID) || got["email"] != email {
		t.Errorf("getUserInfo() = %v", got)
	}

	// Private content: one good token call, then the content request
	// with that token; with a bad token a 401 and no content request.
	if len(report.TokenCalls) != 2 {
		t.Fatalf("token calls = %+v", report.TokenCalls)
	}
	good, bad := report.TokenCalls[0], report.TokenCalls[1]
	if good.URL != srv.URL+"/api/customers/realms/acme/delivery_token" || good.Authorization != "Bearer "+token ||
		good.Status != 200 || strings.Count(good.DeliveryToken, ".") != 2 {
		t.Errorf("delivery token call = %+v", good)
	}
	if bad.Status != 401 || string(bad.Body) != `{"error":{"user_session":"user not found"}}` {
		t.Errorf("bad token call = %+v (body %s)", bad, bad.Body)
	}
	if !report.PrivateEntries.Resolved || !report.PrivateEntriesBadToken.Resolved {
		t.Errorf("getEntries rejected: %+v / %+v", report.PrivateEntries, report.PrivateEntriesBadToken)
	}
	var content []seen
	for _, s := range rec.reqs {
		if strings.HasPrefix(s.Path, "/api/content/") {
			content = append(content, s)
		}
	}
	if len(content) != 1 || content[0].Path != "/api/content/spaces/blog/types/posts/entries" || content[0].DeliveryToken != good.DeliveryToken {
		t.Errorf("content requests = %+v, want one carrying Delivery-Token %q", content, good.DeliveryToken)
	}
	if report.MissingToken.Resolved || !strings.Contains(report.MissingToken.Error, "user access Token") {
		t.Errorf("private content without a token = %+v", report.MissingToken)
	}
}

// ensureNodeModules installs @modyo/sdk from package-lock.json when it is
// missing.
func ensureNodeModules(t *testing.T) { nodetest.EnsureModules(t, nodeDir, "@modyo/sdk") }

// runSDK runs sdk.js and decodes its report.
func runSDK(t *testing.T, node string, args ...string) *sdkReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"sdk.js"}, args...)...)
	cmd.Dir = nodeDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node sdk.js: %v\nstderr:\n%s\nstdout:\n%s", err, &stderr, &stdout)
	}
	var report sdkReport
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&report); err != nil {
		t.Fatalf("sdk.js report: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return &report
}
