package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// fieldNumber is a row of user_field_numbers.
type fieldNumber struct {
	RealmID int64
	Key     string
	Value   float64
	UserID  int64
}

// TestMigrationIndexesFieldNumbers applies the migrations before 0030 to a
// schema whose users then get custom field values, in two realms, and
// checks that Migrate indexes exactly the values of integer, decimal and
// date fields of active users, in the migration's transaction.
func TestMigrationIndexesFieldNumbers(t *testing.T) {
	dsn, conn := schemaBefore(t, "0030")
	ctx := t.Context()
	_, err := conn.Exec(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) OVERRIDING SYSTEM VALUE
			VALUES (1, 'acme', 'Acme', now(), now()), (2, 'beta', 'Beta', now(), now());
		INSERT INTO user_fields (realm_id, key, type, title, raw_title, position, active, created_at, updated_at) VALUES
			(1, 'seats', 'integer', 'Seats', 'Seats', 0, true, now(), now()),
			(1, 'price', 'decimal', 'Price', 'Price', 1, true, now(), now()),
			(1, 'renewal', 'date', 'Renewal', 'Renewal', 2, true, now(), now()),
			(1, 'plan', 'text', 'Plan', 'Plan', 3, true, now(), now()),
			(2, 'seats', 'text', 'Seats', 'Seats', 0, true, now(), now());
		INSERT INTO users (id, realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, created_at, updated_at, deleted_at, user_fields)
		OVERRIDING SYSTEM VALUE VALUES
			(1, 1, 'u1', 'One', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), NULL, '{"seats":5,"price":9.99,"renewal":"2026-03-01T00:00:00Z","plan":"7"}'),
			(2, 1, 'u2', 'Two', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), now(), '{"seats":6}'),
			(3, 1, 'u3', 'Three', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), NULL, '{}'),
			(4, 2, 'u4', 'Four', 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), NULL, '{"seats":"8"}')`)
	if err != nil {
		t.Fatal(err)
	}
	if err := openDSN(t, dsn).Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT realm_id, key, value, user_id FROM user_field_numbers ORDER BY realm_id, key, value, user_id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[fieldNumber])
	if err != nil {
		t.Fatal(err)
	}
	want := []fieldNumber{{1, "price", 9.99, 1}, {1, "renewal", 1772323200, 1}, {1, "seats", 5, 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user_field_numbers after the migration (-want +got):\n%s", diff)
	}
}

// TestImportIndexesFieldNumbers imports users with custom field values by
// the store's bulk path (COPY), in two realms whose fields have the same
// keys but other types, and compares user_field_numbers row for row with
// the values read back from the users: every integer, decimal and date
// value of an active user, in its own realm, and nothing else.
func TestImportIndexesFieldNumbers(t *testing.T) {
	s, conn := migratedSchema(t)
	ctx := t.Context()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	types := map[string][2]directory.UserFieldType{ // acme's, beta's
		"seats": {directory.FieldInteger, directory.FieldText}, "score": {directory.FieldDecimal, directory.FieldDecimal},
		"since": {directory.FieldDate, directory.FieldText}, "plan": {directory.FieldText, directory.FieldInteger},
	}
	for k, uid := range []string{"acme", "beta"} {
		r := &directory.Realm{UID: uid, Name: uid, CreatedAt: at, UpdatedAt: at}
		if err := s.CreateRealm(ctx, r); err != nil {
			t.Fatal(err)
		}
		position := 0
		for key, ty := range types {
			f := &directory.UserField{Key: key, Type: ty[k], Title: key, RawTitle: key, Position: position, Active: true, CreatedAt: at, UpdatedAt: at}
			if err := s.CreateUserField(ctx, r.ID, f); err != nil {
				t.Fatal(err)
			}
			position++
		}
		batch := make([]directory.ImportUser, 300)
		for i := range batch {
			fields := map[string]any{"seats": float64(i), "score": float64(i) / 8, "plan": "gold"}
			if i%3 == 0 {
				fields["since"] = at.AddDate(0, 0, i).Format("2006-01-02") + "T00:00:00Z"
			}
			if i%7 == 0 {
				fields = map[string]any{}
			}
			batch[i] = directory.ImportUser{User: &directory.User{
				UUID: fmt.Sprintf("%s-%d", uid, i), Name: fmt.Sprintf("User %d", i), Role: directory.RoleEndUser,
				TimeZone: "UTC", IANATimeZone: "Etc/UTC", Locale: "en-US", LocaleID: 1, TicketRestriction: "requested",
				Tags: []string{}, UserFields: fields, CreatedAt: at, UpdatedAt: at,
			}}
		}
		if err := s.ImportUsers(ctx, r.ID, batch); err != nil {
			t.Fatal(err)
		}
	}
	var values, missing, extra int
	err := conn.QueryRow(ctx, `WITH want AS (
			SELECT u.realm_id, f.key, CASE
				WHEN f.type = 'date' AND jsonb_typeof(j.value) = 'string' THEN extract(epoch FROM (j.value #>> '{}')::timestamptz)::double precision
				WHEN f.type <> 'date' AND jsonb_typeof(j.value) = 'number' THEN (j.value #>> '{}')::double precision END AS value, u.id AS user_id
			FROM users u, jsonb_each(u.user_fields) j, user_fields f
			WHERE f.realm_id = u.realm_id AND f.key = j.key AND u.deleted_at IS NULL AND f.type IN ('integer', 'decimal', 'date')
				AND (jsonb_typeof(j.value) = 'number') = (f.type <> 'date'))
		SELECT (SELECT count(*) FROM want),
			(SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT realm_id, key, value, user_id FROM user_field_numbers) AS m),
			(SELECT count(*) FROM (SELECT realm_id, key, value, user_id FROM user_field_numbers EXCEPT SELECT * FROM want) AS e)`).Scan(&values, &missing, &extra)
	// Every seventh user has no values (257 of 300 have some). acme: seats,
	// score, and since for every third of those (85); beta: score only,
	// its plan being an integer field holding text, which is skipped.
	if want := 257*2 + 85 + 257; err != nil || missing != 0 || extra != 0 || values != want {
		t.Errorf("user_field_numbers: %d values, %d missing, %d extra; want %d, 0, 0; %v", values, missing, extra, want, err)
	}
}
