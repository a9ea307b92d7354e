package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/cli"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/clientele/clientele/internal/postgres/pgtest"
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
// are unchanged (organization and custom field values included), and
// imported into another realm, with that realm's seed organizations, they
// are all created, with the same organizations and values.
func TestSeedUsersPassTheRules(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	run(t, "realm", "create", "--uid", "copy", "--name", "Copy")
	const n = 2000
	if code, out, errOut := run(t, "seed", "--realm", "acme", "--users", fmt.Sprint(n), "--json"); code != 0 || !strings.Contains(out, `"users":2000`) {
		t.Fatalf("seed: %d %q %q", code, out, errOut)
	}
	// One user far from acme's range gives copy the seed's organizations
	// and fields.
	if code, _, errOut := run(t, "seed", "--realm", "copy", "--users", "1", "--start", "900000"); code != 0 {
		t.Fatalf("seed copy: %d %q", code, errOut)
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
	// The organizations of copy that have acme's names, by acme's ids.
	copyID := map[int64]int64{}
	for _, o := range listOrganizations(t, s, acme.ID) {
		c, err := s.OrganizationByName(ctx, realm("copy").ID, o.Name)
		if err != nil {
			t.Fatalf("copy has no organization %s: %v", o.Name, err)
		}
		copyID[o.ID] = c.ID
	}
	emails, phones, names := map[string]bool{}, 0, map[string]bool{}
	accented, withTags, secondLast, members, withFields := 0, 0, 0, 0, 0
	var rows, copyRows strings.Builder
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
		if u.OrganizationID != 0 {
			members++
		}
		if len(u.UserFields) > 0 {
			withFields++
		}
		// organization_id null where the user has none, which the import
		// reads as "no organization".
		var org, copyOrg any
		if u.OrganizationID != 0 {
			org, copyOrg = u.OrganizationID, copyID[u.OrganizationID]
		}
		cells := map[string]any{
			"name": u.Name, "first_name": u.FirstName, "last_name": u.LastName, "second_last_name": u.SecondLastName,
			"email": u.Email, "phone": u.Phone, "shared_phone_number": u.SharedPhoneNumber, "external_id": u.ExternalID,
			"role": u.Role, "time_zone": u.TimeZone, "locale": u.Locale, "tags": u.Tags, "details": u.Details,
			"notes": u.Notes, "verified": u.Verified, "suspended": u.Suspended, "organization_id": org,
			"user_fields": u.UserFields,
		}
		row, _ := json.Marshal(cells)
		rows.Write(append(row, '\n'))
		cells["organization_id"] = copyOrg
		row, _ = json.Marshal(cells)
		copyRows.Write(append(row, '\n'))
	}
	if phones < n/2 || len(names) < 200 || accented < n/5 || withTags < n/2 || secondLast < 50 || members < n*3/4 || withFields < n*3/4 {
		t.Errorf("not varied enough: %d phones, %d last names, %d accented names, %d with tags, %d second last names, %d in organizations, %d with field values",
			phones, len(names), accented, withTags, secondLast, members, withFields)
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
	copyPath := filepath.Join(t.TempDir(), "copy.jsonl")
	if err := os.WriteFile(copyPath, []byte(copyRows.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, "user", "import", copyPath, "--realm", "copy", "--json")
	sum = importSummary{}
	json.Unmarshal([]byte(out), &sum)
	if diff := cmp.Diff(importSummary{Rows: n, Created: n}, sum); code != 0 || diff != "" {
		t.Errorf("seeded users imported into another realm: exit %d, summary (-want +got):\n%s%s", code, diff, firstLines(errOut, 5))
	}
	for _, u := range users {
		c := userByExternalID(t, s, realm("copy").ID, u.ExternalID)
		if diff := cmp.Diff(u.UserFields, c.UserFields); diff != "" {
			t.Errorf("user %s: field values imported into copy (-seeded +imported):\n%s", u.ExternalID, diff)
		}
		if c.OrganizationID != copyID[u.OrganizationID] {
			t.Errorf("user %s: organization %d in copy, want %d", u.ExternalID, c.OrganizationID, copyID[u.OrganizationID])
		}
	}
}

func listOrganizations(t *testing.T, s directory.Store, realmID int64) []directory.Organization {
	t.Helper()
	orgs, err := s.ListOrganizations(context.Background(), realmID, directory.OrganizationFilter{}, directory.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return orgs
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

// seedEngine is a database the seed tests run the CLI on: its
// CLIENTELE_DATABASE value and how to open it for checks.
type seedEngine struct {
	name string
	// database returns a new, empty database for t.
	database func(t *testing.T) string
	open     func(t *testing.T, database string) directory.Store
}

// seedEngines are SQLite, and PostgreSQL when CLIENTELE_TEST_POSTGRES is
// set (a schema of its own for each test).
func seedEngines() []seedEngine {
	out := []seedEngine{{
		name:     "sqlite",
		database: func(t *testing.T) string { return filepath.Join(t.TempDir(), "seed.db") },
		open: func(t *testing.T, database string) directory.Store {
			s, err := sqlite.Open(database)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}}
	if os.Getenv("CLIENTELE_TEST_POSTGRES") != "" {
		out = append(out, seedEngine{
			name: "postgres",
			database: func(t *testing.T) string {
				dsn, _ := pgtest.NewSchema(t)
				return dsn
			},
			open: func(t *testing.T, database string) directory.Store {
				s, err := postgres.Open(context.Background(), database)
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
		})
	}
	return out
}

// seededRealm is what a seed left in a realm, for comparisons.
type seededRealm struct {
	Organizations []seededOrganization
	Fields        []directory.UserField
	// Users by external id: their organization's name ("" for none), its
	// membership and their field values.
	Users map[string]seededUser
}

type seededOrganization struct {
	ID         int64
	Name       string
	ExternalID string
	Members    int64 // the organization's member counter
}

type seededUser struct {
	Role         directory.Role
	Organization string
	// Memberships are the user's memberships as "name default created".
	Memberships []string
	Fields      map[string]any
}

// readSeeded reads the organizations, fields and users of the realm uid.
func readSeeded(t *testing.T, s directory.Store, uid string) seededRealm {
	t.Helper()
	ctx := context.Background()
	realm, err := s.RealmByUID(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	var out seededRealm
	orgs, err := s.ListOrganizations(ctx, realm.ID, directory.OrganizationFilter{}, directory.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, o := range orgs {
		n, err := s.CountOrganizationUsers(ctx, realm.ID, o.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		out.Organizations = append(out.Organizations, seededOrganization{o.ID, o.Name, o.ExternalID, n})
		names[o.ID] = o.Name
	}
	if out.Fields, err = s.UserFields(ctx, realm.ID); err != nil {
		t.Fatal(err)
	}
	users, err := s.ListUsers(ctx, realm.ID, directory.UserFilter{}, directory.Page{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	memberships, err := s.ListMemberships(ctx, realm.ID, directory.MembershipFilter{}, directory.Page{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	byUser := map[int64][]string{}
	for _, m := range memberships {
		byUser[m.UserID] = append(byUser[m.UserID], fmt.Sprintf("%s %t %s", m.OrganizationName, m.Default, m.CreatedAt.Format(time.RFC3339)))
		if !m.CreatedAt.Equal(m.UpdatedAt) {
			t.Errorf("membership %d: created %s, updated %s", m.ID, m.CreatedAt, m.UpdatedAt)
		}
	}
	out.Users = map[string]seededUser{}
	for _, u := range users {
		out.Users[u.ExternalID] = seededUser{Role: u.Role, Organization: names[u.OrganizationID], Memberships: byUser[u.ID], Fields: u.UserFields}
		if u.OrganizationID != 0 && names[u.OrganizationID] == "" {
			t.Errorf("user %s: organization %d is not one of the realm's", u.ExternalID, u.OrganizationID)
		}
	}
	return out
}

// TestSeedOrganizationsAndFields seeds a realm in two ranges and checks
// its organizations (made once, reused by the second range), its user
// fields and its users' memberships and values: the same as a realm
// seeded at once, valid for their fields, about nine in ten end users in
// an organization. A realm seeded before stays as it was.
func TestSeedOrganizationsAndFields(t *testing.T) {
	for _, engine := range seedEngines() {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.database(t)
			t.Setenv("CLIENTELE_DATABASE", db)
			for _, uid := range []string{"acme", "again", "other"} {
				if code, _, errOut := run(t, "realm", "create", "--uid", uid, "--name", uid); code != 0 {
					t.Fatalf("realm create %s: %s", uid, errOut)
				}
			}
			seed := func(args ...string) {
				t.Helper()
				if code, out, errOut := run(t, append([]string{"seed"}, args...)...); code != 0 || !strings.Contains(out, "users seeded") {
					t.Fatalf("seed %v: %d %q %q", args, code, out, errOut)
				}
			}
			seed("--realm", "other", "--users", "300", "--seed", "2")
			s := engine.open(t, db)
			other := readSeeded(t, s, "other")
			s.Close()

			const n = 1500
			seed("--realm", "acme", "--users", "900", "--batch", "400")
			s = engine.open(t, db)
			first := readSeeded(t, s, "acme")
			s.Close()
			seed("--realm", "acme", "--users", fmt.Sprint(n-900), "--start", "900", "--batch", "250")
			seed("--realm", "again", "--users", fmt.Sprint(n))
			s = engine.open(t, db)
			defer s.Close()
			acme, again := readSeeded(t, s, "acme"), readSeeded(t, s, "again")

			// The organizations: made by the first seed, kept by the second.
			if len(acme.Organizations) != 30 {
				t.Fatalf("%d organizations, want 30", len(acme.Organizations))
			}
			ids := func(orgs []seededOrganization) map[string]int64 {
				out := map[string]int64{}
				for _, o := range orgs {
					out[o.Name] = o.ID
				}
				return out
			}
			if diff := cmp.Diff(ids(first.Organizations), ids(acme.Organizations)); diff != "" {
				t.Errorf("organizations after the second range (-first +now):\n%s", diff)
			}
			for _, name := range []string{"Northwind Logistics", "Vértice Software", "Evergreen Motors"} {
				if _, ok := ids(acme.Organizations)[name]; !ok {
					t.Errorf("no organization %q among %v", name, ids(acme.Organizations))
				}
			}
			if !strings.HasPrefix(acme.Organizations[0].ExternalID, "seed-org-") {
				t.Errorf("organization external id %q", acme.Organizations[0].ExternalID)
			}

			// The fields, their types and the plan's options.
			types := map[string]directory.UserFieldType{}
			for _, f := range acme.Fields {
				types[f.Key] = f.Type
			}
			wantTypes := map[string]directory.UserFieldType{"plan": directory.FieldDropdown, "loyalty_points": directory.FieldInteger,
				"renewal_date": directory.FieldDate, "referral_source": directory.FieldText}
			if diff := cmp.Diff(wantTypes, types); diff != "" {
				t.Errorf("user fields (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(first.Fields, acme.Fields); diff != "" {
				t.Errorf("user fields changed by the second range (-first +now):\n%s", diff)
			}
			var plans []string
			for _, f := range acme.Fields {
				if f.Key == "plan" {
					for _, o := range f.Options {
						plans = append(plans, o.Value)
					}
				}
			}
			if diff := cmp.Diff([]string{"free", "basic", "plus", "premium", "enterprise"}, plans); diff != "" {
				t.Errorf("plan options (-want +got):\n%s", diff)
			}

			// The users: the same, organizations and values, as seeded at
			// once into another realm.
			if len(acme.Users) != n {
				t.Fatalf("%d users, want %d", len(acme.Users), n)
			}
			if diff := cmp.Diff(again.Users, acme.Users); diff != "" {
				t.Errorf("users seeded in two ranges (+) and at once (-) differ:\n%s", diff)
			}
			endUsers, members, withValue := 0, 0, map[string]int{}
			counted := map[string]int64{}
			date := regexp.MustCompile(`^20(26|27)-\d\d-\d\dT00:00:00Z$`)
			for ext, u := range acme.Users {
				if u.Role == directory.RoleEndUser {
					endUsers++
				}
				switch {
				case u.Organization == "" && len(u.Memberships) > 0:
					t.Errorf("user %s: no organization but memberships %v", ext, u.Memberships)
				case u.Organization != "":
					members++
					counted[u.Organization]++
					if len(u.Memberships) != 1 || !strings.HasPrefix(u.Memberships[0], u.Organization+" true ") {
						t.Errorf("user %s of %s: memberships %v, want that one as default", ext, u.Organization, u.Memberships)
					}
					if u.Role != directory.RoleEndUser {
						t.Errorf("user %s: a %s in an organization", ext, u.Role)
					}
				}
				for key, v := range u.Fields {
					withValue[key]++
					ok := false
					switch key {
					case "plan":
						ok = slices.Contains(plans, fmt.Sprint(v))
					case "loyalty_points":
						f, isNum := v.(float64)
						ok = isNum && f >= 0 && f == float64(int64(f))
					case "renewal_date":
						str, isStr := v.(string)
						ok = isStr && date.MatchString(str)
					case "referral_source":
						str, isStr := v.(string)
						ok = isStr && str != ""
					}
					if !ok {
						t.Errorf("user %s: %s = %#v", ext, key, v)
					}
				}
			}
			if members < endUsers*85/100 || members > endUsers*95/100 {
				t.Errorf("%d of %d end users in an organization, want about 90%%", members, endUsers)
			}
			for key := range wantTypes {
				if withValue[key] < n/5 || withValue[key] > n*95/100 {
					t.Errorf("%d of %d users have a %s: want many, not all", withValue[key], n, key)
				}
			}
			largest := int64(0)
			for _, o := range acme.Organizations {
				if o.Members != counted[o.Name] {
					t.Errorf("organization %s counts %d members; %d users have it", o.Name, o.Members, counted[o.Name])
				}
				largest = max(largest, o.Members)
			}
			if largest < 3*int64(members)/30 || counted[acme.Organizations[29].Name] == 0 {
				t.Errorf("members by organization %v: want a few large ones and small ones", counted)
			}

			// The realm seeded first is as it was.
			if diff := cmp.Diff(other, readSeeded(t, s, "other")); diff != "" {
				t.Errorf("realm other changed by seeds of acme (-before +after):\n%s", diff)
			}
			if len(other.Organizations) != 30 || len(other.Users) != 300 {
				t.Errorf("realm other: %d organizations, %d users", len(other.Organizations), len(other.Users))
			}
		})
	}
}
