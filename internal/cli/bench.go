package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// benchScenarios are the scenarios of `clientele bench`, in the order they
// run. Each is a set of requests against the Zendesk API of a running
// server; healthz is the baseline of the same run.
var benchScenarios = []string{"healthz", "show_user", "list_first", "list_deep", "search_name", "search_email",
	"search_property", "search_field", "autocomplete", "count", "create", "update"}

// benchResult is one scenario's outcome, as the table and --json show it.
type benchResult struct {
	Scenario    string         `json:"scenario"`
	Requests    uint64         `json:"requests"`
	Rate        float64        `json:"rate"`       // requests sent per second
	Throughput  float64        `json:"throughput"` // successful responses per second
	P50ms       float64        `json:"p50_ms"`
	P90ms       float64        `json:"p90_ms"`
	P99ms       float64        `json:"p99_ms"`
	MaxMs       float64        `json:"max_ms"`
	Errors      uint64         `json:"errors"` // transport errors and statuses outside 2xx-3xx
	StatusCodes map[string]int `json:"status_codes"`
	Messages    []string       `json:"messages,omitempty"` // the first distinct transport errors
}

// bench drives a running server with concurrent HTTP load, one scenario
// after the other, each for --duration, and prints requests per second,
// latency percentiles, errors and status codes per scenario. The load
// comes from vegeta (github.com/tsenart/vegeta), which paces requests and
// keeps latency histograms.
//
// The server's rate limit would turn most requests into 429s: start it
// with --rate-limit 100000000 for a benchmark. The create and update
// scenarios write: users they create are tagged clientele_bench, and
// update changes the notes of users the bench created itself.
func (e *env) bench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	base := fs.String("url", e.getenv("CLIENTELE_URL"), "base URL of the running server, e.g. http://127.0.0.1:8080 (CLIENTELE_URL)")
	token := fs.String("token", e.getenv("CLIENTELE_TOKEN"), "API token, as EMAIL/token:TOKEN or, with --email, the token alone (CLIENTELE_TOKEN)")
	email := fs.String("email", "", "email of the token's user, when --token is the token alone")
	duration := fs.Duration("duration", 10*time.Second, "how long each scenario runs")
	rateText := fs.String("rate", "0", "requests per second per scenario (N or N/s); 0 sends as fast as the workers can")
	workers := fs.Int("workers", 8, "concurrent requests")
	scenarioList := fs.String("scenarios", strings.Join(benchScenarios, ","), "comma-separated scenarios to run, in order")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of one request")
	asJSON := fs.Bool("json", false, "print the results as a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *base == "" || *token == "" {
		return usageError("bench: --url and --token are required")
	}
	user, secret, ok := strings.Cut(*token, "/token:")
	if !ok {
		user, secret = *email, *token
	}
	if user == "" || secret == "" {
		return usageError("bench: --token must be EMAIL/token:TOKEN, or pass --email with the token")
	}
	rate, err := parseRate(*rateText)
	if err != nil {
		return usageError("bench: " + err.Error())
	}
	if *workers < 1 || *duration <= 0 {
		return usageError("bench: --workers and --duration must be positive")
	}
	var scenarios []string
	for _, s := range strings.Split(*scenarioList, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(benchScenarios, s) {
			return usageError(fmt.Sprintf("bench: unknown scenario %q; scenarios: %s", s, strings.Join(benchScenarios, ", ")))
		}
		scenarios = append(scenarios, s)
	}

	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{
		MaxIdleConnsPerHost: *workers * 2, MaxIdleConns: *workers * 2, IdleConnTimeout: time.Minute,
	}}
	b := &benchRun{
		base:   strings.TrimSuffix(*base, "/"),
		auth:   "Basic " + base64.StdEncoding.EncodeToString([]byte(user+"/token:"+secret)),
		client: client,
		runID:  strconv.FormatInt(time.Now().UnixNano(), 36),
	}
	fmt.Fprintf(e.stderr, "bench: discovering users at %s\n", b.base)
	if err := b.discover(ctx, scenarios); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if slices.Contains(scenarios, "search_field") && len(b.fieldQueries) == 0 {
		// A realm may have no such field; the default run goes on without.
		fmt.Fprintln(e.stderr, "bench: search_field skipped: no sampled user has a value of an integer, decimal or date field (clientele seed makes some)")
		scenarios = slices.DeleteFunc(scenarios, func(s string) bool { return s == "search_field" })
	}
	fmt.Fprintf(e.stderr, "bench: %d users in the realm, %d ids sampled; %d scenarios of %s each\n",
		b.count, len(b.ids), len(scenarios), *duration)

	var results []benchResult
	warned := false
	for _, name := range scenarios {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		opts := []func(*vegeta.Attacker){vegeta.Client(client), vegeta.Workers(uint64(*workers))}
		if rate.Freq == 0 {
			opts = append(opts, vegeta.MaxWorkers(uint64(*workers)))
		}
		atk := vegeta.NewAttacker(opts...)
		var m vegeta.Metrics
		done := make(chan struct{})
		go func() {
			select {
			case <-ctx.Done():
				atk.Stop()
			case <-done:
			}
		}()
		for res := range atk.Attack(b.targeter(name), rate, *duration, name) {
			m.Add(res)
		}
		close(done)
		m.Close()
		r := toBenchResult(name, &m)
		if r.StatusCodes["429"] > 0 && !warned {
			warned = true
			fmt.Fprintln(e.stderr, "bench: warning: the server answered 429 Too Many Requests; its rate limit distorts the run: start it with --rate-limit 100000000")
		}
		results = append(results, r)
		fmt.Fprintf(e.stderr, "bench: %s: %.0f requests/s, p99 %.2f ms, %d errors\n", name, r.Rate, r.P99ms, r.Errors)
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(results)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tREQUESTS\tREQ/S\tP50 MS\tP90 MS\tP99 MS\tERRORS\tSTATUS")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%s\n", r.Scenario, r.Requests, r.Rate, r.P50ms, r.P90ms, r.P99ms, r.Errors, statusText(r.StatusCodes))
	}
	return tw.Flush()
}

