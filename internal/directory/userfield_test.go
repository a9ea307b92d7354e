package directory_test

import (
	"encoding/json"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// defineField creates a field in realm a as its operator.
func (e *env) defineField(t *testing.T, in directory.UserFieldInput) *directory.UserField {
	t.Helper()
	f, err := e.svc.CreateUserField(e.ctx, e.opA, in)
	if err != nil {
		t.Fatalf("CreateUserField(%s): %v", deref(in.Key), err)
	}
	return f
}

// TestUserFieldValuesOnImport checks that an import applies user field
// values by the rules of a single update: valid values stored in their
// canonical form, a bad value failing its row only, and a second import of
// the same rows changing nothing.
func TestUserFieldValuesOnImport(t *testing.T) {
	e := newEnv(t)
	e.defineField(t, directory.UserFieldInput{Key: ptr("seats"), Title: ptr("Seats"), Type: ptr("integer")})
	e.defineField(t, directory.UserFieldInput{Key: ptr("vip"), Title: ptr("VIP"), Type: ptr("checkbox"), Tag: ptr("vip")})
	rows := []directory.UserInput{
		{Name: ptr("Ann"), ExternalID: ptr("a-1"), UserFields: map[string]any{"seats": "3", "vip": true, "other": 1.0}},
		{Name: ptr("Bob"), ExternalID: ptr("b-1"), UserFields: map[string]any{"seats": 2.5}},
		// A number as JSON Lines decode it (json.Number), not as a string.
		{Name: ptr("Cid"), ExternalID: ptr("c-1"), UserFields: map[string]any{"seats": json.Number("12"), "vip": json.Number("0")}},
	}
	results, err := e.svc.ImportUsers(e.ctx, e.opA, rows)
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Err != nil || results[0].Action != directory.ImportCreated {
		t.Fatalf("row 1 = %+v", results[0])
	}
	if directory.KindOf(results[1].Err) != directory.KindInvalid {
		t.Fatalf("row 2 = %+v, want a validation error", results[1])
	}
	ann, err := e.store.UserByExternalID(e.ctx, e.a.ID, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"seats": 3.0, "vip": true}, ann.UserFields); diff != "" {
		t.Errorf("imported user_fields (-want +got):\n%s", diff)
	}
	if results[2].Err != nil || results[2].Action != directory.ImportCreated {
		t.Fatalf("row 3 = %+v", results[2])
	}
	if cid, err := e.store.UserByExternalID(e.ctx, e.a.ID, "c-1"); err != nil || !cmp.Equal(cid.UserFields, map[string]any{"seats": 12.0, "vip": false}) {
		t.Errorf("json.Number values stored as %v (%v), want seats 12 and vip false", cid.UserFields, err)
	}
	if !cmp.Equal(ann.Tags, []string{"vip"}) {
		t.Errorf("tags = %v, want the checkbox's tag", ann.Tags)
	}
	if _, err := e.store.UserByExternalID(e.ctx, e.a.ID, "b-1"); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("the refused row was written: %v", err)
	}
	// Importing Ann again is a no-op, values read back compare equal.
	results, err = e.svc.ImportUsers(e.ctx, e.opA, rows[:1])
	if err != nil || results[0].Action != directory.ImportUnchanged {
		t.Errorf("re-import = %+v, %v; want unchanged", results[0], err)
	}
	// The other realm has no such fields: the values are ignored there.
	results, err = e.svc.ImportUsers(e.ctx, e.opB, rows[:1])
	if err != nil || results[0].Err != nil {
		t.Fatalf("import in b = %+v, %v", results, err)
	}
	if u, _ := e.store.UserByExternalID(e.ctx, e.b.ID, "a-1"); len(u.UserFields) != 0 || len(u.Tags) != 0 {
		t.Errorf("b's user = %v %v, want no fields and no tags", u.UserFields, u.Tags)
	}
}

