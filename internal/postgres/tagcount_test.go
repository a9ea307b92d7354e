package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

var tagEpoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// tagUser returns a new end user with tags.
func tagUser(name string, tags ...string) *directory.User {
	return &directory.User{UUID: "uuid-" + name, Name: name, Role: directory.RoleEndUser,
		TimeZone: "UTC", IANATimeZone: "UTC", Locale: "en-US", LocaleID: 1,
		Tags: tags, UserFields: map[string]any{}, CreatedAt: tagEpoch, UpdatedAt: tagEpoch}
}

// tagCountFixture is a migrated schema with two realms, its store and a
// connection of its own for checks and direct SQL.
type tagCountFixture struct {
	dsn          string
	s            *postgres.Store
	conn         *pgx.Conn
	acme, beta   *directory.Realm
	realms       []*directory.Realm
	tagsInChecks []string
}

func newTagCountFixture(t *testing.T) *tagCountFixture {
	t.Helper()
	dsn, _ := pgtest.NewSchema(t)
	f := &tagCountFixture{dsn: dsn, s: openDSN(t, dsn)}
	ctx := t.Context()
	if err := f.s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	f.conn = conn
	for _, uid := range []string{"acme", "beta"} {
		r := &directory.Realm{UID: uid, Name: uid, CreatedAt: tagEpoch, UpdatedAt: tagEpoch}
		if err := f.s.CreateRealm(ctx, r); err != nil {
			t.Fatal(err)
		}
		f.realms = append(f.realms, r)
	}
	f.acme, f.beta = f.realms[0], f.realms[1]
	return f
}

// check compares, for every realm and tag in user_tags or
// tag_count_deltas, the sum of the deltas with count(*) of user_tags, and
// the store's count of a lone tags: search with it for the tags named in
// f.tagsInChecks; and returns the counts of user_tags, by realm uid and tag.
func (f *tagCountFixture) check(t *testing.T, when string) map[string]int64 {
	t.Helper()
	ctx := t.Context()
	rows, err := f.conn.Query(ctx, `SELECT r.uid, k.tag,
			(SELECT count(*) FROM user_tags g WHERE g.realm_id = k.realm_id AND g.tag = k.tag),
			(SELECT coalesce(sum(delta), 0) FROM tag_count_deltas d WHERE d.realm_id = k.realm_id AND d.tag = k.tag)
		FROM (SELECT realm_id, tag FROM user_tags UNION SELECT realm_id, tag FROM tag_count_deltas) k
		JOIN realms r ON r.id = k.realm_id ORDER BY 1, 2`)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	type row struct {
		realm, tag  string
		rows, delta int64
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.realm, &x.tag, &x.rows, &x.delta)
		return x, err
	})
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	counts := map[string]int64{}
	for _, r := range all {
		if r.rows != r.delta {
			t.Errorf("%s: realm %s tag %q: deltas sum to %d, user_tags has %d", when, r.realm, r.tag, r.delta, r.rows)
		}
		if r.rows != 0 {
			counts[r.realm+"/"+r.tag] = r.rows
		}
	}
	for _, r := range f.realms {
		for _, tag := range f.tagsInChecks {
			n, err := f.s.CountSearchUsers(ctx, r.ID, directory.UserQuery{Terms: []directory.Term{{Field: "tags", Value: tag}}})
			if err != nil || n != counts[r.UID+"/"+tag] {
				t.Errorf("%s: realm %s: CountSearchUsers(tags:%s) = %d, %v; user_tags has %d", when, r.UID, tag, n, err, counts[r.UID+"/"+tag])
			}
		}
	}
	return counts
}

