package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"modernc.org/sqlite"
)

// TestJobResumesAfterKill runs `clientele serve` as a process, kills it
// with SIGKILL while a bulk job is half done, starts it again on the same
// database and checks that the job is finished with every item done
// exactly once. The job is caught mid-way by blocking the runner's next
// write from a connection of the test's own (see killMidJob) once it has
// done an item, and its progress is read while it is blocked, so the kill
// lands where the test saw it, not where a sleep guessed it would be; the
// restarted server takes the job over when its --job-lease runs out.
func TestJobResumesAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the clientele binary")
	}
	bin := buildClientele(t)
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "clientele.db")
		killMidJob(t, bin, path, func(t *testing.T) func() { return holdSQLite(t, path) })
	})
	t.Run("postgres", func(t *testing.T) {
		dsn, _ := pgtest.NewSchema(t)
		killMidJob(t, bin, dsn, func(t *testing.T) func() { return holdPostgres(t, dsn) })
	})
}

// TestServeJobLease checks serve's --job-lease and CLIENTELE_JOB_LEASE
// (TestJobResumesAfterKill shows a short lease taking effect).
func TestServeJobLease(t *testing.T) {
	setup(t)
	if code, _, errOut := run(t, "serve", "--job-lease", "500ms"); code != 2 || !strings.Contains(errOut, "--job-lease: must be at least 1s") {
		t.Errorf("serve --job-lease 500ms: %d %q; want 2 and the minimum", code, errOut)
	}
	t.Setenv("CLIENTELE_JOB_LEASE", "soon")
	if code, _, errOut := run(t, "serve"); code != 2 || !strings.Contains(errOut, "CLIENTELE_JOB_LEASE") {
		t.Errorf("serve with CLIENTELE_JOB_LEASE=soon: %d %q; want 2 and the variable named", code, errOut)
	}
	t.Setenv("CLIENTELE_JOB_LEASE", "")
	if code, _, errOut := run(t, "serve", "-h"); code != 0 || !strings.Contains(errOut, "-job-lease duration") || !strings.Contains(errOut, "(default 1m0s)") {
		t.Errorf("serve -h: %d %q; want --job-lease with its default of a minute", code, errOut)
	}
}

// killLease is the --job-lease of the servers killMidJob starts: how long
// the restarted server waits before taking the killed server's job over.
const killLease = 2 * time.Second

