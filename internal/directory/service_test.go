package directory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // IANA names must resolve whatever the host ships

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// epoch is the service clock's time unless a test moves it.
var epoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// env is a Service over a migrated SQLite store with two realms, "acme"
// (a) and "globex" (b), a clock a test may move and sequential UUIDs.
type env struct {
	ctx   context.Context
	store *sqlite.Store
	svc   *directory.Service
	a, b  *directory.Realm
	opA   directory.Actor // the CLI operator of realm a
	opB   directory.Actor
	now   time.Time
	uuids int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{ctx: context.Background(), now: epoch}
	s := sqlitetest.Open(t)
	e.store = s
	e.svc = directory.NewService(s, directory.ServiceOptions{
		// Sub-second noise checks that the service truncates to the second.
		Now: func() time.Time { return e.now.Add(400 * time.Millisecond) },
		NewUUID: func() string {
			e.uuids++
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", e.uuids)
		},
	})
	var err error
	if e.a, err = e.svc.CreateRealm(e.ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	if e.b, err = e.svc.CreateRealm(e.ctx, "globex", "Globex"); err != nil {
		t.Fatal(err)
	}
	e.opA, e.opB = directory.Operator(e.a.ID), directory.Operator(e.b.ID)
	return e
}

// create creates a user as the operator of realm a and fails the test on
// error.
func (e *env) create(t *testing.T, in directory.UserInput) *directory.User {
	t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.opA, in)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", deref(in.Name), err)
	}
	return u
}

// staff creates a user of the given role in realm a and returns it with
// its actor.
func (e *env) staff(t *testing.T, role directory.Role, email string) (*directory.User, directory.Actor) {
	t.Helper()
	u := e.create(t, directory.UserInput{Name: ptr(email), Email: ptr(email), Role: ptr(string(role))})
	return u, actor(u)
}

func actor(u *directory.User) directory.Actor {
	return directory.Actor{RealmID: u.RealmID, UserID: u.ID, Role: u.Role}
}

// stored reads user id of realm a back from the store.
func (e *env) stored(t *testing.T, id int64) *directory.User {
	t.Helper()
	u, err := e.store.UserByID(e.ctx, e.a.ID, id)
	if err != nil {
		t.Fatalf("UserByID(%d): %v", id, err)
	}
	return u
}

func (e *env) identities(t *testing.T, id int64) []directory.Identity {
	t.Helper()
	ids, err := e.store.IdentitiesByUser(e.ctx, e.a.ID, id)
	if err != nil {
		t.Fatalf("IdentitiesByUser(%d): %v", id, err)
	}
	return ids
}

// idents renders identities as "type:value" with a "*" for the primary
// one, in store order (primary first).
func idents(ids []directory.Identity) []string {
	out := []string{}
	for _, id := range ids {
		s := id.Type + ":" + id.Value
		if id.Primary {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

// count counts active and deleted users of realm a, from the counters and
// from a listing.
func (e *env) count(t *testing.T) (active, deleted int64) {
	t.Helper()
	for _, del := range []bool{false, true} {
		n, err := e.svc.CountUsers(e.ctx, e.opA, directory.UserFilter{Deleted: del})
		if err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.ListUsers(e.ctx, e.opA, directory.UserFilter{Deleted: del}, directory.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(list)) != n {
			t.Fatalf("CountUsers(deleted=%v) = %d but ListUsers has %d", del, n, len(list))
		}
		if del {
			deleted = n
		} else {
			active = n
		}
	}
	return active, deleted
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// optName names a subtest after an optional input: "not sent" or the
// quoted value. Names must stay unique and free of "#" (see newEnv).
func optName(p *string) string {
	if p == nil {
		return "not sent"
	}
	return fmt.Sprintf("%q", *p)
}

// fields is a validation error's fields without their messages.
type fields []directory.FieldError

func fe(field, code string) directory.FieldError {
	return directory.FieldError{Field: field, Code: code}
}

// wantInvalid checks that err is a KindInvalid *directory.Error whose
// fields are want (ignoring messages), and that every field has a message.
func wantInvalid(t *testing.T, err error, want ...directory.FieldError) {
	t.Helper()
	if k := directory.KindOf(err); k != directory.KindInvalid {
		t.Fatalf("error = %v (kind %v), want KindInvalid with %v", err, k, want)
	}
	var de *directory.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %T is not a *directory.Error", err)
	}
	if diff := cmp.Diff(fields(want), fields(de.Fields), cmpopts.IgnoreFields(directory.FieldError{}, "Message"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("field errors (-want +got):\n%s\n(error: %v)", diff, err)
	}
	for _, f := range de.Fields {
		if f.Message == "" {
			t.Errorf("field error %s/%s has no message", f.Field, f.Code)
		}
	}
}

func wantKind(t *testing.T, err error, kind directory.Kind) {
	t.Helper()
	if got := directory.KindOf(err); got != kind {
		t.Fatalf("error = %v (kind %v), want kind %v", err, got, kind)
	}
}

func TestCreateUserWithOnlyAName(t *testing.T) {
	e := newEnv(t)
	u := e.create(t, directory.UserInput{Name: ptr("testUser")})
	want := &directory.User{
		ID: u.ID, RealmID: e.a.ID, UUID: "00000000-0000-4000-8000-000000000001",
		Name: "testUser", Role: directory.RoleEndUser, TicketRestriction: "requested",
		TimeZone: "America/New_York", IANATimeZone: "America/New_York", Locale: "en-US", LocaleID: 1,
		Tags: []string{}, UserFields: map[string]any{}, CreatedAt: epoch, UpdatedAt: epoch,
	}
	if u.ID == 0 {
		t.Fatal("CreateUser returned no id")
	}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("created user (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, e.stored(t, u.ID)); diff != "" {
		t.Errorf("stored user (-want +got):\n%s", diff)
	}
	if got := idents(e.identities(t, u.ID)); len(got) != 0 {
		t.Errorf("identities = %v, want none", got)
	}
	if rt, ok := u.RoleType(); ok {
		t.Errorf("RoleType = %d, want null", rt)
	}
	if !u.RestrictedAgent() {
		t.Error("RestrictedAgent = false for an end user, want true")
	}
}

func TestCreateUserName(t *testing.T) {
	tests := []struct {
		name string
		in   *string
		want string
		err  []directory.FieldError
	}{
		{"trimmed", ptr("  Ann Lee \t\n"), "Ann Lee", nil},
		{"unicode", ptr("Zoë Ñúñez 山田"), "Zoë Ñúñez 山田", nil},
		{"255 runes", ptr(strings.Repeat("é", 255)), strings.Repeat("é", 255), nil},
		{"missing", nil, "", []directory.FieldError{fe("name", "BlankValue")}},
		{"empty", ptr(""), "", []directory.FieldError{fe("name", "BlankValue")}},
		{"blank", ptr(" \t "), "", []directory.FieldError{fe("name", "BlankValue")}},
		{"256 runes", ptr(strings.Repeat("é", 256)), "", []directory.FieldError{fe("name", "InvalidValue")}},
		{"control character", ptr("Ann\x00Lee"), "", []directory.FieldError{fe("name", "InvalidValue")}},
		{"invalid UTF-8", ptr("Ann\xffLee"), "", []directory.FieldError{fe("name", "InvalidValue")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			u, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: tc.in})
			if tc.err != nil {
				wantInvalid(t, err, tc.err...)
				if u != nil {
					t.Errorf("user = %+v with an error", u)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != tc.want || e.stored(t, u.ID).Name != tc.want {
				t.Errorf("name = %q, stored %q; want %q", u.Name, e.stored(t, u.ID).Name, tc.want)
			}
		})
	}

	t.Run("update", func(t *testing.T) {
		e := newEnv(t)
		u := e.create(t, directory.UserInput{Name: ptr("Ann")})
		_, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Name: ptr("  ")})
		wantInvalid(t, err, fe("name", "BlankValue"))
		got, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Name: ptr(" Ann B ")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Ann B" || e.stored(t, u.ID).Name != "Ann B" {
			t.Errorf("updated name = %q, want %q", got.Name, "Ann B")
		}
		// An update that does not send the name keeps it.
		got, err = e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Notes: ptr("n")})
		if err != nil || got.Name != "Ann B" {
			t.Errorf("update without name = %+v, %v", got, err)
		}
	})
}

