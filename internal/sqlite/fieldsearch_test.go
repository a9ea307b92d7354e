package sqlite

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fieldNumber is a row of user_field_numbers.
type fieldNumber struct {
	RealmID int64
	Key     string
	Value   float64
	UserID  int64
}

// TestMigrationIndexesFieldNumbers applies the migrations before 0030 to a
// database whose users then get custom field values, in two realms, and
// checks that Migrate indexes exactly the values of integer, decimal and
// date fields of active users, in the migration's transaction.
func TestMigrationIndexesFieldNumbers(t *testing.T) {
	ctx := context.Background()
	s := storeBefore(t, "0030")
	_, err := s.write.ExecContext(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) VALUES (1, 'acme', 'Acme', 0, 0), (2, 'beta', 'Beta', 0, 0);
		INSERT INTO user_fields (realm_id, key, type, title, raw_title, position, active, created_at, updated_at) VALUES
			(1, 'seats', 'integer', 'Seats', 'Seats', 0, 1, 0, 0),
			(1, 'price', 'decimal', 'Price', 'Price', 1, 1, 0, 0),
			(1, 'renewal', 'date', 'Renewal', 'Renewal', 2, 1, 0, 0),
			(1, 'plan', 'text', 'Plan', 'Plan', 3, 1, 0, 0),
			(2, 'seats', 'text', 'Seats', 'Seats', 0, 1, 0, 0);
		INSERT INTO users (id, realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, created_at, updated_at, deleted_at, user_fields) VALUES
			(1, 1, 'u1', 'One', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, NULL, '{"seats":5,"price":9.99,"renewal":"2026-03-01T00:00:00Z","plan":"7"}'),
			(2, 1, 'u2', 'Two', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, 9, '{"seats":6}'),
			(3, 1, 'u3', 'Three', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, NULL, '{}'),
			(4, 2, 'u4', 'Four', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 0, 0, NULL, '{"seats":"8"}')`)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	want := []fieldNumber{{1, "price", 9.99, 1}, {1, "renewal", 1772323200, 1}, {1, "seats", 5, 1}}
	if diff := cmp.Diff(want, readFieldNumbers(t, s)); diff != "" {
		t.Errorf("user_field_numbers after the migration (-want +got):\n%s", diff)
	}
}

// readFieldNumbers returns every row of user_field_numbers, in key order.
func readFieldNumbers(t *testing.T, s *Store) []fieldNumber {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), `SELECT realm_id, key, value, user_id FROM user_field_numbers ORDER BY realm_id, key, value, user_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []fieldNumber
	for rows.Next() {
		var n fieldNumber
		if err := rows.Scan(&n.RealmID, &n.Key, &n.Value, &n.UserID); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}