// killMidJob submits a create_many job of 100 users to a serve process on
// database, and as soon as the job has done an item, takes hold (which
// blocks the runner's next write until release is called) and reads the
// job's progress: when it is strictly between 0 and 100, it kills the
// server with SIGKILL, lets go of the hold, starts a new server on the
// same database and checks the finished job and the stored users. A job
// that ends before the hold is had (on SQLite a job of 100 users takes
// some 50 ms) is left be and a new one tried, up to 5 jobs in all.
func killMidJob(t *testing.T, bin, database string, hold func(t *testing.T) (release func())) {
	clienteleCLI(t, bin, "realm", "create", "--database", database, "--uid", "acme", "--name", "Acme")
	clienteleCLI(t, bin, "realm", "create", "--database", database, "--uid", "globex", "--name", "Globex")
	acme := zendeskAuth("admin@acme.test", clienteleCLI(t, bin, "token", "create", "--database", database, "--realm", "acme", "--email", "admin@acme.test"))
	globex := zendeskAuth("admin@globex.test", clienteleCLI(t, bin, "token", "create", "--database", database, "--realm", "globex", "--email", "admin@globex.test"))

	srv := startServe(t, bin, database)
	var (
		jobID  string
		emails []string
		killed int // the job's progress when its server was killed
	)
	attempts := 0
	for attempts < 5 && jobID == "" {
		attempts++
		emails = make([]string, 100)
		users := make([]map[string]string, len(emails))
		for i := range emails {
			emails[i] = fmt.Sprintf("kill%d-%03d@acme.test", attempts, i)
			users[i] = map[string]string{"name": fmt.Sprintf("Killed %d-%03d", attempts, i), "email": emails[i]}
		}
		var submitted struct {
			JobStatus jobStatusJSON `json:"job_status"`
		}
		if code := callJSON(t, "POST", srv.url+"/api/v2/users/create_many.json", acme, map[string]any{"users": users}, &submitted); code != 200 || submitted.JobStatus.ID == "" {
			t.Fatalf("create_many: %d %+v", code, submitted)
		}
		id := submitted.JobStatus.ID
		// Read the status as fast as the server answers until the runner
		// has done an item.
		var st jobStatusJSON
		for deadline := time.Now().Add(20 * time.Second); ; {
			st = jobStatus(t, srv.url, acme, id)
			if st.Progress > 0 || st.Status == "completed" || st.Status == "failed" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s did not start: %+v\n%s", id, st, srv.stderr.String())
			}
		}
		release := hold(t)
		// No item can be recorded now: what the status says is what the
		// database holds, and stays so.
		st = jobStatus(t, srv.url, acme, id)
		if st.Progress == 0 || st.Progress >= st.Total {
			release()
			t.Logf("attempt %d: the job was at %d of %d when held; trying another", attempts, st.Progress, st.Total)
			waitJob(t, srv.url, acme, id)
			continue
		}
		time.Sleep(200 * time.Millisecond)
		if again := jobStatus(t, srv.url, acme, id); again.Progress != st.Progress || again.Status != "working" {
			release()
			t.Fatalf("the hold did not stop the runner: progress %d, then %d (%s)", st.Progress, again.Progress, again.Status)
		}
		srv.kill(t)
		release()
		jobID, killed = id, st.Progress
	}
	if jobID == "" {
		t.Fatalf("no job caught mid-way in %d attempts", attempts)
	}
	t.Logf("killed the server with the job at %d of 100 (attempt %d)", killed, attempts)

	srv = startServe(t, bin, database)
	restarted := time.Now()
	st := waitJob(t, srv.url, acme, jobID)
	t.Logf("the restarted server finished the job in %v", time.Since(restarted).Round(time.Millisecond))

	// Every item done once, in order: an item done a second time would
	// fail as "has already been taken" or make a second user.
	if st.Status != "completed" {
		t.Fatalf("job after restart: status %s, %d of %d", st.Status, st.Progress, st.Total)
	}
	if st.Total != 100 || st.Progress != 100 {
		t.Errorf("job after restart: %d of %d done; want 100 of 100", st.Progress, st.Total)
	}
	var got, want []string
	ids := make([]string, len(st.Results))
	for i, r := range st.Results {
		got = append(got, fmt.Sprintf("%d %s %s %s", r.Index, r.Status, r.Error, r.Details))
		want = append(want, fmt.Sprintf("%d Created  ", i))
		ids[i] = fmt.Sprint(r.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	var shown struct{ Users []userJSON }
	if code := callJSON(t, "GET", srv.url+"/api/v2/users/show_many.json?ids="+strings.Join(ids, ","), acme, nil, &shown); code != 200 {
		t.Errorf("show_many of the results' users: %d", code)
	}
	emailOf := map[string]string{}
	for _, u := range shown.Users {
		emailOf[fmt.Sprint(u.ID)] = u.Email
	}
	for i, id := range ids {
		if emailOf[id] != emails[i] {
			t.Errorf("item %d: user %s has email %q, want %q", i, id, emailOf[id], emails[i])
		}
	}

	// The realm holds its admin, the users of the jobs that ended before
	// a hold, and those of the killed job, each once; the other realm
	// holds none of them.
	acmeUsers := listUsers(t, srv.url, acme)
	if len(acmeUsers) != 1+100*attempts {
		t.Errorf("acme has %d users; want %d (its admin and %d jobs of 100)", len(acmeUsers), 1+100*attempts, attempts)
	}
	count := map[string]int{}
	for _, u := range acmeUsers {
		count[u.Email]++
	}
	for _, e := range emails {
		if count[e] != 1 {
			t.Errorf("acme has %d users with email %s; want 1", count[e], e)
		}
	}
	globexUsers := listUsers(t, srv.url, globex)
	if len(globexUsers) != 1 || globexUsers[0].Email != "admin@globex.test" {
		t.Errorf("globex holds %v; want only its admin", globexUsers)
	}
	var leaked struct{ Users []userJSON }
	if code := callJSON(t, "GET", srv.url+"/api/v2/users/show_many.json?ids="+strings.Join(ids, ","), globex, nil, &leaked); code != 200 || len(leaked.Users) != 0 {
		t.Errorf("globex's show_many of acme's new users: %d, %d users; want 200 and none", code, len(leaked.Users))
	}
}

// jobStatusJSON is the part of a Zendesk job status the test reads.
type jobStatusJSON struct {
	ID       string
	Status   string
	Total    int
	Progress int
	Results  []struct {
		Index   int
		ID      int64
		Status  string
		Error   string
		Details string
	}
}

type userJSON struct {
	ID    int64
	Email string
}

// jobStatus reads job id.
func jobStatus(t *testing.T, base, auth, id string) jobStatusJSON {
	t.Helper()
	var out struct {
		JobStatus jobStatusJSON `json:"job_status"`
	}
	if code := callJSON(t, "GET", base+"/api/v2/job_statuses/"+url.PathEscape(id)+".json", auth, nil, &out); code != 200 {
		t.Fatalf("job status %s: %d", id, code)
	}
	return out.JobStatus
}

// waitJob reads job id until it has ended, for at most 30 seconds.
func waitJob(t *testing.T, base, auth, id string) jobStatusJSON {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st := jobStatus(t, base, auth, id); st.Status == "completed" || st.Status == "failed" {
			return st
		}
	}
	t.Fatalf("job %s did not end in 30s", id)
	return jobStatusJSON{}
}

