package customers_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

// TestAdminCustomFields checks the custom field definitions' CRUD, the
// type mapping, the limit of 20 and that bad input changes nothing.
func TestAdminCustomFields(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		const fields = "/api/customers/realms/acme/custom_fields"
		stored := func(realm *directory.Realm) []directory.UserField {
			t.Helper()
			f, err := e.svc.UserFields(ctx, directory.Operator(realm.ID))
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		types := map[string]directory.UserFieldType{"checkbox": "checkbox", "date": "date", "paragraph": "textarea",
			"number": "decimal", "text": "text", "single_line_text": "text"}
		i := 0
		for typ, want := range types {
			c := a.account
			if i%2 == 1 {
				c = a.acme
			}
			i++
			key := "_ucf_" + typ
			r := e.do("POST", fields, map[string]any{"key": key, "name": "Field " + typ, "type": typ, "hint": "h", "visible": true}, c)
			wantStatus(t, r, http.StatusCreated)
			got := r.json(t)
			shown := typ
			if typ == "single_line_text" {
				shown = "text"
			}
			if got["key"] != key || got["type"] != shown || got["visible"] != true || got["editable"] != false || got["enabled"] != true {
				t.Errorf("created %s = %s", typ, r.body)
			}
			f, err := e.svc.UserField(ctx, directory.Operator(e.acme.ID), key)
			if err != nil {
				t.Fatal(err)
			}
			if f.Type != want || !f.CustomerVisible || f.Description != "h" {
				t.Errorf("stored %s = %+v", typ, f)
			}
		}
		// Dropdown and choice carry options.
		r := e.do("POST", fields, map[string]any{"key": "plan", "name": "Plan", "type": "dropdown", "required": true,
			"options": []map[string]any{{"name": "Basic", "value": "basic"}, {"name": "Pro", "value": "pro"}}}, a.acme)
		wantStatus(t, r, http.StatusCreated)
		plan := r.json(t)
		if opts := plan["options"].([]any); len(opts) != 2 || opts[1].(map[string]any)["value"] != "pro" || plan["required"] != true {
			t.Errorf("dropdown = %s", r.body)
		}
		r = e.do("POST", fields, map[string]any{"key": "likes", "name": "Likes", "type": "choice",
			"options": []map[string]any{{"name": "Cats", "value": "cats"}}}, a.account)
		wantStatus(t, r, http.StatusCreated)
		if f, _ := e.svc.UserField(ctx, directory.Operator(e.acme.ID), "likes"); f.Type != directory.FieldMultiselect {
			t.Errorf("choice stored as %s", f.Type)
		}

		// List, show, update, delete with both credentials.
		r = e.do("GET", fields+"?per_page=3", nil, a.acme)
		wantStatus(t, r, http.StatusOK)
		if got := r.json(t); len(got["custom_fields"].([]any)) != 3 || got["meta"].(map[string]any)["total_entries"] != float64(8) {
			t.Errorf("list = %s", r.body)
		}
		planPath := fields + "/" + strconv.FormatInt(int64(plan["id"].(float64)), 10)
		for name, c := range a.both() {
			r := e.do("GET", planPath, nil, c)
			wantStatus(t, r, http.StatusOK)
			if r.json(t)["key"] != "plan" {
				t.Errorf("%s: show = %s", name, r.body)
			}
		}
		r = e.do("PUT", planPath, map[string]any{"name": "Plan level", "editable": true, "visible": true, "unique": true}, a.account)
		wantStatus(t, r, http.StatusOK)
		if f, _ := e.svc.UserField(ctx, directory.Operator(e.acme.ID), "plan"); f.Title != "Plan level" || !f.CustomerEditable || !f.Unique || !f.Required {
			t.Errorf("stored after update = %+v", f)
		}

		// Bad input: 422 by field, nothing stored.
		before := len(stored(e.acme))
		for body, want := range map[string]string{
			`{"key":"x","name":"X","type":"hologram"}`:               `{"errors":{"type":["must be one of checkbox, date, dropdown, paragraph, number, choice, text"]}}`,
			`{"key":"x","name":"X"}`:                                 `{"errors":{"type":["can't be blank"]}}`,
			`{"key":"plan","name":"X","type":"text"}`:                `{"errors":{"key":["has already been taken"]}}`,
			`{"key":"x y","name":"","type":"text"}`:                  `{"errors":{"key":["may contain only letters, digits and underscores, not only digits, at most 64 characters"],"name":["cannot be blank"]}}`,
			`{"key":"x","name":"X","type":"dropdown"}`:               `{"errors":{"options":["must have at least one option"]}}`,
			`{"key":"x","name":"X","type":"checkbox","unique":true}`: `{"errors":{"unique":["only text, number, date and dropdown fields can be unique"]}}`,
			`{"key":"x","name":"X","type":"text","editable":true}`:   `{"errors":{"editable":["a field customers edit must be visible to them"]}}`,
			`{"key":`: ``,
		} {
			r := e.do("POST", fields, body, a.account)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if want != "" {
				wantBody(t, r, want)
			}
		}
		r = e.do("PUT", planPath, map[string]any{"type": "text", "name": "Renamed"}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"type":["cannot be changed"]}}`)
		if got := stored(e.acme); len(got) != before || got[len(got)-2].Title != "Plan level" {
			t.Errorf("refused writes changed the fields")
		}
		// Beta's fields are its own.
		if len(stored(e.beta)) != 0 {
			t.Errorf("beta has fields")
		}
		r = e.do("GET", "/api/customers/realms/beta/custom_fields/"+strconv.FormatInt(int64(plan["id"].(float64)), 10), nil, a.account)
		wantStatus(t, r, http.StatusNotFound)
		for _, bad := range []string{"plan", "0", "x"} {
			wantStatus(t, e.do("GET", fields+"/"+bad, nil, a.account), http.StatusNotFound)
		}

		// At most 20 per realm through this API.
		for n := len(stored(e.acme)); n < 20; n++ {
			r := e.do("POST", fields, map[string]any{"key": "f" + strconv.Itoa(n), "name": "F", "type": "text"}, a.account)
			wantStatus(t, r, http.StatusCreated)
		}
		r = e.do("POST", fields, map[string]any{"key": "f21", "name": "F", "type": "text"}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"base":["a realm may have at most 20 custom fields"]}}`)
		if n := len(stored(e.acme)); n != 20 {
			t.Errorf("%d fields after the 21st was refused", n)
		}

		// Delete: 200 {}, and the users' values go with the field.
		r = e.do("DELETE", planPath, nil, a.acme)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `{}`)
		wantStatus(t, e.do("GET", planPath, nil, a.acme), http.StatusNotFound)
		wantStatus(t, e.do("DELETE", planPath, nil, a.acme), http.StatusNotFound)
	})
}

