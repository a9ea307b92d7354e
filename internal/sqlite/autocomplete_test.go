package sqlite

import (
	"context"
	"testing"

	"github.com/clientele/clientele/internal/directory/storetest"
)

// TestMigrationKeysExistingNames applies the migrations before 0026 to a
// database that then gets users, as an earlier release would have left
// it, and checks that Migrate gives every user its name key, in the
// migration's transaction, so that autocomplete finds them at once.
func TestMigrationKeysExistingNames(t *testing.T) {
	ctx := context.Background()
	s := storeBefore(t, "0026")
	if _, err := s.write.ExecContext(ctx, `INSERT INTO realms (id, uid, name, created_at, updated_at) VALUES (1, 'acme', 'Acme', 0, 0), (2, 'beta', 'Beta', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	for _, u := range storetest.NameKeyUsers {
		var deleted any
		if u.Deleted {
			deleted = 5
		}
		_, err := s.write.ExecContext(ctx, `INSERT INTO users (id, realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, created_at, updated_at, deleted_at)
			VALUES (?, ?, ?, ?, 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, ?)`, u.ID, u.RealmID, u.ID, u.Name, deleted)
		if err != nil {
			t.Fatal(err)
		}
	}
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
	storetest.CheckMigratedNameKeys(t, s, keys)
}
