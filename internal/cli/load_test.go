package cli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/search"
	"github.com/clientele/clientele/internal/sqlite"
	"github.com/google/go-cmp/cmp"
)

// loadQueries are searches over seeded users: words, prefixes, phrases,
// wildcards through the trigram index, tags, roles, dates and negations.
var loadQueries = []string{
	"gonzalez", "name:mar", "name:\"maria\"", "sofia*", "email:*example.org", "email:*ez1*",
	"phone:+56*", "phone:*12*", "external_id:cust-1-00001*", "external_id:*-0000042",
	"tags:vip", "tags:vip -tags:gold", "details:\"works at andes\"", "details:banking",
	"notes:refund", "\"prefers contact\"", "role:agent", "role:admin", "created>2024-01-01",
	"created<2020-06-01 tags:beta", "-role:end-user", "example.com", "mail.example", "zhang",
	"nunez", "núñez", "Customer since 2021",
}

// searchAnswers runs loadQueries in realm uid of the database at path and
// returns, per query, the count and the external ids found, in order.
func searchAnswers(t *testing.T, path, uid string) map[string]string {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	realm, err := s.RealmByUID(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	out := map[string]string{}
	for _, text := range loadQueries {
		q, err := search.Parse(text, now)
		if err != nil {
			t.Fatalf("parse %q: %v", text, err)
		}
		n, err := s.CountSearchUsers(ctx, realm.ID, q)
		if err != nil {
			t.Fatalf("count %q: %v", text, err)
		}
		users, err := s.SearchUsers(ctx, realm.ID, q, directory.SearchPage{Limit: 100000})
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		ids := make([]string, len(users))
		for i, u := range users {
			if u.RealmID != realm.ID {
				t.Errorf("%q in realm %s found user %d of realm %d", text, uid, u.ID, u.RealmID)
			}
			ids[i] = u.ExternalID
		}
		out[text] = fmt.Sprintf("%d: %s", n, strings.Join(ids, " "))
	}
	return out
}

// checkSearchIndex checks the whole search index of the database at path
// against its users: FTS5's integrity check of both full-text tables
// (with rank 1 it compares the index with the content table), and the tag
// table and the number fields' values, row for row.
func checkSearchIndex(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"users_fts", "users_trigram"} {
		if _, err := db.Exec(`INSERT INTO ` + table + ` (` + table + `, rank) VALUES ('integrity-check', 1)`); err != nil {
			t.Errorf("%s integrity check: %v", table, err)
		}
	}
	var missing, extra, triggers int
	err = db.QueryRow(`SELECT
		(SELECT count(*) FROM users u, json_each(u.tags) j WHERE u.deleted_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM user_tags g WHERE g.realm_id = u.realm_id AND g.tag = j.value AND g.user_id = u.id)),
		(SELECT count(*) FROM user_tags g WHERE NOT EXISTS (SELECT 1 FROM users u, json_each(u.tags) j
			WHERE u.id = g.user_id AND u.realm_id = g.realm_id AND j.value = g.tag AND u.deleted_at IS NULL)),
		(SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'users')`).Scan(&missing, &extra, &triggers)
	if err != nil || missing != 0 || extra != 0 || triggers != 12 {
		t.Errorf("user_tags: %d missing, %d extra; %d triggers on users, want 12; %v", missing, extra, triggers, err)
	}
	// The values of number and date fields, as numbers (migration 0030).
	var values int
	err = db.QueryRow(`WITH want AS (
			SELECT u.realm_id, f.key, CASE f.type WHEN 'date' THEN unixepoch(j.value) ELSE j.value END AS value, u.id AS user_id
			FROM users u, json_each(u.user_fields) j JOIN user_fields f ON f.realm_id = u.realm_id AND f.key = j.key
			WHERE u.deleted_at IS NULL AND f.type IN ('integer', 'decimal', 'date') AND j.value IS NOT NULL)
		SELECT (SELECT count(*) FROM want), (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM user_field_numbers)),
			(SELECT count(*) FROM (SELECT * FROM user_field_numbers EXCEPT SELECT * FROM want))`).Scan(&values, &missing, &extra)
	if err != nil || missing != 0 || extra != 0 {
		t.Errorf("user_field_numbers: %d missing, %d extra of %d values; %v", missing, extra, values, err)
	}
}

