package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// loadBatch returns new users from to from+n-1 (bulkUser).
func loadBatch(from, n int) []directory.ImportUser {
	out := make([]directory.ImportUser, n)
	for i := range out {
		out[i] = bulkUser(from + i)
	}
	return out
}

func searchCount(t *testing.T, s *Store, realmID int64, field, value string) int64 {
	t.Helper()
	n, err := s.CountSearchUsers(context.Background(), realmID, directory.UserQuery{Terms: []directory.Term{{Field: field, Value: value}}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLoadCommitsAndRollsBack runs a bulk load over two realms: a
// committed part, a failed batch the load survives, a user created and
// changed within the same uncommitted part, and an uncommitted part that
// End rolls back, as a crash would. Every committed state must have a
// complete search index, the counters must count what is there, and the
// load's own reads must see its uncommitted writes while other readers
// do not.
func TestLoadCommitsAndRollsBack(t *testing.T) {
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

	lctx, l, err := s.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.End()
	if err := s.ImportUsers(lctx, a.ID, loadBatch(1, 250)); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportUsers(lctx, b.ID, loadBatch(1, 40)); err != nil {
		t.Fatal(err)
	}
	// A batch that fails (the last external id is taken) is undone alone.
	failing := loadBatch(1000, 30)
	failing[29].User.ExternalID = "bulk-00042"
	if err := s.ImportUsers(lctx, a.ID, failing); directory.KindOf(err) != directory.KindInvalid {
		t.Fatalf("batch with a taken external id: %v, want a duplicate", err)
	}
	if failing[0].User.ID != 0 {
		t.Errorf("a user of the failed batch kept id %d", failing[0].User.ID)
	}
	// A user of this load, not yet indexed, changed by a later batch.
	users, err := s.UsersByExternalIDs(lctx, a.ID, []string{"bulk-00060"})
	if err != nil || len(users) != 1 {
		t.Fatalf("the load reading its own user: %v, %v", users, err)
	}
	if other, err := s.UsersByExternalIDs(ctx, a.ID, []string{"bulk-00060"}); err != nil || len(other) != 0 {
		t.Errorf("a reader outside the load sees its uncommitted user: %v, %v", other, err)
	}
	u := users[0]
	u.Name, u.Email, u.Tags = "Renamed Person", "renamed@example.org", []string{"moved"}
	if err := s.ImportUsers(lctx, a.ID, []directory.ImportUser{{User: &u}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// The load holds the write connection: check through it.
	checkIndexOn(t, l.(*load).conn)
	if n := searchCount(t, s, a.ID, "name", "renamed"); n != 1 {
		t.Errorf("the changed user by its new name: %d, want 1", n)
	}
	if n := searchCount(t, s, a.ID, "name", "bulky0060"); n != 0 {
		t.Errorf("the changed user by its old name: %d, want 0", n)
	}
	if n := searchCount(t, s, a.ID, "tags", "moved"); n != 1 {
		t.Errorf("the changed user by its new tag: %d, want 1", n)
	}
	if n := searchCount(t, s, b.ID, "", "bulky"); n == 0 || n > 40 {
		t.Errorf("beta's users by a shared word: %d", n)
	}
	afterCommit := usersIn(t, s, a.ID)

	// Written and never committed: gone after End, as after a crash.
	if err := s.ImportUsers(lctx, a.ID, loadBatch(2000, 150)); err != nil {
		t.Fatal(err)
	}
	if n := usersIn(t, s, a.ID); n != afterCommit {
		t.Errorf("readers see %d users during the load, want the %d committed", n, afterCommit)
	}
	if err := l.End(); err != nil {
		t.Fatal(err)
	}
	if n := usersIn(t, s, a.ID); n != afterCommit {
		t.Errorf("after End: %d users, want the %d committed", n, afterCommit)
	}
	if n := searchCount(t, s, a.ID, "name", "bulky2000"); n != 0 {
		t.Errorf("an uncommitted user is found: %d", n)
	}
	checkIndex(t, s)
	counted, err := s.CountUsers(ctx, a.ID, directory.UserFilter{})
	if err != nil || counted != afterCommit {
		t.Errorf("counters: %d, %v; want %d", counted, err, afterCommit)
	}
	// The write connection is free again and the triggers index alone.
	one := bulkUser(3000)
	if err := s.CreateUser(ctx, a.ID, one.User, one.Identities); err != nil {
		t.Fatal(err)
	}
	if n := searchCount(t, s, a.ID, "name", "bulky3000"); n != 1 {
		t.Errorf("user created after the load: %d, want 1", n)
	}
	checkIndex(t, s)
}

// usersIn counts the active users of a realm from the table itself.
func usersIn(t *testing.T, s *Store, realmID int64) int64 {
	t.Helper()
	var n int64
	if err := s.read.QueryRowContext(context.Background(), `SELECT count(*) FROM users WHERE realm_id = ? AND deleted_at IS NULL`, realmID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMergeIndex checks that MergeIndex leaves no merge work in the
// search index after loads that wrote it in several segments, so that no
// later user write pays for combining them, and that the index stays
// complete.
func TestMergeIndex(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	a := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
	if err := s.CreateRealm(ctx, a); err != nil {
		t.Fatal(err)
	}
	// Each commit of a load writes its own segments.
	for part := range 6 {
		lctx, l, err := s.BulkLoad(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ImportUsers(lctx, a.ID, loadBatch(1+part*200, 200)); err != nil {
			t.Fatal(err)
		}
		if err := l.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		l.End()
	}
	mergeWork := func(table string) int64 {
		t.Helper()
		var before, after int64
		err := s.tx(ctx, func(tx *sql.Tx) error {
			tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before)
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`, rank) VALUES ('merge', 500)`); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after)
		})
		if err != nil {
			t.Fatal(err)
		}
		return after - before
	}
	if err := s.MergeIndex(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"users_fts", "users_trigram"} {
		if n := mergeWork(table); n >= 2 {
			t.Errorf("%s: a merge after MergeIndex still did work (%d changes)", table, n)
		}
	}
	checkIndexOn(t, s.write)
	users, err := s.CountUsers(ctx, a.ID, directory.UserFilter{})
	if err != nil || users < 1000 {
		t.Fatalf("users = %d, %v", users, err)
	}
	if n := searchCount(t, s, a.ID, "name", "nunez"); n != users {
		t.Errorf("users found by a name word after the merge: %d, want %d", n, users)
	}
}

// indexesIn returns how many of deferredIndexes db's schema holds.
func indexesIn(t *testing.T, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) int {
	t.Helper()
	n := 0
	for _, ix := range deferredIndexes {
		var k int
		if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?`, ix.name).Scan(&k); err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}

// integrityOK runs SQLite's integrity check, which compares every index
// with its table.
func integrityOK(t *testing.T, s *Store) {
	t.Helper()
	var res string
	if err := s.read.QueryRowContext(context.Background(), `PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check: %q, %v", res, err)
	}
}

// TestDeferredIndexes checks that the stored indexes are the ones
// deferredIndexes and uniqueDeferred expect, and that a load told to expect a large part
// drops them inside its transaction only (other connections keep seeing
// them), builds them complete at each commit, and leaves them in place
// when it rolls back; a small part against many stored users, or a load
// given no hint, keeps them throughout.
func TestDeferredIndexes(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	for _, ix := range append(slices.Clip(deferredIndexes), uniqueDeferred...) {
		var def string
		if err := s.write.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ? AND tbl_name = ?`, ix.name, ix.table).Scan(&def); err != nil {
			t.Fatalf("index %s: %v", ix.name, err)
		}
		if !sameSQL(def, ix.def) {
			t.Errorf("index %s is\n%s\nbut deferredIndexes expects\n%s", ix.name, def, ix.def)
		}
	}
	a := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
	if err := s.CreateRealm(ctx, a); err != nil {
		t.Fatal(err)
	}
	all := len(deferredIndexes)

	// A part as large as what is stored: deferred, in the load only.
	lctx, l, err := s.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l.(directory.LoadSizer).ExpectPerCommit(600)
	for part := range 2 {
		for b := range 3 {
			if err := s.ImportUsers(lctx, a.ID, loadBatch(1+part*600+b*200, 200)); err != nil {
				t.Fatal(err)
			}
			if n := indexesIn(t, l.(*load).tx); n != 0 {
				t.Errorf("part %d batch %d: the load's transaction has %d of the deferred indexes, want none", part, b, n)
			}
			if n := indexesIn(t, s.read); n != all {
				t.Errorf("part %d batch %d: another connection sees %d of the deferred indexes, want %d", part, b, n, all)
			}
		}
		if err := l.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := indexesIn(t, s.read); n != all {
			t.Errorf("after commit %d: %d of the deferred indexes, want %d", part, n, all)
		}
		integrityOK(t, s)
		checkIndexOn(t, l.(*load).conn) // the load holds the write connection
	}
	// A part that never commits: rolled back with its drops.
	if err := s.ImportUsers(lctx, a.ID, loadBatch(1201, 200)); err != nil {
		t.Fatal(err)
	}
	if n := indexesIn(t, l.(*load).tx); n != 0 {
		t.Errorf("uncommitted part: %d of the deferred indexes in the load, want none", n)
	}
	if err := l.End(); err != nil {
		t.Fatal(err)
	}
	if n := indexesIn(t, s.read); n != all {
		t.Errorf("after End: %d of the deferred indexes, want %d", n, all)
	}
	integrityOK(t, s)
	if n := usersIn(t, s, a.ID); n != usersInFirst(1200) {
		t.Errorf("after End: %d active users, want %d", n, usersInFirst(1200))
	}
	// By date: the rebuilt users_realm_created finds every user.
	n, err := s.CountSearchUsers(ctx, a.ID, directory.UserQuery{Terms: []directory.Term{{Field: "created", Op: directory.OpGE, Time: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}}})
	if err != nil || n != usersInFirst(1200) {
		t.Errorf("created>=2024-01-01 finds %d, %v; want %d", n, err, usersInFirst(1200))
	}

	// A small part against 1,200 stored users, and a load with no hint:
	// the indexes stay.
	for _, hint := range []int{100, 0} {
		lctx, l, err := s.BulkLoad(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if hint > 0 {
			l.(directory.LoadSizer).ExpectPerCommit(hint)
		}
		if err := s.ImportUsers(lctx, a.ID, loadBatch(2000+hint, 100)); err != nil {
			t.Fatal(err)
		}
		if n := indexesIn(t, l.(*load).tx); n != all {
			t.Errorf("hint %d: the load dropped %d deferred indexes, want none", hint, all-n)
		}
		if err := l.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		l.End()
	}
	integrityOK(t, s)
}

// usersInFirst is how many of bulk users 1 to n are active (bulkUser
// deletes every seventh).
func usersInFirst(n int) int64 {
	var k int64
	for i := 1; i <= n; i++ {
		if bulkUser(i).User.Active() {
			k++
		}
	}
	return k
}

// TestUniqueAtCommit checks a load asked to check uniqueness at commits:
// the unique identity index is dropped in the load's transaction and
// built again at the commit, and a duplicate email, which no batch
// rejects then, fails the commit with the error an insert would have
// had, leaving the last committed state (index included) as it was.
func TestUniqueAtCommit(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	a := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
	if err := s.CreateRealm(ctx, a); err != nil {
		t.Fatal(err)
	}
	unique := func(db interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'identities_realm_value'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	lctx, l, err := s.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.End()
	l.(directory.UniqueAtCommit).CheckUniqueAtCommit()
	l.(directory.LoadSizer).ExpectPerCommit(400)
	if err := s.ImportUsers(lctx, a.ID, loadBatch(1, 400)); err != nil {
		t.Fatal(err)
	}
	if n := unique(l.(*load).tx); n != 0 {
		t.Errorf("the load's transaction has identities_realm_value")
	}
	if n := unique(s.read); n != 1 {
		t.Errorf("another connection misses identities_realm_value")
	}
	if err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	integrityOK(t, s)

	// Users 401 to 600, user 500 with user 7's email.
	batch := loadBatch(401, 200)
	batch[99].User.Email = bulkUser(7).User.Email
	batch[99].Identities[0].Value = batch[99].User.Email
	if err := s.ImportUsers(lctx, a.ID, batch); err != nil {
		t.Fatalf("the batch with a duplicate email failed at once (%v); want the commit to fail", err)
	}
	err = l.Commit(ctx)
	if directory.KindOf(err) != directory.KindInvalid {
		t.Errorf("commit with a duplicate email: %v; want a validation error", err)
	}
	var de *directory.Error
	if !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != "email" {
		t.Errorf("commit with a duplicate email: %#v; want the email field named", err)
	}
	if err := l.End(); err != nil {
		t.Fatal(err)
	}
	if n := unique(s.read); n != 1 {
		t.Errorf("after the failed commit: identities_realm_value missing")
	}
	integrityOK(t, s)
	if n := usersIn(t, s, a.ID); n != usersInFirst(400) {
		t.Errorf("after the failed commit: %d active users, want %d", n, usersInFirst(400))
	}
}
