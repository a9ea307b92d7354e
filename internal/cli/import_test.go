package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/cli"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite"
	"github.com/google/go-cmp/cmp"
)

// importSummary is the --json output of user import.
type importSummary struct {
	Rows, Created, Updated, Unchanged, Failed int
}

// importFile runs user import on a file holding text and returns the exit
// code, the summary and stderr.
func importFile(t *testing.T, name, text string, args ...string) (int, importSummary, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, append([]string{"user", "import", path, "--json"}, args...)...)
	var sum importSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("user import %s: %v; stdout %q, stderr %q", name, err, out, errOut)
	}
	return code, sum, errOut
}

// openStore opens the test's database (set by setup) for checks.
func openStore(t *testing.T) (*sqlite.Store, func(uid string) *directory.Realm) {
	t.Helper()
	s, err := sqlite.Open(os.Getenv("CLIENTELE_DATABASE"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, func(uid string) *directory.Realm {
		t.Helper()
		r, err := s.RealmByUID(context.Background(), uid)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

func userByExternalID(t *testing.T, s directory.Store, realmID int64, ext string) *directory.User {
	t.Helper()
	u, err := s.UserByExternalID(context.Background(), realmID, ext)
	if err != nil {
		t.Fatalf("user %s: %v", ext, err)
	}
	return u
}

func countUsers(t *testing.T, s directory.Store, realmID int64) int64 {
	t.Helper()
	n, err := s.CountUsers(context.Background(), realmID, directory.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// importCSV has good rows and bad ones; its line 6 is a quoted cell over
// two lines, so the rows after it start one line later than their index.
const importCSV = "name,email,phone,external_id,role,time_zone,locale,tags,verified,details,notes,organization_id\r\n" +
	"Ana Pérez,Ana.Perez@Example.com,+56 9 6123 4567,C-1,end-user,Santiago,es-CL,\"vip, gold beta\",true,Works at Andes,,\n" + // 2
	"Bad Email,not-an-email,,C-2,,,,,,,,\n" + // 3
	",no-name@example.com,,C-3,,,,,,,,\n" + // 4
	"Bo Agent,bo@example.com,,C-4,agent,Tokyo,ja,,no,,,\n" + // 5
	"Multi Line,multi@example.com,,C-5,,,,,,\"two\nlines\",,\n" + // 6-7
	"Bad Phone,phone@example.com,555-1234,C-6,,,,,,,,\n" + // 8
	"Bad Role,role@example.com,,C-7,owner,Mars/Olympus,xx-YY,,,,,\n" + // 9
	"Short,row@example.com\n" + // 10
	"Org Ref,org@example.com,,C-9,,,,,,,,42\n" + // 11
	"Cy Last,cy@example.com,,C-10,,,,,,,,\n" + // 12
	"Bad Bool,bool@example.com,,C-11,,,,,maybe,,,\n" // 13

func TestUserImportCSV(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	run(t, "realm", "create", "--uid", "beta", "--name", "Beta")
	// Beta has a user with one of the emails: realms do not share them.
	if code, out, errOut := run(t, "token", "create", "--realm", "beta", "--email", "bo@example.com"); code != 0 {
		t.Fatalf("token create: %d %q %q", code, out, errOut)
	}

	code, sum, errOut := importFile(t, "users.csv", importCSV, "--realm", "acme")
	if code != 1 || !strings.Contains(errOut, "7 of 11 rows failed") {
		t.Errorf("exit %d, stderr %q; want 1 and a count of failed rows", code, errOut)
	}
	if diff := cmp.Diff(importSummary{Rows: 11, Created: 4, Failed: 7}, sum); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	for _, want := range []string{
		"line 3: email: not-an-email is not properly formatted",
		"line 4: name: is too short (minimum is 1 characters)",
		"line 8: phone: 555-1234 is not a valid E.164 phone number (it needs a + and the country code)",
		"line 9: locale: xx-YY is not a supported BCP-47 locale; role: owner is not one of end-user, agent, admin; time_zone: Mars/Olympus is not a known time zone",
		"line 10: has 2 cells, the header 12",
		"line 11: organization_id: is not an organization of this account",
		"line 13: verified: must be true or false",
	} {
		if !strings.Contains(errOut, want+"\n") {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	s, realm := openStore(t)
	acme, beta := realm("acme"), realm("beta")
	ana := userByExternalID(t, s, acme.ID, "c-1")
	got := []any{ana.Name, ana.Email, ana.Phone, ana.Role, ana.TimeZone, ana.IANATimeZone, ana.Locale, ana.Tags, ana.Verified, ana.Details}
	want := []any{"Ana Pérez", "ana.perez@example.com", "+56961234567", directory.RoleEndUser, "Santiago", "America/Santiago", "es-CL",
		[]string{"vip", "gold", "beta"}, true, "Works at Andes"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Ana (-want +got):\n%s", diff)
	}
	ids, err := s.IdentitiesByUser(context.Background(), acme.ID, ana.ID)
	if err != nil || len(ids) != 2 || ids[0].Value != "ana.perez@example.com" || !ids[0].Verified || ids[1].Value != "+56961234567" {
		t.Errorf("Ana's identities: %+v, %v", ids, err)
	}
	if bo := userByExternalID(t, s, acme.ID, "C-4"); bo.Role != directory.RoleAgent || bo.TimeZone != "Tokyo" || bo.TicketRestriction != "" {
		t.Errorf("Bo: role %s, time zone %s, restriction %q", bo.Role, bo.TimeZone, bo.TicketRestriction)
	}
	if m := userByExternalID(t, s, acme.ID, "C-5"); m.Details != "two\nlines" {
		t.Errorf("multi-line cell: %q", m.Details)
	}
	if n := countUsers(t, s, acme.ID); n != 4 {
		t.Errorf("acme has %d users, want 4", n)
	}
	if n := countUsers(t, s, beta.ID); n != 1 {
		t.Errorf("beta has %d users, want 1 (untouched)", n)
	}

	// The same file again changes nothing: rows match by external id.
	code, sum, errOut = importFile(t, "users.csv", importCSV, "--realm", "acme")
	if diff := cmp.Diff(importSummary{Rows: 11, Unchanged: 4, Failed: 7}, sum); code != 1 || diff != "" {
		t.Errorf("second import: exit %d, summary (-want +got):\n%s%s", code, diff, errOut)
	}
	if again := userByExternalID(t, s, acme.ID, "C-1"); !again.UpdatedAt.Equal(ana.UpdatedAt) {
		t.Errorf("an unchanged row rewrote the user: updated_at %v, was %v", again.UpdatedAt, ana.UpdatedAt)
	}
	if n := countUsers(t, s, acme.ID); n != 4 {
		t.Errorf("acme has %d users after a second import, want 4", n)
	}

	// A changed row updates; a row without external id matches by email,
	// whatever its case; empty cells leave values as they are.
	code, sum, errOut = importFile(t, "changes.csv", "external_id,email,name,phone,tags\n"+
		"c-1,,,+56 9 7000 0001,\n"+
		",CY@example.com,Cy Renamed,,newsletter\n", "--realm", "acme")
	if diff := cmp.Diff(importSummary{Rows: 2, Updated: 2}, sum); code != 0 || diff != "" {
		t.Errorf("changes: exit %d %s, summary (-want +got):\n%s", code, errOut, diff)
	}
	ana = userByExternalID(t, s, acme.ID, "C-1")
	if ana.Phone != "+56970000001" || ana.Name != "Ana Pérez" || len(ana.Tags) != 3 {
		t.Errorf("Ana after change: phone %s, name %s, tags %v", ana.Phone, ana.Name, ana.Tags)
	}
	cy := userByExternalID(t, s, acme.ID, "C-10")
	if cy.Name != "Cy Renamed" || cmp.Diff([]string{"newsletter"}, cy.Tags) != "" {
		t.Errorf("Cy after change: %s %v", cy.Name, cy.Tags)
	}
	if n := countUsers(t, s, acme.ID); n != 4 {
		t.Errorf("acme has %d users after changes, want 4", n)
	}
	betaBo, err := s.UserByIdentity(context.Background(), beta.ID, directory.IdentityEmail, "bo@example.com")
	if err != nil || betaBo.Role != directory.RoleAdmin || betaBo.ExternalID != "" {
		t.Errorf("beta's bo: %+v, %v", betaBo, err)
	}
}

func TestUserImportJSONL(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	text := `{"name": "Dee", "email": "dee@example.com", "external_id": 1001, "tags": ["VIP", "vip", "Gold Member"], "locale_id": 4, "user_fields": {"plan": "pro"}}
{"user": {"name": "Eve", "email": "eve@example.com", "identities": [{"type": "phone_number", "value": "+14155550123"}], "role": "admin"}}

{"name": "Broken", "email":
{"name": "Typed", "verified": "yes", "suspended": 1, "tags": [1, 2]}
{"id": 99, "url": "https://x.zendesk.com/api/v2/users/99.json", "name": "Exported", "email": "exported@example.com", "created_at": "2020-01-01T00:00:00Z", "active": true}
["not", "an", "object"]
{"name": "Dee Again", "external_id": "1001", "notes": null, "alias": "D"}
`
	code, sum, errOut := importFile(t, "users.ndjson", text, "--realm", "acme")
	if diff := cmp.Diff(importSummary{Rows: 7, Created: 3, Updated: 1, Failed: 3}, sum); code != 1 || diff != "" {
		t.Errorf("exit %d, summary (-want +got):\n%s%s", code, diff, errOut)
	}
	for _, want := range []string{
		"line 4: not a JSON object",
		"line 5: suspended: must be true or false; tags: must be an array of strings",
		"line 7: not a JSON object",
	} {
		if !strings.Contains(errOut, want+"\n") {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	s, realm := openStore(t)
	acme := realm("acme")
	dee := userByExternalID(t, s, acme.ID, "1001")
	got := []any{dee.Name, dee.Alias, dee.Tags, dee.Locale, dee.LocaleID}
	if diff := cmp.Diff([]any{"Dee Again", "D", []string{"vip", "gold_member"}, "de", 4}, got); diff != "" {
		t.Errorf("Dee (-want +got):\n%s", diff)
	}
	eve, err := s.UserByIdentity(context.Background(), acme.ID, directory.IdentityPhone, "+14155550123")
	if err != nil || eve.Name != "Eve" || eve.Role != directory.RoleAdmin {
		t.Errorf("Eve by her phone identity: %+v, %v", eve, err)
	}
	if _, err := s.UserByIdentity(context.Background(), acme.ID, directory.IdentityEmail, "exported@example.com"); err != nil {
		t.Errorf("a row exported from Zendesk, with its read-only keys: %v", err)
	}
}

func TestUserImportRepeatsAndStdin(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	// Rows naming the same user see each other's writes, even within one
	// batch; a row taking another user's email or phone fails alone.
	csv := "external_id,name,email,phone\n" +
		"r-1,First,one@example.com,\n" + // 2: created
		"R-1,Second,,+14155550100\n" + // 3: updated, with a phone
		"r-2,Other,two@example.com,\n" + // 4: created
		"r-2,,ONE@example.com,\n" + // 5: r-1's email
		"r-3,Phone Thief,three@example.com,+1 415 555 0100\n" + // 6: r-1's phone
		"r-1,Third,,\n" // 7: updated
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"user", "import", "-", "--realm", "acme", "--format", "csv", "--batch", "2"},
		strings.NewReader(csv), &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "6 rows: 2 created, 2 updated, 0 unchanged, 2 failed") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"line 5: email: one@example.com is already being used by another user\n",
		"line 6: phone: +14155550100 is already being used by another user\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	s, realm := openStore(t)
	acme := realm("acme")
	u := userByExternalID(t, s, acme.ID, "r-1")
	if u.Name != "Third" || u.Email != "one@example.com" || u.Phone != "+14155550100" || u.ExternalID != "r-1" {
		t.Errorf("r-1: %s %s %s %s", u.Name, u.Email, u.Phone, u.ExternalID)
	}
	if n := countUsers(t, s, acme.ID); n != 2 {
		t.Errorf("acme has %d users, want 2", n)
	}

	for _, args := range [][]string{
		{"user", "import", "users.csv"},
		{"user", "import", "--realm", "acme"},
		{"user", "import", "users.txt", "--realm", "acme"},
		{"user", "import", "-", "--realm", "acme"},
		{"user", "import", "a.csv", "b.csv", "--realm", "acme"},
	} {
		if code, _, errOut := run(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
	if code, _, errOut := run(t, "user", "import", "missing.csv", "--realm", "acme"); code != 1 || !strings.Contains(errOut, "missing.csv") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
}

// BenchmarkImport imports a CSV of 5,000 new users an iteration, each into
// a realm of its own in one database, through the command, and reports
// rows per second.
func BenchmarkImport(b *testing.B) {
	db := filepath.Join(b.TempDir(), "bench.db")
	var csv strings.Builder
	csv.WriteString("name,email,phone,external_id,role,time_zone,locale,tags,details\n")
	const rows = 5000
	for i := range rows {
		fmt.Fprintf(&csv, "Person %d Núñez,person%d@example.com,+1415%07d,ext-%d,end-user,Santiago,es-CL,vip gold,Works at Andes Foods\n", i, i, i, i)
	}
	path := filepath.Join(b.TempDir(), "users.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	var stdout, stderr strings.Builder
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		uid := fmt.Sprint("r", i)
		if code := cliRun([]string{"realm", "create", "--database", db, "--uid", uid, "--name", uid}, &stdout, &stderr); code != 0 {
			b.Fatal(stderr.String())
		}
		if code := cliRun([]string{"user", "import", path, "--database", db, "--realm", uid}, &stdout, &stderr); code != 0 {
			b.Fatal(stderr.String())
		}
	}
	b.ReportMetric(float64(i*rows)/b.Elapsed().Seconds(), "rows/s")
}
