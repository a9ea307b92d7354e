package zendesk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fieldDefinitions are the fields TestUserFields defines, one per type.
var fieldDefinitions = []string{
	`{"user_field":{"key":"plan","type":"dropdown","title":"Plan","description":"Billing plan","position":2,
		"custom_field_options":[{"name":"Gold","value":"gold"},{"name":"Silver","value":"silver"}]}}`,
	`{"user_field":{"key":"nickname","title":"Nickname","position":1}}`,
	`{"user_field":{"key":"bio","type":"textarea","title":"Bio"}}`,
	`{"user_field":{"key":"vip","type":"checkbox","title":"VIP","tag":"vip_customer"}}`,
	`{"user_field":{"key":"since","type":"date","title":"Customer since"}}`,
	`{"user_field":{"key":"seats","type":"integer","title":"Seats"}}`,
	`{"user_field":{"key":"score","type":"decimal","title":"Score"}}`,
	`{"user_field":{"key":"zip","type":"regexp","title":"ZIP","regexp_for_validation":"\\A[0-9]{5}\\z"}}`,
	`{"user_field":{"key":"langs","type":"multiselect","title":"Languages",
		"custom_field_options":[{"name":"English","value":"en"},{"name":"Spanish","value":"es"},{"name":"German","value":"de"}]}}`,
	`{"user_field":{"key":"manager","type":"lookup","title":"Account manager","relationship_target_type":"zen:user"}}`,
}