// TestSeedSearchesAsOneByOne seeds a realm through the bulk load, in
// several commits, and writes the same users one by one into a second
// realm through the store's plain CreateUser (the triggers' path): every
// search must give the same answer in both, and the index must be whole.
func TestSeedSearchesAsOneByOne(t *testing.T) {
	const n = 1200
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "load.db")
	for _, uid := range []string{"bulk", "single"} {
		if code := Run(ctx, []string{"realm", "create", "--database", path, "--uid", uid, "--name", uid}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
			t.Fatalf("realm create %s: %d", uid, code)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Run(ctx, []string{"seed", "--database", path, "--realm", "bulk", "--users", fmt.Sprint(n), "--batch", "150", "--commit", "400"},
		strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("seed: %d %s", code, stderr.String())
	}
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	single, err := s.RealmByUID(ctx, "single")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		op := seedUser(1, i)
		if err := s.CreateUser(ctx, single.ID, op.User, op.Identities); err != nil {
			t.Fatalf("user %d: %v", i, err)
		}
	}
	s.Close()

	checkSearchIndex(t, path)
	bulk, one := searchAnswers(t, path, "bulk"), searchAnswers(t, path, "single")
	if diff := cmp.Diff(one, bulk); diff != "" {
		t.Errorf("searches after the bulk load (+) differ from those after one-by-one writes (-):\n%s", diff)
	}
	found := 0
	for _, a := range bulk {
		if !strings.HasPrefix(a, "0:") {
			found++
		}
	}
	if found < len(loadQueries)*3/4 {
		t.Errorf("only %d of %d queries found users: %v", found, len(loadQueries), bulk)
	}
}

// TestImportSearchesAsOneByOne imports a file, in one bulk load with
// several commits, whose later rows change users that earlier rows of the
// same load created (their index written only at the commit), and imports
// the same rows one at a time outside a load into a second realm: both
// realms must end with the same users and the same search answers.
func TestImportSearchesAsOneByOne(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "import.db")
	for _, uid := range []string{"bulk", "single"} {
		if code := Run(ctx, []string{"realm", "create", "--database", path, "--uid", uid, "--name", uid}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
			t.Fatalf("realm create %s: %d", uid, code)
		}
	}
	var csv strings.Builder
	csv.WriteString("name,email,phone,external_id,role,tags,details,notes\n")
	var rows [][]string
	add := func(cells ...string) {
		rows = append(rows, cells)
		csv.WriteString(strings.Join(cells, ",") + "\n")
	}
	for i := range 700 {
		op := seedUser(1, i)
		u := op.User
		add(u.Name, u.Email, u.Phone, u.ExternalID, string(u.Role), strings.Join(u.Tags, " "), strings.ReplaceAll(u.Details, ",", ""), strings.ReplaceAll(u.Notes, ",", ""))
		if i%97 == 50 {
			// A row changing a user created earlier in this load: new
			// words, tags and email.
			j := i - 40
			v := seedUser(1, j).User
			add(v.Name+" Renamed", "changed"+fmt.Sprint(j)+"@example.org", "", v.ExternalID, "", "gold moved", "Works at Quetzal Motors", "Moved away.")
		}
	}
	add("Bad Row", "not-an-email", "", "bad-1", "", "", "", "")
	file := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Run(ctx, []string{"user", "import", file, "--database", path, "--realm", "bulk", "--batch", "120", "--commit", "300"},
		strings.NewReader(""), &stdout, &stderr)
	wantLine := fmt.Sprintf("line %d: email", len(rows)+1)
	if code != 1 || !strings.Contains(stderr.String(), wantLine) || !strings.Contains(stdout.String(), fmt.Sprintf("%d rows:", len(rows))) {
		t.Fatalf("import: exit %d, stdout %q, stderr %q; want the bad row reported as %q", code, stdout.String(), stderr.String(), wantLine)
	}

	// The same rows one at a time, each its own transaction of the store.
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	single, err := s.RealmByUID(ctx, "single")
	if err != nil {
		t.Fatal(err)
	}
	svc := directory.NewService(s, directory.ServiceOptions{})
	header := strings.Split("name,email,phone,external_id,role,tags,details,notes", ",")
	for _, cells := range rows {
		var in directory.UserInput
		var v directory.Invalid
		for k, cell := range cells {
			if cell != "" {
				setField(&in, header[k], cell, &v)
			}
		}
		if _, err := svc.ImportUsers(ctx, directory.Operator(single.ID), []directory.UserInput{in}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	checkSearchIndex(t, path)
	bulk, one := searchAnswers(t, path, "bulk"), searchAnswers(t, path, "single")
	if diff := cmp.Diff(one, bulk); diff != "" {
		t.Errorf("searches after the bulk import (+) differ from those after one-row imports (-):\n%s", diff)
	}
	moved := searchAnswersFor(t, path, "bulk", "tags:moved renamed quetzal")
	if !strings.HasPrefix(moved, "7:") {
		t.Errorf("users changed later in the load: %s, want the 7 changed", moved)
	}
}

// searchAnswersFor is the answer to one query, as searchAnswers gives it.
func searchAnswersFor(t *testing.T, path, uid, query string) string {
	t.Helper()
	saved := loadQueries
	loadQueries = []string{query}
	defer func() { loadQueries = saved }()
	return searchAnswers(t, path, uid)[query]
}
