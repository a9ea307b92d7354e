package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// TestMigrationKeysExistingNames applies the migrations before 0026 to a
// database that then gets users, as an earlier release would have left
// it, and checks that Migrate gives every user its name key, across the
// backfill's batches, so that autocomplete finds them at once.
func TestMigrationKeysExistingNames(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	migrateBefore(t, s, "0026")
	_, err = s.write.ExecContext(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) VALUES (1, 'acme', 'Acme', 0, 0), (2, 'beta', 'Beta', 0, 0);
		INSERT INTO users (id, realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, created_at, updated_at, deleted_at)
		VALUES (1, 1, 'u1', 'Ann Lee', 'agent', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, NULL),
		       (2, 1, 'u2', '  ÉLODIE   Roy', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, NULL),
		       (3, 2, 'u3', 'Anders', 'agent', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, NULL),
		       (4, 1, 'u4', 'Annie Gone', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, 5),
		       (5, 1, 'u5', 'Bob', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, NULL);`)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { nameKeyBatch = n }(nameKeyBatch)
	nameKeyBatch = 2
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys := map[int64]string{}
	rows, err := s.read.QueryContext(ctx, `SELECT id, name_key FROM users`)
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