func TestUserFields(t *testing.T) {
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		ctx := context.Background()
		res := e.do("POST", "/api/v2/user_fields", "admin", fieldDefinitions[0])
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		e.golden("user_field_create_dropdown", res.body)
		plan := int64(res.json(t)["user_field"].(map[string]any)["id"].(float64))
		ids := map[string]int64{"plan": plan}
		for _, body := range fieldDefinitions[1:] {
			res := e.do("POST", "/api/v2/user_fields", "admin", body)
			if res.status != http.StatusCreated {
				t.Fatalf("create %s: %d %s", body, res.status, res.body)
			}
			f := res.json(t)["user_field"].(map[string]any)
			ids[f["key"].(string)] = int64(f["id"].(float64))
		}

		// Every type as listed, in position order (nickname 1, plan 2,
		// then the rest at the default position, by creation).
		res = e.do("GET", "/api/v2/user_fields.json", "agent", "")
		if res.status != http.StatusOK {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		e.golden("user_fields_list", res.body)

		// Bad definitions are refused and store nothing.
		for _, tc := range []struct{ body, want string }{
			{`{"user_field":{"key":"plan","title":"Again"}}`, `{"key":[{"description":"Key: has already been taken","error":"DuplicateValue"}]}`},
			{`{"user_field":{"key":"123","title":"Digits"}}`, `{"key":[{"description":"Key: may contain only letters, digits and underscores, not only digits, at most 64 characters","error":"InvalidValue"}]}`},
			{`{"user_field":{"key":"x","title":"X","type":"color"}}`, `{"type":[{"description":"Type: must be one of text, textarea, checkbox, date, integer, decimal, regexp, dropdown, multiselect, lookup","error":"InvalidValue"}]}`},
			{`{"user_field":{"key":"x","type":"dropdown","title":"X"}}`, `{"custom_field_options":[{"description":"Custom field options: must have at least one option","error":"BlankValue"}]}`},
			{`{"user_field":{"key":"x","type":"regexp","title":"X","regexp_for_validation":"(["}}`, `{"regexp_for_validation":[{"description":"Regexp for validation: is not a valid regular expression","error":"InvalidValue"}]}`},
			{`{"user_field":{"key":"x","type":"lookup","title":"X","relationship_target_type":"zen:planet"}}`, `{"relationship_target_type":[{"description":"Relationship target type: must be zen:user, zen:organization, zen:ticket or zen:custom_object:KEY","error":"InvalidValue"}]}`},
			{`{"user_field":{"key":"x"}}`, `{"title":[{"description":"Title: cannot be blank","error":"BlankValue"}]}`},
			{`{"user_field":{"key":"x","title":"X","type":"dropdown","custom_field_options":[{"name":"A","value":"a"},{"name":"B","value":"a"}]}}`, `{"custom_field_options":[{"description":"Custom field options: option value \"a\" is used twice","error":"DuplicateValue"}]}`},
		} {
			res := e.do("POST", "/api/v2/user_fields", "admin", tc.body)
			if res.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", tc.body, res.status, res.body)
				continue
			}
			jsonEqual(t, res.body, `{"error":"RecordInvalid","description":"Record validation errors","details":`+tc.want+`}`)
		}
		if fields, _ := e.store.UserFields(ctx, e.acme.ID); len(fields) != len(fieldDefinitions) {
			t.Errorf("fields stored = %d, want %d", len(fields), len(fieldDefinitions))
		}
		// Who may: agents read, only admins write; another realm sees none.
		if res := e.do("POST", "/api/v2/user_fields", "agent", `{"user_field":{"key":"x","title":"X"}}`); res.status != http.StatusForbidden {
			t.Errorf("agent create: %d", res.status)
		}
		if res := e.do("GET", "/api/v2/user_fields", "customer", ""); res.status != http.StatusForbidden {
			t.Errorf("end user list: %d", res.status)
		}
		res = e.do("GET", "/api/v2/user_fields", "beta-admin", "")
		jsonEqual(t, res.body, `{"user_fields":[],"next_page":null,"previous_page":null,"count":0}`)
		for _, path := range []string{fmt.Sprintf("/api/v2/user_fields/%d", plan), "/api/v2/user_fields/plan",
			fmt.Sprintf("/api/v2/user_fields/%d/options", plan)} {
			if res := e.do("GET", path, "beta-admin", ""); res.status != http.StatusNotFound {
				t.Errorf("beta GET %s: %d", path, res.status)
			}
		}
		if res := e.do("DELETE", fmt.Sprintf("/api/v2/user_fields/%d", plan), "beta-admin", ""); res.status != http.StatusNotFound {
			t.Errorf("beta delete: %d", res.status)
		}

		// Show by id and by key.
		byID := e.do("GET", fmt.Sprintf("/api/v2/user_fields/%d.json", ids["vip"]), "agent", "")
		byKey := e.do("GET", "/api/v2/user_fields/vip", "agent", "")
		if byID.status != http.StatusOK || string(byID.body) != string(byKey.body) {
			t.Errorf("show vip: %d %s / %s", byID.status, byID.body, byKey.body)
		}
		e.golden("user_field_show_checkbox", byID.body)

		// Values on a user: each type in its canonical form; unknown keys
		// ignored; the checkbox's tag follows it.
		customer := e.users["customer"].ID
		res = e.do("PUT", fmt.Sprintf("/api/v2/users/%d", customer), "agent", fmt.Sprintf(`{"user":{"user_fields":{
			"plan":"gold","nickname":"Carly","bio":"Line one\nLine two","vip":true,"since":"2019-07-23",
			"seats":"12","score":4.5,"zip":"02139","langs":["es","en"],"manager":%d,"unknown":"ignored"}}}`, e.users["agent"].ID))
		if res.status != http.StatusOK {
			t.Fatalf("set values: %d %s", res.status, res.body)
		}
		u := res.json(t)["user"].(map[string]any)
		want := map[string]any{"plan": "gold", "nickname": "Carly", "bio": "Line one\nLine two", "vip": true,
			"since": "2019-07-23T00:00:00Z", "seats": 12.0, "score": 4.5, "zip": "02139", "langs": []any{"en", "es"},
			"manager": float64(e.users["agent"].ID)}
		if diff := cmp.Diff(want, u["user_fields"]); diff != "" {
			t.Errorf("user_fields (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]any{"vip_customer"}, u["tags"]); diff != "" {
			t.Errorf("tags (-want +got):\n%s", diff)
		}
		stored, err := e.store.UserByID(ctx, e.acme.ID, customer)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := stored.UserFields["unknown"]; ok || stored.UserFields["plan"] != "gold" {
			t.Errorf("stored user_fields = %v", stored.UserFields)
		}

		// Bad values: every one named, nothing changed.
		res = e.do("PUT", fmt.Sprintf("/api/v2/users/%d", customer), "agent", `{"user":{"name":"Changed","user_fields":{
			"plan":"bronze","seats":1.5,"since":"23/07/2019","zip":"ABCDE","vip":"maybe","manager":999999,"langs":["fr"]}}}`)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad values: %d %s", res.status, res.body)
		}
		e.golden("user_fields_invalid_values", res.body)
		if after, _ := e.store.UserByID(ctx, e.acme.ID, customer); after.Name != stored.Name || !cmp.Equal(after.UserFields, stored.UserFields) {
			t.Errorf("a refused update changed the user: %+v", after)
		}

		// Year 0000 parses as a date but is none PostgreSQL keeps: refused
		// on both engines alike.
		res = e.do("PUT", fmt.Sprintf("/api/v2/users/%d", customer), "agent", `{"user":{"user_fields":{"since":"0000-01-01"}}}`)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), "must be a date (YYYY-MM-DD)") {
			t.Errorf("year 0000: %d %s, want 422", res.status, res.body)
		}

		// Values are searchable by key (not by a bare word); number and
		// date fields compare their values (seats:1 is not seats:12, a
		// wildcard still matches the words); keys that name no field,
		// orderings on the other fields and values of the wrong kind are
		// refused.
		for _, tc := range []struct {
			query string
			want  int
		}{
			{"plan:gold", 1}, {"langs:es", 1}, {"since:2019-07-23", 1}, {"seats:12", 1}, {"plan:silver", 0},
			{"nickname:car", 1}, {"-plan:gold", 2}, {"carly", 0},
			{"seats:1", 0}, {"seats:1*", 1}, {"seats>5", 1}, {"seats>12", 0}, {"seats>=12", 1}, {"seats<12", 0},
			{"seats<=12.5", 1}, {"-seats>5", 2}, {"score>=4.5", 1}, {"score<4.5", 0}, {"score:4.5", 1}, {"score:4,5", 1},
			{"since<2020-01-01", 1}, {"since>2019-07-23", 0}, {"since>=2019-07-23", 1},
			{"since:2019-07-23T18:00:00Z", 1}, {"since<1year", 1}, {"since>1year", 0},
			{"seats>5 score<5 since<2020-01-01", 1},
		} {
			res := e.do("GET", "/api/v2/users/search?query="+url.QueryEscape(tc.query), "agent", "")
			if res.status != http.StatusOK || res.json(t)["count"] != float64(tc.want) {
				t.Errorf("search %s: %d %s, want %d found", tc.query, res.status, res.body, tc.want)
			}
		}
		for _, q := range []string{"shoe_size:9", "plan>gold", "nickname<=car", "seats>many", "seats>1*", "since<soon", "since:2019"} {
			if res := e.do("GET", "/api/v2/users/search?query="+url.QueryEscape(q), "agent", ""); res.status != http.StatusBadRequest {
				t.Errorf("search %s: %d %s, want 400", q, res.status, res.body)
			}
		}
		jsonEqual(t, e.do("GET", "/api/v2/users/search?query="+url.QueryEscape("plan>gold"), "agent", "").body,
			`{"error":"InvalidParameter","description":"plan is a dropdown field: search it with plan:value; <, >, <= and >= compare number and date fields"}`)
		jsonEqual(t, e.do("GET", "/api/v2/users/search?query="+url.QueryEscape("seats>many"), "agent", "").body,
			`{"error":"InvalidParameter","description":"seats is a number field: search it with a number, as seats>10 or seats:10"}`)
		// beta has no field "plan".
		if res := e.do("GET", "/api/v2/users/search?query=plan:gold", "beta-admin", ""); res.status != http.StatusBadRequest {
			t.Errorf("beta's search plan:gold: %d %s", res.status, res.body)
		}

		// null and "" clear; unchecking removes the tag.
		res = e.do("PUT", fmt.Sprintf("/api/v2/users/%d", customer), "agent", `{"user":{"user_fields":{"nickname":null,"bio":"","vip":false}}}`)
		u = res.json(t)["user"].(map[string]any)
		fieldsNow := u["user_fields"].(map[string]any)
		if fieldsNow["nickname"] != nil || fieldsNow["bio"] != nil || fieldsNow["vip"] != false || len(u["tags"].([]any)) != 0 {
			t.Errorf("after clearing: %s", res.body)
		}
		if _, ok := fieldsNow["nickname"]; !ok {
			t.Errorf("a cleared field must still be listed, as null: %v", fieldsNow)
		}

		// Updating a definition: options replaced (one kept by id and
		// renamed, one added, one dropped); key and type cannot change.
		fields, _ := e.store.UserFields(ctx, e.acme.ID)
		var gold int64
		for _, f := range fields {
			if f.Key == "plan" {
				gold = f.Options[0].ID
			}
		}
		res = e.do("PUT", fmt.Sprintf("/api/v2/user_fields/%d", plan), "admin", fmt.Sprintf(`{"user_field":{"key":"plan","type":"dropdown","title":"Plan level",
			"custom_field_options":[{"id":%d,"name":"Golden"},{"name":"Platinum","value":"platinum"}]}}`, gold))
		if res.status != http.StatusOK {
			t.Fatalf("update: %d %s", res.status, res.body)
		}
		e.golden("user_field_update_dropdown", res.body)
		res = e.do("PUT", fmt.Sprintf("/api/v2/user_fields/%d", plan), "admin", `{"user_field":{"key":"tier","type":"text"}}`)
		jsonEqual(t, res.body, `{"error":"RecordInvalid","description":"Record validation errors","details":{
			"key":[{"description":"Key: cannot be changed","error":"InvalidValue"}],
			"type":[{"description":"Type: cannot be changed","error":"InvalidValue"}]}}`)

		// Options one by one.
		res = e.do("POST", fmt.Sprintf("/api/v2/user_fields/%d/options", plan), "admin", `{"custom_field_option":{"name":"Bronze","value":"bronze"}}`)
		if res.status != http.StatusCreated {
			t.Fatalf("create option: %d %s", res.status, res.body)
		}
		bronze := int64(res.json(t)["custom_field_option"].(map[string]any)["id"].(float64))
		res = e.do("POST", "/api/v2/user_fields/plan/options", "admin", fmt.Sprintf(`{"custom_field_option":{"id":%d,"name":"Bronze II"}}`, bronze))
		if res.status != http.StatusOK || res.json(t)["custom_field_option"].(map[string]any)["name"] != "Bronze II" {
			t.Errorf("update option: %d %s", res.status, res.body)
		}
		res = e.do("GET", fmt.Sprintf("/api/v2/user_fields/%d/options", plan), "agent", "")
		e.golden("user_field_options", res.body)
		res = e.do("GET", fmt.Sprintf("/api/v2/user_fields/%d/options/%d", plan, bronze), "agent", "")
		if res.status != http.StatusOK || res.json(t)["custom_field_option"].(map[string]any)["value"] != "bronze" {
			t.Errorf("show option: %d %s", res.status, res.body)
		}
		if res := e.do("POST", fmt.Sprintf("/api/v2/user_fields/%d/options", ids["nickname"]), "admin", `{"custom_field_option":{"name":"A","value":"a"}}`); res.status != http.StatusUnprocessableEntity {
			t.Errorf("option on a text field: %d %s", res.status, res.body)
		}
		if res := e.do("DELETE", fmt.Sprintf("/api/v2/user_fields/%d/options/%d", plan, bronze), "admin", ""); res.status != http.StatusNoContent {
			t.Errorf("delete option: %d %s", res.status, res.body)
		}
		if res := e.do("GET", fmt.Sprintf("/api/v2/user_fields/%d/options/%d", plan, bronze), "agent", ""); res.status != http.StatusNotFound {
			t.Errorf("deleted option: %d", res.status)
		}

		// Reorder: 200 with an empty body, then the new order.
		order := []int64{ids["manager"], plan, ids["nickname"]}
		res = e.do("PUT", "/api/v2/user_fields/reorder", "admin", fmt.Sprintf(`{"user_field_ids":[%d,%d,%d]}`, order[0], order[1], order[2]))
		if res.status != http.StatusOK || len(res.body) != 0 {
			t.Errorf("reorder: %d %q", res.status, res.body)
		}
		fields, _ = e.store.UserFields(ctx, e.acme.ID)
		if got := []int64{fields[0].ID, fields[1].ID, fields[2].ID}; !cmp.Equal(got, order) {
			t.Errorf("order after reorder = %v, want %v", got, order)
		}
		if res := e.do("PUT", "/api/v2/user_fields/reorder", "admin", `{"user_field_ids":[999999]}`); res.status != http.StatusUnprocessableEntity {
			t.Errorf("reorder with an unknown id: %d", res.status)
		}

		// Cursor pages walk every field once, in order.
		var walked []int64
		next := "/api/v2/user_fields?page[size]=3"
		for next != "" {
			res := e.do("GET", next, "agent", "")
			body := res.json(t)
			for _, f := range body["user_fields"].([]any) {
				walked = append(walked, int64(f.(map[string]any)["id"].(float64)))
			}
			next = ""
			if link, ok := body["links"].(map[string]any)["next"].(string); ok {
				next = link[len(e.srv.URL):]
			}
		}
		if len(walked) != len(fields) || walked[0] != order[0] || walked[len(walked)-1] != fields[len(fields)-1].ID {
			t.Errorf("cursor walk = %v", walked)
		}

		// Deleting a field drops it, and its values, from users.
		if res := e.do("DELETE", fmt.Sprintf("/api/v2/user_fields/%d", plan), "admin", ""); res.status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", res.status, res.body)
		}
		if u, _ := e.store.UserByID(ctx, e.acme.ID, customer); u.UserFields["plan"] != nil {
			t.Errorf("value kept after its field was deleted: %v", u.UserFields)
		}
		res = e.do("GET", fmt.Sprintf("/api/v2/users/%d", customer), "agent", "")
		if _, ok := res.json(t)["user"].(map[string]any)["user_fields"].(map[string]any)["plan"]; ok {
			t.Errorf("deleted field still shown: %s", res.body)
		}
		// The other realm's customer shows no fields at all.
		res = e.do("GET", fmt.Sprintf("/api/v2/users/%d", e.users["beta-customer"].ID), "beta-admin", "")
		jsonEqual(t, mustMarshal(t, res.json(t)["user"].(map[string]any)["user_fields"]), `{}`)
	})
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
