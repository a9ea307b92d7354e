// Package storetest is the contract every directory.Store must honour, as
// one suite that the SQLite and PostgreSQL packages both run. Each test
// works in two realms and checks that the second one never sees the
// first's records.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// Opener returns a fresh, migrated, empty store; it registers its own
// cleanup on t.
type Opener func(t testing.TB) directory.Store

// Run runs the whole contract against stores made by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"Realms", testRealms},
		{"CreateAndReadUser", testCreateAndReadUser},
		{"Uniqueness", testUniqueness},
		{"UpdateUser", testUpdateUser},
		{"ListUsersKeyset", testListUsersKeyset},
		{"ListUsersFilters", testListUsersFilters},
		{"Counters", testCounters},
		{"EraseUser", testEraseUser},
		{"Tokens", testTokens},
		{"RealmIsolation", testRealmIsolation},
		{"UnicodeExternalID", testUnicodeExternalID},
		{"UsersWithPassword", testUsersWithPassword},
		{"Search", testSearch},
		{"SearchByMembership", testSearchByMembership},
		{"Autocomplete", testAutocomplete},
		{"SearchFieldNumbers", testSearchFieldNumbers},
		{"SearchFieldNumbersWide", testSearchFieldNumbersWide},
		{"EraseMovesCounters", testEraseMovesCounters},
		{"UpdateKeepsCredentials", testUpdateKeepsCredentials},
		{"UserFields", testUserFields},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var epoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func realm(t testing.TB, s directory.Store, uid string) *directory.Realm {
	t.Helper()
	r := &directory.Realm{UID: uid, Name: "Realm " + uid, CreatedAt: epoch, UpdatedAt: epoch}
	if err := s.CreateRealm(context.Background(), r); err != nil {
		t.Fatalf("CreateRealm(%s): %v", uid, err)
	}
	return r
}

func newUser(name string) *directory.User {
	return &directory.User{
		UUID: "uuid-" + name, Name: name, Role: directory.RoleEndUser,
		TimeZone: "America/New_York", IANATimeZone: "America/New_York", Locale: "en-US", LocaleID: 1,
		TicketRestriction: "requested", Tags: []string{}, UserFields: map[string]any{},
		CreatedAt: epoch, UpdatedAt: epoch,
	}
}

func emailIdentity(email string, primary bool) directory.Identity {
	return directory.Identity{Type: directory.IdentityEmail, Value: email, Primary: primary, CreatedAt: epoch, UpdatedAt: epoch}
}

func create(t *testing.T, s directory.Store, realmID int64, u *directory.User, ids ...directory.Identity) *directory.User {
	t.Helper()
	if err := s.CreateUser(context.Background(), realmID, u, ids); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Name, err)
	}
	return u
}

func wantKind(t *testing.T, err error, kind directory.Kind) {
	t.Helper()
	if got := directory.KindOf(err); got != kind {
		t.Fatalf("error kind = %v (%v), want %v", got, err, kind)
	}
}

func wantDuplicate(t *testing.T, err error, field string) {
	t.Helper()
	wantKind(t, err, directory.KindInvalid)
	var e *directory.Error
	if !asError(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != field || e.Fields[0].Code != "DuplicateValue" {
		t.Fatalf("error = %#v, want one DuplicateValue on %s", err, field)
	}
}

func ids(users []directory.User) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func testRealms(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	realm(t, s, "beta")
	got, err := s.RealmByUID(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("RealmByUID (-want +got):\n%s", diff)
	}
	if got, err := s.RealmByID(ctx, a.ID); err != nil || got.UID != "acme" {
		t.Errorf("RealmByID = %v, %v", got, err)
	}
	_, err = s.RealmByUID(ctx, "nope")
	wantKind(t, err, directory.KindNotFound)
	err = s.CreateRealm(ctx, &directory.Realm{UID: "acme", Name: "again", CreatedAt: epoch, UpdatedAt: epoch})
	wantDuplicate(t, err, "uid")
	list, err := s.ListRealms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].UID != "acme" || list[1].UID != "beta" {
		t.Errorf("ListRealms = %+v", list)
	}
}

