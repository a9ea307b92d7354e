package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// num is a Numeric term, as the Service makes for an integer or decimal
// field: field op n.
func num(field string, op directory.Op, n float64) directory.Term {
	ops := map[directory.Op]string{directory.OpEq: "=", directory.OpLT: "<", directory.OpGT: ">", directory.OpLE: "<=", directory.OpGE: ">="}
	return directory.Term{Field: field, Op: op, Bounds: []directory.Bound{{Op: ops[op], Value: n}}}
}

// onDay is a Numeric term on a date field: field op the midnight (UTC) of
// date, or, for OpEq, that whole day.
func onDay(field string, op directory.Op, date string) directory.Term {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	t := num(field, op, float64(d.Unix()))
	t.Value = date
	if op == directory.OpEq {
		t.Bounds = []directory.Bound{{Op: ">=", Value: float64(d.Unix())}, {Op: "<", Value: float64(d.AddDate(0, 0, 1).Unix())}}
	}
	return t
}

// testSearchFieldNumbers checks Numeric terms on integer, decimal and date
// fields: every comparison, negation, the values kept as users are
// written, updated, deleted and imported, a field's deletion, a value of
// another type skipped, and the second realm's same key invisible.
func testSearchFieldNumbers(t *testing.T, s directory.Store) {
	ctx := context.Background()
	f := &searchFixture{s: s, realm: realm(t, s, "acme"), other: realm(t, s, "beta")}
	for _, fd := range []*directory.UserField{
		userField("seats", directory.FieldInteger, 0), userField("price", directory.FieldDecimal, 1),
		userField("renewal", directory.FieldDate, 2), userField("plan", directory.FieldText, 3),
	} {
		if err := s.CreateUserField(ctx, f.realm.ID, fd); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateUserField(ctx, f.other.ID, userField("seats", directory.FieldInteger, 0)); err != nil {
		t.Fatal(err)
	}
	withFields := func(realmID int64, name string, fields map[string]any) *directory.User {
		u := newUser(name)
		u.UserFields = fields
		return create(t, s, realmID, u)
	}
	small := withFields(f.realm.ID, "Small Co", map[string]any{"seats": 5.0, "price": 9.99, "renewal": "2026-03-01T00:00:00Z", "plan": "50"})
	mid := withFields(f.realm.ID, "Mid Co", map[string]any{"seats": 12.0, "price": 10.0, "renewal": "2026-12-31T00:00:00Z"})
	big := withFields(f.realm.ID, "Big Co", map[string]any{"seats": 50.0, "price": -2.5})
	none := withFields(f.realm.ID, "No Fields", map[string]any{})
	gone := withFields(f.realm.ID, "Gone Co", map[string]any{"seats": 7.0})
	gone.DeletedAt = epoch
	if err := s.UpdateUser(ctx, f.realm.ID, gone, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	beta := withFields(f.other.ID, "Beta Co", map[string]any{"seats": 10.0})

	// An import writes the values as a create does.
	imported := directory.ImportUser{User: newUser("Imported Co")}
	imported.User.UserFields = map[string]any{"seats": 3.0, "renewal": "2026-03-01T00:00:00Z"}
	if err := s.ImportUsers(ctx, f.realm.ID, []directory.ImportUser{imported}); err != nil {
		t.Fatal(err)
	}
	imp := imported.User.ID

	cases := []struct {
		name string
		q    directory.UserQuery
		want []int64
	}{
		{"seats>5", q(num("seats", directory.OpGT, 5)), []int64{mid.ID, big.ID}},
		{"seats>=5", q(num("seats", directory.OpGE, 5)), []int64{small.ID, mid.ID, big.ID}},
		{"seats<12", q(num("seats", directory.OpLT, 12)), []int64{small.ID, imp}},
		{"seats<=12", q(num("seats", directory.OpLE, 12)), []int64{small.ID, mid.ID, imp}},
		// Equality is the value, not a word prefix: 50 is not 5.
		{"seats:5", q(num("seats", directory.OpEq, 5)), []int64{small.ID}},
		// Negated, the users without a value match too.
		{"-seats>5", q(not(num("seats", directory.OpGT, 5))), []int64{small.ID, none.ID, imp}},
		{"price<10", q(num("price", directory.OpLT, 10)), []int64{small.ID, big.ID}},
		{"price:9.99", q(num("price", directory.OpEq, 9.99)), []int64{small.ID}},
		{"price>=9.99", q(num("price", directory.OpGE, 9.99)), []int64{small.ID, mid.ID}},
		{"renewal:2026-03-01", q(onDay("renewal", directory.OpEq, "2026-03-01")), []int64{small.ID, imp}},
		{"renewal<2026-06-01", q(onDay("renewal", directory.OpLT, "2026-06-01")), []int64{small.ID, imp}},
		{"renewal>2026-03-01", q(onDay("renewal", directory.OpGT, "2026-03-01")), []int64{mid.ID}},
		{"renewal>=2026-03-01", q(onDay("renewal", directory.OpGE, "2026-03-01")), []int64{small.ID, mid.ID, imp}},
		{"seats>1 price<10", q(num("seats", directory.OpGT, 1), num("price", directory.OpLT, 10)), []int64{small.ID, big.ID}},
		{"mid seats>1", q(term("", "mid"), num("seats", directory.OpGT, 1)), []int64{mid.ID}},
		// A negated term of a field beside its range.
		{"seats>1 -seats:12", q(num("seats", directory.OpGT, 1), not(num("seats", directory.OpEq, 12))), []int64{small.ID, big.ID, imp}},
		// A text field's words are no number: plan:50 is a word.
		{"plan:50", q(term("plan", "50")), []int64{small.ID}},
	}
	for _, tc := range cases {
		if diff := cmp.Diff(tc.want, f.search(t, tc.q)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	users, err := s.SearchUsers(ctx, f.other.ID, q(num("seats", directory.OpGT, 5)), directory.SearchPage{Limit: 10})
	if err != nil || len(users) != 1 || users[0].ID != beta.ID {
		t.Errorf("beta's seats>5 = %v, %v; want only its own user", ids(users), err)
	}

	// Updates move the value; a value removed leaves the index.
	small.UserFields = map[string]any{"seats": 100.0}
	if err := s.UpdateUser(ctx, f.realm.ID, small, directory.IdentityChange{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{small.ID}, f.search(t, q(num("seats", directory.OpGT, 50)))); diff != "" {
		t.Errorf("seats>50 after update (-want +got):\n%s", diff)
	}
	if got := f.search(t, q(num("price", directory.OpEq, 9.99))); len(got) != 0 {
		t.Errorf("price:9.99 after the value was removed = %v", got)
	}
	// A value of another type than its field's is skipped, not an error.
	none.UserFields = map[string]any{"seats": "many", "renewal": 12.0}
	if err := s.UpdateUser(ctx, f.realm.ID, none, directory.IdentityChange{}); err != nil {
		t.Fatalf("UpdateUser with mistyped values: %v", err)
	}
	if got := f.search(t, q(num("renewal", directory.OpLT, 1000))); len(got) != 0 {
		t.Errorf("renewal before 1970-01-01T00:16:40Z = %v, want nobody (a number in a date field is skipped)", got)
	}
	// Text in a date field that is no date the API writes (year 0000 has
	// no PostgreSQL timestamp; "now" would be read by SQLite's date
	// functions) is skipped too, on both engines.
	for _, v := range []string{"0000-01-01T00:00:00Z", "now", "2026-03-01"} {
		none.UserFields = map[string]any{"renewal": v}
		if err := s.UpdateUser(ctx, f.realm.ID, none, directory.IdentityChange{}); err != nil {
			t.Fatalf("UpdateUser with renewal %q: %v", v, err)
		}
		for _, id := range f.search(t, q(num("renewal", directory.OpGT, -1e18))) {
			if id == none.ID {
				t.Errorf("renewal %q is indexed as a date", v)
			}
		}
	}

	// Deleting the field takes its values out of the index.
	fields, err := s.UserFields(ctx, f.realm.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fields {
		if fields[i].Key == "seats" {
			if err := s.DeleteUserField(ctx, f.realm.ID, &fields[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := f.search(t, q(num("seats", directory.OpGT, -1000))); len(got) != 0 {
		t.Errorf("seats>-1000 after the field's deletion = %v", got)
	}
	users, err = s.SearchUsers(ctx, f.other.ID, q(num("seats", directory.OpGT, 5)), directory.SearchPage{Limit: 10})
	if err != nil || len(users) != 1 || users[0].ID != beta.ID {
		t.Errorf("beta's seats>5 after acme's field's deletion = %v, %v", ids(users), err)
	}
}

// testSearchFieldNumbersWide checks ranges over more values than a store
// may read before paging (SQLite tests broad ranges user by user), on
// 10,050 users whose seats are 0 to 10,049, and a second realm holding
// the same values: pages, counts, two terms of one field as one range,
// negation, and a range beside a word.
func testSearchFieldNumbersWide(t *testing.T, s directory.Store) {
	ctx := context.Background()
	f := &searchFixture{s: s, realm: realm(t, s, "acme"), other: realm(t, s, "beta")}
	const n = 10050
	var acmeIDs []int64
	for _, r := range []*directory.Realm{f.realm, f.other} {
		if err := s.CreateUserField(ctx, r.ID, userField("seats", directory.FieldInteger, 0)); err != nil {
			t.Fatal(err)
		}
		batch := make([]directory.ImportUser, n)
		for i := range batch {
			u := newUser(fmt.Sprintf("seated %d", i))
			u.UUID = fmt.Sprintf("uuid-%s-%d", r.UID, i)
			u.UserFields = map[string]any{"seats": float64(i)}
			batch[i] = directory.ImportUser{User: u}
		}
		if err := s.ImportUsers(ctx, r.ID, batch); err != nil {
			t.Fatal(err)
		}
		if r == f.realm {
			for _, op := range batch {
				acmeIDs = append(acmeIDs, op.User.ID)
			}
		}
	}
	page := func(qu directory.UserQuery, offset int) []int64 {
		t.Helper()
		users, err := s.SearchUsers(ctx, f.realm.ID, qu, directory.SearchPage{Limit: 100, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		return ids(users)
	}
	count := func(qu directory.UserQuery) int64 {
		t.Helper()
		c, err := s.CountSearchUsers(ctx, f.realm.ID, qu)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		name   string
		q      directory.UserQuery
		first  int // seats of the first user of the page at offset
		offset int
		count  int64
	}{
		{"seats>=40", q(num("seats", directory.OpGE, 40)), 40, 0, n - 40},
		{"seats>=40, deep", q(num("seats", directory.OpGE, 40)), 5040, 5000, n - 40},
		{"seats<9000", q(num("seats", directory.OpLT, 9000)), 0, 0, 9000},
		{"seats>=40 seats<10040", q(num("seats", directory.OpGE, 40), num("seats", directory.OpLT, 10040)), 40, 0, 10000},
		{"seats>=20 seats<10030 seats>=30", q(num("seats", directory.OpGE, 20), num("seats", directory.OpLT, 10030), num("seats", directory.OpGE, 30)), 30, 0, 10000},
		{"-seats<40", q(not(num("seats", directory.OpLT, 40))), 40, 0, n - 40},
		{"seats>=40 -seats<100", q(num("seats", directory.OpGE, 40), not(num("seats", directory.OpLT, 100))), 100, 0, n - 100},
		{"seated seats>=40", q(term("", "seated"), num("seats", directory.OpGE, 40)), 40, 0, n - 40},
	}
	for _, tc := range cases {
		want := acmeIDs[tc.first : tc.first+100]
		if diff := cmp.Diff(want, page(tc.q, tc.offset)); diff != "" {
			t.Errorf("%s: page at %d (-want +got):\n%s", tc.name, tc.offset, diff)
		}
		if got := count(tc.q); got != tc.count {
			t.Errorf("%s: count %d, want %d", tc.name, got, tc.count)
		}
	}
}
