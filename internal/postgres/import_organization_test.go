package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// orgUser is new user i of an organization test: every sixth in no
// organization, the others in orgs[i%6-1], created an hour apart.
func orgUser(i int, orgs []int64) directory.ImportUser {
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

// organizationState is what a realm stores of organizations and
// memberships, by names and external ids (ids differ between realms):
// each organization's member counter, each membership, each user's
// organization_id.
type organizationState struct {
	Counters    []string // "name count"
	Memberships []string // "user organization default created updated"
	Users       []string // "user organization"
}

func readOrganizationState(t *testing.T, conn *pgx.Conn, realmID int64) organizationState {
	t.Helper()
	var st organizationState
	read := func(into *[]string, query string) {
		t.Helper()
		rows, err := conn.Query(context.Background(), query, realmID)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		*into = lines
	}
	read(&st.Counters, `SELECT name || ' ' || users_count FROM organizations WHERE realm_id = $1 ORDER BY name COLLATE "C"`)
	// A membership whose user or organization is of another realm has no
	// line: the realm's count of them says so.
	read(&st.Memberships, `SELECT line FROM (
		SELECT u.external_id || ' ' || o.name || ' ' || m.is_default || ' ' || m.created_at || ' ' || m.updated_at AS line
		FROM organization_memberships m JOIN users u ON u.id = m.user_id AND u.realm_id = m.realm_id
		JOIN organizations o ON o.id = m.organization_id AND o.realm_id = m.realm_id
		WHERE m.realm_id = $1
		UNION ALL SELECT 'memberships ' || count(*) FROM organization_memberships WHERE realm_id = $1) AS l
		ORDER BY line COLLATE "C"`)
	read(&st.Users, `SELECT u.external_id || ' ' || coalesce(o.name, '-')
		FROM users u LEFT JOIN organizations o ON o.id = u.organization_id AND o.realm_id = u.realm_id
		WHERE u.realm_id = $1 ORDER BY u.external_id COLLATE "C"`)
	return st
}

// TestImportMembershipsAsOneByOne imports new users with organizations in
// batches, and a batch mixing new users with existing users who change
// organization, into one realm, and writes the same users one at a time
// (CreateUser, UpdateUser) into another: the memberships, their default
// flags and times, the organizations' counters and the users'
// organization_id must be the same. A batch naming another realm's
// organization fails whole, and a third realm stays as it was.
func TestImportMembershipsAsOneByOne(t *testing.T) {
	s, conn := migratedSchema(t)
	ctx := t.Context()
	epoch := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	realms := map[string]int64{}
	orgs := map[string][]int64{}
	for _, uid := range []string{"bulk", "single", "other"} {
		r := &directory.Realm{UID: uid, Name: uid, CreatedAt: epoch, UpdatedAt: epoch}
		if err := s.CreateRealm(ctx, r); err != nil {
			t.Fatal(err)
		}
		realms[uid] = r.ID
		for k := range 5 {
			o := directory.NewOrganization(r.ID, epoch)
			o.Name = fmt.Sprintf("Org %c", 'A'+k)
			if err := s.CreateOrganization(ctx, r.ID, o); err != nil {
				t.Fatal(err)
			}
			orgs[uid] = append(orgs[uid], o.ID)
		}
	}
	for i := range 20 {
		op := orgUser(i, orgs["other"])
		if err := s.CreateUser(ctx, realms["other"], op.User, op.Identities); err != nil {
			t.Fatal(err)
		}
	}
	other := readOrganizationState(t, conn, realms["other"])

	const n = 250
	for from, size := 0, 0; from < n; from += size {
		size = min(100, n-from)
		var batch []directory.ImportUser
		for i := from; i < from+size; i++ {
			batch = append(batch, orgUser(i, orgs["bulk"]))
		}
		if err := s.ImportUsers(ctx, realms["bulk"], batch); err != nil {
			t.Fatalf("batch of users %d to %d: %v", from, from+size-1, err)
		}
	}
	for i := range n {
		op := orgUser(i, orgs["single"])
		if err := s.CreateUser(ctx, realms["single"], op.User, op.Identities); err != nil {
			t.Fatal(err)
		}
	}

	// Ten new users, and ten existing users who move: to the next
	// organization, out of all, or into one.
	moved := func(realm string) (creates []directory.ImportUser, updates []directory.ImportUser) {
		for i := n; i < n+10; i++ {
			creates = append(creates, orgUser(i, orgs[realm]))
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

	bulk, single := readOrganizationState(t, conn, realms["bulk"]), readOrganizationState(t, conn, realms["single"])
	if diff := cmp.Diff(single, bulk); diff != "" {
		t.Errorf("imported (+) and written one by one (-) differ:\n%s", diff)
	}
	if len(bulk.Memberships) < 200 || len(bulk.Users) != n+10 {
		t.Errorf("%d membership lines, %d users; want over 200 and %d", len(bulk.Memberships), len(bulk.Users), n+10)
	}

	// An organization of another realm fails the batch, which writes
	// nothing.
	bad := []directory.ImportUser{orgUser(n+10, orgs["bulk"]), orgUser(n+11, orgs["other"])}
	err := s.ImportUsers(ctx, realms["bulk"], bad)
	var e *directory.Error
	if !errors.As(err, &e) || e.Kind != directory.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "organization_id" {
		t.Errorf("batch with another realm's organization: %v; want KindInvalid on organization_id", err)
	}
	if diff := cmp.Diff(bulk, readOrganizationState(t, conn, realms["bulk"])); diff != "" {
		t.Errorf("the failed batch wrote (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(other, readOrganizationState(t, conn, realms["other"])); diff != "" {
		t.Errorf("realm other changed (-before +after):\n%s", diff)
	}
}
