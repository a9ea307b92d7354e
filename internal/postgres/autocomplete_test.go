package postgres_test

import (
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// TestMigrationKeysExistingNames applies the migrations before 0026 to a
// schema that then gets users, as an earlier release would have left it,
// and checks that Migrate gives every user its name key, computed in Go in
// the migration's transaction, so that autocomplete finds them at once.
func TestMigrationKeysExistingNames(t *testing.T) {
	dsn, _ := pgtest.NewSchema(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	migrateBefore(t, conn, "0026")
	_, err = conn.Exec(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES (1, 'acme', 'Acme', now(), now()), (2, 'beta', 'Beta', now(), now());
		INSERT INTO users (id, realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, created_at, updated_at, deleted_at)
		OVERRIDING SYSTEM VALUE
		VALUES (1, 1, 'u1', 'Ann Lee', 'agent', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), NULL),
		       (2, 1, 'u2', '  ÉLODIE   Roy', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), NULL),
		       (3, 2, 'u3', 'Anders', 'agent', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), NULL),
		       (4, 1, 'u4', 'Annie Gone', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), now()),
		       (5, 1, 'u5', 'Bob', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), NULL);`)
	if err != nil {
		t.Fatal(err)
	}
	s := openDSN(t, dsn)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys := map[int64]string{}
	rows, err := conn.Query(ctx, `SELECT id, name_key FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			t.Fatal(err)
		}
		keys[id] = key
	}
	rows.Close()
	want := map[int64]string{1: "ann lee", 2: "elodie roy", 3: "anders", 4: "annie gone", 5: "bob"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("name keys after the migration (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		realm  int64
		prefix string
		want   []int64
	}{
		{1, "an", []int64{1}}, // not the deleted Annie, not beta's Anders
		{1, "elo", []int64{2}},
		{2, "an", []int64{3}},
	} {
		users, err := s.AutocompleteUsers(ctx, c.realm, directory.NamePrefix(c.prefix), 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, u := range users {
			got = append(got, u.ID)
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("realm %d, autocomplete %q (-want +got):\n%s", c.realm, c.prefix, diff)
		}
	}
}

// TestAutocompletePlan checks, at 100,000 users and with bound parameters
// (as the store sends them, where a generic plan may differ from one for
// literal values), that autocomplete walks the name keys' index in order
// and stops at the page: no sort, no scan of the realm, even for a prefix
// every user's name starts with.
func TestAutocompletePlan(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 users")
	}
	dsn, _ := pgtest.NewSchema(t)
	ctx := t.Context()
	s := openDSN(t, dsn)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES (1, 'big', 'Big', now(), now()), (2, 'small', 'Small', now(), now());
		INSERT INTO users (realm_id, uuid, name, name_key, role, time_zone, iana_time_zone, locale, locale_id, created_at, updated_at)
		SELECT CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END, 'u' || i, 'User ' || i, 'user ' || i, 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now()
		FROM generate_series(1, 100000) AS i;
		ANALYZE users;`)
	if err != nil {
		t.Fatal(err)
	}
	// Force the generic plan, the one a cached statement ends up with.
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"user 42", "us"} {
		query, args := postgres.AutocompleteQuery(1, prefix, 100)
		rows, err := conn.Query(ctx, "EXPLAIN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(lines, "\n")
		if !strings.Contains(text, "Index Scan using users_realm_name_key") || strings.Contains(text, "Sort") || strings.Contains(text, "Seq Scan") {
			t.Errorf("autocomplete %q does not walk the name keys' index:\n%s", prefix, text)
		}
	}
}
