package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// memberUser is new user i of an organization import: every sixth in no
// organization, the others in orgs[i%6-1], created an hour apart.
func memberUser(i int, orgs []int64) directory.ImportUser {
	at := time.Date(2023, 3, 4, 5, 6, 7, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	u := &directory.User{UUID: fmt.Sprintf("uuid-%d", i), Name: fmt.Sprintf("Member %d", i), Role: directory.RoleEndUser,
		Email: fmt.Sprintf("member%d@example.com", i), ExternalID: fmt.Sprintf("M-%04d", i),
		TimeZone: "UTC", IANATimeZone: "Etc/UTC", Locale: "en-US", LocaleID: 1, Tags: []string{},
		UserFields: map[string]any{}, CreatedAt: at, UpdatedAt: at}
	if i%6 != 0 {
		u.OrganizationID = orgs[i%6-1]
	}
	return directory.ImportUser{User: u, Identities: []directory.Identity{{Type: directory.IdentityEmail, Value: u.Email,
		Primary: true, CreatedAt: at, UpdatedAt: at}}}
}

// organizationState is what a realm's store shows of its organizations
// and memberships, by names and external ids (ids differ between realms).
type organizationState struct {
	// Organizations holds "name counter memberships" per organization, by
	// name, then "organizations n" from the realm's counter.
	Organizations []string
	// Memberships holds "user organization default created updated" per
	// membership, sorted, then "memberships n" as listed and as counted. A
	// membership whose user or organization is not of the realm shows
	// their ids instead.
	Memberships []string
	// Users holds "user organization" per active user ("-": none), by
	// external id, then "deleted n".
	Users []string
}

// readAll reads every page of a list, limit records a page, each after
// the id of the last record of the page before.
func readAll[T any](t *testing.T, limit int, list func(directory.Page) ([]T, error), id func(T) int64) []T {
	t.Helper()
	var all []T
	for p := (directory.Page{Limit: limit}); ; {
		page, err := list(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		p.AfterID = id(page[len(page)-1])
	}
}

// readOrganizationState reads a realm's organizations, memberships and
// users' organization_id through the Store interface, paging through every
// list.
func readOrganizationState(t *testing.T, s directory.Store, realmID int64) organizationState {
	t.Helper()
	ctx := context.Background()
	var st organizationState

	orgNames := map[int64]string{}
	// Pages of two, so that five organizations take more than one.
	orgs := readAll(t, 2, func(p directory.Page) ([]directory.Organization, error) {
		return s.ListOrganizations(ctx, realmID, directory.OrganizationFilter{}, p)
	}, func(o directory.Organization) int64 { return o.ID })
	slices.SortFunc(orgs, func(a, b directory.Organization) int { return strings.Compare(a.Name, b.Name) })
	for _, o := range orgs {
		orgNames[o.ID] = o.Name
		counter, err := s.CountOrganizationUsers(ctx, realmID, o.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		members, err := s.CountMemberships(ctx, realmID, directory.MembershipFilter{OrganizationID: o.ID})
		if err != nil {
			t.Fatal(err)
		}
		st.Organizations = append(st.Organizations, fmt.Sprintf("%s %d %d", o.Name, counter, members))
	}
	norgs, err := s.CountOrganizations(ctx, realmID, directory.OrganizationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	st.Organizations = append(st.Organizations, fmt.Sprintf("organizations %d", norgs))

	externalIDs := map[int64]string{}
	users := readAll(t, 100, func(p directory.Page) ([]directory.User, error) {
		return s.ListUsers(ctx, realmID, directory.UserFilter{}, p)
	}, func(u directory.User) int64 { return u.ID })
	slices.SortFunc(users, func(a, b directory.User) int { return strings.Compare(a.ExternalID, b.ExternalID) })
	for _, u := range users {
		externalIDs[u.ID] = u.ExternalID
		org := "-"
		if u.OrganizationID != 0 {
			var ok bool
			if org, ok = orgNames[u.OrganizationID]; !ok {
				org = fmt.Sprintf("organization#%d", u.OrganizationID)
			}
		}
		st.Users = append(st.Users, u.ExternalID+" "+org)
	}
	deleted, err := s.CountUsers(ctx, realmID, directory.UserFilter{Deleted: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Users = append(st.Users, fmt.Sprintf("deleted %d", deleted))

	memberships := readAll(t, 100, func(p directory.Page) ([]directory.Membership, error) {
		return s.ListMemberships(ctx, realmID, directory.MembershipFilter{}, p)
	}, func(m directory.Membership) int64 { return m.ID })
	for _, m := range memberships {
		user, ok := externalIDs[m.UserID]
		if !ok {
			user = fmt.Sprintf("user#%d", m.UserID)
		}
		org, ok := orgNames[m.OrganizationID]
		if !ok {
			org = fmt.Sprintf("organization#%d", m.OrganizationID)
		}
		if m.RealmID != realmID || m.OrganizationName != org {
			t.Errorf("membership %d of %s in %s: realm %d, organization name %q; want %d, %q",
				m.ID, user, org, m.RealmID, m.OrganizationName, realmID, org)
		}
		st.Memberships = append(st.Memberships, fmt.Sprintf("%s %s %t %s %s", user, org, m.Default,
			m.CreatedAt.UTC().Format(time.RFC3339Nano), m.UpdatedAt.UTC().Format(time.RFC3339Nano)))
	}
	slices.Sort(st.Memberships)
	counted, err := s.CountMemberships(ctx, realmID, directory.MembershipFilter{})
	if err != nil {
		t.Fatal(err)
	}
	st.Memberships = append(st.Memberships, fmt.Sprintf("memberships %d listed, %d counted", len(memberships), counted))
	return st
}

// testImportMembershipsAsOneByOne imports new users with organizations in
// batches, and a batch mixing new users with existing users who change
// organization, into one realm, and writes the same users one at a time
// (CreateUser, UpdateUser) into another: the memberships, their default
// flags and times, the organizations' counters and the users'
// organization_id must read the same. A batch naming another realm's
// organization fails whole, and a third realm stays as it was.
func testImportMembershipsAsOneByOne(t *testing.T, s directory.Store) {
	ctx := context.Background()
	realms := map[string]int64{}
	orgs := map[string][]int64{}
	for _, uid := range []string{"bulk", "single", "other"} {
		r := realm(t, s, uid)
		realms[uid] = r.ID
		for k := range 5 {
			o := createOrg(t, s, r.ID, newOrganization(fmt.Sprintf("Org %c", 'A'+k)))
			orgs[uid] = append(orgs[uid], o.ID)
		}
	}
	for i := range 20 {
		op := memberUser(i, orgs["other"])
		if err := s.CreateUser(ctx, realms["other"], op.User, op.Identities); err != nil {
			t.Fatal(err)
		}
	}
	other := readOrganizationState(t, s, realms["other"])

	const n = 250
	for from, size := 0, 0; from < n; from += size {
		size = min(100, n-from)
		var batch []directory.ImportUser
		for i := from; i < from+size; i++ {
			batch = append(batch, memberUser(i, orgs["bulk"]))
		}
		if err := s.ImportUsers(ctx, realms["bulk"], batch); err != nil {
			t.Fatalf("batch of users %d to %d: %v", from, from+size-1, err)
		}
	}
	for i := range n {
		op := memberUser(i, orgs["single"])
		if err := s.CreateUser(ctx, realms["single"], op.User, op.Identities); err != nil {
			t.Fatal(err)
		}
	}

	// Ten new users, and ten existing users who move: to the next
	// organization, out of all, or into one.
	moved := func(realm string) (creates []directory.ImportUser, updates []directory.ImportUser) {
		for i := n; i < n+10; i++ {
			creates = append(creates, memberUser(i, orgs[realm]))
		}
		for i := 3; i < 13*10; i += 13 {
			u, err := s.UserByExternalID(ctx, realms[realm], fmt.Sprintf("M-%04d", i))
			if err != nil {
				t.Fatal(err)
			}
			u.UpdatedAt = u.UpdatedAt.Add(1000 * time.Hour)
			org := orgs[realm][(i+1)%5]
			if i%4 == 0 {
				org = 0
			}
			updates = append(updates, directory.ImportUser{User: u, Change: directory.IdentityChange{Organization: &org}})
		}
		return creates, updates
	}
	creates, updates := moved("bulk")
	if err := s.ImportUsers(ctx, realms["bulk"], append(updates, creates...)); err != nil {
		t.Fatalf("mixed batch: %v", err)
	}
	creates, updates = moved("single")
	for _, op := range updates {
		if err := s.UpdateUser(ctx, realms["single"], op.User, op.Change); err != nil {
			t.Fatal(err)
		}
	}
	for _, op := range creates {
		if err := s.CreateUser(ctx, realms["single"], op.User, op.Identities); err != nil {
			t.Fatal(err)
		}
	}

	bulk, single := readOrganizationState(t, s, realms["bulk"]), readOrganizationState(t, s, realms["single"])
	if diff := cmp.Diff(single, bulk); diff != "" {
		t.Errorf("imported (+) and written one by one (-) differ:\n%s", diff)
	}
	// One line per membership and one per user, each plus a summary line.
	if len(bulk.Memberships) < 200 || len(bulk.Users) != n+10+1 {
		t.Errorf("%d membership lines, %d user lines; want over 200 and %d", len(bulk.Memberships), len(bulk.Users), n+10+1)
	}

	// An organization of another realm fails the batch, which writes
	// nothing.
	bad := []directory.ImportUser{memberUser(n+10, orgs["bulk"]), memberUser(n+11, orgs["other"])}
	err := s.ImportUsers(ctx, realms["bulk"], bad)
	var e *directory.Error
	if !errors.As(err, &e) || e.Kind != directory.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "organization_id" {
		t.Errorf("batch with another realm's organization: %v; want KindInvalid on organization_id", err)
	}
	if diff := cmp.Diff(bulk, readOrganizationState(t, s, realms["bulk"])); diff != "" {
		t.Errorf("the failed batch wrote (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(other, readOrganizationState(t, s, realms["other"])); diff != "" {
		t.Errorf("realm other changed (-before +after):\n%s", diff)
	}
}