func testCreateAndReadUser(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	u := newUser("Jane Doe")
	u.FirstName, u.LastName, u.SecondLastName, u.Username = "Jane", "Doe", "Roe", "jane"
	u.Email, u.Phone, u.ExternalID = "jane@example.com", "+15551234567", "JD-1"
	u.Alias, u.Details, u.Notes, u.Signature = "JJ", "address", "nice", ""
	u.Tags = []string{"vip", "gold"}
	u.UserFields = map[string]any{"level": "silver", "score": 5.5}
	u.Verified, u.Moderator = true, true
	u.LastLoginAt = epoch.Add(time.Hour)
	create(t, s, r.ID, u, emailIdentity("jane@example.com", true),
		directory.Identity{Type: directory.IdentityPhone, Value: "+15551234567", Primary: true, CreatedAt: epoch, UpdatedAt: epoch})
	if u.ID == 0 || u.RealmID != r.ID {
		t.Fatalf("CreateUser set ID=%d RealmID=%d", u.ID, u.RealmID)
	}
	got, err := s.UserByID(ctx, r.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("UserByID (-want +got):\n%s", diff)
	}
	for _, lookup := range []string{"jane@example.com", "JANE@Example.com"} {
		got, err := s.UserByIdentity(ctx, r.ID, directory.IdentityEmail, lookup)
		if err != nil || got.ID != u.ID {
			t.Errorf("UserByIdentity(%q) = %v, %v", lookup, got, err)
		}
	}
	if got, err := s.UserByExternalID(ctx, r.ID, "jd-1"); err != nil || got.ID != u.ID || got.ExternalID != "JD-1" {
		t.Errorf("UserByExternalID(jd-1) = %+v, %v", got, err)
	}
	idents, err := s.IdentitiesByUser(ctx, r.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(idents) != 2 || idents[0].Value != "jane@example.com" || !idents[0].Primary || idents[0].UserID != u.ID || idents[1].Type != directory.IdentityPhone {
		t.Errorf("IdentitiesByUser = %+v", idents)
	}
	_, err = s.UserByID(ctx, r.ID, u.ID+1000)
	wantKind(t, err, directory.KindNotFound)
	_, err = s.UserByIdentity(ctx, r.ID, directory.IdentityEmail, "nobody@example.com")
	wantKind(t, err, directory.KindNotFound)

	// A user with only a name has nulls everywhere else.
	bare := create(t, s, r.ID, newUser("Bare"))
	got, err = s.UserByID(ctx, r.ID, bare.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bare, got); diff != "" {
		t.Errorf("bare user (-want +got):\n%s", diff)
	}
	// Password hashes and logins.
	if err := s.SetPasswordHash(ctx, r.ID, bare.ID, "$argon2id$x"); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchLogin(ctx, r.ID, bare.ID, epoch.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.UserByID(ctx, r.ID, bare.ID)
	if got.PasswordHash != "$argon2id$x" || !got.LastLoginAt.Equal(epoch.Add(2*time.Hour)) {
		t.Errorf("after SetPasswordHash/TouchLogin: hash %q login %v", got.PasswordHash, got.LastLoginAt)
	}
	wantKind(t, s.SetPasswordHash(ctx, r.ID, bare.ID+1000, "x"), directory.KindNotFound)
}

func testUsersWithPassword(t *testing.T, s directory.Store) {
	ctx := context.Background()
	var want []int64
	for i, uid := range []string{"r1", "r2", "r3", "r4"} {
		r := realm(t, s, uid)
		u := create(t, s, r.ID, newUser("same email"), emailIdentity("same@example.com", true))
		switch i {
		case 0: // no password: cannot sign in with one
		case 1: // suspended
			u.Suspended = true
			if err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{}); err != nil {
				t.Fatal(err)
			}
			s.SetPasswordHash(ctx, r.ID, u.ID, "h")
		case 2: // deleted
			s.SetPasswordHash(ctx, r.ID, u.ID, "h")
			u.DeletedAt = epoch
			if err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{}); err != nil {
				t.Fatal(err)
			}
		case 3:
			s.SetPasswordHash(ctx, r.ID, u.ID, "h")
			want = append(want, u.ID)
		}
	}
	got, err := s.UsersWithPassword(ctx, "same@example.com", 5)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, ids(got)); diff != "" {
		t.Errorf("UsersWithPassword (-want +got):\n%s", diff)
	}
}

