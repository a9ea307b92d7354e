package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// RunRealmAdmin runs the contract of RealmAdminStore against stores made
// by open.
func RunRealmAdmin(t *testing.T, open Opener) {
	for name, fn := range map[string]func(*testing.T, directory.Store){
		"SaveAndDeleteRealm":  testSaveAndDeleteRealm,
		"UserByUsername":      testUserByUsername,
		"UsersWithFieldValue": testUsersWithFieldValue,
		"FieldFlags":          testFieldFlags,
		"SearchFlagFilters":   testSearchFlagFilters,
	} {
		t.Run(name, func(t *testing.T) { fn(t, open(t)) })
	}
}

// testSaveAndDeleteRealm checks a realm saved with its settings in one
// write, renamed, and deleted: gone from every lookup, its uid still
// taken, the other realm untouched.
func testSaveAndDeleteRealm(t *testing.T, s directory.Store) {
	ctx := context.Background()
	b := realm(t, s, "beta")
	st := directory.SigninSettings{SignupEnabled: false, SessionLifetime: time.Hour, IdleTimeout: 10 * time.Minute, AllowedOrigins: []string{"https://a.example"}}
	a := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: epoch, UpdatedAt: epoch}
	if err := s.SaveRealm(ctx, a, &st); err != nil || a.ID == 0 {
		t.Fatalf("SaveRealm(new) = %v, id %d", err, a.ID)
	}
	got, err := s.SigninSettings(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&st, got); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	a.Name, a.UpdatedAt = "Acme Inc", epoch.Add(time.Hour)
	if err := s.SaveRealm(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	if r, err := s.RealmByUID(ctx, "acme"); err != nil || r.Name != "Acme Inc" || !r.UpdatedAt.Equal(epoch.Add(time.Hour)) {
		t.Errorf("after rename: %+v, %v", r, err)
	}
	if got, _ := s.SigninSettings(ctx, a.ID); got.IdleTimeout != 10*time.Minute {
		t.Errorf("a save without settings changed them: %+v", got)
	}
	wantDuplicate(t, s.SaveRealm(ctx, &directory.Realm{UID: "beta", Name: "B", CreatedAt: epoch, UpdatedAt: epoch}, nil), "uid")

	if err := s.DeleteRealm(ctx, a.ID, epoch.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = s.RealmByUID(ctx, "acme")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.RealmByID(ctx, a.ID)
	wantKind(t, err, directory.KindNotFound)
	realms, err := s.ListRealms(ctx)
	if err != nil || len(realms) != 1 || realms[0].ID != b.ID {
		t.Errorf("ListRealms after delete = %v, %v", realms, err)
	}
	wantKind(t, s.DeleteRealm(ctx, a.ID, epoch), directory.KindNotFound)
	wantKind(t, s.SaveRealm(ctx, a, nil), directory.KindNotFound)
	wantDuplicate(t, s.SaveRealm(ctx, &directory.Realm{UID: "acme", Name: "New", CreatedAt: epoch, UpdatedAt: epoch}, nil), "uid")
	if r, err := s.RealmByUID(ctx, "beta"); err != nil || r.ID != b.ID {
		t.Errorf("beta after acme's delete: %v, %v", r, err)
	}
}

// testUserByUsername checks the exact lookup, deleted users included,
// and the realms apart.
func testUserByUsername(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "acme"), realm(t, s, "beta")
	ann := newUser("ann")
	ann.Username = "ann.a"
	create(t, s, a.ID, ann)
	gone := newUser("gil")
	gone.Username = "gil"
	gone.DeletedAt = epoch
	create(t, s, a.ID, gone)
	create(t, s, a.ID, newUser("nobody")) // no username
	if u, err := s.UserByUsername(ctx, a.ID, "ann.a"); err != nil || u.ID != ann.ID {
		t.Errorf("UserByUsername(ann.a) = %v, %v", u, err)
	}
	if u, err := s.UserByUsername(ctx, a.ID, "gil"); err != nil || u.ID != gone.ID {
		t.Errorf("UserByUsername(gil) = %v, %v", u, err)
	}
	for _, name := range []string{"ANN.A", "ann", ""} {
		_, err := s.UserByUsername(ctx, a.ID, name)
		wantKind(t, err, directory.KindNotFound)
	}
	_, err := s.UserByUsername(ctx, b.ID, "ann.a")
	wantKind(t, err, directory.KindNotFound)
}

