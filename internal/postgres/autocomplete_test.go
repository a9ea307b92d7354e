package postgres_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory/storetest"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/jackc/pgx/v5"
)

// TestMigrationKeysExistingNames applies the migrations before 0026 to a
// schema that then gets users, as an earlier release would have left it,
// and checks that Migrate gives every user its name key, computed in Go in
// the migration's transaction, so that autocomplete finds them at once.
func TestMigrationKeysExistingNames(t *testing.T) {
	dsn, conn := schemaBefore(t, "0026")
	ctx := t.Context()
	if _, err := conn.Exec(ctx, `INSERT INTO realms (id, uid, name, created_at, updated_at) OVERRIDING SYSTEM VALUE
		VALUES (1, 'acme', 'Acme', now(), now()), (2, 'beta', 'Beta', now(), now())`); err != nil {
		t.Fatal(err)
	}
	for _, u := range storetest.NameKeyUsers {
		var deleted any
		if u.Deleted {
			deleted = time.Now()
		}
		_, err := conn.Exec(ctx, `INSERT INTO users (id, realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, created_at, updated_at, deleted_at)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), $5)`,
			u.ID, u.RealmID, strconv.FormatInt(u.ID, 10), u.Name, deleted)
		if err != nil {
			t.Fatal(err)
		}
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
	storetest.CheckMigratedNameKeys(t, s, keys)
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
	ctx := t.Context()
	_, conn := migratedSchema(t)
	_, err := conn.Exec(ctx, `
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
