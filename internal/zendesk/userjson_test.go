package zendesk

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
	"github.com/google/go-cmp/cmp"
)

// TestUserJSONMatchesEncodingJSON checks that the hand-written full user
// object (userjson.go) is byte for byte what encoding/json makes of
// fullUser, alone, as a search result and in a page, for users with
// every optional field empty and set, strings that need escaping, and
// custom field values of every type; and that a realm's field keys do not
// leak into another realm's users.
func TestUserJSONMatchesEncodingJSON(t *testing.T) {
	ctx := context.Background()
	store := sqlitetest.Open(t)
	svc := directory.NewService(store, directory.ServiceOptions{})
	h := NewHandler(Config{Service: svc})
	acme, err := svc.CreateRealm(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	beta, err := svc.CreateRealm(ctx, "beta", "Beta")
	if err != nil {
		t.Fatal(err)
	}
	// Keys created out of order: encoding/json writes a map's keys sorted.
	for _, k := range []string{"zeta", "Alpha", "plan", "score", "opt_in", "colors", "a_b"} {
		key := k
		if _, err := svc.CreateUserField(ctx, directory.Operator(acme.ID), directory.UserFieldInput{Key: &key, Title: &key}); err != nil {
			t.Fatal(err)
		}
	}
	other := "other_realm_key"
	if _, err := svc.CreateUserField(ctx, directory.Operator(beta.ID), directory.UserFieldInput{Key: &other, Title: &other}); err != nil {
		t.Fatal(err)
	}

	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("x", 3600))
	plain := directory.User{ID: 7, RealmID: acme.ID, UUID: "u-7", Name: "Plain", Role: directory.RoleEndUser,
		TimeZone: "UTC", IANATimeZone: "Etc/UTC", Locale: "en-US", LocaleID: 1, CreatedAt: at, UpdatedAt: at}
	full := directory.User{ID: 1234567, RealmID: acme.ID, UUID: "00000000-0000-4000-8000-000000000001",
		Name: "Zoë \"Q\" <O'Brien> & co\\", FirstName: "Zoë", LastName: "O'Brien", SecondLastName: "\u2028sep", Username: "zq\x01",
		Email: "zoe+tag@example.com", Phone: "+15551234567", SharedPhoneNumber: true, ExternalID: "ext/1?a=b&c",
		Alias: "\xff\xfeinvalid", Signature: "sig\n\ttab", Details: "日本語", Notes: "<script>", RemotePhotoURL: "https://img.test/a b.png?x=<1>",
		Role: directory.RoleAgent, CustomRoleID: 9, DefaultGroupID: 3, OrganizationID: 4, TicketRestriction: "assigned",
		Moderator: true, OnlyPrivateComments: true, TimeZone: "Santiago", IANATimeZone: "America/Santiago",
		Locale: "es-CL", LocaleID: 1234, Verified: true, Suspended: true, Tags: []string{"vip", "ñandú", `q"t`},
		UserFields: map[string]any{"zeta": "z<&>", "Alpha": 1.5e21, "plan": "gold", "score": 42.0, "opt_in": true,
			"colors": []any{"red", "blue"}, "gone": "not a field any more"},
		LastLoginAt: at.Add(time.Hour), CreatedAt: at, UpdatedAt: at.Add(2 * time.Hour)}
	admin := plain
	admin.ID, admin.Role, admin.DeletedAt, admin.Tags, admin.UserFields = 8, directory.RoleAdmin, at, nil, nil
	agent := plain
	agent.ID, agent.Role, agent.TicketRestriction = 9, directory.RoleAgent, ""
	betaUser := plain
	betaUser.ID, betaUser.RealmID, betaUser.UserFields = 10, beta.ID, map[string]any{"other_realm_key": -0.25, "plan": "x"}
	users := []directory.User{plain, full, admin, agent, betaUser}

	for _, host := range []string{"clientele.test", "h\u00e9st:8080", `q"uote`} {
		r := httptest.NewRequest("GET", "http://"+host+"/api/v2/users", nil)
		r.Host = host
		items := make([]any, len(users))
		results := make([]any, len(users))
		for i := range users {
			u := &users[i]
			want, err := marshal(h.fullUser(r, u))
			if err != nil {
				t.Fatal(err)
			}
			got, err := marshal(userJSON{h: h, r: r, u: u})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("host %q, user %d (-encoding/json +userJSON):\n%s", host, u.ID, diff)
			}
			want, err = marshal(struct {
				user
				ResultType string `json:"result_type"`
			}{h.fullUser(r, u), "user"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(userJSON{h: h, r: r, u: u, resultType: true}.appendJSON(nil))); diff != "" {
				t.Errorf("host %q, search result %d (-encoding/json +userJSON):\n%s", host, u.ID, diff)
			}
			items[i] = h.fullUser(r, u)
			results[i] = userJSON{h: h, r: r, u: u}
		}
		want, err := marshal(items)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendRecords(nil, results)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("host %q, page (-encoding/json +appendRecords):\n%s", host, diff)
		}
	}
}