// TestUserFieldRules covers the definitions' rules: who may define them,
// options, the key's immutability, and a realm's limit.
func TestUserFieldRules(t *testing.T) {
	e := newEnv(t)
	_, agent := e.staff(t, directory.RoleAgent, "agent@acme.test")
	if _, err := e.svc.CreateUserField(e.ctx, agent, directory.UserFieldInput{Key: ptr("k"), Title: ptr("K")}); directory.KindOf(err) != directory.KindForbidden {
		t.Errorf("agent create: %v", err)
	}
	if _, err := e.svc.UserFields(e.ctx, agent); err != nil {
		t.Errorf("agent list: %v", err)
	}
	plan := e.defineField(t, directory.UserFieldInput{Key: ptr("plan"), Title: ptr("Plan"), Type: ptr("dropdown"),
		Options: &[]directory.FieldOptionInput{{Name: ptr("Gold"), Value: ptr("gold")}}})
	// A realm's fields are its own.
	if _, err := e.svc.UserField(e.ctx, e.opB, "plan"); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("b reads a's field: %v", err)
	}
	if _, err := e.svc.CreateUserField(e.ctx, e.opB, directory.UserFieldInput{Key: ptr("plan"), Title: ptr("Plan")}); err != nil {
		t.Errorf("the same key in b: %v", err)
	}
	// Options: a new one, then an update of it, then its deletion.
	_, o, created, err := e.svc.PutUserFieldOption(e.ctx, e.opA, "plan", directory.FieldOptionInput{Name: ptr("Silver"), Value: ptr("silver")})
	if err != nil || !created || o.Value != "silver" || o.ID == 0 {
		t.Fatalf("new option = %+v, %v, %v", o, created, err)
	}
	_, o2, created, err := e.svc.PutUserFieldOption(e.ctx, e.opA, "plan", directory.FieldOptionInput{ID: o.ID, Name: ptr("Argent")})
	if err != nil || created || o2.ID != o.ID || o2.Name != "Argent" || o2.Value != "silver" {
		t.Fatalf("updated option = %+v, %v, %v", o2, created, err)
	}
	if _, _, _, err := e.svc.PutUserFieldOption(e.ctx, e.opA, "plan", directory.FieldOptionInput{ID: 999, Name: ptr("X")}); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("update of an unknown option: %v", err)
	}
	if err := e.svc.DeleteUserFieldOption(e.ctx, e.opA, "plan", o.ID); err != nil {
		t.Fatal(err)
	}
	// The last option cannot go: a dropdown needs one.
	f, _ := e.svc.UserField(e.ctx, e.opA, "plan")
	if err := e.svc.DeleteUserFieldOption(e.ctx, e.opA, "plan", f.Options[0].ID); directory.KindOf(err) != directory.KindInvalid {
		t.Errorf("deleting the last option: %v", err)
	}
	if _, err := e.svc.UpdateUserField(e.ctx, e.opA, "plan", directory.UserFieldInput{Key: ptr("tier")}); directory.KindOf(err) != directory.KindInvalid {
		t.Errorf("changing the key: %v", err)
	}
	if got, _ := e.svc.UserField(e.ctx, e.opA, "plan"); got.ID != plan.ID || len(got.Options) != 1 {
		t.Errorf("plan after refused changes = %+v", got)
	}
	// An inactive field keeps its values but takes no new ones.
	u := e.create(t, directory.UserInput{Name: ptr("Ann"), UserFields: map[string]any{"plan": "gold"}})
	if _, err := e.svc.UpdateUserField(e.ctx, e.opA, "plan", directory.UserFieldInput{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	u, err = e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{UserFields: map[string]any{"plan": nil}})
	if err != nil || u.UserFields["plan"] != "gold" {
		t.Errorf("inactive field cleared: %v, %v", u.UserFields, err)
	}
}

// TestUserFieldOptionPosition checks that an option position the stores
// cannot hold is refused with a 422-kind error, not passed on.
func TestUserFieldOptionPosition(t *testing.T) {
	e := newEnv(t)
	e.defineField(t, directory.UserFieldInput{Key: ptr("plan"), Title: ptr("Plan"), Type: ptr("dropdown"),
		Options: &[]directory.FieldOptionInput{{Name: ptr("Gold"), Value: ptr("gold")}}})
	for _, pos := range []int{-1, 3000000000} {
		_, _, _, err := e.svc.PutUserFieldOption(e.ctx, e.opA, "plan", directory.FieldOptionInput{Name: ptr("X"), Value: ptr("x"), Position: ptr(pos)})
		if directory.KindOf(err) != directory.KindInvalid {
			t.Errorf("position %d: %v, want a validation error", pos, err)
		}
	}
	if f, _ := e.svc.UserField(e.ctx, e.opA, "plan"); len(f.Options) != 1 {
		t.Errorf("options after refused writes = %+v", f.Options)
	}
}
