package directory_test

import (
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

// TestUniqueFieldThroughIndex checks the unique flag's lookup through the
// search index: the same words in another case or with other punctuation
// are other values, a punctuation-only value is still checked, and a
// deleted user or another realm's user holds nothing.
func TestUniqueFieldThroughIndex(t *testing.T) {
	e := newEnv(t)
	for _, realm := range []directory.Actor{e.opA, e.opB} {
		unique, key, typ := true, "member_no", "text"
		if _, err := e.svc.CreateUserField(e.ctx, realm, directory.UserFieldInput{Key: &key, Type: &typ, Title: &key, Unique: &unique}); err != nil {
			t.Fatal(err)
		}
	}
	signin := directory.NewSignin(e.svc, directory.SigninOptions{})
	create := func(a directory.Actor, name, value string) error {
		_, err := signin.CreateRealmUser(e.ctx, a, directory.UserInput{Name: ptr(name), UserFields: map[string]any{"member_no": value}}, nil)
		return err
	}
	for _, ok := range []struct{ name, value string }{{"Ann", "AB-12 x"}, {"Bob", "ab-12 x"}, {"Cid", "AB 12 x"}, {"Dee", "!!"}} {
		if err := create(e.opA, ok.name, ok.value); err != nil {
			t.Fatalf("%s with %q: %v", ok.name, ok.value, err)
		}
	}
	if err := create(e.opB, "Olga", "AB-12 x"); err != nil {
		t.Errorf("the same value in another realm: %v", err)
	}
	for _, dup := range []string{"AB-12 x", "ab-12 x", "!!"} {
		if err := create(e.opA, "Eve", dup); directory.KindOf(err) != directory.KindInvalid || !hasField(err, "user_fields.member_no") {
			t.Errorf("duplicate %q: %v", dup, err)
		}
	}
	// Once Bob is deleted, his value is free.
	bob, err := e.svc.SearchUsers(e.ctx, e.opA, directory.UserQuery{Terms: []directory.Term{{Field: "name", Value: "Bob"}}}, directory.SearchPage{Limit: 1})
	if err != nil || len(bob) != 1 {
		t.Fatal(bob, err)
	}
	if _, err := e.svc.DeleteUser(e.ctx, e.opA, bob[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := create(e.opA, "Eve", "ab-12 x"); err != nil {
		t.Errorf("a deleted user's value: %v", err)
	}
}

// hasField reports whether err is an Invalid error naming field.
func hasField(err error, field string) bool {
	de, ok := err.(*directory.Error)
	if !ok {
		return false
	}
	for _, f := range de.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// TestUniqueFieldNamedLikeAKeyword checks a unique custom field whose key
// is also a search keyword (role, created): the query language reads them
// as the built-in fields, so the uniqueness check must not search for
// them.
func TestUniqueFieldNamedLikeAKeyword(t *testing.T) {
	for _, key := range []string{"role", "created"} {
		t.Run(key, func(t *testing.T) {
			e := newEnv(t)
			unique, typ := true, "text"
			if _, err := e.svc.CreateUserField(e.ctx, e.opA, directory.UserFieldInput{Key: &key, Type: &typ, Title: &key, Unique: &unique}); err != nil {
				t.Fatal(err)
			}
			signin := directory.NewSignin(e.svc, directory.SigninOptions{})
			create := func(name, value string) error {
				_, err := signin.CreateRealmUser(e.ctx, e.opA, directory.UserInput{Name: ptr(name), UserFields: map[string]any{key: value}}, nil)
				return err
			}
			if err := create("Ann", "desk 12"); err != nil {
				t.Fatal(err)
			}
			if err := create("Eve", "desk 12"); directory.KindOf(err) != directory.KindInvalid || !hasField(err, "user_fields."+key) {
				t.Errorf("duplicate value of a field named %s: %v", key, err)
			}
		})
	}
}
