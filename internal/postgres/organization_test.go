package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestConcurrentMembershipsKeepOneDefault has several nodes add, remove
// and make default the memberships of the same users at once, and set
// their organization_id, while another node deletes organizations. Writes
// may collide (KindConflict, which clients retry) but never fail
// otherwise, and afterwards every user with memberships has exactly one
// default, its organization_id names it, and every organization's member
// count is its number of memberships.
func TestConcurrentMembershipsKeepOneDefault(t *testing.T) {
	dsn, _ := pgtest.NewSchema(t)
	nodes := []*postgres.Store{openDSN(t, dsn), openDSN(t, dsn), openDSN(t, dsn)}
	ctx := t.Context()
	if err := nodes[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	epoch := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	r := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: epoch, UpdatedAt: epoch}
	if err := nodes[0].CreateRealm(ctx, r); err != nil {
		t.Fatal(err)
	}
	var users, orgs []int64
	for i := range 3 {
		u := &directory.User{UUID: fmt.Sprint("uuid-", i), Name: fmt.Sprint("user ", i), Role: directory.RoleEndUser,
			TimeZone: "UTC", IANATimeZone: "UTC", Locale: "en-US", LocaleID: 1, CreatedAt: epoch, UpdatedAt: epoch}
		if err := nodes[0].CreateUser(ctx, r.ID, u, nil); err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID)
	}
	for i := range 8 {
		o := directory.NewOrganization(r.ID, epoch)
		o.Name = fmt.Sprint("org ", i)
		if err := nodes[0].CreateOrganization(ctx, r.ID, o); err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o.ID)
	}

	const workers, rounds = 6, 20
	errs := make(chan error, workers*rounds+len(orgs))
	// tolerated are the outcomes of a race lost to another node: a
	// collision, a record another node removed or already added.
	tolerated := func(err error) bool {
		switch directory.KindOf(err) {
		case directory.KindConflict, directory.KindNotFound, directory.KindInvalid:
			return true
		}
		return err == nil
	}
	var wg sync.WaitGroup
	for w := range workers {
		s := nodes[w%len(nodes)]
		wg.Go(func() {
			for i := range rounds {
				user, org := users[(w+i)%len(users)], orgs[(w*3+i)%len(orgs)]
				var err error
				switch i % 4 {
				case 0, 1:
					err = s.CreateMembership(ctx, r.ID, &directory.Membership{UserID: user, OrganizationID: org, Default: i%2 == 1,
						CreatedAt: epoch, UpdatedAt: epoch})
				case 2:
					var m *directory.Membership
					if m, err = s.MembershipOf(ctx, r.ID, user, org); err == nil {
						if w%2 == 0 {
							err = s.MakeDefaultMembership(ctx, r.ID, m.ID, epoch)
						} else {
							err = s.DeleteMembership(ctx, r.ID, m.ID)
						}
					}
				case 3:
					var u *directory.User
					if u, err = s.UserByID(ctx, r.ID, user); err == nil {
						err = s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{Organization: &org})
					}
				}
				if !tolerated(err) {
					errs <- fmt.Errorf("worker %d round %d: %w", w, i, err)
				}
			}
		})
	}
	wg.Go(func() {
		for _, org := range orgs[:2] {
			time.Sleep(5 * time.Millisecond)
			if err := nodes[2].DeleteOrganization(ctx, r.ID, org); !tolerated(err) {
				errs <- fmt.Errorf("delete organization %d: %w", org, err)
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var bad int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM users u WHERE u.realm_id = $1 AND (
		(SELECT count(*) FROM organization_memberships m WHERE m.user_id = u.id AND m.is_default) <> 
			CASE WHEN EXISTS (SELECT 1 FROM organization_memberships m WHERE m.user_id = u.id) THEN 1 ELSE 0 END
		OR u.organization_id <> coalesce((SELECT m.organization_id FROM organization_memberships m WHERE m.user_id = u.id AND m.is_default LIMIT 1), 0))`,
		r.ID).Scan(&bad)
	if err != nil || bad != 0 {
		t.Errorf("%d users without exactly one default matching organization_id (%v)", bad, err)
	}
	err = conn.QueryRow(ctx, `SELECT count(*) FROM organizations o WHERE o.realm_id = $1 AND
		o.users_count <> (SELECT count(*) FROM organization_memberships m WHERE m.organization_id = o.id)`, r.ID).Scan(&bad)
	if err != nil || bad != 0 {
		t.Errorf("%d organizations whose users_count is off (%v)", bad, err)
	}
}
