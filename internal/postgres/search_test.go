package postgres_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestMigrationIndexesExistingNames applies the migrations before 0013 to
// a schema that then gets organizations and groups, as a database of an
// earlier release would have them, and checks that Migrate makes their
// names searchable: 0013 adds the column and index, and the store fills
// them in Go in the migration's transaction.
func TestMigrationIndexesExistingNames(t *testing.T) {
	dsn, _ := pgtest.NewSchema(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, version := range migrationNames(t) {
		if version >= "0013" {
			break
		}
		body, err := os.ReadFile(filepath.Join("migrations", version+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`, version); err != nil {
			t.Fatal(err)
		}
	}
	_, err = conn.Exec(ctx, strings.ReplaceAll(`
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
