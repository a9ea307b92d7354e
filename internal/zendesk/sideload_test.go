package zendesk_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// sideloadEnv is an env whose customer belongs to two organizations, has
// a secondary email, a phone and a twitter identity and is verified, whose
// staff are in a group; beta has an organization, a group and identities of
// its own that must never show through acme.
func sideloadEnv(t *testing.T, eng engine) *env {
	t.Helper()
	e := newEnv(t, eng, 0)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, realm := range []*directory.Realm{e.acme, e.beta} {
		op := directory.Operator(realm.ID)
		prefix, customer, staff := "Acme", e.users["customer"], []*directory.User{e.users["agent"], e.users["admin"]}
		if realm == e.beta {
			prefix, customer, staff = "Beta", e.users["beta-customer"], []*directory.User{e.users["beta-admin"]}
		}
		var orgs []*directory.Organization
		for _, name := range []string{prefix + " Corp", prefix + " Ltd", prefix + " Unused"} {
			o, err := e.svc.CreateOrganization(ctx, op, directory.OrganizationInput{Name: &name})
			must(err)
			orgs = append(orgs, o)
		}
		_, err := e.svc.CreateMembership(ctx, op, directory.MembershipInput{UserID: customer.ID, OrganizationID: orgs[1].ID})
		must(err)
		_, err = e.svc.CreateMembership(ctx, op, directory.MembershipInput{UserID: customer.ID, OrganizationID: orgs[0].ID})
		must(err)
		for _, name := range []string{prefix + " Support", prefix + " Sales"} {
			g, err := e.svc.CreateGroup(ctx, op, directory.GroupInput{Name: &name})
			must(err)
			for _, u := range staff {
				if _, err := e.svc.CreateGroupMembership(ctx, op, directory.GroupMembership{UserID: u.ID, GroupID: g.ID}); err != nil &&
					!strings.Contains(err.Error(), "validation") {
					t.Fatal(err) // a staff member may have joined the first group already
				}
			}
		}
		_, err = e.svc.CreateIdentity(ctx, op, customer.ID, directory.NewIdentity{Type: directory.IdentityEmail,
			Value: strings.ToLower(prefix) + "-second@example.com"})
		must(err)
		_, err = e.svc.CreateIdentity(ctx, op, customer.ID, directory.NewIdentity{Type: directory.IdentityTwitter,
			Value: strings.ToLower(prefix) + "carla"})
		must(err)
		verified := true
		_, err = e.svc.UpdateUser(ctx, op, customer.ID, directory.UserInput{Verified: &verified})
		must(err)
	}
	// The export holds only users changed before the current second.
	e.clock.Advance(time.Minute)
	return e
}

