package storetest

import (
	"context"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// RunSideloads runs the contract of SideloadStore against stores made by
// open: one read per page of users, in the documented order, each record
// once, and nothing of another realm even for its users' ids.
func RunSideloads(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"IdentitiesOfUsers", testIdentitiesOfUsers},
		{"OrganizationsOfUsers", testOrganizationsOfUsers},
		{"GroupsOfUsers", testGroupsOfUsers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func testIdentitiesOfUsers(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r1, r2 := realm(t, s, "side-a"), realm(t, s, "side-b")
	phone := directory.Identity{Type: directory.IdentityPhone, Value: "+15555550100", Primary: true, CreatedAt: epoch, UpdatedAt: epoch}
	ann := create(t, s, r1.ID, newUser("ann"), emailIdentity("ann2@example.com", false), phone, emailIdentity("ann@example.com", true))
	bob := create(t, s, r1.ID, newUser("bob"), emailIdentity("bob@example.com", true))
	cid := create(t, s, r1.ID, newUser("cid"))
	other := create(t, s, r2.ID, newUser("other"), emailIdentity("other@example.com", true))

	type row struct {
		User    int64
		Value   string
		Primary bool
	}
	rows := func(ids []directory.Identity) []row {
		out := []row{}
		for _, id := range ids {
			if id.RealmID != r1.ID && id.RealmID != r2.ID || id.ID == 0 || id.CreatedAt.IsZero() {
				t.Errorf("identity %+v is not read whole", id)
			}
			out = append(out, row{id.UserID, id.Value, id.Primary})
		}
		return out
	}
	got, err := s.IdentitiesOfUsers(ctx, r1.ID, []int64{bob.ID, cid.ID, other.ID, ann.ID, 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	// By user id, each user's primary identities first, then by id.
	want := []row{
		{ann.ID, "+15555550100", true}, {ann.ID, "ann@example.com", true}, {ann.ID, "ann2@example.com", false},
		{bob.ID, "bob@example.com", true},
	}
	if diff := cmp.Diff(want, rows(got)); diff != "" {
		t.Errorf("IdentitiesOfUsers (-want +got):\n%s", diff)
	}
	// The other realm's users are invisible even by their ids.
	got, err = s.IdentitiesOfUsers(ctx, r2.ID, []int64{ann.ID, bob.ID})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("IdentitiesOfUsers(realm 2, realm 1's users) = %v, %v; want [], nil", got, err)
	}
	got, err = s.IdentitiesOfUsers(ctx, r1.ID, nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("IdentitiesOfUsers(no users) = %v, %v; want [], nil", got, err)
	}
}

func testOrganizationsOfUsers(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r1, r2 := realm(t, s, "side-a"), realm(t, s, "side-b")
	ann := create(t, s, r1.ID, newUser("ann"))
	bob := create(t, s, r1.ID, newUser("bob"))
	cid := create(t, s, r1.ID, newUser("cid"))
	acme := createOrg(t, s, r1.ID, newOrganization("Acme"))
	beta := createOrg(t, s, r1.ID, newOrganization("Beta"))
	createOrg(t, s, r1.ID, newOrganization("Nobody's"))
	gamma := createOrg(t, s, r1.ID, newOrganization("Gamma"))
	join(t, s, r1.ID, ann.ID, gamma.ID, true)
	join(t, s, r1.ID, ann.ID, acme.ID, false)
	join(t, s, r1.ID, bob.ID, acme.ID, true)
	join(t, s, r1.ID, cid.ID, beta.ID, true)
	other := create(t, s, r2.ID, newUser("other"))
	far := createOrg(t, s, r2.ID, newOrganization("Far"))
	join(t, s, r2.ID, other.ID, far.ID, true)

	got, err := s.OrganizationsOfUsers(ctx, r1.ID, []int64{bob.ID, ann.ID, other.ID, 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	// Acme is shared by both users and listed once; Beta is cid's only.
	if diff := cmp.Diff([]int64{acme.ID, gamma.ID}, orgIDs(got)); diff != "" {
		t.Errorf("OrganizationsOfUsers (-want +got):\n%s", diff)
	}
	if len(got) > 0 && (got[0].Name != "Acme" || got[0].RealmID != r1.ID) {
		t.Errorf("OrganizationsOfUsers()[0] = %+v, want Acme of realm 1 read whole", got[0])
	}
	got, err = s.OrganizationsOfUsers(ctx, r2.ID, []int64{ann.ID, bob.ID, cid.ID})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("OrganizationsOfUsers(realm 2, realm 1's users) = %v, %v; want [], nil", got, err)
	}
	got, err = s.OrganizationsOfUsers(ctx, r1.ID, []int64{})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("OrganizationsOfUsers(no users) = %v, %v; want [], nil", got, err)
	}
}

func testGroupsOfUsers(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r1, r2 := realm(t, s, "side-a"), realm(t, s, "side-b")
	ann := create(t, s, r1.ID, newStaff("ann", directory.RoleAgent))
	bob := create(t, s, r1.ID, newStaff("bob", directory.RoleAdmin))
	cid := create(t, s, r1.ID, newStaff("cid", directory.RoleAgent))
	support := createGroup(t, s, r1.ID, newGroup("Support"))
	sales := createGroup(t, s, r1.ID, newGroup("Sales"))
	createGroup(t, s, r1.ID, newGroup("Empty"))
	billing := createGroup(t, s, r1.ID, newGroup("Billing"))
	joinGroup(t, s, r1.ID, ann, billing, true)
	joinGroup(t, s, r1.ID, ann, support, false)
	joinGroup(t, s, r1.ID, bob, support, true)
	joinGroup(t, s, r1.ID, cid, sales, true)
	other := create(t, s, r2.ID, newStaff("other", directory.RoleAgent))
	far := createGroup(t, s, r2.ID, newGroup("Far"))
	joinGroup(t, s, r2.ID, other, far, true)

	ids := func(gs []directory.Group) []int64 {
		out := []int64{}
		for _, g := range gs {
			out = append(out, g.ID)
		}
		return out
	}
	got, err := s.GroupsOfUsers(ctx, r1.ID, []int64{bob.ID, ann.ID, other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{support.ID, billing.ID}, ids(got)); diff != "" {
		t.Errorf("GroupsOfUsers (-want +got):\n%s", diff)
	}
	if len(got) > 0 && (got[0].Name != "Support" || got[0].RealmID != r1.ID) {
		t.Errorf("GroupsOfUsers()[0] = %+v, want Support of realm 1 read whole", got[0])
	}
	got, err = s.GroupsOfUsers(ctx, r2.ID, []int64{ann.ID, bob.ID, cid.ID})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("GroupsOfUsers(realm 2, realm 1's users) = %v, %v; want [], nil", got, err)
	}
	got, err = s.GroupsOfUsers(ctx, r1.ID, nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("GroupsOfUsers(no users) = %v, %v; want [], nil", got, err)
	}
}