func TestCreateUserEmail(t *testing.T) {
	tests := []struct {
		email      string
		want       string
		identities []string
		err        []directory.FieldError
	}{
		{"ann@example.com", "ann@example.com", []string{"email:ann@example.com*"}, nil},
		{"  Ann.Lee+tag@Example.COM ", "ann.lee+tag@example.com", []string{"email:ann.lee+tag@example.com*"}, nil},
		{"ANN@SUB.EXAMPLE.ORG", "ann@sub.example.org", []string{"email:ann@sub.example.org*"}, nil},
		{"", "", []string{}, nil},
		{"   ", "", []string{}, nil},
		{"ann", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{"ann@", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{"@example.com", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{"ann@example", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{"ann@example.com.", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{"ann@.example.com", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{"ann lee@example.com", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{"Ann <ann@example.com>", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{"ann@example.com, bob@example.com", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
		{strings.Repeat("a", 250) + "@example.com", "", nil, []directory.FieldError{fe("email", "InvalidValue")}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("email=%q", tc.email), func(t *testing.T) {
			e := newEnv(t)
			u, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("Ann"), Email: ptr(tc.email)})
			if tc.err != nil {
				wantInvalid(t, err, tc.err...)
				if a, _ := e.count(t); a != 0 {
					t.Errorf("%d users stored after a refused create", a)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != tc.want || e.stored(t, u.ID).Email != tc.want {
				t.Errorf("email = %q, stored %q; want %q", u.Email, e.stored(t, u.ID).Email, tc.want)
			}
			if diff := cmp.Diff(tc.identities, idents(e.identities(t, u.ID))); diff != "" {
				t.Errorf("identities (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("first identity email becomes primary", func(t *testing.T) {
		e := newEnv(t)
		u := e.create(t, directory.UserInput{Name: ptr("Ann"), Identities: []directory.IdentityInput{
			{Type: "email", Value: "One@Example.com"}, {Type: "email", Value: "two@example.com"},
			{Type: "twitter", Value: "annlee"}, {Type: "phone_number", Value: "+44 20 7946 0958"},
		}})
		if u.Email != "one@example.com" || e.stored(t, u.ID).Email != "one@example.com" {
			t.Errorf("email = %q, want the first identity's", u.Email)
		}
		want := []string{"email:one@example.com*", "email:two@example.com", "twitter:annlee", "phone_number:+442079460958"}
		if diff := cmp.Diff(want, idents(e.identities(t, u.ID))); diff != "" {
			t.Errorf("identities (-want +got):\n%s", diff)
		}
	})
}

func TestEmailUniqueness(t *testing.T) {
	e := newEnv(t)
	first := e.create(t, directory.UserInput{Name: ptr("First"), Email: ptr("dup@example.com"),
		Identities: []directory.IdentityInput{{Type: "email", Value: "second@example.com"}}})

	for _, email := range []string{"dup@example.com", "DUP@Example.Com", " dup@example.com ", "Second@example.com"} {
		_, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("Again"), Email: ptr(email)})
		wantInvalid(t, err, fe("email", "DuplicateValue"))
		var de *directory.Error
		if errors.As(err, &de) && !strings.Contains(de.Fields[0].Message, strings.ToLower(strings.TrimSpace(email))) {
			t.Errorf("duplicate message %q does not name the email", de.Fields[0].Message)
		}
	}
	_, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("Again"), Email: ptr("new@example.com"),
		Identities: []directory.IdentityInput{{Type: "email", Value: "DUP@example.com"}}})
	wantInvalid(t, err, fe("email", "DuplicateValue"))
	if a, _ := e.count(t); a != 1 {
		t.Errorf("%d users after refused duplicates, want 1", a)
	}

	// Another realm may use the same email.
	other, err := e.svc.CreateUser(e.ctx, e.opB, directory.UserInput{Name: ptr("Other"), Email: ptr("Dup@Example.com")})
	if err != nil {
		t.Fatalf("same email in another realm: %v", err)
	}
	if other.Email != "dup@example.com" || other.RealmID != e.b.ID || other.ID == first.ID {
		t.Errorf("user of realm b = %+v", other)
	}
}

func TestExternalIDUniqueness(t *testing.T) {
	e := newEnv(t)
	u := e.create(t, directory.UserInput{Name: ptr("Ian"), ExternalID: ptr(" Ian1 ")})
	if u.ExternalID != "Ian1" {
		t.Errorf("external_id = %q, want trimmed %q", u.ExternalID, "Ian1")
	}
	for _, x := range []string{"Ian1", "ian1", "IAN1"} {
		_, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("Other"), ExternalID: ptr(x)})
		wantInvalid(t, err, fe("external_id", "DuplicateValue"))
	}
	other := e.create(t, directory.UserInput{Name: ptr("Other"), ExternalID: ptr("other-1")})
	_, err := e.svc.UpdateUser(e.ctx, e.opA, other.ID, directory.UserInput{ExternalID: ptr("iAN1")})
	wantInvalid(t, err, fe("external_id", "DuplicateValue"))
	if got := e.stored(t, other.ID).ExternalID; got != "other-1" {
		t.Errorf("external_id after a refused update = %q", got)
	}

	// The owner may change the case of its own external id.
	got, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{ExternalID: ptr("IAN1")})
	if err != nil {
		t.Fatalf("changing the case of one's own external_id: %v", err)
	}
	if got.ExternalID != "IAN1" || e.stored(t, u.ID).ExternalID != "IAN1" {
		t.Errorf("external_id = %q, stored %q; want IAN1", got.ExternalID, e.stored(t, u.ID).ExternalID)
	}
	// Clearing frees it.
	if _, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{ExternalID: ptr("")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdateUser(e.ctx, e.opA, other.ID, directory.UserInput{ExternalID: ptr("ian1")}); err != nil {
		t.Errorf("reusing a cleared external_id: %v", err)
	}
	// Another realm may use it.
	if _, err := e.svc.CreateUser(e.ctx, e.opB, directory.UserInput{Name: ptr("B"), ExternalID: ptr("IAN1")}); err != nil {
		t.Errorf("same external_id in another realm: %v", err)
	}
}

func TestPhone(t *testing.T) {
	tests := []struct {
		phone  string
		shared bool
		want   string
		ids    []string
		err    []directory.FieldError
	}{
		{phone: "+1 (555) 123-4567", want: "+15551234567", ids: []string{"phone_number:+15551234567*"}},
		{phone: "+15551234567", want: "+15551234567", ids: []string{"phone_number:+15551234567*"}},
		{phone: " +44 20 7946 0958 ", want: "+442079460958", ids: []string{"phone_number:+442079460958*"}},
		{phone: "+49 30 123456", want: "+4930123456", ids: []string{"phone_number:+4930123456*"}},
		{phone: "+1 (555) 123-4567", shared: true, want: "+15551234567", ids: []string{}},
		{phone: "", want: "", ids: []string{}},
		{phone: "(555) 123-4567", err: []directory.FieldError{fe("phone", "InvalidValue")}},
		{phone: "555 123 4567", err: []directory.FieldError{fe("phone", "InvalidValue")}},
		{phone: "15551234567", err: []directory.FieldError{fe("phone", "InvalidValue")}},
		{phone: "+999 555 1234", err: []directory.FieldError{fe("phone", "InvalidValue")}},
		{phone: "+0 555 1234", err: []directory.FieldError{fe("phone", "InvalidValue")}},
		{phone: "+1 555", err: []directory.FieldError{fe("phone", "InvalidValue")}},
		{phone: "+1 555 123 4567 8901 2345", err: []directory.FieldError{fe("phone", "InvalidValue")}},
		{phone: "+", err: []directory.FieldError{fe("phone", "InvalidValue")}},
		{phone: "call me", err: []directory.FieldError{fe("phone", "InvalidValue")}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s shared=%v", tc.phone, tc.shared), func(t *testing.T) {
			e := newEnv(t)
			u, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("P"), Phone: ptr(tc.phone), SharedPhoneNumber: ptr(tc.shared)})
			if tc.err != nil {
				wantInvalid(t, err, tc.err...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Phone != tc.want || e.stored(t, u.ID).Phone != tc.want || u.SharedPhoneNumber != tc.shared {
				t.Errorf("phone = %q (shared %v), stored %q; want %q", u.Phone, u.SharedPhoneNumber, e.stored(t, u.ID).Phone, tc.want)
			}
			if diff := cmp.Diff(tc.ids, idents(e.identities(t, u.ID))); diff != "" {
				t.Errorf("identities (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("direct line unique, shared line not", func(t *testing.T) {
		e := newEnv(t)
		e.create(t, directory.UserInput{Name: ptr("A"), Phone: ptr("+15551234567")})
		_, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("B"), Phone: ptr("+1 555 123 4567")})
		wantInvalid(t, err, fe("phone", "DuplicateValue"))
		if _, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("C"), Phone: ptr("+1 555 123 4567"), SharedPhoneNumber: ptr(true)}); err != nil {
			t.Errorf("shared phone already used as a direct line: %v", err)
		}
	})
}

func TestRoles(t *testing.T) {
	tests := []struct {
		name            string
		in              directory.UserInput
		role            directory.Role
		roleType        int
		hasRoleType     bool
		restrictedAgent bool
		customRoleID    int64
		restriction     string
		signature       string
		err             []directory.FieldError
	}{
		{name: "default end user", in: directory.UserInput{},
			role: directory.RoleEndUser, restrictedAgent: true, restriction: "requested"},
		{name: "end user", in: directory.UserInput{Role: ptr("end-user")},
			role: directory.RoleEndUser, restrictedAgent: true, restriction: "requested"},
		{name: "end user loses custom role and signature", in: directory.UserInput{Role: ptr("end-user"), CustomRoleID: ptr(int64(7)), Signature: ptr("sig")},
			role: directory.RoleEndUser, restrictedAgent: true, restriction: "requested"},
		{name: "admin, any case", in: directory.UserInput{Role: ptr(" Admin "), Signature: ptr("Regards")},
			role: directory.RoleAdmin, roleType: 4, hasRoleType: true, signature: "Regards"},
		{name: "admin loses custom role", in: directory.UserInput{Role: ptr("admin"), CustomRoleID: ptr(int64(7))},
			role: directory.RoleAdmin, roleType: 4, hasRoleType: true},
		{name: "agent in a custom role", in: directory.UserInput{Role: ptr("agent"), CustomRoleID: ptr(int64(7)), TicketRestriction: ptr("")},
			role: directory.RoleAgent, roleType: 0, hasRoleType: true, customRoleID: 7},
		{name: "unrestricted agent", in: directory.UserInput{Role: ptr("AGENT"), TicketRestriction: ptr(""), Signature: ptr("Agent A")},
			role: directory.RoleAgent, signature: "Agent A"},
		{name: "restricted agent", in: directory.UserInput{Role: ptr("agent"), TicketRestriction: ptr("groups")},
			role: directory.RoleAgent, restrictedAgent: true, restriction: "groups"},
		{name: "unknown role", in: directory.UserInput{Role: ptr("owner")}, err: []directory.FieldError{fe("role", "InvalidValue")}},
		{name: "empty role", in: directory.UserInput{Role: ptr("")}, err: []directory.FieldError{fe("role", "InvalidValue")}},
		{name: "role id instead of name", in: directory.UserInput{Role: ptr("4")}, err: []directory.FieldError{fe("role", "InvalidValue")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			in := tc.in
			in.Name = ptr("R")
			u, err := e.svc.CreateUser(e.ctx, e.opA, in)
			if tc.err != nil {
				wantInvalid(t, err, tc.err...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range []*directory.User{u, e.stored(t, u.ID)} {
				rt, ok := got.RoleType()
				gotRow := []any{got.Role, rt, ok, got.RestrictedAgent(), got.CustomRoleID, got.TicketRestriction, got.Signature}
				wantRow := []any{tc.role, tc.roleType, tc.hasRoleType, tc.restrictedAgent, tc.customRoleID, tc.restriction, tc.signature}
				if diff := cmp.Diff(wantRow, gotRow); diff != "" {
					t.Errorf("[role, role_type, has role_type, restricted_agent, custom_role_id, ticket_restriction, signature] (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestNewAgentIsUnrestricted: "requested" is the end users' default
// ticket_restriction; an agent created or promoted without one should not
// inherit it and become a restricted agent that sees only its own requests
// (Zendesk's agents default to null, "all tickets").
func TestNewAgentIsUnrestricted(t *testing.T) {
	e := newEnv(t)
	created := e.create(t, directory.UserInput{Name: ptr("New Agent"), Role: ptr("agent")})
	if created.TicketRestriction != "" || created.RestrictedAgent() {
		t.Errorf("agent created without ticket_restriction: ticket_restriction = %q, restricted_agent = %v; want null, false",
			created.TicketRestriction, created.RestrictedAgent())
	}
	endUser := e.create(t, directory.UserInput{Name: ptr("Customer")})
	promoted, err := e.svc.UpdateUser(e.ctx, e.opA, endUser.ID, directory.UserInput{Role: ptr("agent")})
	if err != nil {
		t.Fatal(err)
	}
	if promoted.TicketRestriction != "" || promoted.RestrictedAgent() {
		t.Errorf("end user promoted to agent: ticket_restriction = %q, restricted_agent = %v; want null, false",
			promoted.TicketRestriction, promoted.RestrictedAgent())
	}
}

func TestTicketRestriction(t *testing.T) {
	tests := []struct {
		role        string
		restriction *string
		want        string
		invalid     bool
	}{
		{"end-user", nil, "requested", false},
		{"end-user", ptr("requested"), "requested", false},
		{"end-user", ptr("organization"), "organization", false},
		{"end-user", ptr(" organization "), "organization", false},
		{"end-user", ptr("groups"), "requested", false},
		{"end-user", ptr("assigned"), "requested", false},
		{"end-user", ptr("bogus"), "requested", false},
		{"end-user", ptr(""), "requested", false},
		{"agent", ptr(""), "", false},
		{"agent", ptr("organization"), "organization", false},
		{"agent", ptr("groups"), "groups", false},
		{"agent", ptr("assigned"), "assigned", false},
		{"agent", ptr("requested"), "requested", false},
		{"agent", ptr("bogus"), "", true},
		{"agent", ptr("Groups"), "", true},
		{"admin", nil, "", false},
		{"admin", ptr(""), "", false},
		{"admin", ptr("groups"), "", false},
		{"admin", ptr("requested"), "", false},
		{"admin", ptr("bogus"), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.role+" "+optName(tc.restriction), func(t *testing.T) {
			e := newEnv(t)
			u, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("T"), Role: ptr(tc.role), TicketRestriction: tc.restriction})
			if tc.invalid {
				wantInvalid(t, err, fe("ticket_restriction", "InvalidValue"))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.TicketRestriction != tc.want || e.stored(t, u.ID).TicketRestriction != tc.want {
				t.Errorf("ticket_restriction = %q, stored %q; want %q", u.TicketRestriction, e.stored(t, u.ID).TicketRestriction, tc.want)
			}
		})
	}

	t.Run("role changes", func(t *testing.T) {
		e := newEnv(t)
		agent := e.create(t, directory.UserInput{Name: ptr("A"), Role: ptr("agent"), TicketRestriction: ptr("groups")})
		steps := []struct {
			in   directory.UserInput
			want string
		}{
			{directory.UserInput{TicketRestriction: ptr("assigned")}, "assigned"},
			{directory.UserInput{Role: ptr("end-user")}, "requested"}, // "assigned" is not for end users
			{directory.UserInput{TicketRestriction: ptr("organization")}, "organization"},
			{directory.UserInput{TicketRestriction: ptr("groups")}, "requested"},
			{directory.UserInput{Role: ptr("admin"), TicketRestriction: ptr("groups")}, ""},
			{directory.UserInput{TicketRestriction: ptr("organization")}, ""},
			{directory.UserInput{Role: ptr("agent"), TicketRestriction: ptr("organization")}, "organization"},
		}
		for i, st := range steps {
			u, err := e.svc.UpdateUser(e.ctx, e.opA, agent.ID, st.in)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if u.TicketRestriction != st.want || e.stored(t, agent.ID).TicketRestriction != st.want {
				t.Errorf("step %d (role %s): ticket_restriction = %q, want %q", i, u.Role, u.TicketRestriction, st.want)
			}
		}
		_, err := e.svc.UpdateUser(e.ctx, e.opA, agent.ID, directory.UserInput{TicketRestriction: ptr("everything")})
		wantInvalid(t, err, fe("ticket_restriction", "InvalidValue"))
	})
}

func TestLocale(t *testing.T) {
	tests := []struct {
		name     string
		locale   *string
		localeID *int
		want     string // "es*": any Spanish locale
		err      []directory.FieldError
	}{
		{name: "default", want: "en-US"},
		{name: "exact", locale: ptr("de"), want: "de"},
		{name: "case-insensitive", locale: ptr("EN-us"), want: "en-US"},
		{name: "underscore", locale: ptr("en_GB"), want: "en-GB"},
		{name: "spaces", locale: ptr(" fr-CA "), want: "fr-CA"},
		{name: "closest region", locale: ptr("es-CR"), want: "es*"},
		{name: "region of a language", locale: ptr("de-DE"), want: "de*"},
		{name: "locale_id", localeID: ptr(4), want: "de"},
		{name: "locale_id 1", localeID: ptr(1), want: "en-US"},
		{name: "locale wins over locale_id", locale: ptr("fr"), localeID: ptr(4), want: "fr"},
		{name: "locale wins over an unknown locale_id", locale: ptr("fr"), localeID: ptr(99999), want: "fr"},
		{name: "unknown locale_id", localeID: ptr(99999), err: []directory.FieldError{fe("locale_id", "InvalidValue")}},
		{name: "locale_id 0", localeID: ptr(0), err: []directory.FieldError{fe("locale_id", "InvalidValue")}},
		{name: "negative locale_id", localeID: ptr(-1), err: []directory.FieldError{fe("locale_id", "InvalidValue")}},
		{name: "unsupported language", locale: ptr("tlh"), err: []directory.FieldError{fe("locale", "InvalidValue")}},
		{name: "not BCP-47", locale: ptr("english please"), err: []directory.FieldError{fe("locale", "InvalidValue")}},
		{name: "empty", locale: ptr(""), err: []directory.FieldError{fe("locale", "InvalidValue")}},
		{name: "bad locale with good locale_id", locale: ptr("zz-ZZ"), localeID: ptr(4), err: []directory.FieldError{fe("locale", "InvalidValue")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			u, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("L"), Locale: tc.locale, LocaleID: tc.localeID})
			if tc.err != nil {
				wantInvalid(t, err, tc.err...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if base, any := strings.CutSuffix(tc.want, "*"); any {
				if u.Locale != base && !strings.HasPrefix(u.Locale, base+"-") {
					t.Errorf("locale = %q, want %s or one of its regions", u.Locale, base)
				}
			} else if u.Locale != tc.want {
				t.Errorf("locale = %q, want %q", u.Locale, tc.want)
			}
			if l, ok := directory.LocaleByID(u.LocaleID); !ok || l.Tag != u.Locale {
				t.Errorf("locale_id %d is %v (%v), but locale is %q", u.LocaleID, l, ok, u.Locale)
			}
			if s := e.stored(t, u.ID); s.Locale != u.Locale || s.LocaleID != u.LocaleID {
				t.Errorf("stored locale %q/%d, returned %q/%d", s.Locale, s.LocaleID, u.Locale, u.LocaleID)
			}
		})
	}
}

func TestTimeZone(t *testing.T) {
	tests := []struct {
		in         *string
		stored     string
		iana       string
		wantErrors bool
	}{
		{nil, "America/New_York", "America/New_York", false},
		{ptr("Eastern Time (US & Canada)"), "Eastern Time (US & Canada)", "America/New_York", false},
		{ptr("pacific time (us & canada)"), "Pacific Time (US & Canada)", "America/Los_Angeles", false},
		{ptr("Osaka"), "Osaka", "Asia/Tokyo", false},
		{ptr(" Berlin "), "Berlin", "Europe/Berlin", false},
		{ptr("UTC"), "UTC", "Etc/UTC", false},
		{ptr("Europe/Berlin"), "Europe/Berlin", "Europe/Berlin", false},
		{ptr("America/Argentina/Buenos_Aires"), "America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires", false},
		{ptr("europe/berlin"), "", "", true},
		{ptr("Mars/Olympus"), "", "", true},
		{ptr("Local"), "", "", true},
		{ptr("../../../etc/passwd"), "", "", true},
		{ptr(""), "", "", true},
	}
	for _, tc := range tests {
		t.Run(optName(tc.in), func(t *testing.T) {
			e := newEnv(t)
			u, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("Z"), TimeZone: tc.in})
			if tc.wantErrors {
				wantInvalid(t, err, fe("time_zone", "InvalidValue"))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range []*directory.User{u, e.stored(t, u.ID)} {
				if got.TimeZone != tc.stored || got.IANATimeZone != tc.iana {
					t.Errorf("time_zone = %q, iana_time_zone = %q; want %q, %q", got.TimeZone, got.IANATimeZone, tc.stored, tc.iana)
				}
			}
		})
	}
}

func TestTags(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("tag%d", i)
	}
	tests := []struct {
		name string
		in   *[]string
		want []string
		err  bool
	}{
		{"not sent", nil, []string{}, false},
		{"empty", &[]string{}, []string{}, false},
		{"normalized", &[]string{" Foo Bar ", "foo_bar", "", "  ", "BAZ", "baz", "Über"}, []string{"foo_bar", "baz", "über"}, false},
		{"inner runs of spaces", &[]string{"a  \t b"}, []string{"a_b"}, false},
		{"100 tags", ptr(many[:100]), many[:100], false},
		{"101 tags", &many, nil, true},
		{"101 tags, duplicates dropped first", ptr(append(append([]string{}, many[:100]...), "TAG0")), many[:100], false},
		{"tag too long", &[]string{strings.Repeat("x", 256)}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			u, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("T"), Tags: tc.in})
			if tc.err {
				wantInvalid(t, err, fe("tags", "InvalidValue"))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, u.Tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, e.stored(t, u.ID).Tags); diff != "" {
				t.Errorf("stored tags (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("update replaces and clears", func(t *testing.T) {
		e := newEnv(t)
		u := e.create(t, directory.UserInput{Name: ptr("T"), Tags: &[]string{"a", "b"}})
		got, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Tags: &[]string{"C"}})
		if err != nil || !cmp.Equal(got.Tags, []string{"c"}) {
			t.Errorf("replace tags = %v, %v", got.Tags, err)
		}
		got, err = e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Name: ptr("T2")})
		if err != nil || !cmp.Equal(got.Tags, []string{"c"}) {
			t.Errorf("update without tags = %v, %v", got.Tags, err)
		}
		got, err = e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Tags: &[]string{}})
		if err != nil || len(got.Tags) != 0 || len(e.stored(t, u.ID).Tags) != 0 {
			t.Errorf("clear tags = %v, %v", got.Tags, err)
		}
	})
}

func TestUpdateEmailAddsIdentity(t *testing.T) {
	e := newEnv(t)
	u := e.create(t, directory.UserInput{Name: ptr("Ann"), Email: ptr("ann@example.com")})
	other := e.create(t, directory.UserInput{Name: ptr("Bob"), Email: ptr("bob@example.com")})

	e.now = epoch.Add(time.Hour)
	got, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Email: ptr(" Ann.Work@Example.com ")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "ann@example.com" || e.stored(t, u.ID).Email != "ann@example.com" {
		t.Errorf("primary email = %q, stored %q; want unchanged ann@example.com", got.Email, e.stored(t, u.ID).Email)
	}
	if !got.UpdatedAt.Equal(epoch.Add(time.Hour)) || !got.CreatedAt.Equal(epoch) {
		t.Errorf("created_at %v updated_at %v, want %v and %v", got.CreatedAt, got.UpdatedAt, epoch, epoch.Add(time.Hour))
	}
	want := []string{"email:ann@example.com*", "email:ann.work@example.com"}
	if diff := cmp.Diff(want, idents(e.identities(t, u.ID))); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}

	// Sending an email the user already has, in any case, or the primary
	// one, changes nothing.
	for _, again := range []string{"ann.work@example.com", "ANN.WORK@example.com", "ann@example.com", ""} {
		if _, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Email: ptr(again)}); err != nil {
			t.Fatalf("email %q again: %v", again, err)
		}
		if diff := cmp.Diff(want, idents(e.identities(t, u.ID))); diff != "" {
			t.Errorf("after email %q again, identities (-want +got):\n%s", again, diff)
		}
	}

	// Another user's email is refused, and nothing changes.
	before := e.stored(t, u.ID)
	_, err = e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Email: ptr("BOB@example.com"), Notes: ptr("changed")})
	wantInvalid(t, err, fe("email", "DuplicateValue"))
	if diff := cmp.Diff(before, e.stored(t, u.ID)); diff != "" {
		t.Errorf("user changed by a refused update (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(want, idents(e.identities(t, u.ID))); diff != "" {
		t.Errorf("identities changed by a refused update (-want +got):\n%s", diff)
	}
	if got := idents(e.identities(t, other.ID)); !cmp.Equal(got, []string{"email:bob@example.com*"}) {
		t.Errorf("other user's identities = %v", got)
	}
	_, err = e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Email: ptr("not an email")})
	wantInvalid(t, err, fe("email", "InvalidValue"))

	// A user without an email gets the new one as primary.
	bare := e.create(t, directory.UserInput{Name: ptr("Bare")})
	got, err = e.svc.UpdateUser(e.ctx, e.opA, bare.ID, directory.UserInput{Email: ptr("Bare@Example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "bare@example.com" || e.stored(t, bare.ID).Email != "bare@example.com" {
		t.Errorf("email of a user that had none = %q, stored %q; want bare@example.com", got.Email, e.stored(t, bare.ID).Email)
	}
	if got := idents(e.identities(t, bare.ID)); !cmp.Equal(got, []string{"email:bare@example.com*"}) {
		t.Errorf("identities = %v, want the new email as primary", got)
	}
}

func TestUpdatePhoneIdentity(t *testing.T) {
	e := newEnv(t)
	u := e.create(t, directory.UserInput{Name: ptr("Pat"), Email: ptr("pat@example.com"), Phone: ptr("+15551234567"), Verified: ptr(true)})
	phoneIdentity := func() *directory.Identity {
		t.Helper()
		var found *directory.Identity
		for _, id := range e.identities(t, u.ID) {
			if id.Type == directory.IdentityPhone {
				if found != nil {
					t.Fatalf("two phone identities: %v", idents(e.identities(t, u.ID)))
				}
				found = &id
			}
		}
		return found
	}
	first := phoneIdentity()
	if first == nil || first.Value != "+15551234567" || !first.Primary || !first.Verified {
		t.Fatalf("phone identity after create = %+v, want a verified primary +15551234567", first)
	}

	steps := []struct {
		name      string
		in        directory.UserInput
		phone     string
		identity  string // "" for none
		sameID    bool   // the identity row is the first one, updated
		emailKept bool
	}{
		{"change", directory.UserInput{Phone: ptr("+1 555 987 6543")}, "+15559876543", "+15559876543", true, true},
		{"other fields keep it", directory.UserInput{Notes: ptr("x")}, "+15559876543", "+15559876543", true, true},
		{"clear", directory.UserInput{Phone: ptr("")}, "", "", false, true},
		{"set again", directory.UserInput{Phone: ptr("+44 20 7946 0958")}, "+442079460958", "+442079460958", false, true},
		{"shared line", directory.UserInput{SharedPhoneNumber: ptr(true)}, "+442079460958", "", false, true},
		{"shared line changes", directory.UserInput{Phone: ptr("+15550001111")}, "+15550001111", "", false, true},
		{"direct line again", directory.UserInput{SharedPhoneNumber: ptr(false)}, "+15550001111", "+15550001111", false, true},
	}
	for _, st := range steps {
		got, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, st.in)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got.Phone != st.phone || e.stored(t, u.ID).Phone != st.phone {
			t.Errorf("%s: phone = %q, stored %q; want %q", st.name, got.Phone, e.stored(t, u.ID).Phone, st.phone)
		}
		id := phoneIdentity()
		switch {
		case st.identity == "" && id != nil:
			t.Errorf("%s: phone identity %+v, want none", st.name, id)
		case st.identity != "" && (id == nil || id.Value != st.identity || !id.Primary):
			t.Errorf("%s: phone identity %+v, want primary %s", st.name, id, st.identity)
		case st.sameID && (id.ID != first.ID || id.Verified):
			t.Errorf("%s: phone identity %+v, want row %d updated and no longer verified", st.name, id, first.ID)
		}
		if e.identities(t, u.ID)[0].Value != "pat@example.com" {
			t.Errorf("%s: email identity lost: %v", st.name, idents(e.identities(t, u.ID)))
		}
	}
	_, err := e.svc.UpdateUser(e.ctx, e.opA, u.ID, directory.UserInput{Phone: ptr("5551234567")})
	wantInvalid(t, err, fe("phone", "InvalidValue"))
}

