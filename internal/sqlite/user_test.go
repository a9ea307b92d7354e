package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// TestDecodeTags checks the tags column's fast path against
// json.Unmarshal, for what json.Marshal writes and for text it would not.
func TestDecodeTags(t *testing.T) {
	for _, tags := range [][]string{
		{}, {""}, {"vip"}, {"vip", "beta", "churn_risk"}, {"ñandú", "日本"}, {`q"t`, `a","b`}, {"back\\slash"},
		{"<html>", "a&b"}, {"\x01ctl", "tab\t"}, {"\u2028"}, {"\xff"},
	} {
		text, err := json.Marshal(tags)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if err := json.Unmarshal(text, &want); err != nil {
			t.Fatal(err)
		}
		got, err := decodeTags(string(text))
		if err != nil {
			t.Fatalf("decodeTags(%s): %v", text, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decodeTags(%s) (-json.Unmarshal +decodeTags):\n%s", text, diff)
		}
	}
	// Not json.Marshal's text, but JSON all the same: the slow path.
	for text, want := range map[string][]string{
		`[ "a", "b" ]`: {"a", "b"},
		`["a" ,"b"]`:   {"a", "b"},
		`null`:         {},
	} {
		got, err := decodeTags(text)
		if err != nil {
			t.Fatalf("decodeTags(%s): %v", text, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decodeTags(%s) (-want +got):\n%s", text, diff)
		}
	}
	if _, err := decodeTags(`["a",`); err == nil {
		t.Error("decodeTags of broken JSON gave no error")
	}
}

// TestPackedUserMatchesColumns checks that a user read as one JSON array
// (readUser, decodePackedUser) is exactly the user scanUser reads column by
// column: every field set and empty, text with every byte value, escapes,
// control characters and invalid UTF-8, and rows holding values scanUser
// rejects or converts, which must take the column path.
func TestPackedUserMatchesColumns(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "packed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	realm := &directory.Realm{UID: "acme", Name: "Acme"}
	if err := s.CreateRealm(ctx, realm); err != nil {
		t.Fatal(err)
	}
	var every []byte
	for c := 1; c < 256; c++ {
		every = append(every, byte(c))
	}
	odd := []string{string(every), "\x00nul", `q"u\o/te`, "\u2028\u2029", "😀ñ", "\xff\xfe", "\xed\xa0\x80", "tab\tnl\n\r\b\f\x7f", ""}
	at := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	full := func(i int, text string) *directory.User {
		return &directory.User{UUID: "uuid-" + text, Name: "Name " + text, FirstName: text, LastName: text, SecondLastName: text,
			Username: fmt.Sprintf("user%d%s", i, text), Email: fmt.Sprintf("u%d@example.com", i), Phone: "+1555000" + fmt.Sprint(i),
			SharedPhoneNumber: true, ExternalID: fmt.Sprintf("ext-%d-%s", i, text), Alias: text, Signature: text, Details: text,
			Notes: text, RemotePhotoURL: "https://x.test/" + text, Role: directory.RoleAgent,
			TicketRestriction: "groups", Moderator: true, OnlyPrivateComments: true, TimeZone: "Santiago", IANATimeZone: "America/Santiago",
			Locale: "es-CL", LocaleID: 1176, Verified: true, Suspended: true, Tags: []string{"vip", text, `a"b`},
			UserFields: map[string]any{"text": text, "n": 1.5, "on": true, "none": nil}, PasswordHash: "$argon2id$" + text,
			LastLoginAt: at, CreatedAt: at.Add(-time.Hour), UpdatedAt: at, DeletedAt: at.Add(time.Minute), Erased: i%2 == 0}
	}
	create := func(u *directory.User) int64 {
		t.Helper()
		if err := s.CreateUser(ctx, realm.ID, u, nil); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	var ids []int64
	for i, text := range odd {
		ids = append(ids, create(full(i, text)))
	}
	// Every optional field empty.
	ids = append(ids, create(&directory.User{UUID: "empty", Name: "Empty", Role: directory.RoleEndUser, TimeZone: "UTC",
		IANATimeZone: "Etc/UTC", Locale: "en-US", LocaleID: 1, CreatedAt: at, UpdatedAt: at}))
	columns := func(id int64) (*directory.User, error) {
		return scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE realm_id = ? AND id = ?`, realm.ID, id))
	}
	for i, id := range ids {
		want, err := columns(id)
		if err != nil {
			t.Fatal(err)
		}
		var packed string
		if err := s.read.QueryRowContext(ctx, `SELECT `+userPacked+` FROM users WHERE id = ?`, id).Scan(&packed); err != nil {
			t.Fatal(err)
		}
		got, ok, err := decodePackedUser(packed)
		if !ok || err != nil {
			t.Fatalf("user %d: decodePackedUser(%q) = ok %v, %v; want the packed path", i, packed, ok, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("user %d (-columns +packed):\n%s", i, diff)
		}
		if got, err := s.UserByID(ctx, realm.ID, id); err != nil || !cmp.Equal(want, got) {
			t.Errorf("user %d: UserByID differs from the columns (err %v):\n%s", i, err, cmp.Diff(want, got))
		}
	}
	if _, err := s.UserByID(ctx, realm.ID, ids[len(ids)-1]+100); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("missing user: %v, want ErrNotFound", err)
	}
	if _, err := s.UserByID(ctx, realm.ID+1, ids[0]); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("user of another realm: %v, want ErrNotFound", err)
	}

	// A page of them: the packed query, and the same users.
	const page = `FROM users WHERE realm_id = ? ORDER BY id DESC LIMIT 100`
	wantPage, err := s.queryUsers(ctx, `SELECT `+userColumns+` `+page, realm.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := s.readPackedUsers(ctx, page, realm.ID); !ok || !cmp.Equal(wantPage, got) || len(got) != len(ids) {
		t.Errorf("packed page: ok %v, %d users (-columns +packed):\n%s", ok, len(got), cmp.Diff(wantPage, got))
	}

	// Values written behind the store's back: the packed text cannot
	// stand for them, so UserByID must answer what the columns do (a
	// value or scanUser's error).
	for _, set := range []string{
		`notes = CAST('blob notes' AS BLOB)`, // not JSONB: json_array fails
		`details = x'00'`,                    // JSONB null: a NULL where a string must be
		`created_at = 1.5`,                   // a real: scanUser cannot read it as an integer
		`updated_at = 1e300`,
		`locale_id = 'x12'`,
		`verified = 2`, // not a bool to database/sql
		`custom_role_id = 'abc'`,
		`organization_id = -9223372036854775808`, // the packed path, at int64's edge
		`email = NULL`,
		`email = 42`,      // TEXT affinity stores the text '42'
		`tags = '["a",]'`, // broken JSON: both report it
	} {
		id := create(full(len(ids), set))
		if _, err := s.write.ExecContext(ctx, `UPDATE users SET `+set+` WHERE id = ?`, id); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
		want, wantErr := columns(id)
		got, err := s.UserByID(ctx, realm.ID, id)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("%s: UserByID error %v, columns %v", set, err, wantErr)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-columns +UserByID):\n%s", set, diff)
		}
		// A page holding the row answers as the columns do: the users,
		// or the column read's error.
		wantPage, wantErr := s.queryUsers(ctx, `SELECT `+userColumns+` `+page, realm.ID)
		gotPage, err := s.readUsers(ctx, page, realm.ID)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("%s: page error %v, columns %v", set, err, wantErr)
		}
		if diff := cmp.Diff(wantPage, gotPage); diff != "" {
			t.Errorf("%s: page (-columns +readUsers):\n%s", set, diff)
		}
	}
}

// TestDecodePackedUserRejects checks that text json_array would not write
// for a well-formed users row sends the read to the column path.
func TestDecodePackedUserRejects(t *testing.T) {
	valid := `[1,2,"u","n","","","","",null,null,0,null,"","","","","","end-user",0,0,0,"",0,0,"UTC","Etc/UTC","en-US",1,0,0,"[]","{}","",null,0,0,null,0]`
	if _, ok, err := decodePackedUser(valid); !ok || err != nil {
		t.Fatalf("valid text: ok %v, %v", ok, err)
	}
	for _, text := range []string{
		"", "[", "[]", valid[:len(valid)-1], valid + " ", valid[:len(valid)-1] + ",0]",
		strings.Replace(valid, `[1,`, `[1.0,`, 1), strings.Replace(valid, `[1,`, `[1e3,`, 1),
		strings.Replace(valid, `[1,`, `[-,`, 1), strings.Replace(valid, `[1,`, `[99999999999999999999,`, 1),
		strings.Replace(valid, `"u"`, `"\ud83d\ude00"`, 1), strings.Replace(valid, `"u"`, `"\x"`, 1),
		strings.Replace(valid, `"u"`, `"\u00"`, 1), strings.Replace(valid, `"u"`, `"u\`, 1),
		strings.Replace(valid, `"u"`, `null`, 1), strings.Replace(valid, `"u"`, `7`, 1),
		strings.Replace(valid, `[1,`, `["1",`, 1), strings.Replace(valid, `"",0,0,"UTC"`, `"",0,2,"UTC"`, 1),
		strings.Replace(valid, `"u"`, `nul`, 1), strings.Replace(valid, `"u"`, `true`, 1),
	} {
		if _, ok, _ := decodePackedUser(text); ok {
			t.Errorf("decodePackedUser(%q) took it", text)
		}
	}
	u, ok, err := decodePackedUser(strings.Replace(valid, `"n"`, `"a\"b\\c\/d\b\f\n\r\t\u0001\u001f"`, 1))
	if !ok || err != nil || u.Name != "a\"b\\c/d\b\f\n\r\t\x01\x1f" {
		t.Errorf("escapes: ok %v, %v, name %q", ok, err, u.Name)
	}
}
