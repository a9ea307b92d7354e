package clienttest_test

import (
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// nodeAttached is what node-zendesk attached to one user from the
// sideloads of its response ("undefined" where it attached nothing).
type nodeAttached struct {
	Status       int      `json:"status,omitempty"`
	ID           int64    `json:"id"`
	Role         any      `json:"role"`
	Identities   []string `json:"identities"`
	Organization any      `json:"organization"`
	Groups       []string `json:"groups"`
}

// sideloadsReport is the one JSON object sideloads.js prints.
type sideloadsReport struct {
	Shown    nodeAttached   `json:"shown"`
	Me       nodeAttached   `json:"me"`
	Listed   []nodeAttached `json:"listed"`
	ShowMany struct {
		Status int            `json:"status"`
		Users  []nodeAttached `json:"users"`
	} `json:"show_many"`
	WithRoles nodeAttached   `json:"with_roles"`
	Exchanges []nodeExchange `json:"exchanges"`
}

// TestNodeZendeskSideloads runs node/sideloads.js: node-zendesk's
// users.setSideLoad sends include=, and its sideLoadMap must find in
// Clientele's responses the records it attaches to each user.
func TestNodeZendeskSideloads(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: node-zendesk client test skipped")
	}
	ensureNodeModules(t)
	f := startServer(t)
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Realm beta first, so that ids alone cannot tell the realms apart:
	// the foreign customer has an organization and a second identity too.
	betaOp := directory.Operator(f.beta.ID)
	betaOrg := "Beta Org"
	bo, err := f.svc.CreateOrganization(ctx, betaOp, directory.OrganizationInput{Name: &betaOrg})
	must(err)
	_, err = f.svc.CreateMembership(ctx, betaOp, directory.MembershipInput{UserID: f.foreign.ID, OrganizationID: bo.ID})
	must(err)
	_, err = f.svc.CreateIdentity(ctx, betaOp, f.foreign.ID, directory.NewIdentity{Type: directory.IdentityEmail, Value: "beta-second@example.com"})
	must(err)

	acme, err := f.svc.Realm(ctx, "acme")
	must(err)
	op := directory.Operator(acme.ID)
	customer := createUser(t, f.svc, acme, "Node Customer", "node-customer@example.com", directory.RoleEndUser)
	orgName, groupName := "Node Org", "Node Desk"
	org, err := f.svc.CreateOrganization(ctx, op, directory.OrganizationInput{Name: &orgName})
	must(err)
	_, err = f.svc.CreateMembership(ctx, op, directory.MembershipInput{UserID: customer.ID, OrganizationID: org.ID})
	must(err)
	_, err = f.svc.CreateIdentity(ctx, op, customer.ID, directory.NewIdentity{Type: directory.IdentityEmail, Value: "node-second@example.com"})
	must(err)
	g, err := f.svc.CreateGroup(ctx, op, directory.GroupInput{Name: &groupName})
	must(err)
	if _, err := f.svc.GroupMembership(ctx, op, f.admin.ID, g.ID); err != nil {
		// The realm's first group may already have taken the admin in.
		_, _ = f.svc.CreateGroupMembership(ctx, op, directory.GroupMembership{UserID: f.admin.ID, GroupID: g.ID})
	}

	var r sideloadsReport
	runNodeScript(t, node, "sideloads.js", f.endpoint, []string{
		"ZENDESK_USERNAME=" + f.admin.Email,
		"ZENDESK_TOKEN=" + f.token,
		"ZENDESK_CUSTOMER_ID=" + strconv.FormatInt(customer.ID, 10),
	}, &r)

	cid, aid := customer.ID, f.admin.ID
	idents := func(id int64, emails ...string) []string {
		out := []string{}
		for _, e := range emails {
			out = append(out, strconv.FormatInt(id, 10)+":email:"+e)
		}
		return out
	}
	customerView := nodeAttached{ID: cid, Role: "end-user", Identities: idents(cid, "node-customer@example.com", "node-second@example.com"),
		Organization: "Node Org"}
	adminView := nodeAttached{ID: aid, Role: "admin", Identities: idents(aid, "admin@acme.example"), Organization: nil}
	with := func(v nodeAttached, status int, groups ...string) nodeAttached {
		v.Status, v.Groups = status, append([]string{}, groups...)
		return v
	}
	// show: the customer is in no group, so the page sideloads none.
	if diff := cmp.Diff(with(customerView, 200), r.Shown); diff != "" {
		t.Errorf("users.show with sideloads (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(with(adminView, 200, "Node Desk"), r.Me); diff != "" {
		t.Errorf("users.me with sideloads (-want +got):\n%s", diff)
	}
	// node-zendesk attaches every group of the page to every user
	// (sideLoadMap "all"), so the customer shows the admin's group.
	page := []nodeAttached{with(adminView, 0, "Node Desk"), with(customerView, 0, "Node Desk")}
	if diff := cmp.Diff(page, r.Listed); diff != "" {
		t.Errorf("users.list with sideloads (-want +got):\n%s", diff)
	}
	if r.ShowMany.Status != 200 {
		t.Errorf("users.showMany status %d", r.ShowMany.Status)
	}
	if diff := cmp.Diff(page, r.ShowMany.Users); diff != "" {
		t.Errorf("users.showMany with sideloads (-want +got):\n%s", diff)
	}
	// include=roles: "roles": [] has no role for custom_role_id null, and
	// node-zendesk's sideLoadMap then sets the user's role to null, as it
	// would against Zendesk for a user without a custom role.
	if diff := cmp.Diff(nodeAttached{Status: 200, ID: cid, Role: nil, Organization: "undefined"}, r.WithRoles); diff != "" {
		t.Errorf("users.show with roles (-want +got):\n%s", diff)
	}

	wantIncludes := []string{"identities,organizations,groups", "identities,organizations,groups",
		"identities,organizations,groups", "identities,organizations,groups", "roles"}
	if len(r.Exchanges) != len(wantIncludes) {
		t.Fatalf("the script sent %d requests, want %d: %+v", len(r.Exchanges), len(wantIncludes), r.Exchanges)
	}
	for i, x := range r.Exchanges {
		u, err := url.Parse(x.URI)
		if err != nil || x.Status != 200 || x.RetryAfter != nil || !strings.HasPrefix(x.URI, f.endpoint+"/users") ||
			u.Query().Get("include") != wantIncludes[i] {
			t.Errorf("request %d = %+v, want a 200 GET of /users... with include=%s", i+1, x, wantIncludes[i])
		}
	}
}
