package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/cli"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite"
	"github.com/google/go-cmp/cmp"
	"github.com/nyaruka/phonenumbers"
)

// seeded seeds users into realm acme of a new database with args and
// returns the users and their identities, by id.
func seeded(t *testing.T, runs ...[]string) ([]directory.User, [][]directory.Identity) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "seed.db")
	if code, _, errOut := run(t, "realm", "create", "--database", db, "--uid", "acme", "--name", "Acme"); code != 0 {
		t.Fatalf("realm create: %s", errOut)
	}
	for _, args := range runs {
		if code, out, errOut := run(t, append([]string{"seed", "--database", db, "--realm", "acme"}, args...)...); code != 0 || !strings.Contains(out, "users seeded") {
			t.Fatalf("seed %v: %d %q %q", args, code, out, errOut)
		}
	}
	s, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	realm, err := s.RealmByUID(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	users, err := s.ListUsers(ctx, realm.ID, directory.UserFilter{}, directory.Page{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([][]directory.Identity, len(users))
	for i, u := range users {
		if ids[i], err = s.IdentitiesByUser(ctx, realm.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	return users, ids
}

// TestSeedIsDeterministic seeds the same users three ways: twice at once,
// and once in two ranges. All three must be the same users, to the uuid
// and the second; another seed gives other people.
func TestSeedIsDeterministic(t *testing.T) {
	const n = 2000
	users, ids := seeded(t, []string{"--users", fmt.Sprint(n)})
	if len(users) != n {
		t.Fatalf("seeded %d users, want %d", len(users), n)
	}
	again, againIDs := seeded(t, []string{"--users", fmt.Sprint(n), "--batch", "700"})
	if diff := cmp.Diff(users, again); diff != "" {
		t.Errorf("same seed, another run (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(ids, againIDs); diff != "" {
		t.Errorf("identities of another run (-first +second):\n%s", diff)
	}
	ranges, _ := seeded(t, []string{"--users", "1200"}, []string{"--users", "800", "--start", "1200"})
	if diff := cmp.Diff(users, ranges); diff != "" {
		t.Errorf("seeded in two ranges (-at once +in ranges):\n%s", diff)
	}
	other, _ := seeded(t, []string{"--users", "50", "--seed", "2"})
	same := 0
	for i := range other {
		if other[i].Name == users[i].Name {
			same++
		}
		if other[i].Email == users[i].Email || other[i].ExternalID == users[i].ExternalID || other[i].UUID == users[i].UUID {
			t.Errorf("seed 2 user %d shares a key with seed 1: %s %s", i, other[i].Email, other[i].ExternalID)
		}
	}
	if same > 5 {
		t.Errorf("seed 2 gave %d of 50 users the same name as seed 1", same)
	}
}

// TestSeedUsersPassTheRules checks that seeded users look real and obey
// every rule of the API: imported back as rows, through the Service, they
// are unchanged, and imported into another realm they are all created.
func TestSeedUsersPassTheRules(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	run(t, "realm", "create", "--uid", "copy", "--name", "Copy")
	const n = 2000
	if code, out, errOut := run(t, "seed", "--realm", "acme", "--users", fmt.Sprint(n), "--json"); code != 0 || !strings.Contains(out, `"users":2000`) {
		t.Fatalf("seed: %d %q %q", code, out, errOut)
	}
	// The same range again is refused, and adds nobody.
	if code, _, errOut := run(t, "seed", "--realm", "acme", "--users", "10"); code != 1 || !strings.Contains(errOut, "already holds users of this seed") {
		t.Errorf("seeding the same range twice: %d %q", code, errOut)
	}
	s, realm := openStore(t)
	acme := realm("acme")
	ctx := context.Background()
	users, err := s.ListUsers(ctx, acme.ID, directory.UserFilter{}, directory.Page{Limit: 100000})
	if err != nil || len(users) != n {
		t.Fatalf("%d users, %v", len(users), err)
	}
	count := func(role directory.Role) int64 {
		c, err := s.CountUsers(ctx, acme.ID, directory.UserFilter{Roles: []directory.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if admins, agents, endUsers := count(directory.RoleAdmin), count(directory.RoleAgent), count(directory.RoleEndUser); admins != 1 || agents < 15 || agents > 80 || admins+agents+endUsers != n {
		t.Errorf("roles: %d admins, %d agents, %d end users; want 1, about 40, the rest", admins, agents, endUsers)
	}
	zones := map[string]bool{}
	for _, tz := range directory.TimeZones() {
		zones[tz.Name] = true
	}
	emails, phones, names := map[string]bool{}, 0, map[string]bool{}
	accented, withTags, secondLast := 0, 0, 0
	var rows strings.Builder
	for _, u := range users {
		if emails[u.Email] || !strings.Contains(u.Email, "@") {
			t.Errorf("email %q repeated or invalid", u.Email)
		}
		emails[u.Email] = true
		names[u.LastName] = true
		if u.Phone != "" {
			phones++
			p, err := phonenumbers.Parse(u.Phone, "")
			if err != nil || !phonenumbers.IsValidNumber(p) || phonenumbers.Format(p, phonenumbers.E164) != u.Phone {
				t.Errorf("user %d: phone %s is not a valid E.164 number", u.ID, u.Phone)
			}
		}
		if !zones[u.TimeZone] {
			t.Errorf("user %d: time zone %q is not in the list", u.ID, u.TimeZone)
		}
		if l, ok := directory.ResolveLocale(u.Locale); !ok || l.ID != u.LocaleID {
			t.Errorf("user %d: locale %s (%d)", u.ID, u.Locale, u.LocaleID)
		}
		if !strings.Contains(u.Details, "Works at ") || u.Notes == "" || u.ExternalID == "" {
			t.Errorf("user %d: details %q, notes %q, external id %q", u.ID, u.Details, u.Notes, u.ExternalID)
		}
		if strings.ContainsAny(u.Name, "áéíóúñçãõäöüåøłşğıøéèêëàâîïôœžščřěůýđß") {
			accented++
		}
		if len(u.Tags) > 0 {
			withTags++
		}
		if u.SecondLastName != "" {
			secondLast++
		}
		row, _ := json.Marshal(map[string]any{
			"name": u.Name, "first_name": u.FirstName, "last_name": u.LastName, "second_last_name": u.SecondLastName,
			"email": u.Email, "phone": u.Phone, "shared_phone_number": u.SharedPhoneNumber, "external_id": u.ExternalID,
			"role": u.Role, "time_zone": u.TimeZone, "locale": u.Locale, "tags": u.Tags, "details": u.Details,
			"notes": u.Notes, "verified": u.Verified, "suspended": u.Suspended,
		})
		rows.Write(append(row, '\n'))
	}
	if phones < n/2 || len(names) < 200 || accented < n/5 || withTags < n/2 || secondLast < 50 {
		t.Errorf("not varied enough: %d phones, %d last names, %d accented names, %d with tags, %d second last names",
			phones, len(names), accented, withTags, secondLast)
	}

	path := filepath.Join(t.TempDir(), "seeded.jsonl")
	if err := os.WriteFile(path, []byte(rows.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "user", "import", path, "--realm", "acme", "--json")
	var sum importSummary
	json.Unmarshal([]byte(out), &sum)
	if diff := cmp.Diff(importSummary{Rows: n, Unchanged: n}, sum); code != 0 || diff != "" {
		t.Errorf("seeded users imported back: exit %d, summary (-want +got):\n%s%s", code, diff, firstLines(errOut, 5))
	}
	code, out, errOut = run(t, "user", "import", path, "--realm", "copy", "--json")
	sum = importSummary{}
	json.Unmarshal([]byte(out), &sum)
	if diff := cmp.Diff(importSummary{Rows: n, Created: n}, sum); code != 0 || diff != "" {
		t.Errorf("seeded users imported into another realm: exit %d, summary (-want +got):\n%s%s", code, diff, firstLines(errOut, 5))
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// BenchmarkSeed seeds 5,000 users an iteration into one growing realm,
// through the command, and reports users per second.
func BenchmarkSeed(b *testing.B) {
	db := filepath.Join(b.TempDir(), "bench.db")
	var stdout, stderr strings.Builder
	runB := func(args ...string) {
		stdout.Reset()
		stderr.Reset()
		if code := cliRun(args, &stdout, &stderr); code != 0 {
			b.Fatalf("%v: %s", args, stderr.String())
		}
	}
	runB("realm", "create", "--database", db, "--uid", "acme", "--name", "Acme")
	const batch = 5000
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		runB("seed", "--database", db, "--realm", "acme", "--users", fmt.Sprint(batch), "--start", fmt.Sprint(i*batch))
		i++
	}
	b.ReportMetric(float64(i*batch)/b.Elapsed().Seconds(), "users/s")
}

func cliRun(args []string, stdout, stderr io.Writer) int {
	return cli.Run(context.Background(), args, strings.NewReader(""), stdout, stderr)
}
