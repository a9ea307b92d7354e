package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// RunOrganizations runs the contract of the OrganizationStore methods and
// of organization_id on user writes against stores made by open:
// organizations and memberships stay in their realm, names and external
// ids are unique case-insensitively, counters follow every write, and a
// user's organization_id always names its one default membership.
func RunOrganizations(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"CreateAndRead", testOrganizationCreateAndRead},
		{"Uniqueness", testOrganizationUniqueness},
		{"List", testOrganizationList},
		{"Memberships", testMemberships},
		{"DeleteOrganization", testDeleteOrganization},
		{"UserOrganizationID", testUserOrganizationID},
		{"RealmIsolation", testOrganizationRealmIsolation},
		{"ImportUsers", testImportOrganizations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func newOrganization(name string) *directory.Organization {
	o := directory.NewOrganization(0, epoch)
	o.Name = name
	return o
}

func createOrg(t *testing.T, s directory.Store, realmID int64, o *directory.Organization) *directory.Organization {
	t.Helper()
	if err := s.CreateOrganization(context.Background(), realmID, o); err != nil {
		t.Fatalf("CreateOrganization(%s): %v", o.Name, err)
	}
	return o
}

func join(t *testing.T, s directory.Store, realmID, userID, orgID int64, isDefault bool) *directory.Membership {
	t.Helper()
	m := &directory.Membership{UserID: userID, OrganizationID: orgID, Default: isDefault, CreatedAt: epoch, UpdatedAt: epoch}
	if err := s.CreateMembership(context.Background(), realmID, m); err != nil {
		t.Fatalf("CreateMembership(user %d, org %d): %v", userID, orgID, err)
	}
	return m
}

func orgIDs(orgs []directory.Organization) []int64 {
	out := make([]int64, len(orgs))
	for i, o := range orgs {
		out[i] = o.ID
	}
	return out
}

// userOrg reads the stored organization_id of a user.
func userOrg(t *testing.T, s directory.Store, realmID, userID int64) int64 {
	t.Helper()
	u, err := s.UserByID(context.Background(), realmID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return u.OrganizationID
}

// memberships lists a user's memberships as (organization, default) pairs,
// in the store's order.
func memberships(t *testing.T, s directory.Store, realmID, userID int64) [][2]int64 {
	t.Helper()
	ms, err := s.ListMemberships(context.Background(), realmID, directory.MembershipFilter{UserID: userID}, directory.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := [][2]int64{}
	for _, m := range ms {
		d := int64(0)
		if m.Default {
			d = 1
		}
		out = append(out, [2]int64{m.OrganizationID, d})
	}
	return out
}

func orgUsers(t *testing.T, s directory.Store, realmID, orgID, want int64) {
	t.Helper()
	n, err := s.CountOrganizationUsers(context.Background(), realmID, orgID, nil)
	if err != nil || n != want {
		t.Errorf("CountOrganizationUsers(%d) = %d, %v; want %d", orgID, n, err, want)
	}
}

func testOrganizationCreateAndRead(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	o := newOrganization("Acme Ltd")
	o.ExternalID, o.Details, o.Notes = "ORG-1", "HQ", "pays late"
	o.SharedTickets, o.SharedComments = true, true
	o.DomainNames, o.Tags = []string{"acme.test", "acme.example"}, []string{"enterprise"}
	o.Fields = map[string]any{"tier": "gold", "seats": 5.5}
	createOrg(t, s, r.ID, o)
	if o.ID == 0 || o.RealmID != r.ID {
		t.Fatalf("CreateOrganization set ID=%d RealmID=%d", o.ID, o.RealmID)
	}
	got, err := s.OrganizationByID(ctx, r.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o, got); diff != "" {
		t.Errorf("OrganizationByID (-want +got):\n%s", diff)
	}
	if got, err := s.OrganizationByExternalID(ctx, r.ID, "org-1"); err != nil || got.ID != o.ID {
		t.Errorf("OrganizationByExternalID(org-1) = %v, %v", got, err)
	}
	if got, err := s.OrganizationByName(ctx, r.ID, "ACME LTD"); err != nil || got.ID != o.ID {
		t.Errorf("OrganizationByName(ACME LTD) = %v, %v", got, err)
	}
	bare := createOrg(t, s, r.ID, newOrganization("Bare"))
	if got, err := s.OrganizationByID(ctx, r.ID, bare.ID); err != nil || !cmp.Equal(bare, got) {
		t.Errorf("bare organization = %+v, %v", got, err)
	}

	upd := *bare
	upd.Name, upd.ExternalID, upd.Tags, upd.UpdatedAt = "Bare Renamed", "X-9", []string{"t"}, epoch.Add(time.Hour)
	if err := s.UpdateOrganization(ctx, r.ID, &upd); err != nil {
		t.Fatal(err)
	}
	if got, err := s.OrganizationByID(ctx, r.ID, bare.ID); err != nil || !cmp.Equal(&upd, got) {
		t.Errorf("updated organization = %+v, %v", got, err)
	}
	missing := upd
	missing.ID += 1000
	wantKind(t, s.UpdateOrganization(ctx, r.ID, &missing), directory.KindNotFound)
	_, err = s.OrganizationByID(ctx, r.ID, o.ID+1000)
	wantKind(t, err, directory.KindNotFound)

	if n, err := s.CountOrganizations(ctx, r.ID, directory.OrganizationFilter{}); err != nil || n != 2 {
		t.Errorf("CountOrganizations = %d, %v; want 2", n, err)
	}
	if err := s.DeleteOrganization(ctx, r.ID, bare.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.DeleteOrganization(ctx, r.ID, bare.ID), directory.KindNotFound)
	if n, err := s.CountOrganizations(ctx, r.ID, directory.OrganizationFilter{}); err != nil || n != 1 {
		t.Errorf("CountOrganizations after delete = %d, %v; want 1", n, err)
	}
}

func testOrganizationUniqueness(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "acme"), realm(t, s, "beta")
	o := newOrganization("Acme")
	o.ExternalID = "Ext-1"
	createOrg(t, s, a.ID, o)
	dupName := newOrganization("ACME")
	wantDuplicate(t, s.CreateOrganization(ctx, a.ID, dupName), "name")
	dupExt := newOrganization("Other")
	dupExt.ExternalID = "EXT-1"
	wantDuplicate(t, s.CreateOrganization(ctx, a.ID, dupExt), "external_id")
	// Another realm may use both.
	same := newOrganization("Acme")
	same.ExternalID = "ext-1"
	createOrg(t, s, b.ID, same)
	// Refused writes counted nothing.
	if n, _ := s.CountOrganizations(ctx, a.ID, directory.OrganizationFilter{}); n != 1 {
		t.Errorf("acme organizations = %d, want 1", n)
	}
	// A membership is unique per user and organization.
	u := create(t, s, a.ID, newUser("Ann"))
	join(t, s, a.ID, u.ID, o.ID, false)
	err := s.CreateMembership(ctx, a.ID, &directory.Membership{UserID: u.ID, OrganizationID: o.ID, CreatedAt: epoch, UpdatedAt: epoch})
	wantDuplicate(t, err, "user_id")
	orgUsers(t, s, a.ID, o.ID, 1)
	// A membership of an organization of another realm is refused.
	err = s.CreateMembership(ctx, a.ID, &directory.Membership{UserID: u.ID, OrganizationID: same.ID, CreatedAt: epoch, UpdatedAt: epoch})
	wantKind(t, err, directory.KindInvalid)
}

func testOrganizationList(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	var all []int64
	for _, name := range []string{"beta corp", "Alpha", "alphabet", "Ålborg", "gamma"} {
		all = append(all, createOrg(t, s, r.ID, newOrganization(name)).ID)
	}
	list := func(f directory.OrganizationFilter, p directory.Page) []int64 {
		t.Helper()
		orgs, err := s.ListOrganizations(ctx, r.ID, f, p)
		if err != nil {
			t.Fatal(err)
		}
		return orgIDs(orgs)
	}
	if diff := cmp.Diff(all, list(directory.OrganizationFilter{}, directory.Page{Limit: 10})); diff != "" {
		t.Errorf("all (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(all[2:4], list(directory.OrganizationFilter{}, directory.Page{Limit: 2, AfterID: all[1]})); diff != "" {
		t.Errorf("after (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(all[1:3], list(directory.OrganizationFilter{}, directory.Page{Limit: 2, BeforeID: all[3]})); diff != "" {
		t.Errorf("before (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{all[4], all[3]}, list(directory.OrganizationFilter{}, directory.Page{Limit: 2, Descending: true})); diff != "" {
		t.Errorf("descending (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(all[3:], list(directory.OrganizationFilter{}, directory.Page{Limit: 5, Offset: 3})); diff != "" {
		t.Errorf("offset (-want +got):\n%s", diff)
	}
	// Prefixes: case-insensitive, by name, Unicode folded.
	if diff := cmp.Diff([]int64{all[1], all[2]}, list(directory.OrganizationFilter{NamePrefix: "ALP"}, directory.Page{Limit: 10})); diff != "" {
		t.Errorf("prefix ALP (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{all[2]}, list(directory.OrganizationFilter{NamePrefix: "alp"}, directory.Page{Limit: 1, Offset: 1})); diff != "" {
		t.Errorf("prefix alp page 2 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{all[3]}, list(directory.OrganizationFilter{NamePrefix: "åL"}, directory.Page{Limit: 10})); diff != "" {
		t.Errorf("prefix åL (-want +got):\n%s", diff)
	}
	if got := list(directory.OrganizationFilter{NamePrefix: "z"}, directory.Page{Limit: 10}); len(got) != 0 {
		t.Errorf("prefix z = %v", got)
	}
	if n, err := s.CountOrganizations(ctx, r.ID, directory.OrganizationFilter{NamePrefix: "a"}); err != nil || n != 2 {
		t.Errorf("count prefix a = %d, %v", n, err)
	}
	if diff := cmp.Diff([]int64{all[0]}, list(directory.OrganizationFilter{Name: "BETA CORP"}, directory.Page{Limit: 10})); diff != "" {
		t.Errorf("name (-want +got):\n%s", diff)
	}
	// By user.
	u := create(t, s, r.ID, newUser("Ann"))
	join(t, s, r.ID, u.ID, all[4], false)
	join(t, s, r.ID, u.ID, all[0], false)
	if diff := cmp.Diff([]int64{all[0], all[4]}, list(directory.OrganizationFilter{UserID: u.ID}, directory.Page{Limit: 10})); diff != "" {
		t.Errorf("by user (-want +got):\n%s", diff)
	}
	got, err := s.OrganizationsByIDs(ctx, r.ID, []int64{all[3], all[0], 999999})
	if err != nil || !cmp.Equal([]int64{all[0], all[3]}, orgIDs(got)) {
		t.Errorf("OrganizationsByIDs = %v, %v", orgIDs(got), err)
	}
}

func testMemberships(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	zeta := createOrg(t, s, r.ID, newOrganization("Zeta"))
	alpha := createOrg(t, s, r.ID, newOrganization("alpha"))
	mid := createOrg(t, s, r.ID, newOrganization("Mid"))
	ann := create(t, s, r.ID, newUser("Ann"))
	bob := create(t, s, r.ID, newUser("Bob"))

	// The first membership becomes the default, whatever was asked.
	m1 := join(t, s, r.ID, ann.ID, zeta.ID, false)
	if !m1.Default || m1.ID == 0 || m1.RealmID != r.ID {
		t.Errorf("first membership = %+v, want the default", m1)
	}
	m2 := join(t, s, r.ID, ann.ID, alpha.ID, false)
	m3 := join(t, s, r.ID, ann.ID, mid.ID, false)
	if m2.Default || m3.Default {
		t.Errorf("later memberships are default: %+v %+v", m2, m3)
	}
	if got := userOrg(t, s, r.ID, ann.ID); got != zeta.ID {
		t.Errorf("organization_id = %d, want zeta %d", got, zeta.ID)
	}
	// A user's memberships: the default first, then by name.
	if diff := cmp.Diff([][2]int64{{zeta.ID, 1}, {alpha.ID, 0}, {mid.ID, 0}}, memberships(t, s, r.ID, ann.ID)); diff != "" {
		t.Errorf("memberships (-want +got):\n%s", diff)
	}
	got, err := s.MembershipByID(ctx, r.ID, m2.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := &directory.Membership{ID: m2.ID, RealmID: r.ID, UserID: ann.ID, OrganizationID: alpha.ID, OrganizationName: "alpha",
		CreatedAt: epoch, UpdatedAt: epoch}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MembershipByID (-want +got):\n%s", diff)
	}
	if got, err := s.MembershipOf(ctx, r.ID, ann.ID, mid.ID); err != nil || got.ID != m3.ID {
		t.Errorf("MembershipOf = %v, %v", got, err)
	}
	_, err = s.MembershipOf(ctx, r.ID, bob.ID, mid.ID)
	wantKind(t, err, directory.KindNotFound)

	// Asking for the default takes it over.
	join(t, s, r.ID, bob.ID, alpha.ID, false)
	b2 := join(t, s, r.ID, bob.ID, mid.ID, true)
	if !b2.Default || userOrg(t, s, r.ID, bob.ID) != mid.ID {
		t.Errorf("default membership %+v, organization_id %d", b2, userOrg(t, s, r.ID, bob.ID))
	}
	if diff := cmp.Diff([][2]int64{{mid.ID, 1}, {alpha.ID, 0}}, memberships(t, s, r.ID, bob.ID)); diff != "" {
		t.Errorf("bob's memberships (-want +got):\n%s", diff)
	}
	orgUsers(t, s, r.ID, alpha.ID, 2)
	orgUsers(t, s, r.ID, zeta.ID, 1)

	// Make default, then delete the default: the oldest other takes over.
	if err := s.MakeDefaultMembership(ctx, r.ID, m3.ID, epoch); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]int64{{mid.ID, 1}, {alpha.ID, 0}, {zeta.ID, 0}}, memberships(t, s, r.ID, ann.ID)); diff != "" {
		t.Errorf("after make default (-want +got):\n%s", diff)
	}
	if got := userOrg(t, s, r.ID, ann.ID); got != mid.ID {
		t.Errorf("organization_id = %d, want mid %d", got, mid.ID)
	}
	if err := s.DeleteMembership(ctx, r.ID, m3.ID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]int64{{zeta.ID, 1}, {alpha.ID, 0}}, memberships(t, s, r.ID, ann.ID)); diff != "" {
		t.Errorf("after deleting the default (-want +got):\n%s", diff)
	}
	if got := userOrg(t, s, r.ID, ann.ID); got != zeta.ID {
		t.Errorf("organization_id = %d, want zeta %d", got, zeta.ID)
	}
	wantKind(t, s.DeleteMembership(ctx, r.ID, m3.ID), directory.KindNotFound)
	wantKind(t, s.MakeDefaultMembership(ctx, r.ID, m3.ID, epoch), directory.KindNotFound)
	orgUsers(t, s, r.ID, mid.ID, 1)
	// Deleting the last membership clears organization_id.
	for _, m := range []*directory.Membership{m1, m2} {
		if err := s.DeleteMembership(ctx, r.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := userOrg(t, s, r.ID, ann.ID); got != 0 {
		t.Errorf("organization_id with no membership = %d", got)
	}

	// Lists and counts by organization and for the realm.
	all, err := s.ListMemberships(ctx, r.ID, directory.MembershipFilter{}, directory.Page{Limit: 10})
	if err != nil || len(all) != 2 || all[0].ID > all[1].ID {
		t.Errorf("all memberships = %+v, %v", all, err)
	}
	byOrg, err := s.ListMemberships(ctx, r.ID, directory.MembershipFilter{OrganizationID: alpha.ID}, directory.Page{Limit: 10})
	if err != nil || len(byOrg) != 1 || byOrg[0].UserID != bob.ID {
		t.Errorf("alpha's memberships = %+v, %v", byOrg, err)
	}
	if n, err := s.CountMemberships(ctx, r.ID, directory.MembershipFilter{UserID: bob.ID}); err != nil || n != 2 {
		t.Errorf("CountMemberships(bob) = %d, %v", n, err)
	}
	users, err := s.OrganizationUsers(ctx, r.ID, mid.ID, nil, directory.Page{Limit: 10})
	if err != nil || !cmp.Equal([]int64{bob.ID}, ids(users)) {
		t.Errorf("OrganizationUsers(mid) = %v, %v", ids(users), err)
	}
	users, err = s.OrganizationUsers(ctx, r.ID, mid.ID, []directory.Role{directory.RoleAgent}, directory.Page{Limit: 10})
	if err != nil || len(users) != 0 {
		t.Errorf("OrganizationUsers(mid, agents) = %v, %v", ids(users), err)
	}
	for _, c := range []struct {
		roles []directory.Role
		want  int64
	}{{[]directory.Role{directory.RoleAgent}, 0}, {[]directory.Role{directory.RoleAgent, directory.RoleEndUser}, 1}} {
		if n, err := s.CountOrganizationUsers(ctx, r.ID, mid.ID, c.roles); err != nil || n != c.want {
			t.Errorf("CountOrganizationUsers(mid, %v) = %d, %v; want %d", c.roles, n, err, c.want)
		}
	}
}

func testDeleteOrganization(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	gone := createOrg(t, s, r.ID, newOrganization("Gone"))
	stays := createOrg(t, s, r.ID, newOrganization("Stays"))
	ann := create(t, s, r.ID, newUser("Ann")) // gone is her default, stays another
	bob := create(t, s, r.ID, newUser("Bob")) // only in gone
	cid := create(t, s, r.ID, newUser("Cid")) // stays is her default
	join(t, s, r.ID, ann.ID, gone.ID, true)
	join(t, s, r.ID, ann.ID, stays.ID, false)
	join(t, s, r.ID, bob.ID, gone.ID, true)
	join(t, s, r.ID, cid.ID, stays.ID, true)
	join(t, s, r.ID, cid.ID, gone.ID, false)
	if err := s.DeleteOrganization(ctx, r.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		user *directory.User
		org  int64
		ms   [][2]int64
	}{{ann, stays.ID, [][2]int64{{stays.ID, 1}}}, {bob, 0, [][2]int64{}}, {cid, stays.ID, [][2]int64{{stays.ID, 1}}}} {
		if got := userOrg(t, s, r.ID, c.user.ID); got != c.org {
			t.Errorf("%s: organization_id = %d, want %d", c.user.Name, got, c.org)
		}
		if diff := cmp.Diff(c.ms, memberships(t, s, r.ID, c.user.ID)); diff != "" {
			t.Errorf("%s: memberships (-want +got):\n%s", c.user.Name, diff)
		}
	}
	orgUsers(t, s, r.ID, stays.ID, 2)
	_, err := s.CountOrganizationUsers(ctx, r.ID, gone.ID, nil)
	wantKind(t, err, directory.KindNotFound)
}

func testUserOrganizationID(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	one := createOrg(t, s, r.ID, newOrganization("One"))
	two := createOrg(t, s, r.ID, newOrganization("Two"))
	// Creating a user with an organization gives it that membership.
	u := newUser("Ann")
	u.OrganizationID = one.ID
	create(t, s, r.ID, u)
	if diff := cmp.Diff([][2]int64{{one.ID, 1}}, memberships(t, s, r.ID, u.ID)); diff != "" {
		t.Errorf("after create (-want +got):\n%s", diff)
	}
	join(t, s, r.ID, u.ID, two.ID, false)
	// An update without an organization change keeps memberships and
	// organization_id, even from a stale read.
	stale := *u
	stale.OrganizationID, stale.Name = 0, "Ann B"
	if err := s.UpdateUser(ctx, r.ID, &stale, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	if got := userOrg(t, s, r.ID, u.ID); got != one.ID {
		t.Errorf("organization_id after an update without change = %d, want %d", got, one.ID)
	}
	// Setting it makes that organization the only one.
	org := two.ID
	if err := s.UpdateUser(ctx, r.ID, &stale, directory.IdentityChange{Organization: &org}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]int64{{two.ID, 1}}, memberships(t, s, r.ID, u.ID)); diff != "" {
		t.Errorf("after setting two (-want +got):\n%s", diff)
	}
	if got := userOrg(t, s, r.ID, u.ID); got != two.ID {
		t.Errorf("organization_id = %d, want %d", got, two.ID)
	}
	orgUsers(t, s, r.ID, one.ID, 0)
	orgUsers(t, s, r.ID, two.ID, 1)
	// Zero removes every membership.
	org = 0
	if err := s.UpdateUser(ctx, r.ID, &stale, directory.IdentityChange{Organization: &org}); err != nil {
		t.Fatal(err)
	}
	if got := memberships(t, s, r.ID, u.ID); len(got) != 0 || userOrg(t, s, r.ID, u.ID) != 0 {
		t.Errorf("after clearing: memberships %v, organization_id %d", got, userOrg(t, s, r.ID, u.ID))
	}
	orgUsers(t, s, r.ID, two.ID, 0)
	// An organization that does not exist refuses the whole write.
	bad := newUser("Bad")
	bad.OrganizationID = two.ID + 1000
	wantKind(t, s.CreateUser(ctx, r.ID, bad, nil), directory.KindInvalid)
	if n, _ := s.CountUsers(ctx, r.ID, directory.UserFilter{}); n != 1 {
		t.Errorf("users after the refused create = %d, want 1", n)
	}
}

func testOrganizationRealmIsolation(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "acme"), realm(t, s, "beta")
	o := newOrganization("Acme")
	o.ExternalID = "x"
	createOrg(t, s, a.ID, o)
	u := create(t, s, a.ID, newUser("Ann"))
	m := join(t, s, a.ID, u.ID, o.ID, false)
	createOrg(t, s, b.ID, newOrganization("Other"))

	_, err := s.OrganizationByID(ctx, b.ID, o.ID)
	wantKind(t, err, directory.KindNotFound)
	_, err = s.OrganizationByExternalID(ctx, b.ID, "x")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.OrganizationByName(ctx, b.ID, "acme")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.MembershipByID(ctx, b.ID, m.ID)
	wantKind(t, err, directory.KindNotFound)
	_, err = s.CountOrganizationUsers(ctx, b.ID, o.ID, nil)
	wantKind(t, err, directory.KindNotFound)
	wantKind(t, s.DeleteMembership(ctx, b.ID, m.ID), directory.KindNotFound)
	wantKind(t, s.MakeDefaultMembership(ctx, b.ID, m.ID, epoch), directory.KindNotFound)
	wantKind(t, s.DeleteOrganization(ctx, b.ID, o.ID), directory.KindNotFound)
	foreign := *o
	foreign.Name = "Stolen"
	wantKind(t, s.UpdateOrganization(ctx, b.ID, &foreign), directory.KindNotFound)
	if got, err := s.OrganizationsByIDs(ctx, b.ID, []int64{o.ID}); err != nil || len(got) != 0 {
		t.Errorf("OrganizationsByIDs from beta = %v, %v", got, err)
	}
	if got, err := s.ListMemberships(ctx, b.ID, directory.MembershipFilter{}, directory.Page{Limit: 10}); err != nil || len(got) != 0 {
		t.Errorf("ListMemberships from beta = %v, %v", got, err)
	}
	if got, err := s.OrganizationUsers(ctx, b.ID, o.ID, nil, directory.Page{Limit: 10}); err != nil || len(got) != 0 {
		t.Errorf("OrganizationUsers from beta = %v, %v", got, err)
	}
	for _, realmID := range []int64{a.ID, b.ID} {
		if n, err := s.CountOrganizations(ctx, realmID, directory.OrganizationFilter{}); err != nil || n != 1 {
			t.Errorf("CountOrganizations(%d) = %d, %v", realmID, n, err)
		}
	}
	// Everything of acme is intact.
	if got, err := s.OrganizationByID(ctx, a.ID, o.ID); err != nil || got.Name != "Acme" {
		t.Errorf("acme's organization = %v, %v", got, err)
	}
	orgUsers(t, s, a.ID, o.ID, 1)
}

// testImportOrganizations checks ImportUsers' organization writes: a new
// user's OrganizationID and an existing user's Change.Organization become
// the only, default membership, counted; an organization of another realm
// fails the whole batch; MembershipCounts counts a realm's memberships.
func testImportOrganizations(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r, b := realm(t, s, "acme"), realm(t, s, "beta")
	one := createOrg(t, s, r.ID, newOrganization("One"))
	two := createOrg(t, s, r.ID, newOrganization("Two"))
	foreign := createOrg(t, s, b.ID, newOrganization("Foreign"))
	old := create(t, s, r.ID, newUser("Old"))
	join(t, s, r.ID, old.ID, one.ID, true)
	join(t, s, r.ID, old.ID, two.ID, false)
	kept := create(t, s, r.ID, newUser("Kept"))
	join(t, s, r.ID, kept.ID, two.ID, true)
	betaUser := create(t, s, b.ID, newUser("Beta"))
	join(t, s, b.ID, betaUser.ID, foreign.ID, true)

	counts, err := s.MembershipCounts(ctx, r.ID, []int64{old.ID, kept.ID, betaUser.ID, 999999})
	if diff := cmp.Diff(map[int64]int64{old.ID: 2, kept.ID: 1}, counts); err != nil || diff != "" {
		t.Errorf("MembershipCounts (-want +got), %v:\n%s", err, diff)
	}

	fresh := newUser("Fresh")
	fresh.OrganizationID = two.ID
	plain := newUser("Plain")
	moved := cloneForImport(t, s, r.ID, old.ID)
	moved.Name = "Old Moved"
	toTwo := two.ID
	cleared := cloneForImport(t, s, r.ID, kept.ID)
	cleared.Name = "Kept Cleared"
	none := int64(0)
	err = s.ImportUsers(ctx, r.ID, []directory.ImportUser{
		{User: fresh}, {User: plain},
		{User: moved, Change: directory.IdentityChange{Organization: &toTwo}},
		{User: cleared, Change: directory.IdentityChange{Organization: &none}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]int64{{two.ID, 1}}, memberships(t, s, r.ID, fresh.ID)); diff != "" {
		t.Errorf("new user's memberships (-want +got):\n%s", diff)
	}
	if got := userOrg(t, s, r.ID, fresh.ID); got != two.ID {
		t.Errorf("new user's organization_id = %d, want %d", got, two.ID)
	}
	if got := memberships(t, s, r.ID, plain.ID); len(got) != 0 || userOrg(t, s, r.ID, plain.ID) != 0 {
		t.Errorf("user imported without an organization: memberships %v", got)
	}
	if diff := cmp.Diff([][2]int64{{two.ID, 1}}, memberships(t, s, r.ID, old.ID)); diff != "" {
		t.Errorf("moved user's memberships (-want +got):\n%s", diff)
	}
	if got := userOrg(t, s, r.ID, old.ID); got != two.ID {
		t.Errorf("moved user's organization_id = %d, want %d", got, two.ID)
	}
	if got := memberships(t, s, r.ID, kept.ID); len(got) != 0 || userOrg(t, s, r.ID, kept.ID) != 0 {
		t.Errorf("cleared user: memberships %v, organization_id %d", got, userOrg(t, s, r.ID, kept.ID))
	}
	orgUsers(t, s, r.ID, one.ID, 0)
	orgUsers(t, s, r.ID, two.ID, 2)

	// Another realm's organization is no organization here: the whole
	// batch fails and writes nothing.
	stolen := newUser("Stolen")
	stolen.OrganizationID = foreign.ID
	other := newUser("Other")
	wantKind(t, s.ImportUsers(ctx, r.ID, []directory.ImportUser{{User: other}, {User: stolen}}), directory.KindInvalid)
	if n, _ := s.CountUsers(ctx, r.ID, directory.UserFilter{}); n != 4 {
		t.Errorf("users after the refused batch = %d, want 4", n)
	}
	orgUsers(t, s, b.ID, foreign.ID, 1)
}

// cloneForImport reads a user for an import's update.
func cloneForImport(t *testing.T, s directory.Store, realmID, id int64) *directory.User {
	t.Helper()
	u, err := s.UserByID(context.Background(), realmID, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