// testUsersWithFieldValue checks the lookup of custom field values:
// strings exactly, numbers by value, active users of the realm only.
func testUsersWithFieldValue(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "acme"), realm(t, s, "beta")
	mk := func(realmID int64, name string, fields map[string]any, deleted bool) *directory.User {
		u := newUser(name)
		u.UserFields = fields
		if deleted {
			u.DeletedAt = epoch
		}
		return create(t, s, realmID, u)
	}
	u1 := mk(a.ID, "one", map[string]any{"code": "X-1", "score": 5.0}, false)
	u2 := mk(a.ID, "two", map[string]any{"code": "x-1", "score": 5.5}, false)
	mk(a.ID, "gone", map[string]any{"code": "X-1"}, true)
	mk(b.ID, "beta", map[string]any{"code": "X-1", "score": 5.0}, false)
	for _, tc := range []struct {
		key   string
		value any
		want  []int64
	}{
		{"code", "X-1", []int64{u1.ID}},
		{"code", "x-1", []int64{u2.ID}},
		{"code", "X-2", []int64{}},
		{"score", 5.0, []int64{u1.ID}},
		{"score", 5.5, []int64{u2.ID}},
		{"nokey", "X-1", []int64{}},
	} {
		got, err := s.UsersWithFieldValue(ctx, a.ID, tc.key, tc.value, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("UsersWithFieldValue(%s, %v) = %v, want %v", tc.key, tc.value, got, tc.want)
		}
	}
}

// testFieldFlags checks that a field's required and unique flags are
// stored and updated.
func testFieldFlags(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	f := &directory.UserField{Key: "code", Type: directory.FieldText, Title: "Code", RawTitle: "Code", Active: true,
		Required: true, Unique: true, CreatedAt: epoch, UpdatedAt: epoch}
	if err := s.CreateUserField(ctx, a.ID, f); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserFields(ctx, a.ID)
	if err != nil || len(got) != 1 || !got[0].Required || !got[0].Unique {
		t.Fatalf("UserFields = %+v, %v", got, err)
	}
	f.Required = false
	if err := s.UpdateUserField(ctx, a.ID, f); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserFields(ctx, a.ID); got[0].Required || !got[0].Unique {
		t.Errorf("after update: %+v", got[0])
	}
}

// testSearchFlagFilters checks the Suspended and Verified filters of a
// search, alone and with a term, counted exactly.
func testSearchFlagFilters(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "acme"), realm(t, s, "beta")
	mk := func(realmID int64, name string, suspended, verified bool) *directory.User {
		u := newUser(name)
		u.Suspended, u.Verified = suspended, verified
		return create(t, s, realmID, u)
	}
	plain := mk(a.ID, "zoe plain", false, false)
	susp := mk(a.ID, "zoe suspended", true, false)
	ver := mk(a.ID, "zoe verified", false, true)
	yan := mk(a.ID, "yan suspended", true, true)
	mk(b.ID, "zoe beta", true, true)
	yes, no := true, false
	for _, tc := range []struct {
		q    directory.UserQuery
		want []int64
	}{
		{directory.UserQuery{Suspended: &no}, []int64{plain.ID, ver.ID}},
		{directory.UserQuery{Suspended: &yes, Terms: []directory.Term{{Value: "zoe"}}}, []int64{susp.ID}},
		{directory.UserQuery{Verified: &yes, Suspended: &no}, []int64{ver.ID}},
		{directory.UserQuery{Verified: &no, Terms: []directory.Term{{Value: "zoe"}}}, []int64{plain.ID, susp.ID}},
		// A lone role term counts from the role's counter, which knows
		// nothing of the flags: with a flag it must count the users.
		{directory.UserQuery{Suspended: &no, Terms: []directory.Term{{Field: "role", Value: "end-user"}}}, []int64{plain.ID, ver.ID}},
		{directory.UserQuery{Verified: &yes, Terms: []directory.Term{{Field: "role", Value: "end-user"}}}, []int64{ver.ID, yan.ID}},
	} {
		users, err := s.SearchUsers(ctx, a.ID, tc.q, directory.SearchPage{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.CountSearchUsers(ctx, a.ID, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(users); !slices.Equal(got, tc.want) || n != int64(len(tc.want)) {
			t.Errorf("search %+v = %v (count %d), want %v", tc.q, got, n, tc.want)
		}
	}
}