// fold runs FoldTagCounts until it finds nothing to fold, then checks
// that every tag has at most one row of deltas, and none a zero sum.
func (f *tagCountFixture) fold(t *testing.T, when string) {
	t.Helper()
	ctx := t.Context()
	for i := 0; ; i++ {
		worked, err := f.s.FoldTagCounts(ctx)
		if err != nil {
			t.Fatalf("%s: FoldTagCounts: %v", when, err)
		}
		if !worked {
			break
		}
		if i > 100 {
			t.Fatalf("%s: FoldTagCounts still folding after %d rounds", when, i)
		}
	}
	var several, zero int
	err := f.conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM tag_count_deltas GROUP BY realm_id, tag HAVING count(*) > 1) x),
		(SELECT count(*) FROM tag_count_deltas WHERE delta = 0)`).Scan(&several, &zero)
	if err != nil || several != 0 || zero != 0 {
		t.Errorf("%s: after folding, %d tags with several rows, %d rows of zero, %v", when, several, zero, err)
	}
}

// TestTagCountsFollowWrites checks the tag counts of tag_count_deltas
// (migration 0029) against user_tags after every kind of write that moves
// users in or out of a tag, in two realms, before and after folding:
// creates, a bulk import batch (creates and updates), tag changes, soft
// deletes, restores, an erase and a hard delete.
func TestTagCountsFollowWrites(t *testing.T) {
	f := newTagCountFixture(t)
	f.tagsInChecks = []string{"vip", "gold", "bulk", "t1", "gone"}
	ctx := t.Context()
	s := f.s
	step := func(when string, want map[string]int64) {
		t.Helper()
		if diff := cmp.Diff(want, f.check(t, when)); diff != "" {
			t.Errorf("%s: user_tags (-want +got):\n%s", when, diff)
		}
		f.fold(t, when)
		f.check(t, when+", folded")
	}

	ann := tagUser("ann", "vip", "gold")
	bob := tagUser("bob", "vip")
	cat := tagUser("cat", "vip", "gone")
	for _, u := range []*directory.User{ann, bob, cat} {
		if err := s.CreateUser(ctx, f.acme.ID, u, nil); err != nil {
			t.Fatal(err)
		}
	}
	dan := tagUser("dan", "vip")
	if err := s.CreateUser(ctx, f.beta.ID, dan, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"acme/vip": 3, "acme/gold": 1, "acme/gone": 1, "beta/vip": 1}
	step("after creates", want)

	// A bulk batch: new users by COPY, and an update of bob.
	var batch []directory.ImportUser
	for i := range 30 {
		batch = append(batch, directory.ImportUser{User: tagUser(fmt.Sprint("bulk", i), "bulk", fmt.Sprintf("t%d", i%3))})
	}
	bob.Tags = []string{"bulk", "gold"}
	batch = append(batch, directory.ImportUser{User: bob})
	if err := s.ImportUsers(ctx, f.acme.ID, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportUsers(ctx, f.beta.ID, []directory.ImportUser{{User: tagUser("bulk-beta", "bulk")}}); err != nil {
		t.Fatal(err)
	}
	want = map[string]int64{"acme/vip": 2, "acme/gold": 2, "acme/gone": 1, "acme/bulk": 31,
		"acme/t0": 10, "acme/t1": 10, "acme/t2": 10, "beta/vip": 1, "beta/bulk": 1}
	step("after a bulk batch", want)

	ann.Tags = []string{"gold", "new"}
	if err := s.UpdateUser(ctx, f.acme.ID, ann, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	want["acme/vip"], want["acme/new"] = 1, 1
	step("after a tag change", want)

	cat.DeletedAt = tagEpoch
	if err := s.UpdateUser(ctx, f.acme.ID, cat, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	delete(want, "acme/gone")
	delete(want, "acme/vip")
	step("after a soft delete", want)

	cat.DeletedAt = time.Time{}
	if err := s.UpdateUser(ctx, f.acme.ID, cat, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	want["acme/vip"], want["acme/gone"] = 1, 1
	step("after a restore", want)

	erased := tagUser(directory.PermanentlyDeletedName)
	erased.ID, erased.UUID, erased.DeletedAt, erased.Erased = cat.ID, cat.UUID, tagEpoch, true
	if err := s.EraseUser(ctx, f.acme.ID, erased); err != nil {
		t.Fatal(err)
	}
	delete(want, "acme/vip")
	delete(want, "acme/gone")
	step("after an erase", want)

	// A hard delete, as an operator's SQL would do it, and one statement
	// deleting many rows of user_tags at once.
	if _, err := f.conn.Exec(ctx, `DELETE FROM users WHERE realm_id = $1 AND id = $2`, f.acme.ID, ann.ID); err != nil {
		t.Fatal(err)
	}
	delete(want, "acme/new")
	want["acme/gold"] = 1
	if _, err := f.conn.Exec(ctx, `DELETE FROM user_tags WHERE realm_id = $1 AND tag = 't1'`, f.acme.ID); err != nil {
		t.Fatal(err)
	}
	delete(want, "acme/t1")
	step("after hard deletes", want)
	if want["beta/vip"] != 1 || want["beta/bulk"] != 1 {
		t.Errorf("beta's counts moved: %v", want)
	}
}

// TestTagCountsConcurrentWriters has several goroutines, on two stores,
// create and retag users of the same tags at once (in either order within
// a user), while two stores fold the counts over and over, and then
// checks the counts exact, and beta's, written before, untouched.
func TestTagCountsConcurrentWriters(t *testing.T) {
	f := newTagCountFixture(t)
	f.tagsInChecks = []string{"hot", "cold", "calm"}
	ctx := t.Context()
	nodes := []*postgres.Store{f.s, openDSN(t, f.dsn)}
	for i := range 5 {
		if err := f.s.CreateUser(ctx, f.beta.ID, tagUser(fmt.Sprint("beta", i), "hot", "calm"), nil); err != nil {
			t.Fatal(err)
		}
	}

	const writers, rounds = 6, 20
	errs := make(chan error, writers*rounds*2+100)
	var writing, folding sync.WaitGroup
	done := make(chan struct{})
	folds := make([]int, len(nodes))
	for i, s := range nodes {
		folding.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				worked, err := s.FoldTagCounts(ctx)
				if err != nil {
					errs <- fmt.Errorf("fold on node %d: %w", i, err)
					return
				}
				if worked {
					folds[i]++
				}
			}
		})
	}
	for w := range writers {
		s := nodes[w%len(nodes)]
		writing.Go(func() {
			for i := range rounds {
				tags := []string{"hot", "cold"}
				if (w+i)%2 == 1 {
					tags = []string{"cold", "hot"}
				}
				u := tagUser(fmt.Sprintf("w%d-%d", w, i), tags...)
				if err := s.CreateUser(ctx, f.acme.ID, u, nil); err != nil {
					errs <- err
					return
				}
				// Every third leaves hot, every fifth is deleted.
				switch {
				case i%5 == 4:
					u.DeletedAt = tagEpoch
				case i%3 == 2:
					u.Tags = []string{"cold"}
				default:
					continue
				}
				if err := s.UpdateUser(ctx, f.acme.ID, u, directory.IdentityChange{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	writing.Wait()
	close(done)
	folding.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if folds[0]+folds[1] == 0 {
		t.Errorf("no fold found anything to fold while the writers wrote")
	}
	// Of every 20 users of a writer: rounds 4, 9, 14, 19 deleted; 2, 5, 8,
	// 11, 17 left hot (and 14 is deleted first).
	wantHot, wantCold := int64(writers*(rounds-4-5)), int64(writers*(rounds-4))
	want := map[string]int64{"acme/hot": wantHot, "acme/cold": wantCold, "beta/hot": 5, "beta/calm": 5}
	if diff := cmp.Diff(want, f.check(t, "after the writers")); diff != "" {
		t.Errorf("user_tags (-want +got):\n%s", diff)
	}
	f.fold(t, "after the writers")
	f.check(t, "after the writers, folded")
}

// TestTagCountsFoldsAtOnce runs two folds in transactions that overlap
// in every order that matters: one holding its claimed rows uncommitted
// while the store folds (it must skip them, not wait or fold them again),
// and a writer's uncommitted deltas during a fold (the fold must leave
// them); then the counts must be exact.
func TestTagCountsFoldsAtOnce(t *testing.T) {
	f := newTagCountFixture(t)
	f.tagsInChecks = []string{"vip", "gold"}
	ctx := t.Context()
	s := f.s
	for i := range 4 {
		if err := s.CreateUser(ctx, f.acme.ID, tagUser(fmt.Sprint("a", i), "vip", "gold"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateUser(ctx, f.beta.ID, tagUser("b", "vip"), nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"acme/vip": 4, "acme/gold": 4, "beta/vip": 1}

	// A fold that has claimed every row, not yet committed.
	folder, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer folder.Close(context.Background())
	tx, err := folder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var claimed, sums int64
	if err := tx.QueryRow(ctx, postgres.FoldTagCountsSQL, postgres.FoldBatch).Scan(&claimed, &sums); err != nil {
		t.Fatal(err)
	}
	if claimed != 8 || sums != 2 {
		t.Errorf("first fold claimed %d rows into %d sums, want 8 into 2", claimed, sums)
	}
	// Meanwhile a writer adds to vip, uncommitted too.
	writer, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close(context.Background())
	wtx, err := writer.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wtx.Exec(ctx, `INSERT INTO user_tags (realm_id, tag, user_id) VALUES ($1, 'vip', 999001), ($1, 'vip', 999002)`, f.acme.ID); err != nil {
		t.Fatal(err)
	}
	// The store's fold must neither wait for them nor fold what they hold.
	quick, cancel := context.WithTimeout(ctx, 5*time.Second)
	worked, err := s.FoldTagCounts(quick)
	cancel()
	if err != nil || worked {
		t.Errorf("second fold beside the first: worked %v, %v; want nothing to fold", worked, err)
	}
	if diff := cmp.Diff(want, f.check(t, "during the first fold")); diff != "" {
		t.Errorf("during the first fold (-want +got):\n%s", diff)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, f.check(t, "after the first fold")); diff != "" {
		t.Errorf("after the first fold (-want +got):\n%s", diff)
	}
	// A fold while the writer's rows are uncommitted leaves them be.
	f.fold(t, "beside the writer")
	if err := wtx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want["acme/vip"] = 6
	if diff := cmp.Diff(want, f.check(t, "after the writer")); diff != "" {
		t.Errorf("after the writer (-want +got):\n%s", diff)
	}
	f.fold(t, "after the writer")
	if diff := cmp.Diff(want, f.check(t, "after the writer, folded")); diff != "" {
		t.Errorf("after the writer, folded (-want +got):\n%s", diff)
	}
}
