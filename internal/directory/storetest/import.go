package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// RunImport runs the contract of directory.ImportStore against stores made
// by open.
func RunImport(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"CreatesInOrder", testImportCreatesInOrder},
		{"UpdatesAndCounters", testImportUpdatesAndCounters},
		{"AllOrNothing", testImportAllOrNothing},
		{"Lookups", testImportLookups},
		{"Searchable", testImportSearchable},
		{"MembershipsAsOneByOne", testImportMembershipsAsOneByOne},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func usersCounted(t *testing.T, s directory.Store, realmID int64, f directory.UserFilter) int64 {
	t.Helper()
	n, err := s.CountUsers(context.Background(), realmID, f)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// importNew returns a new user for a batch, with an email identity and,
// for every third, a phone identity.
func importNew(i int) directory.ImportUser {
	u := newUser(fmt.Sprintf("Bulk User %04d", i))
	u.Email = fmt.Sprintf("bulk%04d@example.com", i)
	u.ExternalID = fmt.Sprintf("Bulk-%04d", i)
	u.Tags = []string{"bulk", fmt.Sprintf("t%d", i%7)}
	u.UserFields = map[string]any{"plan": "gold"}
	ids := []directory.Identity{emailIdentity(u.Email, true)}
	if i%3 == 0 {
		u.Phone = fmt.Sprintf("+1415555%04d", i)
		ids = append(ids, directory.Identity{Type: directory.IdentityPhone, Value: u.Phone, Primary: true, CreatedAt: epoch, UpdatedAt: epoch})
	}
	if i%10 == 0 {
		u.Role = directory.RoleAgent
		u.TicketRestriction = ""
	}
	return directory.ImportUser{User: u, Identities: ids}
}

// testImportCreatesInOrder loads more users than one multi-row statement
// holds and checks that every user got its own id, row, identities and
// count.
func testImportCreatesInOrder(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	const n = 1234
	batch := make([]directory.ImportUser, n)
	for i := range batch {
		batch[i] = importNew(i)
	}
	if err := s.ImportUsers(ctx, a.ID, batch); err != nil {
		t.Fatalf("ImportUsers: %v", err)
	}
	seen := map[int64]bool{}
	for i, op := range batch {
		if op.User.ID == 0 || seen[op.User.ID] || op.User.RealmID != a.ID {
			t.Fatalf("user %d: id %d, realm %d; want a new id in realm %d", i, op.User.ID, op.User.RealmID, a.ID)
		}
		seen[op.User.ID] = true
	}
	for _, i := range []int{0, 1, 99, 100, 101, 500, 999, n - 1} {
		want := batch[i].User
		got, err := s.UserByID(ctx, a.ID, want.ID)
		if err != nil {
			t.Fatalf("UserByID(%d): %v", want.ID, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("user %d (-imported +stored):\n%s", i, diff)
		}
		ids, err := s.IdentitiesByUser(ctx, a.ID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, id := range ids {
			values = append(values, id.Type+":"+id.Value)
			if id.UserID != want.ID || id.RealmID != a.ID || id.ID == 0 {
				t.Errorf("identity %+v of user %d", id, want.ID)
			}
		}
		wantValues := []string{"email:" + want.Email}
		if want.Phone != "" {
			wantValues = append(wantValues, "phone_number:"+want.Phone)
		}
		if diff := cmp.Diff(wantValues, values); diff != "" {
			t.Errorf("identities of user %d (-want +got):\n%s", i, diff)
		}
	}
	// External ids are found case-insensitively, emails through identities.
	if u, err := s.UserByExternalID(ctx, a.ID, "BULK-0777"); err != nil || u.ID != batch[777].User.ID {
		t.Errorf("UserByExternalID(BULK-0777) = %v, %v", u, err)
	}
	if u, err := s.UserByIdentity(ctx, a.ID, directory.IdentityEmail, "BULK0778@example.com"); err != nil || u.ID != batch[778].User.ID {
		t.Errorf("UserByIdentity(bulk0778) = %v, %v", u, err)
	}
	agents := int64((n + 9) / 10)
	if got := usersCounted(t, s, a.ID, directory.UserFilter{}); got != n {
		t.Errorf("count = %d, want %d", got, n)
	}
	if got := usersCounted(t, s, a.ID, directory.UserFilter{Roles: []directory.Role{directory.RoleAgent}}); got != agents {
		t.Errorf("agents = %d, want %d", got, agents)
	}
	// The same values are free in another realm.
	again := []directory.ImportUser{importNew(0), importNew(3)}
	if err := s.ImportUsers(ctx, b.ID, again); err != nil {
		t.Fatalf("same values in realm beta: %v", err)
	}
	if got := usersCounted(t, s, b.ID, directory.UserFilter{}); got != 2 {
		t.Errorf("beta count = %d, want 2", got)
	}
	if got := usersCounted(t, s, a.ID, directory.UserFilter{}); got != n {
		t.Errorf("acme count after beta import = %d, want %d", got, n)
	}
}

// testImportUpdatesAndCounters mixes creates and updates in one batch: the
// updates rewrite the rows, change identities and move counters.
func testImportUpdatesAndCounters(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	alice := create(t, s, a.ID, newUser("Alice"), emailIdentity("alice@example.com", true),
		directory.Identity{Type: directory.IdentityPhone, Value: "+14155550100", Primary: true, CreatedAt: epoch, UpdatedAt: epoch})
	bob := create(t, s, a.ID, newUser("Bob"), emailIdentity("bob@example.com", true))
	create(t, s, b.ID, newUser("Beta Bob"), emailIdentity("bob@example.com", true))
	aliceIDs, err := s.IdentitiesByUser(ctx, a.ID, alice.ID)
	if err != nil || len(aliceIDs) != 2 {
		t.Fatalf("alice identities: %v %v", aliceIDs, err)
	}

	later := epoch.Add(3600e9)
	alice2 := *alice
	alice2.Name, alice2.Role, alice2.TicketRestriction, alice2.UpdatedAt = "Alice Agent", directory.RoleAgent, "", later
	alice2.Tags = []string{"vip"}
	phone := aliceIDs[1]
	phone.Value, phone.UpdatedAt = "+14155550199", later
	alice2.Phone = phone.Value
	bob2 := *bob
	bob2.DeletedAt, bob2.UpdatedAt = later, later
	carol := newUser("Carol")
	carol.Email = "carol@example.com"
	batch := []directory.ImportUser{
		{User: &alice2, Change: directory.IdentityChange{
			Update: []directory.Identity{phone},
			Add:    []directory.Identity{{Type: directory.IdentityEmail, Value: "alice@work.example", CreatedAt: later, UpdatedAt: later}},
		}},
		{User: carol, Identities: []directory.Identity{emailIdentity("carol@example.com", true)}},
		{User: &bob2, Change: directory.IdentityChange{}},
	}
	if err := s.ImportUsers(ctx, a.ID, batch); err != nil {
		t.Fatalf("ImportUsers: %v", err)
	}
	if alice2.ID != alice.ID || bob2.ID != bob.ID || carol.ID == 0 {
		t.Errorf("ids: alice %d (was %d), bob %d (was %d), carol %d", alice2.ID, alice.ID, bob2.ID, bob.ID, carol.ID)
	}
	got, err := s.UserByID(ctx, a.ID, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&alice2, got); diff != "" {
		t.Errorf("alice (-want +got):\n%s", diff)
	}
	ids, err := s.IdentitiesByUser(ctx, a.ID, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, id := range ids {
		values = append(values, id.Value)
	}
	if diff := cmp.Diff([]string{"alice@example.com", "+14155550199", "alice@work.example"}, values); diff != "" {
		t.Errorf("alice identities (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		f    directory.UserFilter
		want int64
	}{
		{directory.UserFilter{}, 2},
		{directory.UserFilter{Roles: []directory.Role{directory.RoleAgent}}, 1},
		{directory.UserFilter{Roles: []directory.Role{directory.RoleEndUser}}, 1},
		{directory.UserFilter{Deleted: true}, 1},
	} {
		if got := usersCounted(t, s, a.ID, tc.f); got != tc.want {
			t.Errorf("count %+v = %d, want %d", tc.f, got, tc.want)
		}
	}
	if got := usersCounted(t, s, b.ID, directory.UserFilter{}); got != 1 {
		t.Errorf("beta count = %d, want 1", got)
	}
}

// testImportAllOrNothing checks that a batch failing on one user writes
// none of it and hands out no ids.
func testImportAllOrNothing(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	taken := create(t, s, a.ID, newUser("Taken"), emailIdentity("taken@example.com", true))
	other := create(t, s, b.ID, newUser("Other realm"))

	renamed := *taken
	renamed.Name = "Renamed"
	dup := newUser("Dup")
	dup.Email = "TAKEN@example.com"
	batch := []directory.ImportUser{
		importNew(1),
		{User: &renamed},
		{User: dup, Identities: []directory.Identity{emailIdentity(dup.Email, true)}},
		importNew(2),
	}
	wantDuplicate(t, s.ImportUsers(ctx, a.ID, batch), "email")

	dupExt := importNew(5)
	dupExt.User.ExternalID = "BULK-0001"
	wantDuplicate(t, s.ImportUsers(ctx, a.ID, []directory.ImportUser{importNew(1), dupExt}), "external_id")

	// A user of another realm is not found, whatever its id.
	stranger := *other
	stranger.Name = "Moved"
	err := s.ImportUsers(ctx, a.ID, []directory.ImportUser{importNew(3), {User: &stranger}})
	wantKind(t, err, directory.KindNotFound)

	for _, i := range []int{0, 2, 3} {
		if id := batch[i].User.ID; id != 0 {
			t.Errorf("new user %d of a failed batch got id %d", i, id)
		}
	}
	if got := usersCounted(t, s, a.ID, directory.UserFilter{}); got != 1 {
		t.Errorf("count after failed batches = %d, want 1", got)
	}
	if got, err := s.UserByID(ctx, a.ID, taken.ID); err != nil || got.Name != "Taken" {
		t.Errorf("taken after failed batch: %v, %v", got, err)
	}
	if got, err := s.UserByID(ctx, b.ID, other.ID); err != nil || got.Name != "Other realm" {
		t.Errorf("other realm's user: %v, %v", got, err)
	}
	if _, err := s.UserByExternalID(ctx, a.ID, "bulk-0001"); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("user of a failed batch found: %v", err)
	}
	// The batch, fixed, goes in, and its new users get ids then.
	batch[2].User.Email, batch[2].Identities[0].Value = "fixed@example.com", "fixed@example.com"
	if err := s.ImportUsers(ctx, a.ID, batch); err != nil {
		t.Fatalf("fixed batch: %v", err)
	}
	if batch[0].User.ID == 0 || batch[2].User.ID == 0 || batch[3].User.ID == 0 {
		t.Errorf("ids after the fixed batch: %d %d %d", batch[0].User.ID, batch[2].User.ID, batch[3].User.ID)
	}
	if got := usersCounted(t, s, a.ID, directory.UserFilter{}); got != 4 {
		t.Errorf("count after fixed batch = %d, want 4", got)
	}
}

// testImportLookups checks the two batch lookups, their case-insensitive
// match, their order and their realm.
func testImportLookups(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	u1 := create(t, s, a.ID, newUser("One"), emailIdentity("one@example.com", true),
		directory.Identity{Type: directory.IdentityPhone, Value: "+14155550101", Primary: true, CreatedAt: epoch, UpdatedAt: epoch},
		emailIdentity("one@work.example", false))
	u2 := create(t, s, a.ID, newUser("Two"), emailIdentity("two@example.com", true))
	create(t, s, b.ID, newUser("Beta"), emailIdentity("one@example.com", true))

	got, err := s.IdentitiesByValues(ctx, a.ID, directory.IdentityEmail, []string{"TWO@example.com", "one@example.com", "nobody@example.com", "+14155550101"})
	if err != nil {
		t.Fatal(err)
	}
	var owners []string
	for _, id := range got {
		owners = append(owners, fmt.Sprintf("%d:%s", id.UserID, id.Value))
	}
	if diff := cmp.Diff([]string{fmt.Sprintf("%d:one@example.com", u1.ID), fmt.Sprintf("%d:two@example.com", u2.ID)}, owners); diff != "" {
		t.Errorf("IdentitiesByValues(email) (-want +got):\n%s", diff)
	}
	got, err = s.IdentitiesByValues(ctx, a.ID, directory.IdentityPhone, []string{"+14155550101"})
	if err != nil || len(got) != 1 || got[0].UserID != u1.ID {
		t.Errorf("IdentitiesByValues(phone) = %v, %v", got, err)
	}
	if got, err := s.IdentitiesByValues(ctx, a.ID, directory.IdentityEmail, nil); err != nil || len(got) != 0 {
		t.Errorf("IdentitiesByValues(none) = %v, %v", got, err)
	}

	got, err = s.IdentitiesByUsers(ctx, a.ID, []int64{u2.ID, u1.ID, 99999})
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, id := range got {
		values = append(values, id.Value)
	}
	if diff := cmp.Diff([]string{"one@example.com", "+14155550101", "one@work.example", "two@example.com"}, values); diff != "" {
		t.Errorf("IdentitiesByUsers (-want +got):\n%s", diff)
	}
	if got, err := s.IdentitiesByUsers(ctx, b.ID, []int64{u1.ID, u2.ID}); err != nil || len(got) != 0 {
		t.Errorf("IdentitiesByUsers through realm beta = %v, %v", got, err)
	}
}

// testImportSearchable loads batches big enough for a store's bulk path
// (SQLite writes the search index of a large batch in bulk) and a small
// one into a realm that already has users, and checks that the search
// index holds exactly the realm's active users afterwards: every one
// found by a word of its own, by a word all share, by tag and by an email
// wildcard, and none of the other realm's namesakes or the deleted.
func testImportSearchable(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	mk := func(i int) directory.ImportUser {
		u := newUser(fmt.Sprintf("Loaded Person%04d", i))
		u.UUID = fmt.Sprintf("uuid-loaded-%d", i)
		u.Email = fmt.Sprintf("loaded%04d@bulk.example", i)
		u.ExternalID = fmt.Sprintf("loaded-%04d", i)
		u.Tags = []string{"loaded", fmt.Sprintf("g%d", i%3)}
		u.Notes = "came in bulk"
		return directory.ImportUser{User: u, Identities: []directory.Identity{emailIdentity(u.Email, true)}}
	}
	var existing []*directory.User
	for i := range 3 {
		op := mk(9000 + i)
		existing = append(existing, create(t, s, a.ID, op.User, op.Identities...))
	}
	var big, small, other []directory.ImportUser
	for i := range 300 {
		big = append(big, mk(i))
	}
	// A user written deleted is stored but never searchable.
	big[7].User.DeletedAt = epoch.Add(time.Hour)
	for i := range 5 {
		small = append(small, mk(300+i))
	}
	for i := range 150 {
		other = append(other, mk(i))
	}
	for _, step := range []struct {
		realm int64
		batch []directory.ImportUser
	}{{a.ID, big}, {b.ID, other}, {a.ID, small}} {
		if err := s.ImportUsers(ctx, step.realm, step.batch); err != nil {
			t.Fatalf("ImportUsers(%d users): %v", len(step.batch), err)
		}
	}

	find := func(terms ...directory.Term) []int64 {
		t.Helper()
		q := directory.UserQuery{Terms: terms}
		users, err := s.SearchUsers(ctx, a.ID, q, directory.SearchPage{Limit: 1000})
		if err != nil {
			t.Fatalf("SearchUsers(%+v): %v", terms, err)
		}
		n, err := s.CountSearchUsers(ctx, a.ID, q)
		if err != nil {
			t.Fatalf("CountSearchUsers(%+v): %v", terms, err)
		}
		if n != int64(len(users)) {
			t.Errorf("CountSearchUsers(%+v) = %d, SearchUsers found %d", terms, n, len(users))
		}
		return ids(users)
	}
	var want []int64 // every active user of realm acme, in id order
	for _, u := range existing {
		want = append(want, u.ID)
	}
	loaded := append(append([]directory.ImportUser{}, big...), small...)
	for i, op := range loaded {
		id := op.User.ID
		if op.User.DeletedAt.IsZero() {
			want = append(want, id)
		}
		wantOne := []int64{id}
		if !op.User.DeletedAt.IsZero() {
			wantOne = []int64{}
		}
		word := fmt.Sprintf("person%04d", i)
		if diff := cmp.Diff(wantOne, find(directory.Term{Field: "name", Value: word})); diff != "" {
			t.Errorf("name:%s (-want +got):\n%s", word, diff)
		}
		if i%50 == 0 {
			wild := fmt.Sprintf("*%04d@bulk.*", i)
			if diff := cmp.Diff(wantOne, find(directory.Term{Field: "email", Value: wild, Wildcard: true})); diff != "" {
				t.Errorf("email:%s (-want +got):\n%s", wild, diff)
			}
		}
	}
	if diff := cmp.Diff(want, find(directory.Term{Value: "bulk"})); diff != "" {
		t.Errorf("bare word bulk (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, find(directory.Term{Field: "tags", Value: "loaded"})); diff != "" {
		t.Errorf("tags:loaded (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, find(directory.Term{Field: "notes", Value: "came in bulk", Phrase: true})); diff != "" {
		t.Errorf(`notes:"came in bulk" (-want +got):\n%s`, diff)
	}
	// The other realm sees its own 150 and nothing of acme's.
	n, err := s.CountSearchUsers(ctx, b.ID, directory.UserQuery{Terms: []directory.Term{{Value: "loaded"}}})
	if err != nil || n != 150 {
		t.Errorf("beta count of loaded = %d, %v; want 150", n, err)
	}
	// A user written one by one after the load is indexed as usual.
	later := create(t, s, a.ID, mk(5000).User)
	if diff := cmp.Diff([]int64{later.ID}, find(directory.Term{Field: "name", Value: "person5000"})); diff != "" {
		t.Errorf("user created after the load (-want +got):\n%s", diff)
	}
}
