package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// schemaBefore makes a new schema with the migrations whose versions sort
// before version applied, as an earlier release would have left it, and
// returns its DSN and a connection to it, closed when the test ends.
func schemaBefore(t *testing.T, version string) (string, *pgx.Conn) {
	t.Helper()
	dsn, _ := pgtest.NewSchema(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, v := range migrationNames(t) {
		if v >= version {
			break
		}
		body, err := os.ReadFile(filepath.Join("migrations", v+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`, v); err != nil {
			t.Fatal(err)
		}
	}
	return dsn, conn
}

// TestMigrationIndexesExistingNames applies the migrations before 0013 to
// a schema that then gets organizations and groups, as a database of an
// earlier release would have them, and checks that Migrate makes their
// names searchable: 0013 adds the column and index, and the store fills
// them in Go in the migration's transaction.
func TestMigrationIndexesExistingNames(t *testing.T) {
	dsn, conn := schemaBefore(t, "0013")
	ctx := t.Context()
	_, err := conn.Exec(ctx, strings.ReplaceAll(`
		INSERT INTO realms (id, uid, name, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES (1, 'acme', 'Acme', @t, @t), (2, 'beta', 'Beta', @t, @t);
		INSERT INTO users (id, realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, organization_id, created_at, updated_at)
		OVERRIDING SYSTEM VALUE
		VALUES (1, 1, 'u1', 'Ann', 'agent', 'UTC', 'Etc/UTC', 'en-US', 1, 10, @t, @t),
		       (2, 1, 'u2', 'Bob', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, @t, @t),
		       (3, 2, 'u3', 'Cat', 'agent', 'UTC', 'Etc/UTC', 'en-US', 1, 20, @t, @t);
		INSERT INTO organizations (id, realm_id, name, name_key, created_at, updated_at) OVERRIDING SYSTEM VALUE
		VALUES (10, 1, 'Acme Élan', 'acme élan', @t, @t), (20, 2, 'Acme Beta', 'acme beta', @t, @t);
		INSERT INTO organization_memberships (realm_id, user_id, organization_id, is_default, created_at, updated_at)
		VALUES (1, 1, 10, true, @t, @t), (2, 3, 20, true, @t, @t);
		INSERT INTO groups (id, realm_id, name, name_key, created_at, updated_at, deleted_at) OVERRIDING SYSTEM VALUE
		VALUES (30, 1, 'Tier One', 'tier one', @t, @t, NULL), (31, 1, 'Gone Team', 'gone team', @t, @t, @t), (32, 2, 'Tier Beta', 'tier beta', @t, @t, NULL);
		INSERT INTO group_memberships (realm_id, user_id, group_id, is_default, created_at, updated_at)
		VALUES (1, 1, 30, true, @t, @t), (1, 1, 31, false, @t, @t), (2, 3, 32, true, @t, @t);`, "@t", "now()"))
	if err != nil {
		t.Fatal(err)
	}
	s := openDSN(t, dsn)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field, value string
		want         int
	}{
		{"organization", "elan", 1},
		{"organization", "acme", 1},
		{"organization", "beta", 0},
		{"organization", "none", 1},
		{"group", "tier", 1},
		{"group", "gone", 0},
	} {
		n, err := s.CountSearchUsers(ctx, 1, directory.UserQuery{Terms: []directory.Term{{Field: c.field, Value: c.value}}})
		if err != nil || n != int64(c.want) {
			t.Errorf("%s:%s counts %d, %v; want %d", c.field, c.value, n, err, c.want)
		}
	}
}

// TestSearchPagesAcrossIDWindows checks a text search whose matches lie
// far apart in id order, so that a page reads several id windows (see
// searchByRanges): pages, cursors and the count find exactly the realm's
// active matches, in id order, whatever windows they fall in; the other
// realm's and a deleted user's matches stay out.
func TestSearchPagesAcrossIDWindows(t *testing.T) {
	dsn, _ := pgtest.NewSchema(t)
	ctx := t.Context()
	store, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	svc := directory.NewService(store, directory.ServiceOptions{})
	acme, err := svc.CreateRealm(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	beta, err := svc.CreateRealm(ctx, "beta", "Beta")
	if err != nil {
		t.Fatal(err)
	}
	create := func(realm *directory.Realm, atID int64, name string) int64 {
		t.Helper()
		// Jump the id sequence so the next user gets atID.
		if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('users', 'id'), $1)`, atID-1); err != nil {
			t.Fatal(err)
		}
		u, err := svc.CreateUser(ctx, directory.Operator(realm.ID), directory.UserInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != atID {
			t.Fatalf("user %q got id %d, want %d", name, u.ID, atID)
		}
		return u.ID
	}
	var want []int64
	// The first window is [10, 8202): 8198 and 8202 sit on either side
	// of its end.
	for _, at := range []int64{10, 5000, 8198, 8202, 30000, 200000, 1500000} {
		want = append(want, create(acme, at, "Wide Alpha"))
		create(acme, at+1, "Other Person")
		create(beta, at+2, "Wide Alpha")
	}
	// A second word with the prefix, for the merge of words' ids.
	want = append(want, create(acme, 8300, "Wide Alphonse"))
	create(beta, 8302, "Wide Alphonse")
	slices.Sort(want)
	gone := create(acme, 700000, "Wide Alpha")
	if _, err := svc.DeleteUser(ctx, directory.Operator(acme.ID), gone); err != nil {
		t.Fatal(err)
	}
	q := directory.UserQuery{Terms: []directory.Term{{Value: "alph"}}}
	// Two terms are not a lone word: the rest comes from the GIN bitmap.
	q2 := directory.UserQuery{Terms: []directory.Term{{Value: "alph"}, {Field: "name", Value: "wide"}}}
	// Every way of reading past the first window: more windows (when many
	// matches are expected, here forced) and the GIN bitmap alone; and,
	// for the lone word when its prefix stands for few enough words, the
	// merge of each word's ids in user_words.
	for _, plain := range []struct {
		gin    float64
		merged int
	}{{-1, 0}, {20000, 0}, {20000, 64}} {
		t.Run(fmt.Sprintf("plainSearchMatches=%v", plain), func(t *testing.T) {
			postgres.SetPlainSearchMatches(t, plain.gin, plain.merged)
			pagesFind(t, store, acme.ID, q, want)
			pagesFind(t, store, acme.ID, q2, want)
		})
	}
	n, err := store.CountSearchUsers(ctx, acme.ID, q)
	if err != nil || n != int64(len(want)) {
		t.Errorf("count = %d, %v; want %d", n, err, len(want))
	}
	users, err := store.SearchUsers(ctx, acme.ID, directory.UserQuery{Terms: []directory.Term{{Value: "alpha"}, {Field: "name", Value: "wide"}}},
		directory.SearchPage{Limit: 100, AfterID: 30000})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[slices.Index(want, 30000)+1:], ids(users)); diff != "" {
		t.Errorf("two terms after 30000 (-want +got):\n%s", diff)
	}
}

// pagesFind pages through q's matches in realmID with pages of 1, 2, 3 and
// 100 users, following the cursor, and checks they find exactly want.
func pagesFind(t *testing.T, store *postgres.Store, realmID int64, q directory.UserQuery, want []int64) {
	t.Helper()
	ctx := t.Context()
	for _, limit := range []int{1, 2, 3, 100} {
		var got []int64
		after := int64(0)
		for range 10 {
			users, err := store.SearchUsers(ctx, realmID, q, directory.SearchPage{Limit: limit, AfterID: after})
			if err != nil {
				t.Fatal(err)
			}
			if len(users) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(users))
			}
			for _, u := range users {
				got = append(got, u.ID)
			}
			if len(users) < limit {
				break
			}
			after = users[len(users)-1].ID
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("pages of %d (-want +got):\n%s", limit, diff)
		}
	}
}

func ids(users []directory.User) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}
