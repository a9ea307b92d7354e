package directory_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
)

// lookupCounter is a store that counts the organization lookups made
// through it, to show that an import checks a batch's organizations at
// once.
type lookupCounter struct {
	directory.Store
	byID, byIDs atomic.Int64
}

func (c *lookupCounter) OrganizationByID(ctx context.Context, realmID, id int64) (*directory.Organization, error) {
	c.byID.Add(1)
	return c.Store.OrganizationByID(ctx, realmID, id)
}

func (c *lookupCounter) OrganizationsByIDs(ctx context.Context, realmID int64, ids []int64) ([]directory.Organization, error) {
	c.byIDs.Add(1)
	return c.Store.OrganizationsByIDs(ctx, realmID, ids)
}

// TestImportOrganizationID imports rows with organization_id on both
// stores: the organization becomes the user's default and only
// membership, as a single update makes it; null removes them; an id of
// another realm, or of nothing, fails its row alone; a row that already
// matches is unchanged, so a second import writes nothing.
func TestImportOrganizationID(t *testing.T) {
	engines := []struct {
		name string
		open func(testing.TB) directory.Store
	}{
		{"sqlite", func(t testing.TB) directory.Store { return sqlitetest.Open(t) }},
		{"postgres", pgtest.Open},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			ctx := context.Background()
			store := &lookupCounter{Store: eng.open(t)}
			svc := directory.NewService(store, directory.ServiceOptions{Now: func() time.Time { return epoch }})
			acme, err := svc.CreateRealm(ctx, "acme", "Acme")
			if err != nil {
				t.Fatal(err)
			}
			beta, err := svc.CreateRealm(ctx, "beta", "Beta")
			if err != nil {
				t.Fatal(err)
			}
			opA, opB := directory.Operator(acme.ID), directory.Operator(beta.ID)
			org := func(op directory.Actor, name string) int64 {
				o, err := svc.CreateOrganization(ctx, op, directory.OrganizationInput{Name: &name})
				if err != nil {
					t.Fatal(err)
				}
				return o.ID
			}
			one, two, foreign := org(opA, "One"), org(opA, "Two"), org(opB, "Foreign")
			user := func(email string, orgs ...int64) int64 {
				u, err := svc.CreateUser(ctx, opA, directory.UserInput{Name: ptr(email), Email: ptr(email), OrganizationID: ptr(orgs[0])})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range orgs[1:] {
					if _, err := svc.CreateMembership(ctx, opA, directory.MembershipInput{UserID: u.ID, OrganizationID: o}); err != nil {
						t.Fatal(err)
					}
				}
				return u.ID
			}
			old := user("old@example.com", one, two)
			kept := user("kept@example.com", one)
			cleared := user("clear@example.com", two)
			// memberships reads a user's memberships as "Name*" for the
			// default, and its organization_id's name.
			names := map[int64]string{0: "", one: "One", two: "Two"}
			memberships := func(id int64) string {
				t.Helper()
				ms, err := store.ListMemberships(ctx, acme.ID, directory.MembershipFilter{UserID: id}, directory.Page{Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				u, err := store.UserByID(ctx, acme.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, m := range ms {
					s := m.OrganizationName
					if m.Default {
						s += "*"
					}
					out = append(out, s)
				}
				return strings.Join(out, " ") + " => " + names[u.OrganizationID]
			}

			rows := []directory.UserInput{
				{Name: ptr("Fresh"), Email: ptr("fresh@example.com"), OrganizationID: ptr(two)},
				{Name: ptr("Stolen"), Email: ptr("stolen@example.com"), OrganizationID: ptr(foreign)},
				{Email: ptr("old@example.com"), OrganizationID: ptr(one)},
				{Email: ptr("kept@example.com"), OrganizationID: ptr(one)},
				{Name: ptr("Nowhere"), Email: ptr("not-an-email"), OrganizationID: ptr(int64(999999))},
				{Email: ptr("clear@example.com"), OrganizationID: ptr(int64(0))},
			}
			store.byID.Store(0)
			results, err := svc.ImportUsers(ctx, opA, rows)
			if err != nil {
				t.Fatal(err)
			}
			want := []directory.ImportAction{directory.ImportCreated, directory.ImportFailed, directory.ImportUpdated,
				directory.ImportUnchanged, directory.ImportFailed, directory.ImportUpdated}
			for i, r := range results {
				if r.Action != want[i] {
					t.Errorf("row %d: action %d, err %v; want %d", i, r.Action, r.Err, want[i])
				}
			}
			wantInvalid(t, results[1].Err, directory.FieldError{Field: "organization_id", Code: "InvalidValue"})
			wantInvalid(t, results[4].Err, directory.FieldError{Field: "email", Code: "InvalidValue"},
				directory.FieldError{Field: "organization_id", Code: "InvalidValue"})
			if n, m := store.byID.Load(), store.byIDs.Load(); n != 0 || m != 1 {
				t.Errorf("organization lookups: %d by id, %d batched; want 0 and 1", n, m)
			}
			fresh := results[0].User.ID
			for id, want := range map[int64]string{fresh: "Two* => Two", old: "One* => One", kept: "One* => One", cleared: " => "} {
				if got := memberships(id); got != want {
					t.Errorf("user %d: memberships %q, want %q", id, got, want)
				}
			}
			if results[0].User.OrganizationID != two || results[2].User.OrganizationID != one {
				t.Errorf("returned users' organization_id: %d, %d", results[0].User.OrganizationID, results[2].User.OrganizationID)
			}
			for id, want := range map[int64]int64{one: 2, two: 1} {
				if n, err := store.CountOrganizationUsers(ctx, acme.ID, id, nil); err != nil || n != want {
					t.Errorf("members of %s = %d, %v; want %d", names[id], n, err, want)
				}
			}
			if n, err := store.CountOrganizationUsers(ctx, beta.ID, foreign, nil); err != nil || n != 0 {
				t.Errorf("members of beta's organization = %d, %v", n, err)
			}
			if n, err := store.CountUsers(ctx, acme.ID, directory.UserFilter{}); err != nil || n != 4 {
				t.Errorf("acme's users = %d, %v; want 4", n, err)
			}

			// The same rows again: every row that worked is unchanged now.
			again, err := svc.ImportUsers(ctx, opA, rows)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range []int{0, 2, 3, 5} {
				if again[i].Action != directory.ImportUnchanged {
					t.Errorf("second import, row %d: action %d, err %v; want unchanged", i, again[i].Action, again[i].Err)
				}
			}
		})
	}
}
