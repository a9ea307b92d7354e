package cli_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/cli"
)

// run runs the CLI in-process and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func setup(t *testing.T) {
	t.Helper()
	t.Setenv("CLIENTELE_DATABASE", filepath.Join(t.TempDir(), "data", "clientele.db"))
}

func TestRealmAndTokenCommands(t *testing.T) {
	setup(t)
	if code, out, errOut := run(t, "realm", "create", "--uid", "acme", "--name", "Acme Inc."); code != 0 || out != "acme\n" {
		t.Fatalf("realm create: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := run(t, "realm", "create", "--uid", "acme", "--name", "Again"); code != 1 || !strings.Contains(errOut, "uid: has already been taken") {
		t.Errorf("duplicate realm: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "realm", "create", "--uid", "Bad UID", "--name", "x"); code != 1 || !strings.Contains(errOut, "uid") {
		t.Errorf("bad uid: %d %q", code, errOut)
	}
	run(t, "realm", "create", "--uid", "beta", "--name", "Beta")
	code, out, _ := run(t, "realm", "list", "--json")
	var realms []struct{ UID, Name string }
	if err := json.Unmarshal([]byte(out), &realms); code != 0 || err != nil || len(realms) != 2 || realms[0].UID != "acme" || realms[0].Name != "Acme Inc." {
		t.Errorf("realm list --json: %d %q %v", code, out, err)
	}
	if code, out, _ := run(t, "realm", "list"); code != 0 || !strings.Contains(out, "acme") || !strings.Contains(out, "UID") {
		t.Errorf("realm list: %d %q", code, out)
	}

	code, token, errOut := run(t, "token", "create", "--realm", "acme", "--email", "admin@acme.test", "--description", "ci")
	token = strings.TrimSpace(token)
	if code != 0 || !regexp.MustCompile(`^[A-Za-z0-9_-]{40}$`).MatchString(token) {
		t.Fatalf("token create printed %q (code %d, stderr %q); want only the token", token, code, errOut)
	}
	if !strings.Contains(errOut, "created admin admin@acme.test") {
		t.Errorf("token create did not say it created the admin: %q", errOut)
	}
	// A second token for the same email reuses the admin.
	_, token2, errOut := run(t, "token", "create", "--realm", "acme", "--email", "admin@acme.test")
	if strings.Contains(errOut, "created admin") || strings.TrimSpace(token2) == token {
		t.Errorf("second token: %q %q", token2, errOut)
	}
	code, out, _ = run(t, "token", "list", "--realm", "acme", "--json")
	var tokens []struct {
		ID          int64
		Hint        string
		Description string
	}
	if err := json.Unmarshal([]byte(out), &tokens); code != 0 || err != nil || len(tokens) != 2 || tokens[0].Hint != "..."+token[36:] || tokens[0].Description != "ci" {
		t.Fatalf("token list: %d %q", code, out)
	}
	if strings.Contains(out, token) {
		t.Errorf("token list shows the whole token")
	}
	if code, out, _ := run(t, "token", "list", "--realm", "beta", "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("beta tokens: %q", out)
	}
	if code, _, errOut := run(t, "token", "revoke", "--realm", "beta", "--id", "1"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("revoke through another realm: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "token", "revoke", "--realm", "acme", "--id", "1"); code != 0 {
		t.Errorf("revoke: %d %q", code, errOut)
	}
	_, out, _ = run(t, "token", "list", "--realm", "acme", "--json")
	if err := json.Unmarshal([]byte(out), &tokens); err != nil || len(tokens) != 1 {
		t.Errorf("after revoke: %q", out)
	}
	if code, out, _ := run(t, "token", "create", "--realm", "acme", "--email", "admin@acme.test", "--oauth", "--ttl", "1h"); code != 0 || len(strings.TrimSpace(out)) != 40 {
		t.Errorf("oauth token: %d %q", code, out)
	}
	if code, _, errOut := run(t, "token", "create", "--realm", "nope", "--email", "a@b.c"); code != 1 || !strings.Contains(errOut, `realm "nope"`) {
		t.Errorf("unknown realm: %d %q", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	setup(t)
	cases := [][]string{{}, {"frobnicate"}, {"realm"}, {"realm", "create"}, {"realm", "delete"}, {"token", "create", "--realm", "x"},
		{"token", "revoke", "--realm", "x", "--id", "abc"}, {"migrate", "extra"}, {"serve", "--no-such-flag"}}
	for _, args := range cases {
		if code, _, errOut := run(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: code %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
	if code, out, _ := run(t, "version"); code != 0 || strings.TrimSpace(out) != cli.Version {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out, _ := run(t, "help"); code != 0 || !strings.Contains(out, "clientele serve") {
		t.Errorf("help: %d %q", code, out)
	}
	if code, _, errOut := run(t, "migrate"); code != 0 || !strings.Contains(errOut, "migrations applied") {
		t.Errorf("migrate: %d %q", code, errOut)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServe(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	_, token, _ := run(t, "token", "create", "--realm", "acme", "--email", "admin@acme.test")
	token = strings.TrimSpace(token)

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--public-url", "https://help.example.com/"}, strings.NewReader(""), io.Discard, &stderr)
	}()
	var addr string
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("server did not start: %s", stderr.String())
	}
	get := func(path string, auth bool) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if auth {
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin@acme.test/token:"+token)))
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/healthz", false); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get("/readyz", false); code != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	code, body := get("/api/v2/users/me.json", true)
	if code != 200 || !strings.Contains(body, `"url":"https://help.example.com/api/v2/users/1.json"`) {
		t.Errorf("/api/v2/users/me: %d %s", code, body)
	}
	if !strings.Contains(stderr.String(), "path=/api/v2/users/me.json status=200") {
		t.Errorf("access log missing: %s", stderr.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown message: %s", stderr.String())
	}
}
