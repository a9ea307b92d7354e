package cli_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/cli"
	"github.com/clientele/clientele/internal/sqlite"
)

// benchServer seeds a realm, issues a token and serves the API over the
// database with the given rate limit; it returns the server's URL and the
// token as bench takes it.
func benchServer(t *testing.T, rateLimit int) (string, string) {
	t.Helper()
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	if code, _, errOut := run(t, "seed", "--realm", "acme", "--users", "2000"); code != 0 {
		t.Fatalf("seed: %s", errOut)
	}
	code, token, errOut := run(t, "token", "create", "--realm", "acme", "--email", "admin@acme.test")
	if code != 0 {
		t.Fatalf("token create: %s", errOut)
	}
	store, err := sqlite.Open(os.Getenv("CLIENTELE_DATABASE"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(cli.NewHandler(store, &cli.Config{RateLimit: rateLimit}, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return srv.URL, "admin@acme.test/token:" + strings.TrimSpace(token)
}

type benchResult struct {
	Scenario    string
	Requests    uint64
	Rate        float64
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	Errors      uint64
	StatusCodes map[string]int `json:"status_codes"`
	Messages    []string
}

func TestBench(t *testing.T) {
	url, token := benchServer(t, 100000000)
	code, out, errOut := run(t, "bench", "--url", url, "--token", token, "--duration", "300ms", "--workers", "2", "--json")
	if code != 0 {
		t.Fatalf("bench: exit %d, stderr %s", code, errOut)
	}
	var results []benchResult
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, out)
	}
	want := []string{"healthz", "show_user", "list_first", "list_deep", "search_name", "search_email",
		"search_property", "search_field", "autocomplete", "count", "create", "update"}
	var got []string
	for _, r := range results {
		got = append(got, r.Scenario)
		okStatus := "200"
		if r.Scenario == "create" {
			okStatus = "201"
		}
		if r.Requests == 0 || r.Rate <= 0 || r.P50ms <= 0 || r.P99ms < r.P50ms || r.Errors != 0 ||
			len(r.StatusCodes) != 1 || r.StatusCodes[okStatus] != int(r.Requests) {
			t.Errorf("%s: %+v; want requests, a rate, latencies and only %s", r.Scenario, r, okStatus)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("scenarios %v, want %v", got, want)
	}
	// What bench says of 429s (not the digits, which a rate or a latency
	// may hold: "4290 requests/s").
	if strings.Contains(errOut, "429 Too Many Requests") {
		t.Errorf("429s without a rate limit: %s", errOut)
	}

	// The table, for a chosen list of scenarios, with a paced rate.
	code, out, errOut = run(t, "bench", "--url", url, "--token", token, "--duration", "300ms", "--rate", "50/s",
		"--scenarios", "count,healthz")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "SCENARIO") || !strings.HasPrefix(lines[1], "count ") ||
		!strings.HasPrefix(lines[2], "healthz ") || !strings.Contains(lines[1], "200:") {
		t.Errorf("bench table: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, line := range lines[1:] {
		// At 50 requests/s for 0.3 s, about 15 requests each.
		if f := strings.Fields(line); len(f) < 3 || atoi(f[1]) < 10 || atoi(f[1]) > 25 {
			t.Errorf("paced row %q; want about 15 requests", line)
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func TestBenchRateLimited(t *testing.T) {
	// Discovery takes about 25 requests: a limit of 3 stops it, one of 60
	// lets it through and then limits the run.
	url, token := benchServer(t, 3)
	code, _, errOut := run(t, "bench", "--url", url, "--token", token, "--duration", "100ms")
	if code != 1 || !strings.Contains(errOut, "429 Too Many Requests") || !strings.Contains(errOut, "--rate-limit 100000000") {
		t.Errorf("bench against a rate-limited server: exit %d, stderr %q", code, errOut)
	}
	url, token = benchServer(t, 60)
	code, out, errOut := run(t, "bench", "--url", url, "--token", token, "--duration", "300ms", "--scenarios", "count")
	if code != 0 || !strings.Contains(out, "429:") || !strings.Contains(errOut, "warning: the server answered 429") {
		t.Errorf("a run meeting the rate limit: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"bench", "--token", token},
		{"bench", "--url", url},
		{"bench", "--url", url, "--token", "no-email-token"},
		{"bench", "--url", url, "--token", token, "--scenarios", "healthz,nope"},
		{"bench", "--url", url, "--token", token, "--rate", "fast"},
	} {
		if code, _, errOut := run(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}