// TestUpdatePhoneToTakenNumber changes a direct line to another user's:
// the refusal must name the phone field, like the same conflict on create.
func TestUpdatePhoneToTakenNumber(t *testing.T) {
	e := newEnv(t)
	e.create(t, directory.UserInput{Name: ptr("A"), Phone: ptr("+15551234567")})
	b := e.create(t, directory.UserInput{Name: ptr("B"), Phone: ptr("+15559876543")})
	c := e.create(t, directory.UserInput{Name: ptr("C")})

	// No phone yet: the new identity is checked before writing.
	_, err := e.svc.UpdateUser(e.ctx, e.opA, c.ID, directory.UserInput{Phone: ptr("+1 555 123 4567")})
	wantInvalid(t, err, fe("phone", "DuplicateValue"))

	// A phone already: its identity is updated in place.
	before := e.stored(t, b.ID)
	_, err = e.svc.UpdateUser(e.ctx, e.opA, b.ID, directory.UserInput{Phone: ptr("+1 555 123 4567")})
	wantInvalid(t, err, fe("phone", "DuplicateValue"))
	if diff := cmp.Diff(before, e.stored(t, b.ID)); diff != "" {
		t.Errorf("user changed by a refused update (-before +after):\n%s", diff)
	}
}

func TestCreateOrUpdateUser(t *testing.T) {
	e := newEnv(t)
	ext := e.create(t, directory.UserInput{Name: ptr("Ext"), Email: ptr("ext@example.com"), ExternalID: ptr("ABC-1")})
	mail := e.create(t, directory.UserInput{Name: ptr("Mail"), Email: ptr("mail@example.com")})

	tests := []struct {
		name    string
		in      directory.UserInput
		created bool
		id      int64 // 0: a new user
		check   func(t *testing.T, u *directory.User)
	}{
		{"external_id, other case", directory.UserInput{ExternalID: ptr("abc-1"), Name: ptr("Ext Renamed")}, false, ext.ID,
			func(t *testing.T, u *directory.User) {
				if u.ExternalID != "abc-1" || u.Name != "Ext Renamed" || u.Email != "ext@example.com" {
					t.Errorf("user = %q %q %q, want the request's external_id case and name", u.ExternalID, u.Name, u.Email)
				}
			}},
		{"email, other case", directory.UserInput{Email: ptr(" MAIL@Example.com "), Notes: ptr("matched")}, false, mail.ID,
			func(t *testing.T, u *directory.User) {
				if u.Notes != "matched" || u.Name != "Mail" {
					t.Errorf("user = %q %q, want notes set and name kept", u.Name, u.Notes)
				}
			}},
		{"external_id wins over email", directory.UserInput{ExternalID: ptr("ABC-1"), Email: ptr("ext@example.com"), Alias: ptr("x")}, false, ext.ID,
			func(t *testing.T, u *directory.User) {
				if u.Alias != "x" || u.ExternalID != "ABC-1" {
					t.Errorf("user = %q %q", u.ExternalID, u.Alias)
				}
			}},
		{"no match: created", directory.UserInput{Name: ptr("Fresh"), Email: ptr("fresh@example.com")}, true, 0,
			func(t *testing.T, u *directory.User) {
				if u.Email != "fresh@example.com" || u.Role != directory.RoleEndUser {
					t.Errorf("created user = %+v", u)
				}
			}},
		{"unknown external_id: created", directory.UserInput{Name: ptr("Fresh2"), ExternalID: ptr("zzz")}, true, 0,
			func(t *testing.T, u *directory.User) {
				if u.ExternalID != "zzz" {
					t.Errorf("created user external_id = %q", u.ExternalID)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			activeBefore, _ := e.count(t)
			u, created, err := e.svc.CreateOrUpdateUser(e.ctx, e.opA, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if created != tc.created {
				t.Errorf("created = %v, want %v", created, tc.created)
			}
			if tc.id != 0 && u.ID != tc.id {
				t.Errorf("matched user %d, want %d", u.ID, tc.id)
			}
			if tc.id == 0 && (u.ID == ext.ID || u.ID == mail.ID) {
				t.Errorf("created = existing user %d", u.ID)
			}
			activeAfter, _ := e.count(t)
			if wantDelta := map[bool]int64{true: 1, false: 0}[tc.created]; activeAfter-activeBefore != wantDelta {
				t.Errorf("user count went from %d to %d", activeBefore, activeAfter)
			}
			tc.check(t, u)
			if diff := cmp.Diff(u, e.stored(t, u.ID)); diff != "" {
				t.Errorf("stored user differs from the returned one (-returned +stored):\n%s", diff)
			}
		})
	}

	t.Run("soft-deleted match reports the duplicate", func(t *testing.T) {
		gone := e.create(t, directory.UserInput{Name: ptr("Gone"), Email: ptr("gone@example.com")})
		if _, err := e.svc.DeleteUser(e.ctx, e.opA, gone.ID); err != nil {
			t.Fatal(err)
		}
		_, created, err := e.svc.CreateOrUpdateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("Back"), Email: ptr("gone@example.com")})
		wantInvalid(t, err, fe("email", "DuplicateValue"))
		if created {
			t.Error("created = true with an error")
		}
	})
	t.Run("invalid create reports created=false", func(t *testing.T) {
		_, created, err := e.svc.CreateOrUpdateUser(e.ctx, e.opA, directory.UserInput{Email: ptr("nameless@example.com")})
		wantInvalid(t, err, fe("name", "BlankValue"))
		if created {
			t.Error("created = true with an error")
		}
	})
	t.Run("end user", func(t *testing.T) {
		_, endUser := e.staff(t, directory.RoleEndUser, "eu@example.com")
		_, _, err := e.svc.CreateOrUpdateUser(e.ctx, endUser, directory.UserInput{Name: ptr("X"), Email: ptr("x@example.com")})
		wantKind(t, err, directory.KindForbidden)
	})
}

