package storetest

import (
	"context"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

func userField(key string, typ directory.UserFieldType, position int, options ...directory.FieldOption) *directory.UserField {
	return &directory.UserField{Key: key, Type: typ, Title: key, RawTitle: key, Position: position, Active: true,
		Options: options, CreatedAt: epoch, UpdatedAt: epoch}
}

// testUserFields checks field definitions, their options, ordering, the
// key's uniqueness per realm, and that deleting a field removes its values
// from the realm's users only.
func testUserFields(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b := realm(t, s, "acme"), realm(t, s, "beta")

	level := userField("level", directory.FieldDropdown, 5,
		directory.FieldOption{Name: "Gold", RawName: "Gold", Value: "gold", Position: 0},
		directory.FieldOption{Name: "Silver", RawName: "Silver", Value: "silver", Position: 1})
	level.RelationshipFilter = nil
	note := userField("note", directory.FieldText, 1)
	owner := userField("owner", directory.FieldLookup, 9)
	owner.RelationshipTargetType = "zen:user"
	owner.RelationshipFilter = map[string]any{"all": []any{map[string]any{"field": "role", "operator": "is", "value": "agent"}}}
	for _, f := range []*directory.UserField{level, note, owner} {
		if err := s.CreateUserField(ctx, a.ID, f); err != nil {
			t.Fatalf("CreateUserField(%s): %v", f.Key, err)
		}
	}
	if level.ID == 0 || level.Options[0].ID == 0 || level.Options[1].ID == 0 {
		t.Fatalf("ids not set: %+v", level)
	}
	// The same key in another realm is another field; twice in one is not.
	other := userField("level", directory.FieldText, 0)
	if err := s.CreateUserField(ctx, b.ID, other); err != nil {
		t.Fatalf("CreateUserField in beta: %v", err)
	}
	wantDuplicate(t, s.CreateUserField(ctx, a.ID, userField("level", directory.FieldText, 0)), "key")

	got, err := s.UserFields(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]directory.UserField{*note, *level, *owner}, got); diff != "" {
		t.Errorf("UserFields (-want +got):\n%s", diff)
	}

	// Replacing options: one kept and renamed, one dropped, one added.
	level.Options = []directory.FieldOption{
		{ID: level.Options[1].ID, Name: "Argent", RawName: "Argent", Value: "silver", Position: 0},
		{Name: "Bronze", RawName: "Bronze", Value: "bronze", Position: 1},
	}
	level.Title, level.Active = "Level", false
	if err := s.UpdateUserField(ctx, a.ID, level); err != nil {
		t.Fatal(err)
	}
	if level.Options[1].ID == 0 {
		t.Fatal("new option got no id")
	}
	got, err = s.UserFields(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*level, got[1]); diff != "" {
		t.Errorf("updated field (-want +got):\n%s", diff)
	}
	// Another realm cannot update or delete the field.
	wantKind(t, s.UpdateUserField(ctx, b.ID, level), directory.KindNotFound)
	wantKind(t, s.DeleteUserField(ctx, b.ID, level), directory.KindNotFound)

	if err := s.ReorderUserFields(ctx, a.ID, []int64{owner.ID, level.ID, note.ID}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.UserFields(ctx, a.ID)
	if keys := fieldKeys(got); !cmp.Equal(keys, []string{"owner", "level", "note"}) {
		t.Errorf("after reorder: %v", keys)
	}
	// Reordering with another realm's id changes nothing there.
	if err := s.ReorderUserFields(ctx, a.ID, []int64{other.ID}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserFields(ctx, b.ID); got[0].Position != 0 {
		t.Errorf("beta's field moved: %+v", got[0])
	}

	// Deleting a field removes its values from the realm's users.
	ua := newUser("Ann")
	ua.UserFields = map[string]any{"level": "silver", "note": "vip"}
	create(t, s, a.ID, ua)
	ub := newUser("Bob")
	ub.UserFields = map[string]any{"level": "x"}
	create(t, s, b.ID, ub)
	// Values are searchable under their key, in their realm only.
	search := func(realmID int64, key, value string) []int64 {
		t.Helper()
		q := directory.UserQuery{Terms: []directory.Term{{Field: key, Value: value}}}
		users, err := s.SearchUsers(ctx, realmID, q, directory.SearchPage{Limit: 10})
		if err != nil {
			t.Fatalf("search %s:%s: %v", key, value, err)
		}
		n, err := s.CountSearchUsers(ctx, realmID, q)
		if err != nil || n != int64(len(users)) {
			t.Fatalf("count %s:%s = %d, %v; the search found %d", key, value, n, err, len(users))
		}
		return ids(users)
	}
	if got := search(a.ID, "level", "silver"); !cmp.Equal(got, []int64{ua.ID}) {
		t.Errorf("level:silver = %v, want Ann", got)
	}
	if got := search(a.ID, "note", "vi"); !cmp.Equal(got, []int64{ua.ID}) {
		t.Errorf("note:vi (a prefix) = %v, want Ann", got)
	}
	if got := search(a.ID, "level", "x"); len(got) != 0 {
		t.Errorf("acme's level:x = %v, found beta's user", got)
	}
	if got := search(b.ID, "level", "x"); !cmp.Equal(got, []int64{ub.ID}) {
		t.Errorf("beta's level:x = %v, want Bob", got)
	}
	if err := s.DeleteUserField(ctx, a.ID, level); err != nil {
		t.Fatal(err)
	}
	// The deleted field's values leave the index with it.
	if got := search(a.ID, "level", "silver"); len(got) != 0 {
		t.Errorf("level:silver after the field's deletion = %v", got)
	}
	if got := search(a.ID, "note", "vip"); !cmp.Equal(got, []int64{ua.ID}) {
		t.Errorf("note:vip after level's deletion = %v, want Ann", got)
	}
	if u, _ := s.UserByID(ctx, a.ID, ua.ID); !cmp.Equal(u.UserFields, map[string]any{"note": "vip"}) {
		t.Errorf("acme user's fields after delete = %v", u.UserFields)
	}
	if u, _ := s.UserByID(ctx, b.ID, ub.ID); !cmp.Equal(u.UserFields, map[string]any{"level": "x"}) {
		t.Errorf("beta user's fields after acme's delete = %v", u.UserFields)
	}
	got, _ = s.UserFields(ctx, a.ID)
	if keys := fieldKeys(got); !cmp.Equal(keys, []string{"owner", "note"}) {
		t.Errorf("after delete: %v", keys)
	}
	wantKind(t, s.DeleteUserField(ctx, a.ID, level), directory.KindNotFound)
}

func fieldKeys(fields []directory.UserField) []string {
	keys := []string{}
	for _, f := range fields {
		keys = append(keys, f.Key)
	}
	return keys
}