// listUsers reads every user of the token's realm, page by page.
func listUsers(t *testing.T, base, auth string) []userJSON {
	t.Helper()
	var all []userJSON
	for next := base + "/api/v2/users.json?per_page=100"; next != ""; {
		var page struct {
			Users    []userJSON
			NextPage *string `json:"next_page"`
		}
		if code := callJSON(t, "GET", next, auth, nil, &page); code != 200 {
			t.Fatalf("list users: %d", code)
		}
		all = append(all, page.Users...)
		next = ""
		if page.NextPage != nil {
			// The page links carry the server's address as the request
			// named it.
			next = *page.NextPage
		}
	}
	return all
}

// zendeskAuth is the Authorization header of an API token.
func zendeskAuth(email, token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+"/token:"+token))
}

// killClient answers the test's requests; a server held by the test
// still answers reads at once, so a slow answer is a failure.
var killClient = &http.Client{Timeout: 10 * time.Second}

// callJSON sends body (nil: none) as JSON and decodes the answer into out,
// returning the status code.
func callJSON(t *testing.T, method, u, auth string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	res, err := killClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %d %v: %s", method, u, res.StatusCode, err, b)
	}
	return res.StatusCode
}

// buildClientele builds cmd/clientele into a temporary folder.
func buildClientele(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "clientele")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/clientele/clientele/cmd/clientele").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// clienteleCLI runs the binary and returns the first line of its stdout,
// failing t unless it exits 0.
func clienteleCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("clientele %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	return line
}

// serveProcess is a running `clientele serve`.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan error // Wait's answer
}

// startServe starts `clientele serve` on database, on a free port, and
// waits until it listens. The process is killed when t ends.
func startServe(t *testing.T, bin, database string) *serveProcess {
	t.Helper()
	p := &serveProcess{stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, "serve", "--database", database, "--addr", "127.0.0.1:0",
		"--job-lease", killLease.String(), "--rate-limit", "100000000")
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(p.stderr.String()); m != nil {
			p.url = "http://" + m[1]
			return p
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("serve exited: %v\n%s", err, p.stderr.String())
		default:
		}
	}
	t.Fatalf("serve did not listen in 20s:\n%s", p.stderr.String())
	return nil
}

// kill sends SIGKILL to the server and waits until it is gone.
func (p *serveProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-p.done
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("serve ended with %v before it was killed", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("serve ended with %v, not by SIGKILL", err)
	}
}

// holdSQLite takes the write lock of the SQLite database at path from a
// connection of its own: the server's writes, the job runner's included,
// wait for it (their busy timeout is 10 seconds), its reads go on. It
// asks for the lock again at once while the runner has it, rather than
// wait in SQLite's busy handler, whose growing sleeps let the runner do
// dozens of items before the lock is had.
func holdSQLite(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		var busy *sqlite.Error
		if err == nil {
			break
		}
		if !errors.As(err, &busy) || busy.Code()&0xff != 5 || time.Now().After(deadline) { // SQLITE_BUSY
			t.Fatalf("hold the write lock: %v", err)
		}
	}
	return func() {
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Errorf("release the write lock: %v", err)
		}
		conn.Close()
		db.Close()
	}
}

// holdPostgres locks job_results against writes from a connection of its
// own: a job item's transaction, which writes its record and then its
// result, waits for it halfway, while reads go on.
func holdPostgres(t *testing.T, dsn string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, "LOCK TABLE job_results IN SHARE MODE")
	}
	if err != nil {
		conn.Close(ctx)
		t.Fatalf("lock job_results: %v", err)
	}
	return func() {
		if err := tx.Rollback(ctx); err != nil {
			t.Errorf("release job_results: %v", err)
		}
		conn.Close(ctx)
	}
}