// parseRate reads --rate: "0" (as fast as possible), "N" or "N/s".
func parseRate(s string) (vegeta.Rate, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "/s"))
	if err != nil || n < 0 {
		return vegeta.Rate{}, fmt.Errorf("--rate must be 0 or N/s, got %q", s)
	}
	return vegeta.Rate{Freq: n, Per: time.Second}, nil
}

func toBenchResult(name string, m *vegeta.Metrics) benchResult {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	r := benchResult{Scenario: name, Requests: m.Requests, Rate: m.Rate, Throughput: m.Throughput,
		P50ms: ms(m.Latencies.P50), P90ms: ms(m.Latencies.P90), P99ms: ms(m.Latencies.P99), MaxMs: ms(m.Latencies.Max),
		StatusCodes: m.StatusCodes}
	for code, n := range m.StatusCodes {
		if c, _ := strconv.Atoi(code); c < 200 || c >= 400 {
			r.Errors += uint64(n)
		}
	}
	if len(m.Errors) > 0 {
		r.Messages = m.Errors[:min(len(m.Errors), 3)]
	}
	return r
}

// statusText lists status codes and their counts, "200:1520 404:3";
// code 0 stands for requests that got no response.
func statusText(codes map[string]int) string {
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + strconv.Itoa(codes[k])
	}
	return strings.Join(parts, " ")
}

// benchRun is what the scenarios need to know about the realm under test,
// found before the first scenario starts.
type benchRun struct {
	base   string
	auth   string
	client *http.Client
	runID  string

	count     int64
	ids       []int64  // existing users spread over the whole id range
	names     []string // words of their names
	emails    []string
	prefixes  []string // first letters of names, for autocomplete
	deepNext  string   // a real links.next of a page 90% into the list
	updateIDs []int64  // users the bench created for the update scenario
	// fieldValues are the sampled users' values of the realm's integer,
	// decimal and date fields, by key; fieldQueries the comparisons
	// search_field sends, made from them.
	fieldValues  map[string][]any
	fieldQueries []string

	seq atomic.Uint64
}

// benchUser is the part of a user the bench reads.
type benchUser struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Email      string         `json:"email"`
	UserFields map[string]any `json:"user_fields"`
}

// usersPage is a cursor page of /api/v2/users.
type usersPage struct {
	Users []benchUser `json:"users"`
	Links struct {
		Next string `json:"next"`
	} `json:"links"`
}

// cursorAfter builds the cursor of the page after id. Clientele's cursors
// are base64url JSON {"o": order, "v": id}, like Zendesk's own; the bench
// uses them to reach pages spread over the list without walking it.
func cursorAfter(id int64) string {
	b, _ := json.Marshal(map[string]any{"o": "id", "v": id})
	return base64.URLEncoding.EncodeToString(b)
}

// get fetches path and decodes its JSON body into v.
func (b *benchRun) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", b.base+path, nil)
	if err != nil {
		return err
	}
	return b.do(req, v)
}