// TestCreateOrUpdateUserNewExternalIDMatchesEmail: Zendesk matches "by
// email or external_id"; a request carrying an external id no user has
// yet and the email of an existing user updates that user (giving it the
// external id) rather than failing to create a duplicate.
func TestCreateOrUpdateUserNewExternalIDMatchesEmail(t *testing.T) {
	e := newEnv(t)
	u := e.create(t, directory.UserInput{Name: ptr("Mail"), Email: ptr("mail@example.com")})
	got, created, err := e.svc.CreateOrUpdateUser(e.ctx, e.opA, directory.UserInput{
		Name: ptr("Mail"), Email: ptr("mail@example.com"), ExternalID: ptr("crm-42"),
	})
	if err != nil {
		t.Fatalf("CreateOrUpdateUser(new external_id, existing email): %v; want user %d updated", err, u.ID)
	}
	if created || got.ID != u.ID || got.ExternalID != "crm-42" {
		t.Errorf("got user %d external_id %q created %v; want user %d, crm-42, false", got.ID, got.ExternalID, created, u.ID)
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	admin, asAdmin := e.staff(t, directory.RoleAdmin, "admin@example.com")
	agent, asAgent := e.staff(t, directory.RoleAgent, "agent@example.com")
	agent2, _ := e.staff(t, directory.RoleAgent, "agent2@example.com")
	endUser, asEndUser := e.staff(t, directory.RoleEndUser, "customer@example.com")
	other := e.create(t, directory.UserInput{Name: ptr("Other customer")})
	inB, err := e.svc.CreateUser(e.ctx, e.opB, directory.UserInput{Name: ptr("In realm b")})
	if err != nil {
		t.Fatal(err)
	}

	update := func(a directory.Actor, id int64, in directory.UserInput) func() error {
		return func() error { _, err := e.svc.UpdateUser(e.ctx, a, id, in); return err }
	}
	create := func(a directory.Actor, in directory.UserInput) func() error {
		return func() error { _, err := e.svc.CreateUser(e.ctx, a, in); return err }
	}
	tests := []struct {
		name string
		op   func() error
		want directory.Kind // KindInternal stands for "no error"
	}{
		{"end user creates", create(asEndUser, directory.UserInput{Name: ptr("X")}), directory.KindForbidden},
		{"end user lists", func() error {
			_, err := e.svc.ListUsers(e.ctx, asEndUser, directory.UserFilter{}, directory.Page{Limit: 10})
			return err
		}, directory.KindForbidden},
		{"end user counts", func() error { _, err := e.svc.CountUsers(e.ctx, asEndUser, directory.UserFilter{}); return err }, directory.KindForbidden},
		{"end user shows many", func() error { _, err := e.svc.UsersByIDs(e.ctx, asEndUser, []int64{endUser.ID}); return err }, directory.KindForbidden},
		{"end user shows another", func() error { _, err := e.svc.User(e.ctx, asEndUser, other.ID); return err }, directory.KindForbidden},
		{"end user shows self", func() error { _, err := e.svc.User(e.ctx, asEndUser, endUser.ID); return err }, directory.KindInternal},
		{"end user updates self", update(asEndUser, endUser.ID, directory.UserInput{Notes: ptr("x")}), directory.KindForbidden},
		{"end user deletes", func() error { _, err := e.svc.DeleteUser(e.ctx, asEndUser, other.ID); return err }, directory.KindForbidden},

		{"agent creates end user", create(asAgent, directory.UserInput{Name: ptr("By agent")}), directory.KindInternal},
		{"agent creates agent", create(asAgent, directory.UserInput{Name: ptr("X"), Role: ptr("agent")}), directory.KindForbidden},
		{"agent creates admin", create(asAgent, directory.UserInput{Name: ptr("X"), Role: ptr("admin")}), directory.KindForbidden},
		{"agent updates end user", update(asAgent, endUser.ID, directory.UserInput{Notes: ptr("by agent")}), directory.KindInternal},
		{"agent makes end user an agent", update(asAgent, endUser.ID, directory.UserInput{Role: ptr("agent")}), directory.KindForbidden},
		{"agent makes end user an admin", update(asAgent, endUser.ID, directory.UserInput{Role: ptr("admin")}), directory.KindForbidden},
		{"agent sends end user's own role", update(asAgent, endUser.ID, directory.UserInput{Role: ptr("end-user")}), directory.KindInternal},
		{"agent updates self", update(asAgent, agent.ID, directory.UserInput{Notes: ptr("me")}), directory.KindInternal},
		{"agent makes self admin", update(asAgent, agent.ID, directory.UserInput{Role: ptr("admin")}), directory.KindForbidden},
		{"agent updates another agent", update(asAgent, agent2.ID, directory.UserInput{Notes: ptr("x")}), directory.KindForbidden},
		{"agent updates admin", update(asAgent, admin.ID, directory.UserInput{Notes: ptr("x")}), directory.KindForbidden},
		{"agent demotes admin", update(asAgent, admin.ID, directory.UserInput{Role: ptr("end-user")}), directory.KindForbidden},
		{"agent deletes admin", func() error { _, err := e.svc.DeleteUser(e.ctx, asAgent, admin.ID); return err }, directory.KindForbidden},
		{"agent deletes self", func() error { _, err := e.svc.DeleteUser(e.ctx, asAgent, agent.ID); return err }, directory.KindForbidden},
		{"agent erases", func() error { _, err := e.svc.EraseUser(e.ctx, asAgent, other.ID); return err }, directory.KindForbidden},

		{"admin updates agent's role", update(asAdmin, agent2.ID, directory.UserInput{Role: ptr("admin")}), directory.KindInternal},
		{"admin deletes self", func() error { _, err := e.svc.DeleteUser(e.ctx, asAdmin, admin.ID); return err }, directory.KindForbidden},
		{"admin erases an active user", func() error { _, err := e.svc.EraseUser(e.ctx, asAdmin, other.ID); return err }, directory.KindNotFound},
		{"admin updates user of realm b", update(asAdmin, inB.ID, directory.UserInput{Notes: ptr("x")}), directory.KindNotFound},
		{"admin deletes user of realm b", func() error { _, err := e.svc.DeleteUser(e.ctx, asAdmin, inB.ID); return err }, directory.KindNotFound},
		{"admin shows user of realm b", func() error { _, err := e.svc.User(e.ctx, asAdmin, inB.ID); return err }, directory.KindNotFound},
		{"agent deletes end user", func() error { _, err := e.svc.DeleteUser(e.ctx, asAgent, other.ID); return err }, directory.KindInternal},
		{"agent erases a deleted user", func() error { _, err := e.svc.EraseUser(e.ctx, asAgent, other.ID); return err }, directory.KindForbidden},
		{"admin updates a deleted user", update(asAdmin, other.ID, directory.UserInput{Notes: ptr("x")}), directory.KindNotFound},
		{"admin deletes a deleted user", func() error { _, err := e.svc.DeleteUser(e.ctx, asAdmin, other.ID); return err }, directory.KindNotFound},
		{"admin erases a deleted user", func() error { _, err := e.svc.EraseUser(e.ctx, asAdmin, other.ID); return err }, directory.KindInternal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before []directory.User
			for _, id := range []int64{admin.ID, agent.ID, agent2.ID, endUser.ID, other.ID} {
				before = append(before, *e.stored(t, id))
			}
			activeBefore, deletedBefore := e.count(t)
			err := tc.op()
			if tc.want == directory.KindInternal {
				if err != nil {
					t.Fatalf("error = %v, want none", err)
				}
				return
			}
			wantKind(t, err, tc.want)
			for _, b := range before {
				if diff := cmp.Diff(&b, e.stored(t, b.ID)); diff != "" {
					t.Errorf("user %d changed by a refused operation (-before +after):\n%s", b.ID, diff)
				}
			}
			if a, d := e.count(t); a != activeBefore || d != deletedBefore {
				t.Errorf("counts went from %d/%d to %d/%d", activeBefore, deletedBefore, a, d)
			}
		})
	}
}

