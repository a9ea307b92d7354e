package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// RunUserActions runs the contract of directory.UserActionStore (merging
// users, revoking their access tokens) against stores made by open.
func RunUserActions(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"MergeUsers", testMergeUsers},
		{"MergeUsersRollsBack", testMergeUsersRollsBack},
		{"RevokeAccessTokens", testRevokeAccessTokens},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func testMergeUsers(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	other := realm(t, s, "beta")
	source := newUser("Source")
	source.Email = "src@example.com"
	create(t, s, r.ID, source, emailIdentity("src@example.com", true),
		directory.Identity{Type: directory.IdentityTwitter, Value: "srcbird", Verified: true, CreatedAt: epoch, UpdatedAt: epoch})
	target := newUser("Target")
	target.Email = "dst@example.com"
	create(t, s, r.ID, target, emailIdentity("dst@example.com", true))
	create(t, s, other.ID, newUser("Beta"), emailIdentity("src@example.com", true))

	srcIDs, err := s.IdentitiesByUser(ctx, r.ID, source.ID)
	if err != nil {
		t.Fatal(err)
	}
	later := epoch.Add(time.Hour)
	moved := make([]directory.Identity, len(srcIDs))
	for i, id := range srcIDs {
		id.UserID, id.Primary, id.UpdatedAt = target.ID, false, later
		moved[i] = id
	}
	source.Email, source.DeletedAt, source.UpdatedAt = "", later, later
	target.Verified, target.UpdatedAt = true, later
	if err := s.MergeUsers(ctx, r.ID, source, target, moved); err != nil {
		t.Fatal(err)
	}
	got, err := s.IdentitiesByUser(ctx, r.ID, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, id := range got {
		values = append(values, id.Value)
		if id.UserID != target.ID {
			t.Errorf("identity %s belongs to %d, want %d", id.Value, id.UserID, target.ID)
		}
		if id.Value != "dst@example.com" && (id.Primary || !id.UpdatedAt.Equal(later)) {
			t.Errorf("moved identity %+v: want secondary, updated at %v", id, later)
		}
	}
	if len(values) != 3 || values[0] != "dst@example.com" {
		t.Errorf("target identities = %v, want dst@ first and the two moved ones", values)
	}
	if left, _ := s.IdentitiesByUser(ctx, r.ID, source.ID); len(left) != 0 {
		t.Errorf("source keeps identities %+v", left)
	}
	if u, err := s.UserByIdentity(ctx, r.ID, directory.IdentityEmail, "src@example.com"); err != nil || u.ID != target.ID {
		t.Errorf("src@ now owned by %v, %v; want the target", u, err)
	}
	if u, err := s.UserByIdentity(ctx, other.ID, directory.IdentityEmail, "src@example.com"); err != nil || u.Name != "Beta" {
		t.Errorf("the other realm's src@ moved: %v, %v", u, err)
	}
	gotSource, _ := s.UserByID(ctx, r.ID, source.ID)
	if gotSource.Active() || gotSource.Email != "" {
		t.Errorf("source after merge = active %v email %q, want deleted without email", gotSource.Active(), gotSource.Email)
	}
	gotTarget, _ := s.UserByID(ctx, r.ID, target.ID)
	if !gotTarget.Verified || !gotTarget.UpdatedAt.Equal(later) {
		t.Errorf("target after merge = verified %v updated %v", gotTarget.Verified, gotTarget.UpdatedAt)
	}
	if n, _ := s.CountUsers(ctx, r.ID, directory.UserFilter{}); n != 1 {
		t.Errorf("active users = %d, want 1", n)
	}
	if n, _ := s.CountUsers(ctx, r.ID, directory.UserFilter{Deleted: true}); n != 1 {
		t.Errorf("deleted users = %d, want 1", n)
	}
}

// testMergeUsersRollsBack moves an identity the source does not own (one
// of another realm): nothing of the merge may stay.
func testMergeUsersRollsBack(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	other := realm(t, s, "beta")
	source := create(t, s, r.ID, newUser("Source"), emailIdentity("src@example.com", true))
	target := create(t, s, r.ID, newUser("Target"))
	stranger := create(t, s, other.ID, newUser("Stranger"), emailIdentity("x@example.com", true))
	foreign, _ := s.IdentitiesByUser(ctx, other.ID, stranger.ID)
	mine, _ := s.IdentitiesByUser(ctx, r.ID, source.ID)
	later := epoch.Add(time.Hour)
	source.DeletedAt, source.UpdatedAt = later, later
	err := s.MergeUsers(ctx, r.ID, source, target, append(mine, foreign...))
	wantKind(t, err, directory.KindNotFound)
	if got, _ := s.UserByID(ctx, r.ID, source.ID); !got.Active() {
		t.Error("source deleted by a failed merge")
	}
	if got, _ := s.IdentitiesByUser(ctx, r.ID, source.ID); len(got) != 1 {
		t.Errorf("source identities after a failed merge = %+v", got)
	}
	if got, _ := s.IdentitiesByUser(ctx, other.ID, stranger.ID); len(got) != 1 {
		t.Errorf("stranger identities after a failed merge = %+v", got)
	}
	if n, _ := s.CountUsers(ctx, r.ID, directory.UserFilter{}); n != 2 {
		t.Errorf("active users = %d, want 2", n)
	}
}

func testRevokeAccessTokens(t *testing.T, s directory.Store) {
	ctx := context.Background()
	r := realm(t, s, "acme")
	other := realm(t, s, "beta")
	a := create(t, s, r.ID, newUser("A"))
	b := create(t, s, r.ID, newUser("B"))
	c := create(t, s, other.ID, newUser("C"))
	for _, tok := range []struct {
		realm, user int64
		hash        string
	}{{r.ID, a.ID, "a1"}, {r.ID, a.ID, "a2"}, {r.ID, b.ID, "b1"}, {other.ID, c.ID, "c1"}} {
		if err := s.CreateAccessToken(ctx, tok.realm, &directory.AccessToken{UserID: tok.user, Hash: tok.hash, CreatedAt: epoch}); err != nil {
			t.Fatal(err)
		}
	}
	// The other realm's user id is listed too: its token must survive.
	n, err := s.RevokeAccessTokens(ctx, r.ID, []int64{a.ID, c.ID, a.ID + 1000})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("revoked %d tokens, want 2", n)
	}
	for hash, want := range map[string]bool{"a1": false, "a2": false, "b1": true, "c1": true} {
		_, err := s.AccessTokenByHash(ctx, hash)
		if got := err == nil; got != want {
			t.Errorf("token %s exists = %v, want %v (%v)", hash, got, want, err)
		}
	}
	if n, err := s.RevokeAccessTokens(ctx, r.ID, nil); err != nil || n != 0 {
		t.Errorf("RevokeAccessTokens(none) = %d, %v", n, err)
	}
}
