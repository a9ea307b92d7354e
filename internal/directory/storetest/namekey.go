package storetest

import (
	"context"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// NameKeyUsers are the users both engines' migration tests write before
// migration 0026 (name_key), as rows of an earlier release: id, realm,
// name, and whether the user is deleted. Realm 2 is the second realm.
var NameKeyUsers = []struct {
	ID, RealmID int64
	Name        string
	Deleted     bool
}{
	{1, 1, "Ann Lee", false},
	{2, 1, "  ÉLODIE   Roy", false},
	{3, 2, "Anders", false},
	{4, 1, "Annie Gone", true},
	{5, 1, "Bob", false},
}

// CheckMigratedNameKeys checks, after Migrate ran over NameKeyUsers, that
// keys (each user's name_key, read by the engine's test) were filled in
// Go, and that autocomplete finds the users by them, in their realm only
// and never when deleted.
func CheckMigratedNameKeys(t *testing.T, s directory.Store, keys map[int64]string) {
	t.Helper()
	want := map[int64]string{1: "ann lee", 2: "elodie roy", 3: "anders", 4: "annie gone", 5: "bob"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("name keys after the migration (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		realm  int64
		prefix string
		want   []int64
	}{
		{1, "an", []int64{1}}, // not the deleted Annie, not the other realm's Anders
		{1, "elo", []int64{2}},
		{2, "an", []int64{3}},
	} {
		users, err := s.AutocompleteUsers(context.Background(), c.realm, directory.NamePrefix(c.prefix), 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.want, ids(users)); diff != "" {
			t.Errorf("realm %d, autocomplete %q (-want +got):\n%s", c.realm, c.prefix, diff)
		}
	}
}
