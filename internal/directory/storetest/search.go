package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// searchFixture is a realm of users whose fields exercise every search rule,
// and a second realm with a namesake that must stay invisible.
type searchFixture struct {
	s                directory.Store
	realm, other     *directory.Realm
	top, topper, amy *directory.User
	elan, gone, beta *directory.User
}

func newSearchFixture(t *testing.T, s directory.Store) *searchFixture {
	ctx := context.Background()
	f := &searchFixture{s: s, realm: realm(t, s, "acme"), other: realm(t, s, "beta")}
	day := 24 * time.Hour
	mk := func(r *directory.Realm, name string, at time.Time, set func(u *directory.User)) *directory.User {
		u := newUser(name)
		u.CreatedAt, u.UpdatedAt = at, at
		set(u)
		var ids []directory.Identity
		if u.Email != "" {
			ids = append(ids, emailIdentity(u.Email, true))
		}
		return create(t, s, r.ID, u, ids...)
	}
	f.top = mk(f.realm, "Top Ten", epoch, func(u *directory.User) {
		u.Email, u.Notes, u.Tags, u.Phone, u.ExternalID = "top.ten@example.com", "works on a desktop", []string{"vip", "premium"}, "+15551230001", "EXT-1"
	})
	f.topper = mk(f.realm, "Topper Smith", epoch.Add(2*day), func(u *directory.User) {
		u.Email, u.Role, u.Details, u.Tags = "smith@corp.test", directory.RoleAgent, "Paris office", []string{"gold_member"}
	})
	f.amy = mk(f.realm, "Amy Moore", epoch.Add(4*day), func(u *directory.User) {
		u.Email, u.Notes, u.ExternalID = "amy.moore@example.com", "prefers email", "crm-42"
	})
	f.elan = mk(f.realm, "Élan Vital", epoch.Add(5*day), func(u *directory.User) {
		u.Email, u.ExternalID, u.Details = "elan@example.org", "élan-7", "Moore street"
	})
	f.gone = mk(f.realm, "Top Deleted", epoch.Add(6*day), func(u *directory.User) { u.Tags = []string{"vip"} })
	f.gone.DeletedAt = epoch.Add(7 * day)
	if err := s.UpdateUser(ctx, f.realm.ID, f.gone, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	f.beta = mk(f.other, "Top Beta", epoch, func(u *directory.User) { u.Email = "top.ten@example.com" })
	return f
}

func (f *searchFixture) search(t *testing.T, q directory.UserQuery) []int64 {
	t.Helper()
	users, err := f.s.SearchUsers(context.Background(), f.realm.ID, q, directory.SearchPage{Limit: 100})
	if err != nil {
		t.Fatalf("SearchUsers(%+v): %v", q, err)
	}
	n, err := f.s.CountSearchUsers(context.Background(), f.realm.ID, q)
	if err != nil || n != int64(len(users)) {
		t.Errorf("CountSearchUsers(%+v) = %d, %v; the search found %d", q, n, err, len(users))
	}
	return ids(users)
}

func term(field, value string) directory.Term { return directory.Term{Field: field, Value: value} }

func not(t directory.Term) directory.Term { t.Negated = true; return t }

func phrase(field, value string) directory.Term {
	return directory.Term{Field: field, Value: value, Phrase: true}
}

func wild(field, value string) directory.Term {
	return directory.Term{Field: field, Value: value, Wildcard: true}
}

func when(field string, op directory.Op, at time.Time) directory.Term {
	return directory.Term{Field: field, Op: op, Value: at.Format(time.RFC3339), Time: at}
}

func q(terms ...directory.Term) directory.UserQuery { return directory.UserQuery{Terms: terms} }

func testSearch(t *testing.T, s directory.Store) {
	f := newSearchFixture(t, s)
	day := 24 * time.Hour
	top, topper, amy, elan := f.top.ID, f.topper.ID, f.amy.ID, f.elan.ID
	cases := []struct {
		name  string
		query directory.UserQuery
		want  []int64
	}{
		{"word prefix", q(term("", "top")), []int64{top, topper}},
		{"case-insensitive", q(term("", "TOP")), []int64{top, topper}},
		{"prefix, not infix", q(term("notes", "top")), []int64{}},
		{"a word inside notes", q(term("", "desk")), []int64{top}},
		{"terms are ANDed", q(term("", "top"), term("", "smith")), []int64{topper}},
		{"name only", q(term("name", "moore")), []int64{amy}},
		{"details only", q(term("details", "moore")), []int64{elan}},
		{"details word prefix", q(term("details", "par")), []int64{topper}},
		{"details is not notes", q(term("details", "desktop")), []int64{}},
		{"bare trailing wildcard", q(wild("", "topp*")), []int64{topper}},
		{"name trailing wildcard", q(wild("name", "moo*")), []int64{amy}},
		{"any text field", q(term("", "moore")), []int64{amy, elan}},
		{"phrase", q(phrase("", "amy moore")), []int64{amy}},
		{"phrase keeps order", q(phrase("", "moore amy")), []int64{}},
		{"name phrase", q(phrase("name", "Amy Moore")), []int64{amy}},
		{"negated word", q(not(term("", "top"))), []int64{amy, elan}},
		{"negated tag", q(term("", "top"), not(term("tags", "vip"))), []int64{topper}},
		{"tag", q(term("tags", "vip")), []int64{top}},
		{"tag with underscore", q(term("tags", "gold_member")), []int64{topper}},
		{"tag prefix", q(wild("tags", "gold*")), []int64{topper}},
		{"role", q(term("role", "agent")), []int64{topper}},
		{"role end-user", q(term("role", "end-user")), []int64{top, amy, elan}},
		{"email exact", q(term("email", "amy.moore@example.com")), []int64{amy}},
		{"email exact any case", q(term("email", "AMY.Moore@Example.com")), []int64{amy}},
		{"email wildcard", q(wild("email", "*@example.com")), []int64{top, amy}},
		{"email domain words", q(term("email", "example.com")), []int64{top, amy}},
		{"bare domain word", q(term("", "example")), []int64{top, amy, elan}},
		{"accents folded", q(term("", "elan")), []int64{elan}},
		{"accents in the query", q(term("", "ÉLAN")), []int64{elan}},
		{"external id exact", q(term("external_id", "ext-1")), []int64{top}},
		{"external id prefix", q(wild("external_id", "crm*")), []int64{amy}},
		{"external id suffix", q(wild("external_id", "*42")), []int64{amy}},
		{"phone", q(term("phone", "+15551230001")), []int64{top}},
		{"phone prefix", q(wild("phone", "+1555*")), []int64{top}},
		{"phone inside", q(wild("phone", "*230001")), []int64{top}},
		{"bare phone digits", q(term("", "15551230001")), []int64{top}},
		{"created after", q(when("created", directory.OpGT, epoch.Add(day))), []int64{topper, amy, elan}},
		{"created before", q(when("created", directory.OpLT, epoch.Add(day))), []int64{top}},
		{"created on a day", q(when("created", directory.OpEq, epoch.Add(2*day).Truncate(day))), []int64{topper}},
		{"created at or before", q(when("created", directory.OpLE, epoch.Add(2*day))), []int64{top, topper}},
		{"updated since", q(when("updated", directory.OpGE, epoch.Add(4*day))), []int64{amy, elan}},
		{"user by name", q(phrase("user", "amy moore")), []int64{amy}},
		{"user by email", q(term("user", "amy.moore@example.com")), []int64{amy}},
		{"nothing", q(term("", "zzzz")), []int64{}},
		{"punctuation only", q(term("", "...")), []int64{}},
		{"type user", directory.UserQuery{Types: []string{"user"}, Terms: []directory.Term{term("", "top")}}, []int64{top, topper}},
		{"type ticket", directory.UserQuery{Types: []string{"ticket"}, Terms: []directory.Term{term("", "top")}}, []int64{}},
		{"order by name descending", directory.UserQuery{Terms: []directory.Term{term("role", "end-user")}, OrderBy: "name", Descending: true}, []int64{elan, top, amy}},
		{"order by created", directory.UserQuery{OrderBy: "created_at"}, []int64{top, topper, amy, elan}},
		{"id order descending", directory.UserQuery{Descending: true}, []int64{elan, amy, topper, top}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, f.search(t, c.query)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	if got := f.search(t, q(term("user", itoa(amy)))); len(got) != 1 || got[0] != amy {
		t.Errorf("user:<id> = %v", got)
	}

	ctx := context.Background()
	for _, bad := range []directory.UserQuery{q(wild("name", "*mith"))} {
		_, err := s.SearchUsers(ctx, f.realm.ID, bad, directory.SearchPage{Limit: 10})
		wantKind(t, err, directory.KindBadRequest)
	}
	// A field that is no keyword is a custom field key (the Service checks
	// that the realm has it): nobody holds a value for this one.
	if got := f.search(t, q(term("favorite_color", "x"))); len(got) != 0 {
		t.Errorf("favorite_color:x = %v, want nobody", got)
	}

	// The other realm sees only its own namesake.
	users, err := s.SearchUsers(ctx, f.other.ID, q(term("", "top")), directory.SearchPage{Limit: 10})
	if err != nil || len(users) != 1 || users[0].ID != f.beta.ID {
		t.Errorf("beta's search for top = %v, %v", ids(users), err)
	}

	// Pages: offset and export (after an id).
	page, _ := s.SearchUsers(ctx, f.realm.ID, q(), directory.SearchPage{Limit: 2, Offset: 1})
	if diff := cmp.Diff([]int64{topper, amy}, ids(page)); diff != "" {
		t.Errorf("offset page (-want +got):\n%s", diff)
	}
	page, _ = s.SearchUsers(ctx, f.realm.ID, q(term("", "top")), directory.SearchPage{Limit: 5, AfterID: top})
	if diff := cmp.Diff([]int64{topper}, ids(page)); diff != "" {
		t.Errorf("export page (-want +got):\n%s", diff)
	}

	// A write is searchable the moment it returns.
	f.amy.Name, f.amy.Tags = "Zed Quinn", []string{"vip"}
	if err := s.UpdateUser(ctx, f.realm.ID, f.amy, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	if got := f.search(t, q(term("", "zed"))); len(got) != 1 || got[0] != amy {
		t.Errorf("renamed user not found by its new name: %v", got)
	}
	if got := f.search(t, q(term("name", "amy"))); len(got) != 0 {
		t.Errorf("renamed user still found by its old name: %v", got)
	}
	if diff := cmp.Diff([]int64{top, amy}, f.search(t, q(term("tags", "vip")))); diff != "" {
		t.Errorf("tags after update (-want +got):\n%s", diff)
	}
	// A deleted user leaves its tags' searches and counts (f.search
	// compares the count with the page), and a tag nobody has any more
	// counts zero.
	f.amy.Tags = []string{"vip", "only_amy"}
	if err := s.UpdateUser(ctx, f.realm.ID, f.amy, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{amy}, f.search(t, q(term("tags", "only_amy")))); diff != "" {
		t.Errorf("a new tag (-want +got):\n%s", diff)
	}
	f.amy.DeletedAt = epoch.Add(9 * day)
	if err := s.UpdateUser(ctx, f.realm.ID, f.amy, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{top}, f.search(t, q(term("tags", "vip")))); diff != "" {
		t.Errorf("tags after a deletion (-want +got):\n%s", diff)
	}
	if got := f.search(t, q(term("tags", "only_amy"))); len(got) != 0 {
		t.Errorf("a deleted user's tag finds %v", got)
	}
}

// testSearchByMembership checks organization: and group: terms: members
// of the organizations or groups whose name matches (word prefixes,
// phrases, accents and case folded) or whose id is the value,
// organization:none, negation and counts, with a second realm whose
// namesakes and ids stay invisible, and names searchable the moment a
// write returns.
func testSearchByMembership(t *testing.T, s directory.Store) {
	ctx := context.Background()
	f := newSearchFixture(t, s)
	acme := createOrg(t, s, f.realm.ID, newOrganization("Acme Corporation"))
	globex := createOrg(t, s, f.realm.ID, newOrganization("Globex Élan"))
	initech := createOrg(t, s, f.realm.ID, newOrganization("Initech"))
	betaAcme := createOrg(t, s, f.other.ID, newOrganization("Acme Beta"))
	join(t, s, f.realm.ID, f.top.ID, acme.ID, true)
	join(t, s, f.realm.ID, f.amy.ID, acme.ID, true)
	join(t, s, f.realm.ID, f.amy.ID, globex.ID, false)
	join(t, s, f.realm.ID, f.topper.ID, globex.ID, true)
	join(t, s, f.realm.ID, f.gone.ID, acme.ID, true) // deleted: never found
	join(t, s, f.other.ID, f.beta.ID, betaAcme.ID, true)

	tier := createGroup(t, s, f.realm.ID, newGroup("Tier Two Support"))
	old := createGroup(t, s, f.realm.ID, newGroup("Old Team"))
	betaTier := createGroup(t, s, f.other.ID, newGroup("Tier Two"))
	joinGroup(t, s, f.realm.ID, f.topper, tier, true)
	joinGroup(t, s, f.realm.ID, f.topper, old, false)
	joinGroup(t, s, f.other.ID, f.beta, betaTier, true)
	old.DeletedAt = epoch.Add(time.Hour)
	if err := s.UpdateGroup(ctx, f.realm.ID, old); err != nil {
		t.Fatal(err)
	}

	top, topper, amy, elan := f.top.ID, f.topper.ID, f.amy.ID, f.elan.ID
	cases := []struct {
		name  string
		query directory.UserQuery
		want  []int64
	}{
		{"organization word", q(term("organization", "acme")), []int64{top, amy}},
		{"organization any case", q(term("organization", "ACME")), []int64{top, amy}},
		{"organization word prefix", q(term("organization", "corp")), []int64{top, amy}},
		{"organization not infix", q(term("organization", "poration")), []int64{}},
		{"organization wildcard prefix", q(wild("organization", "glob*")), []int64{topper, amy}},
		{"organization accents folded", q(term("organization", "elan")), []int64{topper, amy}},
		{"organization phrase", q(phrase("organization", "Acme Corporation")), []int64{top, amy}},
		{"organization phrase keeps order", q(phrase("organization", "corporation acme")), []int64{}},
		{"organization by id", q(term("organization", itoa(globex.ID))), []int64{topper, amy}},
		{"organization id of the other realm", q(term("organization", itoa(betaAcme.ID))), []int64{}},
		{"organization without members", q(term("organization", "initech")), []int64{}},
		{"organization unknown", q(term("organization", "umbrella")), []int64{}},
		{"organization punctuation only", q(phrase("organization", "...")), []int64{}},
		{"two organizations", q(term("organization", "acme"), term("organization", "globex")), []int64{amy}},
		{"not in an organization", q(not(term("organization", "acme"))), []int64{topper, elan}},
		{"organization none", q(term("organization", "none")), []int64{elan}},
		{"organization NONE", q(term("organization", "NONE")), []int64{elan}},
		{"in some organization", q(not(term("organization", "none"))), []int64{top, topper, amy}},
		{"quoted none is a name", q(phrase("organization", "none")), []int64{}},
		{"organization and a word", q(term("organization", "acme"), term("", "top")), []int64{top}},
		{"organization and a tag", q(term("organization", "acme"), term("tags", "vip")), []int64{top}},
		{"organization and a role", q(term("organization", "globex"), term("role", "agent")), []int64{topper}},
		{"group word", q(term("group", "tier")), []int64{topper}},
		{"group phrase", q(phrase("group", "two support")), []int64{topper}},
		{"group by id", q(term("group", itoa(tier.ID))), []int64{topper}},
		{"group id of the other realm", q(term("group", itoa(betaTier.ID))), []int64{}},
		{"deleted group", q(term("group", "old")), []int64{}},
		{"not in a group", q(not(term("group", "tier"))), []int64{top, amy, elan}},
		{"group and organization", q(term("group", "support"), term("organization", "globex")), []int64{topper}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, f.search(t, c.query)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}

	// The other realm finds its own members only.
	users, err := s.SearchUsers(ctx, f.other.ID, q(term("organization", "acme")), directory.SearchPage{Limit: 10})
	if err != nil || len(users) != 1 || users[0].ID != f.beta.ID {
		t.Errorf("beta's organization:acme = %v, %v", ids(users), err)
	}
	n, err := s.CountSearchUsers(ctx, f.other.ID, q(term("group", "tier")))
	if err != nil || n != 1 {
		t.Errorf("beta's count of group:tier = %d, %v", n, err)
	}

	// Pages of members, by offset and after an id.
	page, _ := s.SearchUsers(ctx, f.realm.ID, q(not(term("organization", "none"))), directory.SearchPage{Limit: 1, Offset: 1})
	if diff := cmp.Diff([]int64{topper}, ids(page)); diff != "" {
		t.Errorf("offset page (-want +got):\n%s", diff)
	}
	page, _ = s.SearchUsers(ctx, f.realm.ID, q(term("organization", "acme")), directory.SearchPage{Limit: 5, AfterID: top})
	if diff := cmp.Diff([]int64{amy}, ids(page)); diff != "" {
		t.Errorf("export page (-want +got):\n%s", diff)
	}

	// Renames, deletions and membership changes show at once.
	initech.Name = "Initrode Holdings"
	if err := s.UpdateOrganization(ctx, f.realm.ID, initech); err != nil {
		t.Fatal(err)
	}
	join(t, s, f.realm.ID, f.elan.ID, initech.ID, true)
	if diff := cmp.Diff([]int64{elan}, f.search(t, q(term("organization", "initrode")))); diff != "" {
		t.Errorf("renamed organization (-want +got):\n%s", diff)
	}
	if got := f.search(t, q(term("organization", "initech"))); len(got) != 0 {
		t.Errorf("organization found by its old name: %v", got)
	}
	if got := f.search(t, q(term("organization", "none"))); len(got) != 0 {
		t.Errorf("organization:none after elan joined = %v", got)
	}
	if err := s.DeleteOrganization(ctx, f.realm.ID, acme.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.search(t, q(term("organization", "acme"))); len(got) != 0 {
		t.Errorf("deleted organization still finds %v", got)
	}
	if diff := cmp.Diff([]int64{top}, f.search(t, q(term("organization", "none")))); diff != "" {
		t.Errorf("organization:none after the deletion (-want +got):\n%s", diff)
	}
	tier.Name = "Escalations"
	if err := s.UpdateGroup(ctx, f.realm.ID, tier); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{topper}, f.search(t, q(term("group", "escalations")))); diff != "" {
		t.Errorf("renamed group (-want +got):\n%s", diff)
	}
	if got := f.search(t, q(term("group", "tier"))); len(got) != 0 {
		t.Errorf("group found by its old name: %v", got)
	}
}

func testAutocomplete(t *testing.T, s directory.Store) {
	f := newSearchFixture(t, s)
	ctx := context.Background()
	// Names written after the fixture: spaces, accents and capitals that
	// the name key folds, and a name a word-prefix search would find by
	// its second word.
	mk := func(name string) int64 {
		return create(t, s, f.realm.ID, newUser(name)).ID
	}
	annLee, anna, obrien, smithy := mk("  ANN   Lee "), mk("Anna Ek"), mk("O'Brien Öst"), mk("Smithy Top")
	cases := []struct {
		typed string
		want  []int64
	}{
		{"to", []int64{f.top.ID, f.topper.ID}}, // by name: "top ten" < "topper smith"; not "Smithy Top", not "Top Deleted"
		{"TOPP", []int64{f.topper.ID}},
		{"top t", []int64{f.top.ID}},
		{"top  TEN", []int64{f.top.ID}},
		{"mo", []int64{}}, // Amy Moore's name does not start with it
		{"smith", []int64{smithy}},
		{"el", []int64{f.elan.ID}},
		{"Él", []int64{f.elan.ID}},
		{"élan v", []int64{f.elan.ID}},
		{"ann", []int64{annLee, anna}},
		{"ann ", []int64{annLee}},
		{"o'b", []int64{obrien}},
		{"o'brien ost", []int64{obrien}},
		{"a", []int64{f.amy.ID, annLee, anna}},
		{"zz", []int64{}},
	}
	for _, c := range cases {
		users, err := s.AutocompleteUsers(ctx, f.realm.ID, directory.NamePrefix(c.typed), 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.want, ids(users)); diff != "" {
			t.Errorf("autocomplete %q (-want +got):\n%s", c.typed, diff)
		}
	}
	users, _ := s.AutocompleteUsers(ctx, f.realm.ID, "to", 1)
	if len(users) != 1 || users[0].ID != f.top.ID {
		t.Errorf("limit 1 gave %v", ids(users))
	}
	// A renamed user is found by its new name only, from the same write.
	f.topper.Name = "Zed Topper"
	if err := s.UpdateUser(ctx, f.realm.ID, f.topper, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	for typed, want := range map[string][]int64{"topp": {}, "zed": {f.topper.ID}} {
		users, _ := s.AutocompleteUsers(ctx, f.realm.ID, typed, 10)
		if diff := cmp.Diff(want, ids(users)); diff != "" {
			t.Errorf("after the rename, autocomplete %q (-want +got):\n%s", typed, diff)
		}
	}
	// The second realm sees its own Top only, and the first realm's
	// users never appear there.
	users, _ = s.AutocompleteUsers(ctx, f.other.ID, "to", 10)
	if len(users) != 1 || users[0].ID != f.beta.ID {
		t.Errorf("beta autocomplete = %v", ids(users))
	}
}

func itoa(n int64) string { return fmtInt(n) }
