package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/cli"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite"
	"github.com/golang-jwt/jwt/v5"
)

// testSecretKey is a CLIENTELE_SECRET_KEY for the tests.
const testSecretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// runIn runs the CLI with stdin.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// getJSON sends a GET with a bearer token and decodes the JSON answer.
func getJSON(t *testing.T, u, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("%s: %d %s", u, res.StatusCode, raw)
	}
	return res.StatusCode, body
}

// TestIntegrationZendeskCommands checks `integration zendesk set|show|
// delete`, and that the server signs the Zendesk token with the secret
// the command stored.
func TestIntegrationZendeskCommands(t *testing.T) {
	setup(t)
	t.Setenv("CLIENTELE_SECRET_KEY", "")
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	run(t, "realm", "create", "--uid", "beta", "--name", "Beta")
	const secret = "zd-shared-secret-0123456789"

	// Without a secret key nothing can be stored.
	if code, _, errOut := run(t, "integration", "zendesk", "set", "--realm", "acme", "--url", "acme.zendesk.com", "--secret", secret); code != 1 ||
		!strings.Contains(errOut, "CLIENTELE_SECRET_KEY") {
		t.Fatalf("set without a secret key: %d %q", code, errOut)
	}
	t.Setenv("CLIENTELE_SECRET_KEY", testSecretKey)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"integration"}, 2, "missing subcommand"},
		{[]string{"integration", "zendesk"}, 2, "missing subcommand"},
		{[]string{"integration", "zendesk", "frob"}, 2, "unknown command"},
		{[]string{"integration", "zendesk", "set", "--url", "acme.zendesk.com"}, 2, "--realm and --url are required"},
		{[]string{"integration", "zendesk", "show"}, 2, "--realm is required"},
		{[]string{"integration", "zendesk", "set", "--realm", "acme", "--url", "http://acme.zendesk.com", "--secret", secret}, 1, "url: must be a Zendesk host"},
		{[]string{"integration", "zendesk", "set", "--realm", "acme", "--url", "acme.zendesk.com"}, 1, "secret: can't be blank"},
		{[]string{"integration", "zendesk", "set", "--realm", "nowhere", "--url", "acme.zendesk.com", "--secret", secret}, 1, `realm "nowhere"`},
		{[]string{"integration", "zendesk", "show", "--realm", "acme"}, 1, `realm "acme" has no Zendesk integration`},
		{[]string{"integration", "zendesk", "delete", "--realm", "acme"}, 1, `realm "acme" has no Zendesk integration`},
	} {
		if code, _, errOut := run(t, tc.args...); code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: %d %q, want %d and %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}

	// The secret read from stdin, as an operator keeps it out of the shell history.
	code, out, errOut := runIn(t, secret+"\n", "integration", "zendesk", "set", "--realm", "acme", "--url", "https://acme.zendesk.com",
		"--name", "Help", "--secret", "-", "--json")
	var z map[string]any
	if err := json.Unmarshal([]byte(out), &z); code != 0 || err != nil || z["realm"] != "acme" || z["name"] != "Help" ||
		z["url"] != "https://acme.zendesk.com" || z["secret_hint"] != "...6789" || !strings.Contains(errOut, "created") {
		t.Fatalf("set --json: %d %q %q", code, out, errOut)
	}
	if strings.Contains(out, secret) {
		t.Errorf("set prints the secret: %q", out)
	}
	if code, out, _ := run(t, "integration", "zendesk", "show", "--realm", "acme"); code != 0 ||
		out != "realm: acme\nname: Help\nurl: https://acme.zendesk.com\nsecret: ...6789\n" {
		t.Errorf("show: %d %q", code, out)
	}
	// The second realm has none.
	if code, _, _ := run(t, "integration", "zendesk", "show", "--realm", "beta"); code != 1 {
		t.Errorf("show beta: %d", code)
	}
	// Replacing without --secret keeps the secret.
	if code, _, errOut := run(t, "integration", "zendesk", "set", "--realm", "acme", "--url", "acme.zendesk.com", "--name", "Support"); code != 0 ||
		!strings.Contains(errOut, "replaced") {
		t.Errorf("set without secret: %d %q", code, errOut)
	}

	// The server signs with the stored secret.
	store, err := sqlite.Open(os.Getenv("CLIENTELE_DATABASE"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	realm, err := store.RealmByUID(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	name, email := "Carla", "carla@acme.test"
	if _, err := directory.NewService(store, directory.ServiceOptions{}).CreateUser(context.Background(), directory.Operator(realm.ID),
		directory.UserInput{Name: &name, Email: &email}); err != nil {
		t.Fatal(err)
	}
	_, token, _ := run(t, "user", "token", "--realm", "acme", "--email", email)
	srv := httptest.NewServer(cli.NewHandler(store, &cli.Config{RateLimit: 100000, SecretKey: testSecretKey}, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	status, body := getJSON(t, srv.URL+"/api/customers/realms/acme/integrations/zendesk_token", strings.TrimSpace(token))
	zt, _ := body["token"].(string)
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(zt, claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuedAt()); status != http.StatusOK || err != nil || claims["email"] != email {
		t.Errorf("zendesk_token: %d %v %v (%v)", status, body, claims, err)
	}

	if code, _, errOut := run(t, "integration", "zendesk", "delete", "--realm", "acme"); code != 0 || !strings.Contains(errOut, "deleted") {
		t.Errorf("delete: %d %q", code, errOut)
	}
	if status, body := getJSON(t, srv.URL+"/api/customers/realms/acme/integrations/zendesk_token", strings.TrimSpace(token)); status != http.StatusNotFound {
		t.Errorf("zendesk_token after delete: %d %v", status, body)
	}
}

// TestAccountCommands checks `account show|set`, and that the delivery
// tokens the server issues verify with the secret `account show` prints.
func TestAccountCommands(t *testing.T) {
	setup(t)
	code, out, _ := run(t, "account", "show", "--json")
	var a struct {
		UUID           string `json:"uuid"`
		TTL            int64  `json:"delivery_token_ttl"`
		DeliverySecret string `json:"delivery_secret"`
	}
	if err := json.Unmarshal([]byte(out), &a); code != 0 || err != nil || len(a.UUID) != 36 || a.TTL != 3600 || a.DeliverySecret != "" {
		t.Fatalf("account show --json: %d %q", code, out)
	}
	uuid := a.UUID
	if code, out, _ := run(t, "account", "set", "--delivery-token-ttl", "90s"); code != 0 || out != "uuid: "+uuid+"\ndelivery_token_ttl: 1m30s\n" {
		t.Errorf("account set: %d %q", code, out)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"account"}, 2, "missing subcommand"},
		{[]string{"account", "set"}, 2, "--delivery-token-ttl is required"},
		{[]string{"account", "set", "--delivery-token-ttl", "5s"}, 1, "delivery_token_ttl"},
		{[]string{"account", "set", "--delivery-token-ttl", "48h"}, 1, "delivery_token_ttl"},
	} {
		if code, _, errOut := run(t, tc.args...); code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: %d %q", tc.args, code, errOut)
		}
	}
	code, out, _ = run(t, "account", "show", "--show-secret", "--json")
	if err := json.Unmarshal([]byte(out), &a); code != 0 || err != nil || a.UUID != uuid || a.TTL != 90 || len(a.DeliverySecret) < 43 {
		t.Fatalf("account show --show-secret: %d %q", code, out)
	}

	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	store, err := sqlite.Open(os.Getenv("CLIENTELE_DATABASE"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	realm, _ := store.RealmByUID(context.Background(), "acme")
	name, email := "Carla", "carla@acme.test"
	if _, err := directory.NewService(store, directory.ServiceOptions{}).CreateUser(context.Background(), directory.Operator(realm.ID),
		directory.UserInput{Name: &name, Email: &email}); err != nil {
		t.Fatal(err)
	}
	_, token, _ := run(t, "user", "token", "--realm", "acme", "--email", email)
	srv := httptest.NewServer(cli.NewHandler(store, &cli.Config{RateLimit: 100000}, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	status, body := getJSON(t, srv.URL+"/api/customers/realms/acme/delivery_token", strings.TrimSpace(token))
	dt, _ := body["delivery_token"].(string)
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(dt, claims, func(*jwt.Token) (any, error) { return []byte(a.DeliverySecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithSubject(uuid), jwt.WithAudience(srv.URL+"/api/content"), jwt.WithExpirationRequired())
	if status != http.StatusOK || err != nil {
		t.Fatalf("delivery_token: %d %v (%v)", status, body, err)
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 90 {
		t.Errorf("delivery token lifetime %v s, want 90", exp-iat)
	}
}