func TestEraseUser(t *testing.T) {
	e := newEnv(t)
	in := directory.UserInput{
		Name: ptr("Jane Doe"), FirstName: ptr("Jane"), LastName: ptr("Doe"), SecondLastName: ptr("Roe"), Username: ptr("jdoe"),
		Email: ptr("jane@example.com"), Phone: ptr("+15551234567"), ExternalID: ptr("JD-1"),
		Alias: ptr("JJ"), Signature: ptr("Jane, support"), Details: ptr("12 Main St"), Notes: ptr("VIP"),
		RemotePhotoURL: ptr("https://example.com/jane.jpg"), Role: ptr("agent"), TicketRestriction: ptr("groups"),
		Moderator: ptr(true), OnlyPrivateComments: ptr(true), Verified: ptr(true), Tags: &[]string{"vip"},
		TimeZone: ptr("Berlin"), Locale: ptr("de"),
		Identities: []directory.IdentityInput{{Type: "email", Value: "jane@home.example"}, {Type: "twitter", Value: "janedoe"}},
	}
	u := e.create(t, in)
	if err := e.store.SetPasswordHash(e.ctx, e.a.ID, u.ID, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.TouchLogin(e.ctx, e.a.ID, u.ID, epoch.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	access := &directory.AccessToken{UserID: u.ID, Hash: "access-hash", CreatedAt: epoch}
	if err := e.store.CreateAccessToken(e.ctx, e.a.ID, access); err != nil {
		t.Fatal(err)
	}

	_, err := e.svc.EraseUser(e.ctx, e.opA, u.ID)
	wantKind(t, err, directory.KindNotFound) // must be soft-deleted first

	e.now = epoch.Add(time.Hour)
	deleted, err := e.svc.DeleteUser(e.ctx, e.opA, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if deleted.Active() || !deleted.DeletedAt.Equal(epoch.Add(time.Hour)) || deleted.Email != "jane@example.com" {
		t.Errorf("soft-deleted user: active %v deleted_at %v email %q", deleted.Active(), deleted.DeletedAt, deleted.Email)
	}
	// Soft-deleted users keep their identities: the email is still taken.
	_, err = e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("Again"), Email: ptr("jane@example.com")})
	wantInvalid(t, err, fe("email", "DuplicateValue"))

	e.now = epoch.Add(2 * time.Hour)
	erased, err := e.svc.EraseUser(e.ctx, e.opA, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := &directory.User{
		ID: u.ID, RealmID: e.a.ID, UUID: u.UUID, Name: directory.PermanentlyDeletedName,
		Role: directory.RoleAgent, TimeZone: "Berlin", IANATimeZone: "Europe/Berlin", Locale: "de", LocaleID: u.LocaleID,
		Tags: []string{}, UserFields: map[string]any{},
		CreatedAt: epoch, UpdatedAt: epoch.Add(2 * time.Hour), DeletedAt: epoch.Add(time.Hour), Erased: true,
	}
	if diff := cmp.Diff(want, erased); diff != "" {
		t.Errorf("returned erased user (-want +got):\n%s", diff)
	}
	stored := e.stored(t, u.ID)
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("stored erased user (-want +got):\n%s", diff)
	}
	if got := idents(e.identities(t, u.ID)); len(got) != 0 {
		t.Errorf("identities after erase = %v, want none", got)
	}
	if _, err := e.store.AccessTokenByHash(e.ctx, "access-hash"); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("access token after erase: %v, want KindNotFound", err)
	}
	if got, err := e.svc.DeletedUser(e.ctx, e.opA, u.ID); err != nil || !got.Erased {
		t.Errorf("DeletedUser after erase = %+v, %v; want the tombstone", got, err)
	}
	if a, d := e.count(t); a != 0 || d != 1 {
		t.Errorf("counts after erase: %d active, %d deleted; want 0, 1", a, d)
	}
	_, err = e.svc.EraseUser(e.ctx, e.opA, u.ID)
	if err != nil && directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("erasing twice: %v", err)
	}

	// Everything the erased user held is free again.
	again, err := e.svc.CreateUser(e.ctx, e.opA, directory.UserInput{Name: ptr("Jane again"), Email: ptr("JANE@example.com"),
		Phone: ptr("+15551234567"), ExternalID: ptr("jd-1"), Identities: []directory.IdentityInput{{Type: "email", Value: "jane@home.example"}}})
	if err != nil {
		t.Fatalf("reusing the erased user's email, phone and external_id: %v", err)
	}
	if again.ID == u.ID {
		t.Error("the erased user's id was reused")
	}
}

