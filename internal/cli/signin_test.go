package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/cli"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite"
)

// serveDB serves the CLI's database in-process, as `clientele serve`
// would, and returns the server's URL.
func serveDB(t *testing.T) (string, directory.Store) {
	t.Helper()
	store, err := sqlite.Open(os.Getenv("CLIENTELE_DATABASE"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(cli.NewHandler(store, &cli.Config{RateLimit: 100000}, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return srv.URL, store
}

func bearer(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func TestOAuthClientCommands(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	run(t, "realm", "create", "--uid", "beta", "--name", "Beta")
	code, out, errOut := run(t, "oauth-client", "create", "--realm", "acme", "--redirect-uri", "https://app.example/cb",
		"--redirect-uri", "com.example.app:/cb", "--scopes", "public,admin", "--name", "App", "--json")
	var created struct {
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		RedirectURIs []string `json:"redirect_uris"`
		Confidential bool     `json:"confidential"`
	}
	if err := json.Unmarshal([]byte(out), &created); code != 0 || err != nil || created.ClientID == "" || len(created.ClientSecret) != 40 ||
		len(created.RedirectURIs) != 2 || !created.Confidential {
		t.Fatalf("create --json: %d %q %q", code, out, errOut)
	}
	code, out, _ = run(t, "oauth-client", "create", "--realm", "acme", "--redirect-uri", "https://spa.example/", "--public")
	if code != 0 || !strings.HasPrefix(out, "client_id: ") || strings.Contains(out, "client_secret") {
		t.Errorf("create --public: %d %q", code, out)
	}
	if code, _, errOut := run(t, "oauth-client", "create", "--realm", "acme", "--redirect-uri", "not a uri"); code != 1 || !strings.Contains(errOut, "redirect_uri") {
		t.Errorf("bad redirect uri: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "oauth-client", "create", "--realm", "acme"); code != 2 || !strings.Contains(errOut, "--redirect-uri") {
		t.Errorf("no redirect uri: %d %q", code, errOut)
	}
	code, out, _ = run(t, "oauth-client", "list", "--realm", "acme", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 2 || list[0]["client_id"] != created.ClientID || list[1]["confidential"] != false {
		t.Errorf("list --json: %d %q", code, out)
	}
	if strings.Contains(out, created.ClientSecret) || strings.Contains(out, "client_secret") {
		t.Errorf("list shows a secret: %q", out)
	}
	if _, out, _ := run(t, "oauth-client", "list", "--realm", "acme"); !strings.Contains(out, created.ClientID) || !strings.Contains(out, "public") {
		t.Errorf("list: %q", out)
	}
	if _, out, _ := run(t, "oauth-client", "list", "--realm", "beta", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("beta's clients: %q", out)
	}
	if code, _, errOut := run(t, "oauth-client", "delete", "--realm", "beta", "--client-id", created.ClientID); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("delete through another realm: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "oauth-client", "delete", "--realm", "acme", "--client-id", created.ClientID); code != 0 {
		t.Errorf("delete: %d %q", code, errOut)
	}
	if _, out, _ := run(t, "oauth-client", "list", "--realm", "acme", "--json"); strings.Contains(out, created.ClientID) {
		t.Errorf("deleted client still listed: %q", out)
	}
}

func TestUserTokenAndOutbox(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	run(t, "realm", "create", "--uid", "beta", "--name", "Beta")
	url0, store := serveDB(t)
	ctx := context.Background()
	acme, _ := store.RealmByUID(ctx, "acme")
	svc := directory.NewService(store, directory.ServiceOptions{})
	name, email := "Carla", "carla@acme.test"
	if _, err := svc.CreateUser(ctx, directory.Operator(acme.ID), directory.UserInput{Name: &name, Email: &email}); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := run(t, "user", "token", "--realm", "acme", "--email", "Carla@acme.test")
	token := strings.TrimSpace(out)
	if code != 0 || len(token) != 40 || !strings.Contains(errOut, "shown once") {
		t.Fatalf("user token: %d %q %q", code, out, errOut)
	}
	if status := bearer(t, url0+"/api/v2/users/me.json", token); status != 200 {
		t.Errorf("bearer with the token: %d", status)
	}
	if code, _, errOut := run(t, "user", "token", "--realm", "beta", "--email", "carla@acme.test"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("user of another realm: %d %q", code, errOut)
	}
	if code, _, _ := run(t, "user", "token", "--realm", "acme", "--email", "carla@acme.test", "--scopes", "root"); code != 2 {
		t.Errorf("unknown scope: %d", code)
	}
	events, _ := store.ListEvents(ctx, acme.ID, 0, directory.EventQuery{Page: directory.Page{Limit: 10}})
	if len(events) != 1 || events[0].Type != directory.EventLogin || events[0].Method != directory.MethodCLI {
		t.Errorf("events: %+v", events)
	}

	// A reset request puts a mail in acme's outbox, which the operator reads.
	signin := directory.NewSignin(svc, directory.SigninOptions{Passwords: auth.Argon2id{}})
	if err := signin.RequestPasswordReset(ctx, acme, email, directory.Client{BaseURL: "https://id.example"}); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "outbox", "list")
	if code != 0 || !strings.Contains(out, "To: carla@acme.test") || !strings.Contains(out, "https://id.example/realms/acme/password/reset/") ||
		!strings.Contains(out, "not sent (SMTP not configured)") {
		t.Errorf("outbox list: %d %q", code, out)
	}
	code, out, _ = run(t, "outbox", "list", "--realm", "acme", "--json")
	var mails []struct{ Realm, To, Subject, Body string }
	if err := json.Unmarshal([]byte(out), &mails); code != 0 || err != nil || len(mails) != 1 || mails[0].Realm != "acme" || !strings.Contains(mails[0].Subject, "Reset") {
		t.Errorf("outbox list --json: %d %q", code, out)
	}
	if _, out, _ := run(t, "outbox", "list", "--realm", "beta", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("beta's outbox: %q", out)
	}
}

func TestRealmSigninCommand(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	run(t, "realm", "create", "--uid", "beta", "--name", "Beta")
	code, out, errOut := run(t, "realm", "signin", "--realm", "acme", "--signup", "off", "--idle-timeout", "10m",
		"--allowed-origins", "https://shop.example", "--json")
	var st struct {
		Signup          bool     `json:"signup"`
		SessionLifetime string   `json:"session_lifetime"`
		IdleTimeout     string   `json:"idle_timeout"`
		AllowedOrigins  []string `json:"allowed_origins"`
	}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.Signup || st.IdleTimeout != "10m0s" || st.SessionLifetime != "336h0m0s" ||
		len(st.AllowedOrigins) != 1 {
		t.Fatalf("realm signin: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := run(t, "realm", "signin", "--realm", "acme", "--session-lifetime", "1m"); code != 1 || !strings.Contains(errOut, "session_lifetime") {
		t.Errorf("too short a lifetime: %d %q", code, errOut)
	}
	if _, out, _ := run(t, "realm", "signin", "--realm", "beta"); !strings.Contains(out, "signup: on") {
		t.Errorf("beta changed with acme: %q", out)
	}

	// The closed realm's signup page says so.
	u, _ := serveDB(t)
	res, err := http.Get(u + "/realms/acme/signup")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("signup of a closed realm: %d", res.StatusCode)
	}
	res, err = http.Get(u + "/realms/beta/signup?redirect_uri=" + url.QueryEscape("/x"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("signup of an open realm: %d", res.StatusCode)
	}
}

func TestIdPCommands(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	run(t, "realm", "create", "--uid", "beta", "--name", "Beta")
	args := []string{"idp", "create", "--realm", "acme", "--uid", "corp", "--name", "Corp ID", "--issuer", "https://id.example",
		"--client-id", "cid", "--client-secret", "very secret", "--claim", "given_name=first_name", "--refresh", "--refresh-anticipation", "30s",
		"--show-delegation", "--json"}
	// Without a secret key the secret cannot be kept encrypted.
	if code, _, errOut := run(t, args...); code != 1 || !strings.Contains(errOut, "CLIENTELE_SECRET_KEY") {
		t.Errorf("without a key: %d %q", code, errOut)
	}
	t.Setenv("CLIENTELE_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	code, out, errOut := run(t, args...)
	var p map[string]any
	if err := json.Unmarshal([]byte(out), &p); code != 0 || err != nil || p["uid"] != "corp" || p["refresh_anticipation"] != 30.0 ||
		p["pkce"] != "S256" || p["auth_method"] != "client_secret_basic" {
		t.Fatalf("idp create: %d %q %q", code, out, errOut)
	}
	if strings.Contains(out, "very secret") {
		t.Errorf("create prints the secret: %q", out)
	}
	if code, _, errOut := run(t, "idp", "create", "--realm", "acme", "--uid", "corp", "--issuer", "https://x.example", "--client-id", "c", "--client-secret", "s"); code != 1 || !strings.Contains(errOut, "uid") {
		t.Errorf("duplicate uid: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "idp", "create", "--realm", "acme", "--uid", "x", "--issuer", "ftp://x", "--client-id", "c", "--client-secret", "s"); code != 1 || !strings.Contains(errOut, "issuer") {
		t.Errorf("bad issuer: %d %q", code, errOut)
	}
	if _, out, _ := run(t, "idp", "list", "--realm", "acme"); !strings.Contains(out, "https://id.example") {
		t.Errorf("idp list: %q", out)
	}
	if _, out, _ := run(t, "idp", "list", "--realm", "beta", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("beta's providers: %q", out)
	}
	// The secret is stored sealed.
	_, store := serveDB(t)
	acme, _ := store.RealmByUID(context.Background(), "acme")
	stored, err := store.IdPByUID(context.Background(), acme.ID, "corp")
	if err != nil || stored.SealedSecret == "" || strings.Contains(stored.SealedSecret, "very secret") {
		t.Errorf("stored secret: %+v %v", stored, err)
	}
	if code, _, _ := run(t, "idp", "delete", "--realm", "beta", "--uid", "corp"); code != 1 {
		t.Errorf("delete through another realm: %d", code)
	}
	if code, _, errOut := run(t, "idp", "delete", "--realm", "acme", "--uid", "corp"); code != 0 {
		t.Errorf("idp delete: %d %q", code, errOut)
	}
	if _, out, _ := run(t, "idp", "list", "--realm", "acme", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("after delete: %q", out)
	}
	// serve refuses a malformed key or SMTP URL before it starts.
	if code, _, errOut := run(t, "serve", "--addr", "127.0.0.1:0", "--secret-key", "short"); code != 1 || !strings.Contains(errOut, "CLIENTELE_SECRET_KEY") {
		t.Errorf("serve with a bad key: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "serve", "--addr", "127.0.0.1:0", "--smtp-url", "http://x"); code != 1 || !strings.Contains(errOut, "SMTP") {
		t.Errorf("serve with a bad SMTP URL: %d %q", code, errOut)
	}
}