func testUniqueness(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	other := realm(t, s, "beta")
	a := newUser("A")
	a.Email, a.ExternalID = "a@example.com", "ian1"
	create(t, s, r.ID, a, emailIdentity("a@example.com", true))

	b := newUser("B")
	b.Email = "A@EXAMPLE.COM"
	err := s.CreateUser(ctx, r.ID, b, []directory.Identity{emailIdentity("A@EXAMPLE.COM", true)})
	wantDuplicate(t, err, "email")
	c := newUser("C")
	c.ExternalID = "IAN1"
	wantDuplicate(t, s.CreateUser(ctx, r.ID, c, nil), "external_id")

	// Nothing of the failed creates was written.
	n, err := s.CountUsers(ctx, r.ID, directory.UserFilter{})
	if err != nil || n != 1 {
		t.Errorf("count after failed creates = %d, %v; want 1", n, err)
	}
	list, _ := s.ListUsers(ctx, r.ID, directory.UserFilter{}, directory.Page{Limit: 10})
	if len(list) != 1 {
		t.Errorf("users after failed creates = %d, want 1", len(list))
	}

	// Another realm may reuse both.
	d := newUser("D")
	d.Email, d.ExternalID = "a@example.com", "IAN1"
	create(t, s, other.ID, d, emailIdentity("a@example.com", true))

	// A second identity with a taken email fails on update too, atomically.
	e := create(t, s, r.ID, newUser("E"))
	e.Name = "E renamed"
	err = s.UpdateUser(ctx, r.ID, e, directory.IdentityChange{Add: []directory.Identity{emailIdentity("a@example.com", false)}})
	wantDuplicate(t, err, "email")
	got, _ := s.UserByID(ctx, r.ID, e.ID)
	if got.Name != "E" {
		t.Errorf("failed update wrote name %q", got.Name)
	}
}

func testUpdateUser(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	u := newUser("U")
	u.Phone = "+15551234567"
	create(t, s, r.ID, u, emailIdentity("u@example.com", true),
		directory.Identity{Type: directory.IdentityPhone, Value: "+15551234567", Primary: true, CreatedAt: epoch, UpdatedAt: epoch})
	idents, _ := s.IdentitiesByUser(ctx, r.ID, u.ID)
	phone := idents[1]

	u.Name, u.Role, u.Tags = "U2", directory.RoleAgent, []string{"x"}
	u.UserFields = map[string]any{"k": true}
	u.UpdatedAt = epoch.Add(time.Minute)
	phone.Value = "+15557654321"
	err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{
		Add:    []directory.Identity{emailIdentity("u2@example.com", false)},
		Update: []directory.Identity{phone},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.UserByID(ctx, r.ID, u.ID)
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	idents, _ = s.IdentitiesByUser(ctx, r.ID, u.ID)
	var values []string
	for _, id := range idents {
		values = append(values, id.Value)
	}
	if diff := cmp.Diff([]string{"u@example.com", "+15557654321", "u2@example.com"}, values); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
	if err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{Delete: []int64{phone.ID}}); err != nil {
		t.Fatal(err)
	}
	idents, _ = s.IdentitiesByUser(ctx, r.ID, u.ID)
	if len(idents) != 2 {
		t.Errorf("after delete: %d identities, want 2", len(idents))
	}
	missing := newUser("ghost")
	missing.ID = u.ID + 1000
	wantKind(t, s.UpdateUser(ctx, r.ID, missing, directory.IdentityChange{}), directory.KindNotFound)
}

