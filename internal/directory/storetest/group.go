package storetest

import (
	"context"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// RunGroups runs the contract of GroupStore against stores made by open.
func RunGroups(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"GroupsCRUD", testGroupsCRUD},
		{"GroupDefault", testGroupDefault},
		{"GroupMemberships", testGroupMemberships},
		{"UserWriteKeepsMemberships", testUserWriteKeepsMemberships},
		{"DeleteGroup", testDeleteGroup},
		{"GroupUsersAndAssignable", testGroupUsersAndAssignable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func newGroup(name string) *directory.Group {
	return &directory.Group{Name: name, IsPublic: true, CreatedAt: epoch, UpdatedAt: epoch}
}

func createGroup(t *testing.T, s directory.Store, realmID int64, g *directory.Group) *directory.Group {
	t.Helper()
	if err := s.CreateGroup(context.Background(), realmID, g); err != nil {
		t.Fatalf("CreateGroup(%s): %v", g.Name, err)
	}
	return g
}

func newStaff(name string, role directory.Role) *directory.User {
	u := newUser(name)
	u.Role, u.TicketRestriction = role, ""
	return u
}

func joinGroup(t *testing.T, s directory.Store, realmID int64, u *directory.User, g *directory.Group, def bool) *directory.GroupMembership {
	t.Helper()
	m := &directory.GroupMembership{UserID: u.ID, GroupID: g.ID, Default: def, CreatedAt: epoch, UpdatedAt: epoch}
	if err := s.CreateGroupMembership(context.Background(), realmID, m, epoch); err != nil {
		t.Fatalf("CreateGroupMembership(%s, %s): %v", u.Name, g.Name, err)
	}
	return m
}

func groupMemberships(t *testing.T, s directory.Store, realmID int64, f directory.GroupMembershipFilter) []directory.GroupMembership {
	t.Helper()
	ms, err := s.ListGroupMemberships(context.Background(), realmID, f, directory.Page{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func defaultGroupOf(t *testing.T, s directory.Store, realmID, userID int64) int64 {
	t.Helper()
	u, err := s.UserByID(context.Background(), realmID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return u.DefaultGroupID
}

func wantGroupErr(t *testing.T, err error, kind directory.Kind, field string) {
	t.Helper()
	var e *directory.Error
	if !asError(err, &e) || e.Kind != kind {
		t.Fatalf("err = %v, want kind %d", err, kind)
	}
	if field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != field) {
		t.Fatalf("err fields = %+v, want %s", e.Fields, field)
	}
}

func testGroupsCRUD(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "a"), realm(t, s, "b")
	g := createGroup(t, s, a.ID, &directory.Group{Name: "Support", Description: "first line", IsPublic: false, CreatedAt: epoch, UpdatedAt: epoch})
	got, err := s.GroupByID(ctx, a.ID, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(g, got); diff != "" {
		t.Errorf("GroupByID (-want +got):\n%s", diff)
	}
	if _, err := s.GroupByID(ctx, b.ID, g.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("GroupByID in another realm: %v, want not found", err)
	}
	// Names are unique per realm, case-insensitively, and free in another.
	err = s.CreateGroup(ctx, a.ID, newGroup("SUPPORT"))
	wantGroupErr(t, err, directory.KindInvalid, "name")
	createGroup(t, s, b.ID, newGroup("Support"))
	if byName, err := s.GroupByName(ctx, a.ID, "support"); err != nil || byName.ID != g.ID {
		t.Errorf("GroupByName = %v, %v", byName, err)
	}

	g.Name, g.Description, g.UpdatedAt = "Tier 1", "", epoch.Add(1)
	if err := s.UpdateGroup(ctx, a.ID, g); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GroupByID(ctx, a.ID, g.ID)
	if got.Name != "Tier 1" || got.Description != "" {
		t.Errorf("after update: %+v", got)
	}
	other := *g
	other.RealmID = b.ID
	if err := s.UpdateGroup(ctx, b.ID, &other); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("UpdateGroup in another realm: %v, want not found", err)
	}

	// Keyset and offset pages, both directions; the count matches.
	var ids []int64
	ids = append(ids, g.ID)
	for _, n := range []string{"B", "C", "D"} {
		ids = append(ids, createGroup(t, s, a.ID, newGroup(n)).ID)
	}
	page := func(p directory.Page) []int64 {
		gs, err := s.ListGroups(ctx, a.ID, directory.GroupFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, g := range gs {
			out = append(out, g.ID)
		}
		return out
	}
	if diff := cmp.Diff(ids[1:3], page(directory.Page{Limit: 2, AfterID: ids[0]})); diff != "" {
		t.Errorf("after page (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ids[1:3], page(directory.Page{Limit: 2, BeforeID: ids[3]})); diff != "" {
		t.Errorf("before page (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ids[2:4], page(directory.Page{Limit: 2, Offset: 2})); diff != "" {
		t.Errorf("offset page (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{ids[3], ids[2]}, page(directory.Page{Limit: 2, Descending: true})); diff != "" {
		t.Errorf("descending page (-want +got):\n%s", diff)
	}
	if n, err := s.CountGroups(ctx, a.ID, directory.GroupFilter{}); err != nil || n != 4 {
		t.Errorf("CountGroups = %d, %v; want 4", n, err)
	}
	if n, err := s.CountGroups(ctx, b.ID, directory.GroupFilter{}); err != nil || n != 1 {
		t.Errorf("CountGroups(b) = %d, %v; want 1", n, err)
	}
}

func testGroupDefault(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "a"), realm(t, s, "b")
	if _, err := s.DefaultGroup(ctx, a.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Fatalf("DefaultGroup of an empty realm: %v", err)
	}
	first := newGroup("First")
	first.Default = true
	createGroup(t, s, a.ID, first)
	bDefault := newGroup("Beta")
	bDefault.Default = true
	createGroup(t, s, b.ID, bDefault)
	second := newGroup("Second")
	second.Default = true
	createGroup(t, s, a.ID, second)
	d, err := s.DefaultGroup(ctx, a.ID)
	if err != nil || d.ID != second.ID {
		t.Fatalf("DefaultGroup = %v, %v; want Second", d, err)
	}
	if got, _ := s.GroupByID(ctx, a.ID, first.ID); got.Default {
		t.Error("First is still default")
	}
	// Making First default again through an update clears Second; the
	// other realm's default is untouched.
	first.Default = true
	if err := s.UpdateGroup(ctx, a.ID, first); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GroupByID(ctx, a.ID, second.ID); got.Default {
		t.Error("Second is still default")
	}
	if d, err := s.DefaultGroup(ctx, b.ID); err != nil || d.ID != bDefault.ID {
		t.Errorf("DefaultGroup(b) = %v, %v", d, err)
	}
}

func testGroupMemberships(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "a"), realm(t, s, "b")
	agent := create(t, s, a.ID, newStaff("Agent", directory.RoleAgent))
	sup, sales := createGroup(t, s, a.ID, newGroup("Support")), createGroup(t, s, a.ID, newGroup("Sales"))
	m1 := joinGroup(t, s, a.ID, agent, sup, true)
	if got := defaultGroupOf(t, s, a.ID, agent.ID); got != sup.ID {
		t.Errorf("default_group_id = %d, want Support %d", got, sup.ID)
	}
	m2 := joinGroup(t, s, a.ID, agent, sales, false)
	err := s.CreateGroupMembership(ctx, a.ID, &directory.GroupMembership{UserID: agent.ID, GroupID: sup.ID, CreatedAt: epoch, UpdatedAt: epoch}, epoch)
	wantGroupErr(t, err, directory.KindInvalid, "group_id")

	got, err := s.GroupMembershipByID(ctx, a.ID, m2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m2, got); diff != "" {
		t.Errorf("GroupMembershipByID (-want +got):\n%s", diff)
	}
	if _, err := s.GroupMembershipByID(ctx, b.ID, m2.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("membership from another realm: %v", err)
	}
	if n, _ := s.CountGroupMemberships(ctx, a.ID, directory.GroupMembershipFilter{GroupID: sales.ID}); n != 1 {
		t.Errorf("CountGroupMemberships(Sales) = %d, want 1", n)
	}
	if n, _ := s.CountGroupMemberships(ctx, b.ID, directory.GroupMembershipFilter{}); n != 0 {
		t.Errorf("CountGroupMemberships(b) = %d, want 0", n)
	}

	// Make Sales the default: Support stops being one, the user follows.
	if err := s.SetDefaultGroupMembership(ctx, a.ID, agent.ID, m2.ID, epoch); err != nil {
		t.Fatal(err)
	}
	ms := groupMemberships(t, s, a.ID, directory.GroupMembershipFilter{UserID: agent.ID})
	if len(ms) != 2 || ms[0].Default || !ms[1].Default {
		t.Errorf("memberships after make default: %+v", ms)
	}
	if got := defaultGroupOf(t, s, a.ID, agent.ID); got != sales.ID {
		t.Errorf("default_group_id = %d, want Sales %d", got, sales.ID)
	}
	if err := s.SetDefaultGroupMembership(ctx, b.ID, agent.ID, m1.ID, epoch); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("make default from another realm: %v", err)
	}

	// Delete the default and promote the other.
	if err := s.DeleteGroupMembership(ctx, b.ID, agent.ID, m2.ID, m1.ID, epoch); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("delete from another realm: %v", err)
	}
	if err := s.DeleteGroupMembership(ctx, a.ID, agent.ID, m2.ID, m1.ID, epoch); err != nil {
		t.Fatal(err)
	}
	ms = groupMemberships(t, s, a.ID, directory.GroupMembershipFilter{UserID: agent.ID})
	if len(ms) != 1 || ms[0].ID != m1.ID || !ms[0].Default {
		t.Errorf("memberships after delete: %+v", ms)
	}
	if got := defaultGroupOf(t, s, a.ID, agent.ID); got != sup.ID {
		t.Errorf("default_group_id = %d, want Support %d", got, sup.ID)
	}
	// Deleting the last one leaves no default.
	if err := s.DeleteGroupMembership(ctx, a.ID, agent.ID, m1.ID, 0, epoch); err != nil {
		t.Fatal(err)
	}
	if got := defaultGroupOf(t, s, a.ID, agent.ID); got != 0 {
		t.Errorf("default_group_id = %d, want 0", got)
	}
}

func testUserWriteKeepsMemberships(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "a")
	sup, sales := createGroup(t, s, a.ID, newGroup("Support")), createGroup(t, s, a.ID, newGroup("Sales"))
	// A staff user created with a default group joins it.
	agent := newStaff("Agent", directory.RoleAgent)
	agent.DefaultGroupID = sup.ID
	create(t, s, a.ID, agent)
	ms := groupMemberships(t, s, a.ID, directory.GroupMembershipFilter{UserID: agent.ID})
	if len(ms) != 1 || ms[0].GroupID != sup.ID || !ms[0].Default {
		t.Fatalf("memberships of a new agent: %+v", ms)
	}
	// Naming another group joins it as the default, keeping the first.
	agent.DefaultGroupID = sales.ID
	if err := s.UpdateUser(ctx, a.ID, agent, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	ms = groupMemberships(t, s, a.ID, directory.GroupMembershipFilter{UserID: agent.ID})
	if len(ms) != 2 || ms[0].Default || ms[1].GroupID != sales.ID || !ms[1].Default {
		t.Fatalf("memberships after default_group_id: %+v", ms)
	}
	// Back to the first: no third membership.
	agent.DefaultGroupID = sup.ID
	if err := s.UpdateUser(ctx, a.ID, agent, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	ms = groupMemberships(t, s, a.ID, directory.GroupMembershipFilter{UserID: agent.ID})
	if len(ms) != 2 || !ms[0].Default || ms[1].Default {
		t.Fatalf("memberships after switching back: %+v", ms)
	}
	// An end user belongs to no group.
	agent.Role, agent.DefaultGroupID = directory.RoleEndUser, 0
	if err := s.UpdateUser(ctx, a.ID, agent, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	if ms := groupMemberships(t, s, a.ID, directory.GroupMembershipFilter{UserID: agent.ID}); len(ms) != 0 {
		t.Fatalf("memberships of a demoted agent: %+v", ms)
	}
	// Erasing a user removes its memberships.
	admin := newStaff("Admin", directory.RoleAdmin)
	admin.DefaultGroupID = sales.ID
	create(t, s, a.ID, admin)
	admin.DeletedAt = epoch
	if err := s.UpdateUser(ctx, a.ID, admin, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	erased := *admin
	erased.Erased, erased.DefaultGroupID = true, 0
	if err := s.EraseUser(ctx, a.ID, &erased); err != nil {
		t.Fatal(err)
	}
	if ms := groupMemberships(t, s, a.ID, directory.GroupMembershipFilter{GroupID: sales.ID}); len(ms) != 0 {
		t.Fatalf("memberships of an erased user: %+v", ms)
	}
}

func testDeleteGroup(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "a")
	dflt := newGroup("Default")
	dflt.Default = true
	createGroup(t, s, a.ID, dflt)
	other := createGroup(t, s, a.ID, newGroup("Other"))
	x := create(t, s, a.ID, newStaff("X", directory.RoleAgent))
	y := create(t, s, a.ID, newStaff("Y", directory.RoleAgent))
	joinGroup(t, s, a.ID, x, dflt, true)
	mx := joinGroup(t, s, a.ID, x, other, false)
	joinGroup(t, s, a.ID, y, dflt, true)

	dflt.DeletedAt, dflt.UpdatedAt, dflt.Default = epoch.Add(1), epoch.Add(1), false
	if err := s.DeleteGroup(ctx, a.ID, dflt, other.ID, map[int64]int64{x.ID: mx.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GroupByID(ctx, a.ID, dflt.ID)
	if err != nil || !got.Deleted() || got.Default {
		t.Errorf("deleted group = %+v, %v", got, err)
	}
	if d, err := s.DefaultGroup(ctx, a.ID); err != nil || d.ID != other.ID {
		t.Errorf("DefaultGroup = %v, %v; want Other", d, err)
	}
	if n, _ := s.CountGroups(ctx, a.ID, directory.GroupFilter{}); n != 1 {
		t.Errorf("CountGroups = %d, want 1", n)
	}
	if ms := groupMemberships(t, s, a.ID, directory.GroupMembershipFilter{GroupID: dflt.ID}); len(ms) != 0 {
		t.Errorf("memberships of a deleted group: %+v", ms)
	}
	if got := defaultGroupOf(t, s, a.ID, x.ID); got != other.ID {
		t.Errorf("X default_group_id = %d, want Other", got)
	}
	if got := defaultGroupOf(t, s, a.ID, y.ID); got != 0 {
		t.Errorf("Y default_group_id = %d, want 0", got)
	}
	// The name is free again.
	createGroup(t, s, a.ID, newGroup("Default"))
}

func testGroupUsersAndAssignable(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "a"), realm(t, s, "b")
	sup, empty := createGroup(t, s, a.ID, newGroup("Support")), createGroup(t, s, a.ID, newGroup("Empty"))
	suspended := createGroup(t, s, a.ID, newGroup("Suspended only"))
	agent := create(t, s, a.ID, newStaff("Agent", directory.RoleAgent))
	admin := create(t, s, a.ID, newStaff("Admin", directory.RoleAdmin))
	off := newStaff("Off", directory.RoleAgent)
	off.Suspended = true
	create(t, s, a.ID, off)
	joinGroup(t, s, a.ID, agent, sup, true)
	joinGroup(t, s, a.ID, admin, sup, true)
	joinGroup(t, s, a.ID, off, suspended, true)
	create(t, s, b.ID, newStaff("Beta", directory.RoleAgent))

	users, err := s.ListGroupUsers(ctx, a.ID, sup.ID, directory.UserFilter{}, directory.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].ID != agent.ID || users[1].ID != admin.ID {
		t.Errorf("ListGroupUsers = %v", userNames(users))
	}
	users, _ = s.ListGroupUsers(ctx, a.ID, sup.ID, directory.UserFilter{}, directory.Page{Limit: 1, AfterID: agent.ID})
	if len(users) != 1 || users[0].ID != admin.ID {
		t.Errorf("ListGroupUsers after = %v", userNames(users))
	}
	users, _ = s.ListGroupUsers(ctx, a.ID, sup.ID, directory.UserFilter{Roles: []directory.Role{directory.RoleAdmin}}, directory.Page{Limit: 10})
	if len(users) != 1 || users[0].ID != admin.ID {
		t.Errorf("ListGroupUsers(admin) = %v", userNames(users))
	}
	if n, _ := s.CountGroupUsers(ctx, a.ID, sup.ID, directory.UserFilter{}); n != 2 {
		t.Errorf("CountGroupUsers = %d, want 2", n)
	}
	if n, _ := s.CountGroupUsers(ctx, b.ID, sup.ID, directory.UserFilter{}); n != 0 {
		t.Errorf("CountGroupUsers from another realm = %d, want 0", n)
	}
	if n, _ := s.CountGroupUsers(ctx, a.ID, empty.ID, directory.UserFilter{}); n != 0 {
		t.Errorf("CountGroupUsers(Empty) = %d", n)
	}

	groups, err := s.ListGroups(ctx, a.ID, directory.GroupFilter{Assignable: true}, directory.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].ID != sup.ID {
		t.Errorf("assignable groups = %+v, want Support only", groups)
	}
	if n, _ := s.CountGroups(ctx, a.ID, directory.GroupFilter{Assignable: true}); n != 1 {
		t.Errorf("CountGroups(assignable) = %d, want 1", n)
	}
	groups, _ = s.ListGroups(ctx, a.ID, directory.GroupFilter{UserID: off.ID}, directory.Page{Limit: 10})
	if len(groups) != 1 || groups[0].ID != suspended.ID {
		t.Errorf("groups of Off = %+v", groups)
	}
	if n, _ := s.CountGroupMemberships(ctx, a.ID, directory.GroupMembershipFilter{Assignable: true}); n != 2 {
		t.Errorf("assignable memberships = %d, want 2", n)
	}
	if n, _ := s.CountGroupMemberships(ctx, a.ID, directory.GroupMembershipFilter{}); n != 3 {
		t.Errorf("memberships = %d, want 3", n)
	}
}

func userNames(users []directory.User) []string {
	out := []string{}
	for _, u := range users {
		out = append(out, u.Name)
	}
	return out
}