func TestFailedValidationWritesNothing(t *testing.T) {
	e := newEnv(t)
	existing := e.create(t, directory.UserInput{Name: ptr("Existing"), Email: ptr("taken@example.com"), ExternalID: ptr("X-1"), Phone: ptr("+15551234567")})

	creates := []struct {
		name string
		in   directory.UserInput
		want []directory.FieldError
	}{
		{"every problem at once, sorted by field", directory.UserInput{
			Name: ptr(" "), Email: ptr("nope"), Phone: ptr("123"), Role: ptr("boss"), TimeZone: ptr("Nowhere"),
			Locale: ptr("xx-nope-nope"), Tags: ptr(make([]string, 0)), OrganizationID: ptr(int64(5)), DefaultGroupID: ptr(int64(6)),
		}, []directory.FieldError{
			fe("default_group_id", "InvalidValue"), fe("email", "InvalidValue"), fe("locale", "InvalidValue"), fe("name", "BlankValue"),
			fe("organization_id", "InvalidValue"), fe("phone", "InvalidValue"), fe("role", "InvalidValue"), fe("time_zone", "InvalidValue"),
		}},
		{"bad identity after a good email", directory.UserInput{Name: ptr("N"), Email: ptr("new@example.com"),
			Identities: []directory.IdentityInput{{Type: "email", Value: "bad"}, {Type: "carrier_pigeon", Value: "x"}}},
			[]directory.FieldError{fe("identities", "InvalidValue"), fe("identities", "InvalidValue")}},
		{"duplicate secondary email", directory.UserInput{Name: ptr("N"), Email: ptr("new@example.com"),
			Identities: []directory.IdentityInput{{Type: "email", Value: "Taken@example.com"}}},
			[]directory.FieldError{fe("email", "DuplicateValue")}},
		{"duplicates everywhere", directory.UserInput{Name: ptr("N"), Email: ptr("taken@example.com"), Phone: ptr("+1 555 123 4567"), ExternalID: ptr("x-1")},
			[]directory.FieldError{fe("email", "DuplicateValue"), fe("external_id", "DuplicateValue"), fe("phone", "DuplicateValue")}},
		{"agent with a bad restriction", directory.UserInput{Name: ptr("N"), Email: ptr("new@example.com"), Role: ptr("agent"), TicketRestriction: ptr("all")},
			[]directory.FieldError{fe("ticket_restriction", "InvalidValue")}},
	}
	for _, tc := range creates {
		t.Run("create "+tc.name, func(t *testing.T) {
			activeBefore, deletedBefore := e.count(t)
			u, err := e.svc.CreateUser(e.ctx, e.opA, tc.in)
			wantInvalid(t, err, tc.want...)
			if u != nil {
				t.Errorf("user %+v returned with an error", u)
			}
			if a, d := e.count(t); a != activeBefore || d != deletedBefore {
				t.Errorf("counts went from %d/%d to %d/%d", activeBefore, deletedBefore, a, d)
			}
			if _, err := e.store.UserByIdentity(e.ctx, e.a.ID, directory.IdentityEmail, "new@example.com"); directory.KindOf(err) != directory.KindNotFound {
				t.Errorf("new@example.com is stored after a refused create (%v)", err)
			}
		})
	}

	updates := []struct {
		name string
		in   directory.UserInput
		want []directory.FieldError
	}{
		{"bad fields", directory.UserInput{Name: ptr(""), Notes: ptr("new notes"), Phone: ptr("+1"), Tags: &[]string{"new"}},
			[]directory.FieldError{fe("name", "BlankValue"), fe("phone", "InvalidValue")}},
		{"good email, bad locale_id", directory.UserInput{Email: ptr("new@example.com"), LocaleID: ptr(0), Notes: ptr("new notes")},
			[]directory.FieldError{fe("locale_id", "InvalidValue")}},
	}
	target := e.create(t, directory.UserInput{Name: ptr("Target"), Email: ptr("target@example.com"), Phone: ptr("+15559876543"), Notes: ptr("old")})
	for _, tc := range updates {
		t.Run("update "+tc.name, func(t *testing.T) {
			before := e.stored(t, target.ID)
			beforeIDs := e.identities(t, target.ID)
			e.now = e.now.Add(time.Minute)
			_, err := e.svc.UpdateUser(e.ctx, e.opA, target.ID, tc.in)
			wantInvalid(t, err, tc.want...)
			if diff := cmp.Diff(before, e.stored(t, target.ID)); diff != "" {
				t.Errorf("user changed by a refused update (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(beforeIDs, e.identities(t, target.ID)); diff != "" {
				t.Errorf("identities changed by a refused update (-before +after):\n%s", diff)
			}
		})
	}
	if got := e.stored(t, existing.ID); got.Email != "taken@example.com" || got.ExternalID != "X-1" {
		t.Errorf("existing user changed: %+v", got)
	}
}
