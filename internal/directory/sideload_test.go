package directory_test

import (
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// TestSideloadAbilities checks that the abilities sideload answers as the
// endpoints it stands for would, for each role of caller, and that a
// deleted user can no longer be changed.
func TestSideloadAbilities(t *testing.T) {
	e := newEnv(t)
	admin, asAdmin := e.staff(t, directory.RoleAdmin, "admin@acme.test")
	agent, asAgent := e.staff(t, directory.RoleAgent, "agent@acme.test")
	other, _ := e.staff(t, directory.RoleAgent, "other@acme.test")
	customer := e.create(t, directory.UserInput{Name: ptr("Carla"), Email: ptr("carla@acme.test"), Verified: ptr(true)})
	gone := e.create(t, directory.UserInput{Name: ptr("Gone"), Email: ptr("gone@acme.test")})
	if _, err := e.svc.DeleteUser(e.ctx, e.opA, gone.ID); err != nil {
		t.Fatal(err)
	}
	gone = e.stored(t, gone.ID)
	users := []directory.User{*admin, *agent, *other, *customer, *gone}
	type row struct{ Edit, Password, Identities, Verify bool }
	abilities := func(a directory.Actor, users []directory.User) map[int64]row {
		t.Helper()
		sl, err := e.svc.SideloadUsers(e.ctx, a, users, []directory.Sideload{directory.SideloadAbilities})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]row{}
		for _, ab := range sl.Abilities {
			out[ab.UserID] = row{ab.CanEdit, ab.CanEditPassword, ab.CanManageIdentitiesOf, ab.CanVerifyIdentities}
		}
		return out
	}
	all, none := row{true, true, true, true}, row{}
	if diff := cmp.Diff(map[int64]row{admin.ID: all, agent.ID: all, other.ID: all, customer.ID: all, gone.ID: none},
		abilities(asAdmin, users)); diff != "" {
		t.Errorf("an admin's abilities (-want +got):\n%s", diff)
	}
	// An agent edits end users and itself, sets nobody else's password.
	if diff := cmp.Diff(map[int64]row{admin.ID: none, agent.ID: all, other.ID: none,
		customer.ID: {true, false, true, true}, gone.ID: none}, abilities(asAgent, users)); diff != "" {
		t.Errorf("an agent's abilities (-want +got):\n%s", diff)
	}
	// A verified end user changes its own password and identities, nothing
	// an agent does.
	if diff := cmp.Diff(map[int64]row{customer.ID: {false, true, true, false}},
		abilities(actor(customer), []directory.User{*customer})); diff != "" {
		t.Errorf("an end user's abilities (-want +got):\n%s", diff)
	}
}

// TestSideloadEndUser checks what an end user's sideloads hold: only its
// own email and phone identities, once verified, and no organizations or
// groups, even for another user slipped into the page.
func TestSideloadEndUser(t *testing.T) {
	e := newEnv(t)
	customer := e.create(t, directory.UserInput{Name: ptr("Carla"), Email: ptr("carla@acme.test"), Phone: ptr("+15551234567")})
	neighbour := e.create(t, directory.UserInput{Name: ptr("Ned"), Email: ptr("ned@acme.test"), Verified: ptr(true)})
	if _, err := e.svc.CreateIdentity(e.ctx, e.opA, customer.ID, directory.NewIdentity{Type: directory.IdentityTwitter, Value: "carla"}); err != nil {
		t.Fatal(err)
	}
	org, err := e.svc.CreateOrganization(e.ctx, e.opA, directory.OrganizationInput{Name: ptr("Acme Corp")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateMembership(e.ctx, e.opA, directory.MembershipInput{UserID: customer.ID, OrganizationID: org.ID}); err != nil {
		t.Fatal(err)
	}
	want := []directory.Sideload{directory.SideloadIdentities, directory.SideloadOrganizations, directory.SideloadGroups}
	read := func() *directory.UserSideload {
		t.Helper()
		u := e.stored(t, customer.ID)
		sl, err := e.svc.SideloadUsers(e.ctx, actor(u), []directory.User{*u, *neighbour}, want)
		if err != nil {
			t.Fatal(err)
		}
		if len(sl.Organizations) != 0 || sl.Organizations == nil || len(sl.Groups) != 0 || sl.Groups == nil {
			t.Errorf("an end user's organizations %v and groups %v, want [] and []", sl.Organizations, sl.Groups)
		}
		return sl
	}
	if sl := read(); len(sl.Identities) != 0 || sl.Identities == nil {
		t.Errorf("an unverified end user's identities = %v, want []", idents(sl.Identities))
	}
	if _, err := e.svc.UpdateUser(e.ctx, e.opA, customer.ID, directory.UserInput{Verified: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"email:carla@acme.test*", "phone_number:+15551234567*"}, idents(read().Identities)); diff != "" {
		t.Errorf("a verified end user's identities (-want +got):\n%s", diff)
	}
	// Staff see every identity and the organization.
	sl, err := e.svc.SideloadUsers(e.ctx, e.opA, []directory.User{*e.stored(t, customer.ID)}, want)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"email:carla@acme.test*", "phone_number:+15551234567*", "twitter:carla*"}, idents(sl.Identities)); diff != "" {
		t.Errorf("staff's identities of the customer (-want +got):\n%s", diff)
	}
	if len(sl.Organizations) != 1 || sl.Organizations[0].ID != org.ID {
		t.Errorf("staff's organizations of the customer = %+v, want Acme Corp", sl.Organizations)
	}
}