// TestCustomFieldRules checks that required and unique are enforced on
// the Customers API's writes (admin create and update, PUT me) and not on
// the Zendesk side's directory calls.
func TestCustomFieldRules(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		op := directory.Operator(e.acme.ID)
		const fields = "/api/customers/realms/acme/custom_fields"
		const users = "/api/customers/realms/acme/users"
		wantStatus(t, e.do("POST", fields, map[string]any{"key": "member_no", "name": "Member number", "type": "text",
			"required": true, "unique": true, "visible": true, "editable": true}, a.account), http.StatusCreated)
		wantStatus(t, e.do("POST", fields, map[string]any{"key": "score", "name": "Score", "type": "number", "unique": true,
			"visible": true, "editable": true}, a.account), http.StatusCreated)

		count := func() int64 {
			n, err := e.svc.CountUsers(ctx, op, directory.UserFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		r := e.do("POST", users, map[string]any{"email": "m1@acme.test"}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"custom_fields.member_no":["can't be blank"]}}`)
		r = e.do("POST", users, map[string]any{"email": "m1@acme.test", "custom_fields": []map[string]any{{"key": "member_no", "value": "M-1"}, {"key": "score", "value": 5}}}, a.acme)
		wantStatus(t, r, http.StatusCreated)
		m1 := int64(r.json(t)["id"].(float64))
		r = e.do("POST", users, map[string]any{"email": "m2@acme.test", "custom_fields": []map[string]any{{"key": "member_no", "value": "M-1"}, {"key": "score", "value": 5.0}}}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"custom_fields.member_no":["has already been taken"],"custom_fields.score":["has already been taken"]}}`)
		if n := count(); n != before+1 {
			t.Errorf("users = %d, want %d", n, before+1)
		}
		r = e.do("POST", users, map[string]any{"email": "m2@acme.test", "custom_fields": []map[string]any{{"key": "member_no", "value": "M-2"}}}, a.account)
		wantStatus(t, r, http.StatusCreated)
		m2 := int64(r.json(t)["id"].(float64))

		// Updates: an unchanged value is no duplicate of itself; clearing a
		// required field or taking another's value is refused.
		m1Path := users + "/" + strconv.FormatInt(m1, 10)
		wantStatus(t, e.do("PUT", m1Path, map[string]any{"first_name": "Em", "custom_fields": []map[string]any{{"key": "member_no", "value": "M-1"}}}, a.account), http.StatusOK)
		r = e.do("PUT", m1Path, map[string]any{"custom_fields": []map[string]any{{"key": "member_no", "value": nil}}}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"custom_fields.member_no":["can't be blank"]}}`)
		r = e.do("PUT", m1Path, map[string]any{"custom_fields": map[string]any{"member_no": "M-2"}}, a.account)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"custom_fields.member_no":["has already been taken"]}}`)
		if u, _ := e.store.UserByID(ctx, e.acme.ID, m1); u.UserFields["member_no"] != "M-1" || u.FirstName != "Em" {
			t.Errorf("m1 = %+v", u.UserFields)
		}
		// Users from before the field, without a value, can still be
		// updated.
		wantStatus(t, e.do("PUT", users+"/"+strconv.FormatInt(e.carla.ID, 10), map[string]any{"first_name": "Carla"}, a.account), http.StatusOK)

		// PUT me goes through the same rules.
		m2Login := e.signIn(e.acme, mustUser(t, e, m2))
		r = e.do("PUT", "/api/customers/realms/acme/me", map[string]any{"custom_fields": []map[string]any{{"key": "member_no", "value": "M-1"}}}, m2Login.bearer())
		wantStatus(t, r, http.StatusUnprocessableEntity)
		r = e.do("PUT", "/api/customers/realms/acme/me", map[string]any{"custom_fields": []map[string]any{{"key": "member_no", "value": ""}}}, m2Login.bearer())
		wantStatus(t, r, http.StatusUnprocessableEntity)
		r = e.do("PUT", "/api/customers/realms/acme/me", map[string]any{"custom_fields": []map[string]any{{"key": "member_no", "value": "M-3"}}}, m2Login.bearer())
		wantStatus(t, r, http.StatusOK)
		if u, _ := e.store.UserByID(ctx, e.acme.ID, m2); u.UserFields["member_no"] != "M-3" {
			t.Errorf("m2 after PUT me = %v", u.UserFields)
		}

		// The Zendesk side's writes do not enforce them.
		name, email := "Zed", "zed@acme.test"
		if _, err := e.svc.CreateUser(ctx, op, directory.UserInput{Name: &name, Email: &email, UserFields: map[string]any{"score": 5.0}}); err != nil {
			t.Errorf("a directory create without FieldRules: %v", err)
		}
		// Another realm may hold the same value.
		wantStatus(t, e.do("POST", "/api/customers/realms/beta/custom_fields", map[string]any{"key": "member_no", "name": "N", "type": "text", "unique": true}, a.account), http.StatusCreated)
		wantStatus(t, e.do("POST", "/api/customers/realms/beta/users", map[string]any{"email": "m1@beta.test", "custom_fields": map[string]any{"member_no": "M-1"}}, a.account), http.StatusCreated)
	})
}

// mustUser reads a user of acme.
func mustUser(t *testing.T, e *env, id int64) *directory.User {
	t.Helper()
	u, err := e.store.UserByID(context.Background(), e.acme.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