func testListUsersKeyset(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	var all []int64
	for i := range 7 {
		all = append(all, create(t, s, r.ID, newUser(fmt.Sprintf("user %d", i))).ID)
	}
	page := func(p directory.Page) []int64 {
		t.Helper()
		users, err := s.ListUsers(ctx, r.ID, directory.UserFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		return ids(users)
	}
	cases := []struct {
		name string
		p    directory.Page
		want []int64
	}{
		{"first", directory.Page{Limit: 3}, all[:3]},
		{"after", directory.Page{Limit: 3, AfterID: all[2]}, all[3:6]},
		{"after last", directory.Page{Limit: 3, AfterID: all[6]}, []int64{}},
		{"before", directory.Page{Limit: 3, BeforeID: all[5]}, all[2:5]},
		{"before short", directory.Page{Limit: 3, BeforeID: all[1]}, all[:1]},
		{"offset", directory.Page{Limit: 3, Offset: 6}, all[6:]},
		{"descending", directory.Page{Limit: 2, Descending: true}, []int64{all[6], all[5]}},
		{"descending after", directory.Page{Limit: 2, Descending: true, AfterID: all[5]}, []int64{all[4], all[3]}},
		{"descending before", directory.Page{Limit: 2, Descending: true, BeforeID: all[3]}, []int64{all[5], all[4]}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, page(c.p)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	got, err := s.UsersByIDs(ctx, r.ID, []int64{all[4], all[0], 999999})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{all[0], all[4]}, ids(got)); diff != "" {
		t.Errorf("UsersByIDs (-want +got):\n%s", diff)
	}
}

func testListUsersFilters(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	end := create(t, s, r.ID, newUser("end"))
	agent := newUser("agent")
	agent.Role, agent.CustomRoleID, agent.ExternalID = directory.RoleAgent, 42, "Ext-A"
	create(t, s, r.ID, agent)
	admin := newUser("admin")
	admin.Role, admin.ExternalID = directory.RoleAdmin, "ext-b"
	create(t, s, r.ID, admin)
	gone := newUser("gone")
	create(t, s, r.ID, gone)
	gone.DeletedAt = epoch.Add(time.Hour)
	if err := s.UpdateUser(ctx, r.ID, gone, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	list := func(f directory.UserFilter) []int64 {
		t.Helper()
		users, err := s.ListUsers(ctx, r.ID, f, directory.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return ids(users)
	}
	cases := []struct {
		name string
		f    directory.UserFilter
		want []int64
	}{
		{"all active", directory.UserFilter{}, []int64{end.ID, agent.ID, admin.ID}},
		{"role", directory.UserFilter{Roles: []directory.Role{directory.RoleAgent}}, []int64{agent.ID}},
		{"roles", directory.UserFilter{Roles: []directory.Role{directory.RoleAgent, directory.RoleEndUser}}, []int64{end.ID, agent.ID}},
		{"permission set", directory.UserFilter{CustomRoleID: 42}, []int64{agent.ID}},
		{"external id any case", directory.UserFilter{ExternalID: "EXT-a"}, []int64{agent.ID}},
		{"deleted", directory.UserFilter{Deleted: true}, []int64{gone.ID}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, list(c.f)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
		n, err := s.CountUsers(ctx, r.ID, c.f)
		if err != nil || n != int64(len(c.want)) {
			t.Errorf("%s: CountUsers = %d, %v; want %d", c.name, n, err, len(c.want))
		}
	}
	got, err := s.UsersByExternalIDs(ctx, r.ID, []string{"EXT-B", "ext-a", "none"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{agent.ID, admin.ID}, ids(got)); diff != "" {
		t.Errorf("UsersByExternalIDs (-want +got):\n%s", diff)
	}
}

func testCounters(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	count := func(f directory.UserFilter) int64 {
		t.Helper()
		n, err := s.CountUsers(ctx, r.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(directory.UserFilter{}); n != 0 {
		t.Fatalf("empty realm count = %d", n)
	}
	var users []*directory.User
	for i := range 5 {
		users = append(users, create(t, s, r.ID, newUser(fmt.Sprint("u", i))))
	}
	users[0].Role = directory.RoleAdmin
	users[1].DeletedAt = epoch
	for _, u := range users[:2] {
		if err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{}); err != nil {
			t.Fatal(err)
		}
	}
	// An update that changes neither role nor deletion leaves counts alone.
	users[2].Name = "renamed"
	if err := s.UpdateUser(ctx, r.ID, users[2], directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"active": 4, "end users": 3, "admins": 1, "deleted": 1}
	got := map[string]int64{
		"active":    count(directory.UserFilter{}),
		"end users": count(directory.UserFilter{Roles: []directory.Role{directory.RoleEndUser}}),
		"admins":    count(directory.UserFilter{Roles: []directory.Role{directory.RoleAdmin}}),
		"deleted":   count(directory.UserFilter{Deleted: true}),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func testEraseUser(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	u := newUser("Secret Name")
	u.Email = "secret@example.com"
	create(t, s, r.ID, u, emailIdentity("secret@example.com", true))
	if err := s.CreateAccessToken(ctx, r.ID, &directory.AccessToken{UserID: u.ID, Hash: "h1", CreatedAt: epoch}); err != nil {
		t.Fatal(err)
	}
	u.DeletedAt = epoch
	if err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	erased := newUser(directory.PermanentlyDeletedName)
	erased.ID, erased.UUID, erased.DeletedAt, erased.Erased = u.ID, u.UUID, u.DeletedAt, true
	if err := s.EraseUser(ctx, r.ID, erased); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByID(ctx, r.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "" || got.Name != directory.PermanentlyDeletedName || !got.Erased {
		t.Errorf("erased user = %+v", got)
	}
	idents, _ := s.IdentitiesByUser(ctx, r.ID, u.ID)
	if len(idents) != 0 {
		t.Errorf("erased user keeps %d identities", len(idents))
	}
	_, err = s.AccessTokenByHash(ctx, "h1")
	wantKind(t, err, directory.KindNotFound)
	// The email is free again.
	again := newUser("again")
	create(t, s, r.ID, again, emailIdentity("secret@example.com", true))
	if n, _ := s.CountUsers(ctx, r.ID, directory.UserFilter{Deleted: true}); n != 1 {
		t.Errorf("deleted count = %d, want 1", n)
	}
}

func testTokens(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	other := realm(t, s, "beta")
	tok := &directory.APIToken{Hash: "abc", Hint: "wxyz", Description: "ci", CreatedAt: epoch}
	if err := s.CreateAPIToken(ctx, r.ID, tok); err != nil {
		t.Fatal(err)
	}
	got, err := s.APITokenByHash(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tok, got); diff != "" {
		t.Errorf("APITokenByHash (-want +got):\n%s", diff)
	}
	wantDuplicate(t, s.CreateAPIToken(ctx, r.ID, &directory.APIToken{Hash: "abc", CreatedAt: epoch}), "token")
	if err := s.TouchAPIToken(ctx, other.ID, tok.ID, epoch.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchAPIToken(ctx, r.ID, tok.ID, epoch.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.APITokenByHash(ctx, "abc"); !got.LastUsedAt.Equal(epoch.Add(2 * time.Hour)) {
		t.Errorf("LastUsedAt = %v, want the touch through its own realm only", got.LastUsedAt)
	}
	list, _ := s.ListAPITokens(ctx, r.ID)
	if len(list) != 1 {
		t.Errorf("ListAPITokens = %d tokens, want 1", len(list))
	}
	if list, _ := s.ListAPITokens(ctx, other.ID); len(list) != 0 {
		t.Errorf("other realm lists %d tokens", len(list))
	}
	wantKind(t, s.DeleteAPIToken(ctx, other.ID, tok.ID), directory.KindNotFound)
	if err := s.DeleteAPIToken(ctx, r.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.APITokenByHash(ctx, "abc")
	wantKind(t, err, directory.KindNotFound)

	u := create(t, s, r.ID, newUser("owner"))
	at := &directory.AccessToken{UserID: u.ID, Hash: "bearer", Scopes: []string{"read", "write"}, CreatedAt: epoch, ExpiresAt: epoch.Add(time.Hour)}
	if err := s.CreateAccessToken(ctx, r.ID, at); err != nil {
		t.Fatal(err)
	}
	gotAT, err := s.AccessTokenByHash(ctx, "bearer")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(at, gotAT); diff != "" {
		t.Errorf("AccessTokenByHash (-want +got):\n%s", diff)
	}
}

func testRealmIsolation(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	u := newUser("only in acme")
	u.ExternalID = "x1"
	create(t, s, a.ID, u, emailIdentity("x@example.com", true))

	_, err := s.UserByID(ctx, b.ID, u.ID)
	wantKind(t, err, directory.KindNotFound)
	_, err = s.UserByIdentity(ctx, b.ID, directory.IdentityEmail, "x@example.com")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.UserByExternalID(ctx, b.ID, "x1")
	wantKind(t, err, directory.KindNotFound)
	if got, _ := s.UsersByIDs(ctx, b.ID, []int64{u.ID}); len(got) != 0 {
		t.Errorf("UsersByIDs in other realm = %d users", len(got))
	}
	if got, _ := s.UsersByExternalIDs(ctx, b.ID, []string{"x1"}); len(got) != 0 {
		t.Errorf("UsersByExternalIDs in other realm = %d users", len(got))
	}
	if got, _ := s.ListUsers(ctx, b.ID, directory.UserFilter{}, directory.Page{Limit: 10}); len(got) != 0 {
		t.Errorf("ListUsers in other realm = %d users", len(got))
	}
	if n, _ := s.CountUsers(ctx, b.ID, directory.UserFilter{}); n != 0 {
		t.Errorf("CountUsers in other realm = %d", n)
	}
	if got, _ := s.IdentitiesByUser(ctx, b.ID, u.ID); len(got) != 0 {
		t.Errorf("IdentitiesByUser in other realm = %d", len(got))
	}
	// Writes through the wrong realm touch nothing.
	u.Name = "hijacked"
	wantKind(t, s.UpdateUser(ctx, b.ID, u, directory.IdentityChange{}), directory.KindNotFound)
	wantKind(t, s.SetPasswordHash(ctx, b.ID, u.ID, "x"), directory.KindNotFound)
	got, _ := s.UserByID(ctx, a.ID, u.ID)
	if got.Name != "only in acme" || got.PasswordHash != "" {
		t.Errorf("write through other realm changed the user: %+v", got)
	}
}

func testUnicodeExternalID(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	u := newUser("Élan")
	u.ExternalID = "ÉLAN-Ω"
	create(t, s, r.ID, u)
	for _, lookup := range []string{"ÉLAN-Ω", "élan-ω"} {
		got, err := s.UserByExternalID(ctx, r.ID, lookup)
		if err != nil || got.ID != u.ID {
			t.Errorf("UserByExternalID(%q) = %v, %v", lookup, got, err)
		}
	}
	if got, err := s.UsersByExternalIDs(ctx, r.ID, []string{"élan-ω"}); err != nil || len(got) != 1 {
		t.Errorf("UsersByExternalIDs = %v, %v", got, err)
	}
	if got, _ := s.ListUsers(ctx, r.ID, directory.UserFilter{ExternalID: "Élan-ω"}, directory.Page{Limit: 10}); len(got) != 1 {
		t.Errorf("ListUsers by external id found %d", len(got))
	}
	dup := newUser("dup")
	dup.ExternalID = "élan-ω"
	wantDuplicate(t, s.CreateUser(ctx, r.ID, dup, nil), "external_id")
}

func testEraseMovesCounters(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	u := newUser("agent")
	u.Role, u.CustomRoleID = directory.RoleAgent, 7
	create(t, s, r.ID, u)
	u.DeletedAt = epoch
	if err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	erased := newUser(directory.PermanentlyDeletedName)
	erased.ID, erased.UUID, erased.Role, erased.DeletedAt, erased.Erased = u.ID, u.UUID, directory.RoleAgent, epoch, true
	if err := s.EraseUser(ctx, r.ID, erased); err != nil {
		t.Fatal(err)
	}
	for _, f := range []directory.UserFilter{{Deleted: true, CustomRoleID: 7}, {Deleted: true}, {Deleted: true, Roles: []directory.Role{directory.RoleAgent}}} {
		n, err := s.CountUsers(ctx, r.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		list, _ := s.ListUsers(ctx, r.ID, f, directory.Page{Limit: 10})
		if n != int64(len(list)) {
			t.Errorf("filter %+v: count %d, list %d", f, n, len(list))
		}
	}
}

func testUpdateKeepsCredentials(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	u := create(t, s, r.ID, newUser("u"))
	stale, err := s.UserByID(ctx, r.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A password change and a login land between another writer's read
	// and its update; the update must not undo them.
	if err := s.SetPasswordHash(ctx, r.ID, u.ID, "$argon2id$new"); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchLogin(ctx, r.ID, u.ID, epoch.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	stale.Name = "renamed"
	if err := s.UpdateUser(ctx, r.ID, stale, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.UserByID(ctx, r.ID, u.ID)
	if got.Name != "renamed" || got.PasswordHash != "$argon2id$new" || !got.LastLoginAt.Equal(epoch.Add(time.Hour)) {
		t.Errorf("after a stale update: name %q hash %q login %v", got.Name, got.PasswordHash, got.LastLoginAt)
	}
}