// memberOrder returns the top-level member names of a JSON object body, in
// the order they were sent.
func memberOrder(t *testing.T, body []byte, names ...string) []string {
	t.Helper()
	var out []string
	for _, n := range names {
		if bytes.Contains(body, []byte(`"`+n+`":`)) {
			out = append(out, n)
		}
	}
	// Sort the present names by where they first appear.
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if bytes.Index(body, []byte(`"`+out[j]+`":`)) < bytes.Index(body, []byte(`"`+out[i]+`":`)) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestSideloads(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := sideloadEnv(t, eng)
		id := func(name string) string { return fmt.Sprint(e.users[name].ID) }
		get := func(path, who string, status int) response {
			t.Helper()
			res := e.do("GET", path, who, "")
			if res.status != status {
				t.Fatalf("GET %s as %s: status %d, want %d\n%s", path, who, res.status, status, res.body)
			}
			return res
		}
		order := func(res response, want string, names ...string) {
			t.Helper()
			if got := strings.Join(memberOrder(t, res.body, names...), ","); got != want {
				t.Errorf("members in order %s, want %s", got, want)
			}
		}
		noBeta := func(res response) {
			t.Helper()
			for _, s := range []string{"Beta ", "beta-second@", "betacarla", "admin@beta.test"} {
				if bytes.Contains(res.body, []byte(s)) {
					t.Errorf("beta's %q shows through acme:\n%s", s, res.body)
				}
			}
		}

		t.Run("ListAll", func(t *testing.T) {
			// Unknown names (open_ticket_count, bogus) are ignored; repeated
			// ones sideload once; the order is the order asked.
			res := get("/api/v2/users.json?include=identities,organizations,bogus,groups,roles,abilities,identities,open_ticket_count", "admin", 200)
			order(res, "users,identities,organizations,groups,roles,abilities,next_page",
				"users", "identities", "organizations", "groups", "roles", "abilities", "next_page", "open_ticket_count", "bogus")
			noBeta(res)
			e.golden("sideload_users_list", res.body)
		})
		t.Run("ListCursorAbilitiesOfAgent", func(t *testing.T) {
			res := get("/api/v2/users?page[size]=2&include=abilities,groups", "agent", 200)
			order(res, "users,abilities,groups,meta,links", "users", "abilities", "groups", "meta", "links")
			e.golden("sideload_users_cursor_agent", res.body)
		})
		t.Run("Show", func(t *testing.T) {
			res := get("/api/v2/users/"+id("customer")+".json?include=organizations,identities", "agent", 200)
			order(res, "user,organizations,identities", "user", "organizations", "identities")
			noBeta(res)
			e.golden("sideload_user_show", res.body)
		})
		t.Run("ShowOtherRealm", func(t *testing.T) {
			res := get("/api/v2/users/"+id("beta-customer")+"?include=identities", "admin", 404)
			noBeta(res)
		})
		t.Run("MeEndUser", func(t *testing.T) {
			// The customer sees its own email and phone identities, not the
			// twitter one, and no organizations or groups (agents' records).
			res := get("/api/v2/users/me.json?include=identities,organizations,groups,roles,abilities", "customer", 200)
			noBeta(res)
			e.golden("sideload_me_customer", res.body)
		})
		t.Run("EndUserShowsNobodyElse", func(t *testing.T) {
			get("/api/v2/users/"+id("agent")+"?include=identities", "customer", 403)
		})
		t.Run("ShowMany", func(t *testing.T) {
			res := get("/api/v2/users/show_many.json?ids="+id("customer")+","+id("beta-customer")+","+id("agent")+"&include=groups,organizations", "admin", 200)
			order(res, "users,groups,organizations,count", "users", "groups", "organizations", "count")
			noBeta(res)
			e.golden("sideload_users_show_many", res.body)
		})
		t.Run("Search", func(t *testing.T) {
			res := get("/api/v2/users/search.json?query=carla&include=organizations", "admin", 200)
			order(res, "users,organizations,next_page", "users", "organizations", "next_page")
			noBeta(res)
			e.golden("sideload_users_search", res.body)
			byExternal := get("/api/v2/users/search?external_id=cust-1&include=identities", "agent", 200)
			if v := byExternal.json(t); len(v["identities"].([]any)) != 4 {
				t.Errorf("search by external_id sideloads %v, want the customer's 4 identities", v["identities"])
			}
		})
		t.Run("IncrementalExports", func(t *testing.T) {
			res := get("/api/v2/incremental/users.json?start_time=0&include=identities", "admin", 200)
			order(res, "users,identities,count,end_of_stream", "users", "identities", "count", "end_of_stream")
			noBeta(res)
			e.golden("sideload_incremental_users", res.body)
			cur := get("/api/v2/incremental/users/cursor.json?start_time=0&include=identities", "admin", 200)
			order(cur, "users,identities,after_url", "users", "identities", "after_url")
			v, w := cur.json(t), res.json(t)
			if fmt.Sprint(v["identities"]) != fmt.Sprint(w["identities"]) {
				t.Errorf("cursor export sideloads %v, want the time export's %v", v["identities"], w["identities"])
			}
		})
		t.Run("BetaSeesOnlyBeta", func(t *testing.T) {
			res := get("/api/v2/users?include=identities,organizations,groups", "beta-admin", 200)
			for _, s := range []string{"Acme ", "acme-second@", "acmecarla", "+15551234567"} {
				if bytes.Contains(res.body, []byte(s)) {
					t.Errorf("acme's %q shows through beta:\n%s", s, res.body)
				}
			}
			v := res.json(t)
			if len(v["organizations"].([]any)) != 2 || len(v["groups"].([]any)) != 2 || len(v["identities"].([]any)) != 4 {
				t.Errorf("beta sideloads %d organizations, %d groups, %d identities; want 2, 2, 4",
					len(v["organizations"].([]any)), len(v["groups"].([]any)), len(v["identities"].([]any)))
			}
		})
		t.Run("NoIncludeUnchanged", func(t *testing.T) {
			plain := get("/api/v2/users/"+id("customer"), "admin", 200)
			unknown := get("/api/v2/users/"+id("customer")+"?include=open_ticket_count,tickets", "admin", 200)
			if !bytes.Equal(plain.body, unknown.body) {
				t.Errorf("include of unknown names changed the body:\n%s\n%s", plain.body, unknown.body)
			}
			if !bytes.HasPrefix(plain.body, []byte(`{"user":{`)) || bytes.Contains(plain.body, []byte(`"identities"`)) {
				t.Errorf("show without include = %s", plain.body)
			}
		})
		// Sideloads read; they change nothing.
		if n, err := e.store.CountUsers(context.Background(), e.acme.ID, directory.UserFilter{}); err != nil || n != 3 {
			t.Errorf("acme has %d users (%v), want 3", n, err)
		}
	})
}