func (b *benchRun) do(req *http.Request, v any) error {
	req.Header.Set("Authorization", b.auth)
	req.Header.Set("Content-Type", "application/json")
	res, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode == http.StatusTooManyRequests {
		return fmt.Errorf("%s %s: 429 Too Many Requests: start the server with --rate-limit 100000000", req.Method, req.URL.Path)
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, res.Status, bytes.TrimSpace(body))
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(body, v)
}

// discover finds the realm's size, a spread of its users (20 pages of 100
// at evenly spaced ids, between the first and the last), a real cursor
// deep in the list, and, when update runs, users of the bench's own.
func (b *benchRun) discover(ctx context.Context, scenarios []string) error {
	var count struct {
		Count struct {
			Value int64 `json:"value"`
		} `json:"count"`
	}
	if err := b.get(ctx, "/api/v2/users/count.json", &count); err != nil {
		return err
	}
	b.count = count.Count.Value
	var first, last usersPage
	if err := b.get(ctx, "/api/v2/users.json?page[size]=100", &first); err != nil {
		return err
	}
	if err := b.get(ctx, "/api/v2/users.json?page[size]=100&sort=-id", &last); err != nil {
		return err
	}
	if len(first.Users) == 0 {
		return errors.New("the realm has no users; seed it first (clientele seed --realm UID --users N)")
	}
	lo, hi := first.Users[0].ID, last.Users[0].ID
	seen := map[int64]bool{}
	add := func(users []benchUser) {
		for _, u := range users {
			if seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			b.ids = append(b.ids, u.ID)
			if u.Email != "" {
				b.emails = append(b.emails, u.Email)
			}
			for _, w := range strings.Fields(u.Name) {
				if len([]rune(w)) >= 3 {
					b.names = append(b.names, w)
				}
			}
			// What an agent types into an autocomplete box: the start of
			// a name (autocomplete is "name starts with").
			if name := []rune(strings.TrimSpace(u.Name)); len(name) >= 3 {
				b.prefixes = append(b.prefixes, string(name[:3]))
			}
			for k, v := range u.UserFields {
				if _, ok := b.fieldValues[k]; ok && v != nil {
					b.fieldValues[k] = append(b.fieldValues[k], v)
				}
			}
		}
	}
	if slices.Contains(scenarios, "search_field") {
		if err := b.discoverFields(ctx); err != nil {
			return err
		}
	}
	add(first.Users)
	add(last.Users)
	const pages = 20
	for k := 1; k < pages; k++ {
		var p usersPage
		after := lo + (hi-lo)*int64(k)/pages
		if err := b.get(ctx, "/api/v2/users.json?page[size]=100&page[after]="+url.QueryEscape(cursorAfter(after)), &p); err != nil {
			return err
		}
		add(p.Users)
	}
	var deep usersPage
	if err := b.get(ctx, "/api/v2/users.json?page[size]=100&page[after]="+url.QueryEscape(cursorAfter(lo+(hi-lo)*9/10)), &deep); err != nil {
		return err
	}
	b.deepNext = deep.Links.Next
	if b.deepNext == "" {
		b.deepNext = b.base + "/api/v2/users.json?page[size]=100&page[after]=" + url.QueryEscape(cursorAfter(lo+(hi-lo)*9/10))
	}
	if len(b.names) == 0 {
		b.names, b.prefixes = []string{"user"}, []string{"use"}
	}
	if len(b.emails) == 0 {
		b.emails = []string{"nobody@example.com"}
	}
	b.fieldQueries = fieldQueries(b.fieldValues)
	if slices.Contains(scenarios, "update") {
		for k := range 50 {
			var created struct {
				User benchUser `json:"user"`
			}
			body := b.newUserBody(fmt.Sprintf("update-%d", k))
			req, err := http.NewRequestWithContext(ctx, "POST", b.base+"/api/v2/users.json", bytes.NewReader(body))
			if err != nil {
				return err
			}
			if err := b.do(req, &created); err != nil {
				return err
			}
			b.updateIDs = append(b.updateIDs, created.User.ID)
		}
	}
	return nil
}

// discoverFields lists the realm's integer, decimal and date fields, whose
// values the sampled users then give (discover).
func (b *benchRun) discoverFields(ctx context.Context) error {
	var list struct {
		Fields []struct {
			Key  string `json:"key"`
			Type string `json:"type"`
		} `json:"user_fields"`
	}
	if err := b.get(ctx, "/api/v2/user_fields.json", &list); err != nil {
		return err
	}
	b.fieldValues = map[string][]any{}
	for _, f := range list.Fields {
		if f.Type == "integer" || f.Type == "decimal" || f.Type == "date" {
			b.fieldValues[f.Key] = nil
		}
	}
	return nil
}

