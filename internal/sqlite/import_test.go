package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// TestBulkIndexTriggers checks that the migrated schema's index triggers
// are the ones indexTriggers does the work of, so large import batches
// take the bulk path. A migration that changes one of them fails here
// until indexTriggers follows it (until then imports stay correct, on the
// slower trigger path).
func TestBulkIndexTriggers(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	for _, trig := range indexTriggers {
		var def string
		if err := s.write.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?`, trig.name).Scan(&def); err != nil {
			t.Fatalf("trigger %s: %v", trig.name, err)
		}
		if !sameSQL(def, trig.def) {
			t.Errorf("trigger %s is\n%s\nbut indexTriggers expects\n%s", trig.name, def, trig.def)
		}
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, ok, err := suspendIndexTriggers(ctx, tx); err != nil || !ok {
		t.Errorf("suspendIndexTriggers = %v, %v; want the bulk path", ok, err)
	}
}

// TestBulkIndexConsistent loads batches through the bulk path into a
// realm that already has users, and one that fails half-way, and checks
// the search index against the users table after each: FTS5's own
// integrity check (which, for an external-content table, compares the
// index with the content), the tag table, the triggers and the FTS5
// settings. A batch that fails after the triggers were dropped rolls back
// whole, so no other connection, and no restart after a crash, ever sees
// users without their triggers or index rows without their users.
func TestBulkIndexConsistent(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	a := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
	b := &directory.Realm{UID: "beta", Name: "Beta", CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
	for _, r := range []*directory.Realm{a, b} {
		if err := s.CreateRealm(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	first := bulkUser(0)
	if err := s.CreateUser(ctx, a.ID, first.User, first.Identities); err != nil {
		t.Fatal(err)
	}
	batch := func(from, n int) []directory.ImportUser {
		out := make([]directory.ImportUser, n)
		for i := range out {
			out[i] = bulkUser(from + i)
		}
		return out
	}
	if err := s.ImportUsers(ctx, a.ID, batch(1, 250)); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportUsers(ctx, b.ID, batch(1, 120)); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, s)

	// The last user's external id is taken: the batch fails in the users
	// INSERT, after the triggers were dropped.
	failing := batch(1000, 150)
	failing[149].User.ExternalID = "bulk-00042"
	if err := s.ImportUsers(ctx, a.ID, failing); directory.KindOf(err) != directory.KindInvalid {
		t.Fatalf("batch with a taken external id: %v, want a duplicate", err)
	}
	checkIndex(t, s)
	n, err := s.CountSearchUsers(ctx, a.ID, directory.UserQuery{Terms: []directory.Term{{Field: "name", Value: "bulky1000"}}})
	if err != nil || n != 0 {
		t.Errorf("user of the failed batch: count %d, %v; want 0", n, err)
	}
	active := int64(0)
	for i := range 251 {
		if bulkUser(i).User.DeletedAt.IsZero() {
			active++
		}
	}
	n, err = s.CountSearchUsers(ctx, a.ID, directory.UserQuery{Terms: []directory.Term{{Value: "bulky"}}})
	if err != nil || n != active {
		t.Errorf("acme users found by a shared word: %d, %v; want %d", n, err, active)
	}
	// The triggers are back: a user written alone is indexed by them.
	one := bulkUser(2000)
	if err := s.CreateUser(ctx, a.ID, one.User, one.Identities); err != nil {
		t.Fatal(err)
	}
	n, err = s.CountSearchUsers(ctx, a.ID, directory.UserQuery{Terms: []directory.Term{{Field: "name", Value: "bulky2000"}}})
	if err != nil || n != 1 {
		t.Errorf("user created after the failed batch: count %d, %v; want 1", n, err)
	}
	checkIndex(t, s)
}

func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "bulk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// bulkUser is new user i, every fifth without tags and every seventh
// deleted (kept out of the index).
func bulkUser(i int) directory.ImportUser {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	u := &directory.User{
		UUID: fmt.Sprintf("uuid-%d", i), Name: fmt.Sprintf("Bulky%04d Núñez", i), Role: directory.RoleEndUser,
		Email: fmt.Sprintf("bulky%04d@example.com", i), ExternalID: fmt.Sprintf("BULK-%05d", i),
		Phone: fmt.Sprintf("+1415555%04d", i), Details: "bulk loaded",
		TimeZone: "UTC", IANATimeZone: "Etc/UTC", Locale: "en-US", LocaleID: 1,
		Tags: []string{"bulk", fmt.Sprintf("t%d", i%4)}, UserFields: map[string]any{}, CreatedAt: at, UpdatedAt: at,
	}
	if i%5 == 0 {
		u.Tags = []string{}
	}
	if i%7 == 3 {
		u.DeletedAt = at
	}
	return directory.ImportUser{User: u, Identities: []directory.Identity{{Type: directory.IdentityEmail, Value: u.Email,
		Primary: true, CreatedAt: at, UpdatedAt: at}}}
}

// checkIndex checks that the search index is exactly what the triggers
// would have written for the users table.
func checkIndex(t *testing.T, s *Store) {
	t.Helper()
	checkIndexOn(t, s.write)
}

// checkIndexOn is checkIndex through db, a connection that may write.
func checkIndexOn(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) {
	t.Helper()
	ctx := context.Background()
	for _, table := range []string{"users_fts", "users_trigram"} {
		// rank 1: compare the index with the content table too.
		if _, err := db.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`, rank) VALUES ('integrity-check', 1)`); err != nil {
			t.Errorf("%s integrity check: %v", table, err)
		}
		var hash int
		err := db.QueryRowContext(ctx, `SELECT coalesce((SELECT v FROM `+table+`_config WHERE k = 'hashsize'), ?)`, defaultHashSize).Scan(&hash)
		if err != nil || hash != defaultHashSize {
			t.Errorf("%s hashsize = %d, %v; want the default %d", table, hash, err, defaultHashSize)
		}
	}
	var missing, extra int
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM users u, json_each(u.tags) j WHERE u.deleted_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM user_tags g WHERE g.realm_id = u.realm_id AND g.tag = j.value AND g.user_id = u.id)),
		(SELECT count(*) FROM user_tags g WHERE NOT EXISTS (SELECT 1 FROM users u, json_each(u.tags) j
			WHERE u.id = g.user_id AND u.realm_id = g.realm_id AND j.value = g.tag AND u.deleted_at IS NULL))`).Scan(&missing, &extra)
	if err != nil || missing != 0 || extra != 0 {
		t.Errorf("user_tags: %d missing, %d extra, %v", missing, extra, err)
	}
	// tag_counts agrees with user_tags, tag by tag, both ways.
	var wrong int
	err = db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM tag_counts c WHERE c.n <> (SELECT count(*) FROM user_tags g WHERE g.realm_id = c.realm_id AND g.tag = c.tag)) +
		(SELECT count(*) FROM (SELECT DISTINCT realm_id, tag FROM user_tags) g
			WHERE NOT EXISTS (SELECT 1 FROM tag_counts c WHERE c.realm_id = g.realm_id AND c.tag = g.tag))`).Scan(&wrong)
	if err != nil || wrong != 0 {
		t.Errorf("tag_counts: %d tags counted wrong, %v", wrong, err)
	}
	for _, trig := range indexTriggers {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?`, trig.name).Scan(&n); err != nil || n != 1 {
			t.Errorf("trigger %s: %d, %v", trig.name, n, err)
		}
	}
}
