package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// TestMergeIndexStep writes a bulk-loaded part (big segments) and then
// users one at a time (a small segment each), as a live server after a
// load does, in two realms, and checks what serve relies on: migration
// 0027 raised both full-text tables' crisis-merge threshold; bounded merge
// steps find that work, finish it (a step then reports none), and leave
// an index that passes FTS5's integrity check against the users and finds
// every user of each realm, and no other realm's.
func TestMergeIndexStep(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	for _, table := range searchIndexTables {
		var v int
		if err := s.read.QueryRowContext(ctx, `SELECT v FROM `+table+`_config WHERE k = 'crisismerge'`).Scan(&v); err != nil || v != 128 {
			t.Errorf("%s crisismerge = %d, %v; want 128", table, v, err)
		}
	}
	var realms []*directory.Realm
	for _, uid := range []string{"acme", "beta"} {
		r := &directory.Realm{UID: uid, Name: uid, CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
		if err := s.CreateRealm(ctx, r); err != nil {
			t.Fatal(err)
		}
		realms = append(realms, r)
	}
	acme, beta := realms[0], realms[1]
	lctx, l, err := s.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ImportUsers(lctx, acme.ID, loadBatch(1, 500)); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	l.End()
	for i := range 40 {
		realm := acme
		if i%4 == 0 {
			realm = beta
		}
		u := bulkUser(1000 + i).User
		if err := s.CreateUser(ctx, realm.ID, u, nil); err != nil {
			t.Fatal(err)
		}
	}
	steps, worked := 0, true
	for worked {
		if steps++; steps > 1000 {
			t.Fatal("merge steps still find work after 1,000 steps")
		}
		if worked, err = s.MergeIndexStep(ctx); err != nil {
			t.Fatal(err)
		}
		if steps == 1 && !worked {
			t.Fatal("the first merge step found nothing to merge after 41 writes")
		}
	}
	checkIndexOn(t, s.write)
	for _, realm := range realms {
		// Every active user of the realm bears the name word; the other
		// realm's users must not be found.
		users, err := s.CountUsers(ctx, realm.ID, directory.UserFilter{})
		if err != nil || users < 5 {
			t.Fatalf("realm %s: %d users, %v", realm.UID, users, err)
		}
		if n := searchCount(t, s, realm.ID, "name", "nunez"); n != users {
			t.Errorf("realm %s: %d users found by a name word after the merge steps, want %d", realm.UID, n, users)
		}
	}
}