// fieldQueries makes search_field's queries from sampled values, three a
// field, as an agent would compare: equal to a value, above the median
// (half of the users with a value: a broad range) and below the tenth
// percentile. Dates compare by day.
func fieldQueries(values map[string][]any) []string {
	var queries []string
	for _, key := range slices.Sorted(maps.Keys(values)) {
		var texts []string
		var numbers []float64
		for _, v := range values[key] {
			switch x := v.(type) {
			case float64:
				numbers = append(numbers, x)
			case string:
				if len(x) >= len(time.DateOnly) {
					texts = append(texts, x[:len(time.DateOnly)])
				}
			}
		}
		var sorted []string
		if len(numbers) > 0 {
			slices.Sort(numbers)
			for _, n := range numbers {
				sorted = append(sorted, strconv.FormatFloat(n, 'f', -1, 64))
			}
		} else {
			slices.Sort(texts)
			sorted = texts
		}
		if len(sorted) == 0 {
			continue
		}
		queries = append(queries, key+":"+sorted[len(sorted)/3], key+">"+sorted[len(sorted)/2], key+"<"+sorted[len(sorted)/10])
	}
	return queries
}

// newUserBody is the body of a create: a unique name and email, tagged so
// bench users can be found later (tags:clientele_bench).
func (b *benchRun) newUserBody(suffix string) []byte {
	body, _ := json.Marshal(map[string]any{"user": map[string]any{
		"name":  "Bench User " + b.runID + " " + suffix,
		"email": "bench." + b.runID + "." + suffix + "@example.com",
		"tags":  []string{"clientele_bench"},
	}})
	return body
}

// targeter returns the requests of a scenario, round robin over its
// variants (ids, names, emails...).
func (b *benchRun) targeter(name string) vegeta.Targeter {
	hdr := http.Header{"Authorization": {b.auth}}
	var paths []string
	switch name {
	case "healthz":
		return func(t *vegeta.Target) error {
			t.Method, t.URL, t.Header, t.Body = "GET", b.base+"/healthz", nil, nil
			return nil
		}
	case "show_user":
		for _, id := range b.ids {
			paths = append(paths, "/api/v2/users/"+strconv.FormatInt(id, 10)+".json")
		}
	case "list_first":
		paths = []string{"/api/v2/users.json?page[size]=100"}
	case "list_deep":
		paths = []string{strings.TrimPrefix(b.deepNext, b.base)}
	case "search_name":
		for _, n := range b.names {
			paths = append(paths, "/api/v2/users/search.json?query="+url.QueryEscape(n))
		}
	case "search_email":
		for _, e := range b.emails {
			paths = append(paths, "/api/v2/users/search.json?query="+url.QueryEscape("email:"+e))
		}
	case "search_property":
		paths = []string{"/api/v2/users/search.json?query=" + url.QueryEscape("role:agent"),
			"/api/v2/users/search.json?query=" + url.QueryEscape("tags:vip")}
	case "search_field":
		for _, q := range b.fieldQueries {
			paths = append(paths, "/api/v2/users/search.json?query="+url.QueryEscape(q))
		}
	case "autocomplete":
		for _, p := range b.prefixes {
			paths = append(paths, "/api/v2/users/autocomplete.json?name="+url.QueryEscape(p))
		}
	case "count":
		paths = []string{"/api/v2/users/count.json"}
	case "create":
		jsonHdr := http.Header{"Authorization": {b.auth}, "Content-Type": {"application/json"}}
		return func(t *vegeta.Target) error {
			n := b.seq.Add(1)
			t.Method, t.URL, t.Header = "POST", b.base+"/api/v2/users.json", jsonHdr
			t.Body = b.newUserBody(strconv.FormatUint(n, 10))
			return nil
		}
	case "update":
		jsonHdr := http.Header{"Authorization": {b.auth}, "Content-Type": {"application/json"}}
		return func(t *vegeta.Target) error {
			n := b.seq.Add(1)
			id := b.updateIDs[n%uint64(len(b.updateIDs))]
			t.Method, t.URL, t.Header = "PUT", b.base+"/api/v2/users/"+strconv.FormatInt(id, 10)+".json", jsonHdr
			t.Body, _ = json.Marshal(map[string]any{"user": map[string]any{"notes": "bench update " + strconv.FormatUint(n, 10)}})
			return nil
		}
	}
	urls := make([]string, len(paths))
	for i, p := range paths {
		urls[i] = b.base + p
	}
	return func(t *vegeta.Target) error {
		n := b.seq.Add(1)
		t.Method, t.URL, t.Header, t.Body = "GET", urls[n%uint64(len(urls))], hdr, nil
		return nil
	}
}
