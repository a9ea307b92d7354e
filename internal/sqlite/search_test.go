package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// TestMigrationIndexesExistingNames applies the migrations before 0013 to
// a database that then gets organizations and groups, as a database of an
// earlier release would have them, and checks that Migrate makes their
// names searchable: 0013 adds the column and index, and the store fills
// them in Go.
func TestMigrationIndexesExistingNames(t *testing.T) {
	ctx := context.Background()
	s := storeBefore(t, "0013")
	_, err := s.write.ExecContext(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) VALUES (1, 'acme', 'Acme', 0, 0), (2, 'beta', 'Beta', 0, 0);
		INSERT INTO users (id, realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, organization_id, created_at, updated_at)
		VALUES (1, 1, 'u1', 'Ann', 'agent', 'UTC', 'Etc/UTC', 'en-US', 1, 10, 0, 0),
		       (2, 1, 'u2', 'Bob', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, 0),
		       (3, 2, 'u3', 'Cat', 'agent', 'UTC', 'Etc/UTC', 'en-US', 1, 20, 0, 0);
		INSERT INTO organizations (id, realm_id, name, name_key, created_at, updated_at)
		VALUES (10, 1, 'Acme Élan', 'acme élan', 0, 0), (20, 2, 'Acme Beta', 'acme beta', 0, 0);
		INSERT INTO organization_memberships (realm_id, user_id, organization_id, is_default, created_at, updated_at)
		VALUES (1, 1, 10, 1, 0, 0), (2, 3, 20, 1, 0, 0);
		INSERT INTO groups (id, realm_id, name, name_key, created_at, updated_at, deleted_at)
		VALUES (30, 1, 'Tier One', 'tier one', 0, 0, NULL), (31, 1, 'Gone Team', 'gone team', 0, 0, 5), (32, 2, 'Tier Beta', 'tier beta', 0, 0, NULL);
		INSERT INTO group_memberships (realm_id, user_id, group_id, is_default, created_at, updated_at)
		VALUES (1, 1, 30, 1, 0, 0), (1, 1, 31, 0, 0, 0), (2, 3, 32, 1, 0, 0);`)
	if err != nil {
		t.Fatal(err)
	}
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

// storeBefore opens a new database with the migrations whose versions
// sort before version applied, as an earlier release would have left it;
// it is closed when the test ends.
func storeBefore(t *testing.T, version string) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		v := strings.TrimSuffix(filepath.Base(name), ".sql")
		if v >= version {
			break
		}
		body, _ := migrations.ReadFile(name)
		if _, err := s.write.ExecContext(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if _, err := s.write.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, v); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestTagCountsFollowWrites checks tag_counts (migration 0025) against
// user_tags after bulk import batches (whose counts the bulk path writes
// at once, with the trigger suspended), a failed batch, and single
// writes through the triggers: every realm and tag counts exactly its
// rows in user_tags, in both realms.
func TestTagCountsFollowWrites(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	var realms []*directory.Realm
	for _, uid := range []string{"acme", "beta"} {
		r := &directory.Realm{UID: uid, Name: uid, CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
		if err := s.CreateRealm(ctx, r); err != nil {
			t.Fatal(err)
		}
		realms = append(realms, r)
	}
	batch := func(from, n int) []directory.ImportUser {
		out := make([]directory.ImportUser, n)
		for i := range out {
			out[i] = bulkUser(from + i)
		}
		return out
	}
	check := func(when string) {
		t.Helper()
		var wrong int
		err := s.write.QueryRowContext(ctx, `SELECT count(*) FROM (
			SELECT realm_id, tag, count(*) AS n FROM user_tags GROUP BY realm_id, tag
			EXCEPT SELECT realm_id, tag, n FROM tag_counts WHERE n <> 0)`).Scan(&wrong)
		if err != nil || wrong != 0 {
			t.Errorf("%s: %d tags of user_tags miscounted in tag_counts, %v", when, wrong, err)
		}
		err = s.write.QueryRowContext(ctx, `SELECT count(*) FROM tag_counts c WHERE n <> 0 AND n <>
			(SELECT count(*) FROM user_tags g WHERE g.realm_id = c.realm_id AND g.tag = c.tag)`).Scan(&wrong)
		if err != nil || wrong != 0 {
			t.Errorf("%s: %d counts of tag_counts with no such rows in user_tags, %v", when, wrong, err)
		}
	}
	if err := s.ImportUsers(ctx, realms[0].ID, batch(0, 250)); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportUsers(ctx, realms[1].ID, batch(0, 120)); err != nil {
		t.Fatal(err)
	}
	check("after the bulk batches")
	var want int64
	for _, u := range batch(0, 250) {
		if u.User.DeletedAt.IsZero() && len(u.User.Tags) > 0 {
			want++
		}
	}
	n, err := s.CountSearchUsers(ctx, realms[0].ID, directory.UserQuery{Terms: []directory.Term{{Field: "tags", Value: "bulk"}}})
	if err != nil || n != want {
		t.Errorf("acme's tags:bulk count = %d, %v; want %d", n, err, want)
	}
	failing := batch(1000, 150)
	failing[149].User.ExternalID = "bulk-00042"
	if err := s.ImportUsers(ctx, realms[0].ID, failing); directory.KindOf(err) != directory.KindInvalid {
		t.Fatalf("batch with a taken external id: %v, want a duplicate", err)
	}
	check("after a failed batch")
	one := bulkUser(2000)
	if err := s.CreateUser(ctx, realms[0].ID, one.User, one.Identities); err != nil {
		t.Fatal(err)
	}
	one.User.Tags = []string{"bulk", "solo"}
	if err := s.UpdateUser(ctx, realms[0].ID, one.User, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	check("after single writes")
	one.User.DeletedAt = time.Unix(100, 0)
	if err := s.UpdateUser(ctx, realms[0].ID, one.User, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	check("after a deletion")
}
