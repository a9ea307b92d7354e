package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// RunSignin runs the contract of the sign-in store methods (settings,
// sessions, link tokens, failed logins, mails, events, OAuth clients,
// codes, session-bound access tokens, identity providers and their
// links, states and delegated tokens) against stores made by open.
func RunSignin(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"Settings", testSigninSettings},
		{"Sessions", testSessions},
		{"SigninTokens", testSigninTokens},
		{"LoginFailures", testLoginFailures},
		{"MailAndEvents", testMailAndEvents},
		{"OAuth", testOAuth},
		{"IdentityProviders", testIdentityProviders},
		{"Notifications", testNotifications},
		{"NotificationSends", testNotificationSends},
		{"EventOrder", testEventOrder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// signinFixture is two realms, each with one customer.
func signinFixture(t *testing.T, s directory.Store) (a, b *directory.Realm, ua, ub *directory.User) {
	a, b = realm(t, s, "acme"), realm(t, s, "beta")
	ua = create(t, s, a.ID, newUser("ann"), emailIdentity("ann@acme.test", true))
	ub = create(t, s, b.ID, newUser("bob"), emailIdentity("bob@beta.test", true))
	return a, b, ua, ub
}

func testSigninSettings(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, _, _ := signinFixture(t, s)
	_, err := s.SigninSettings(ctx, a.ID)
	wantKind(t, err, directory.KindNotFound)
	want := directory.SigninSettings{SignupEnabled: false, SessionLifetime: time.Hour, IdleTimeout: 5 * time.Minute,
		AllowedOrigins: []string{"https://shop.example", "http://localhost:3000"}}
	for range 2 { // inserts, then replaces
		if err := s.SetSigninSettings(ctx, a.ID, &want); err != nil {
			t.Fatal(err)
		}
		got, err := s.SigninSettings(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("settings (-want +got):\n%s", diff)
		}
		want.SignupEnabled, want.AllowedOrigins = true, []string{}
	}
	_, err = s.SigninSettings(ctx, b.ID)
	wantKind(t, err, directory.KindNotFound)
}

func testSessions(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, ua, _ := signinFixture(t, s)
	sess := &directory.Session{UserID: ua.ID, Hash: "h1", Method: directory.MethodDirect, UserAgent: "ua/1",
		CreatedAt: epoch, LastSeenAt: epoch, ExpiresAt: epoch.Add(time.Hour), IdleTimeout: 5 * time.Minute}
	if err := s.CreateSession(ctx, a.ID, sess); err != nil {
		t.Fatal(err)
	}
	if sess.ID == 0 || sess.RealmID != a.ID {
		t.Fatalf("ids not set: %+v", sess)
	}
	got, err := s.SessionByHash(ctx, a.ID, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sess, got); diff != "" {
		t.Errorf("SessionByHash (-want +got):\n%s", diff)
	}
	_, err = s.SessionByHash(ctx, b.ID, "h1")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.SessionByID(ctx, b.ID, sess.ID)
	wantKind(t, err, directory.KindNotFound)

	later := epoch.Add(time.Minute)
	if err := s.TouchSession(ctx, a.ID, sess.ID, later); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.RevokeSession(ctx, b.ID, sess.ID, later), directory.KindNotFound)
	if err := s.RevokeSession(ctx, a.ID, sess.ID, later); err != nil {
		t.Fatal(err)
	}
	// Revoking again keeps the first time.
	if err := s.RevokeSession(ctx, a.ID, sess.ID, later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err = s.SessionByID(ctx, a.ID, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastSeenAt.Equal(later) || !got.RevokedAt.Equal(later) || got.Alive(later) {
		t.Errorf("after touch and revoke: %+v", got)
	}

	// An access token keeps its session id.
	tok := &directory.AccessToken{UserID: ua.ID, Hash: "tok1", Scopes: []string{"public"}, CreatedAt: epoch, SessionID: sess.ID}
	if err := s.CreateAccessToken(ctx, a.ID, tok); err != nil {
		t.Fatal(err)
	}
	gotTok, err := s.AccessTokenByHash(ctx, "tok1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tok, gotTok); diff != "" {
		t.Errorf("AccessTokenByHash (-want +got):\n%s", diff)
	}
}

func testSigninTokens(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, ua, _ := signinFixture(t, s)
	sess := &directory.Session{UserID: ua.ID, Hash: "h1", Method: "direct", CreatedAt: epoch, LastSeenAt: epoch, ExpiresAt: epoch.Add(time.Hour)}
	if err := s.CreateSession(ctx, a.ID, sess); err != nil {
		t.Fatal(err)
	}
	link := &directory.SigninToken{UserID: ua.ID, Kind: directory.TokenPasswordReset, Hash: "l1", CreatedAt: epoch, ExpiresAt: epoch.Add(72 * time.Hour)}
	if err := s.CreateSigninToken(ctx, a.ID, link); err != nil {
		t.Fatal(err)
	}
	got, err := s.SigninTokenByHash(ctx, a.ID, directory.TokenPasswordReset, "l1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(link, got); diff != "" {
		t.Errorf("SigninTokenByHash (-want +got):\n%s", diff)
	}
	later := &directory.SigninToken{UserID: ua.ID, Kind: directory.TokenPasswordReset, Hash: "l2", CreatedAt: epoch.Add(time.Second), ExpiresAt: epoch.Add(72 * time.Hour)}
	if err := s.CreateSigninToken(ctx, a.ID, later); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LatestSigninToken(ctx, a.ID, ua.ID, directory.TokenPasswordReset); err != nil || got.ID != later.ID {
		t.Errorf("LatestSigninToken: %+v %v", got, err)
	}
	_, err = s.LatestSigninToken(ctx, a.ID, ua.ID, directory.TokenActivation)
	wantKind(t, err, directory.KindNotFound)
	_, err = s.LatestSigninToken(ctx, b.ID, ua.ID, directory.TokenPasswordReset)
	wantKind(t, err, directory.KindNotFound)
	_, err = s.SigninTokenByHash(ctx, a.ID, directory.TokenActivation, "l1")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.SigninTokenByHash(ctx, b.ID, directory.TokenPasswordReset, "l1")
	wantKind(t, err, directory.KindNotFound)
	wantKind(t, s.RedeemSigninToken(ctx, b.ID, link.ID, epoch, "x"), directory.KindConflict)

	at := epoch.Add(time.Minute)
	if err := s.RedeemSigninToken(ctx, a.ID, link.ID, at, "$new-hash"); err != nil {
		t.Fatal(err)
	}
	u, _ := s.UserByID(ctx, a.ID, ua.ID)
	got, _ = s.SigninTokenByHash(ctx, a.ID, directory.TokenPasswordReset, "l1")
	gotSess, _ := s.SessionByID(ctx, a.ID, sess.ID)
	if u.PasswordHash != "$new-hash" || !got.UsedAt.Equal(at) || !gotSess.RevokedAt.Equal(at) {
		t.Errorf("after redeem: hash %q, used %v, session revoked %v", u.PasswordHash, got.UsedAt, gotSess.RevokedAt)
	}
	// Twice is a conflict and changes nothing.
	wantKind(t, s.RedeemSigninToken(ctx, a.ID, link.ID, at.Add(time.Hour), "$other"), directory.KindConflict)
	if u, _ := s.UserByID(ctx, a.ID, ua.ID); u.PasswordHash != "$new-hash" {
		t.Errorf("second redeem changed the password")
	}
}

func testLoginFailures(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, _, _ := signinFixture(t, s)
	if n, last, err := s.LoginFailures(ctx, a.ID, "ann@acme.test"); err != nil || n != 0 || !last.IsZero() {
		t.Errorf("none: %d %v %v", n, last, err)
	}
	for i := 1; i <= 3; i++ {
		n, err := s.RecordLoginFailure(ctx, a.ID, "ann@acme.test", epoch.Add(time.Duration(i)*time.Second))
		if err != nil || n != i {
			t.Fatalf("failure %d: %d %v", i, n, err)
		}
	}
	if n, last, err := s.LoginFailures(ctx, a.ID, "ann@acme.test"); err != nil || n != 3 || !last.Equal(epoch.Add(3*time.Second)) {
		t.Errorf("three: %d %v %v", n, last, err)
	}
	if n, _, _ := s.LoginFailures(ctx, b.ID, "ann@acme.test"); n != 0 {
		t.Errorf("beta sees acme's failures: %d", n)
	}
	if err := s.ClearLoginFailures(ctx, a.ID, "ann@acme.test"); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.LoginFailures(ctx, a.ID, "ann@acme.test"); n != 0 {
		t.Errorf("after clear: %d", n)
	}
}

func testMailAndEvents(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, ua, _ := signinFixture(t, s)
	m1 := &directory.Mail{To: "ann@acme.test", Subject: "One", Body: "hello\nthere", CreatedAt: epoch}
	m2 := &directory.Mail{To: "ann@acme.test", Subject: "Two", Body: "b", CreatedAt: epoch, SentAt: epoch.Add(time.Second), Error: ""}
	m3 := &directory.Mail{To: "ann@acme.test", Subject: "Three", Body: "c", CreatedAt: epoch, Error: "connection refused"}
	for _, m := range []*directory.Mail{m1, m2, m3} {
		if err := s.AddMail(ctx, a.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ListMail(ctx, a.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]directory.Mail{*m3, *m2}, got); diff != "" {
		t.Errorf("ListMail (-want +got):\n%s", diff)
	}
	if got, _ := s.ListMail(ctx, b.ID, 10); len(got) != 0 {
		t.Errorf("beta's outbox: %+v", got)
	}

	var want []directory.Event
	for i, typ := range []string{directory.EventLogin, directory.EventLoginFailed, directory.EventLogout} {
		ev := &directory.Event{UserID: ua.ID, Type: typ, Method: "direct", UserAgent: "ua", IP: "127.0.0.1", CreatedAt: epoch.Add(time.Duration(i) * time.Second)}
		if err := s.AddEvent(ctx, a.ID, ev); err != nil {
			t.Fatal(err)
		}
		want = append(want, *ev)
	}
	anon := &directory.Event{Type: directory.EventLoginFailed, CreatedAt: epoch}
	if err := s.AddEvent(ctx, a.ID, anon); err != nil {
		t.Fatal(err)
	}
	events, err := s.ListEvents(ctx, a.ID, ua.ID, directory.EventQuery{Page: directory.Page{Limit: 2, Offset: 1, Descending: true}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]directory.Event{want[1], want[0]}, events); diff != "" {
		t.Errorf("ListEvents (-want +got):\n%s", diff)
	}
	if n, err := s.CountEvents(ctx, a.ID, ua.ID); err != nil || n != 3 {
		t.Errorf("CountEvents(user) = %d %v", n, err)
	}
	if n, _ := s.CountEvents(ctx, a.ID, 0); n != 4 {
		t.Errorf("CountEvents(realm) = %d", n)
	}
	if n, _ := s.CountEvents(ctx, b.ID, 0); n != 0 {
		t.Errorf("beta's events = %d", n)
	}
}

func testOAuth(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, ua, _ := signinFixture(t, s)
	c := &directory.OAuthClient{UID: "client-1", SecretHash: "sh", Name: "App", Confidential: true,
		RedirectURIs: []string{"https://app.example/cb", "com.example.app:/cb"}, Scopes: []string{"public", "admin"}, CreatedAt: epoch}
	pub := &directory.OAuthClient{UID: "client-2", Confidential: false, RedirectURIs: []string{"https://spa.example/"}, Scopes: []string{"public"}, CreatedAt: epoch}
	for _, cl := range []*directory.OAuthClient{c, pub} {
		if err := s.CreateOAuthClient(ctx, a.ID, cl); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.OAuthClientByUID(ctx, a.ID, "client-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("OAuthClientByUID (-want +got):\n%s", diff)
	}
	_, err = s.OAuthClientByUID(ctx, b.ID, "client-1")
	wantKind(t, err, directory.KindNotFound)
	list, err := s.ListOAuthClients(ctx, a.ID)
	if err != nil || len(list) != 2 || list[1].UID != "client-2" {
		t.Errorf("ListOAuthClients: %+v %v", list, err)
	}
	if list, _ := s.ListOAuthClients(ctx, b.ID); len(list) != 0 {
		t.Errorf("beta's clients: %+v", list)
	}

	sess := &directory.Session{UserID: ua.ID, Hash: "h1", Method: "direct", CreatedAt: epoch, LastSeenAt: epoch, ExpiresAt: epoch.Add(time.Hour)}
	if err := s.CreateSession(ctx, a.ID, sess); err != nil {
		t.Fatal(err)
	}
	code := &directory.OAuthCode{ClientID: c.ID, UserID: ua.ID, SessionID: sess.ID, Hash: "code1", RedirectURI: "https://app.example/cb",
		Scopes: []string{"public"}, Challenge: "abc", ChallengeMethod: "S256", CreatedAt: epoch, ExpiresAt: epoch.Add(10 * time.Minute)}
	if err := s.CreateOAuthCode(ctx, a.ID, code); err != nil {
		t.Fatal(err)
	}
	gotCode, err := s.OAuthCodeByHash(ctx, a.ID, "code1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(code, gotCode); diff != "" {
		t.Errorf("OAuthCodeByHash (-want +got):\n%s", diff)
	}
	_, err = s.OAuthCodeByHash(ctx, b.ID, "code1")
	wantKind(t, err, directory.KindNotFound)

	tok := &directory.AccessToken{UserID: ua.ID, Hash: "tok1", Scopes: []string{"public"}, CreatedAt: epoch, SessionID: sess.ID, ClientID: c.ID}
	if err := s.RedeemOAuthCode(ctx, a.ID, code.ID, epoch.Add(time.Minute), tok); err != nil {
		t.Fatal(err)
	}
	if gotTok, err := s.AccessTokenByHash(ctx, "tok1"); err != nil || gotTok.ClientID != c.ID || gotTok.SessionID != sess.ID || gotTok.ID != tok.ID {
		t.Errorf("redeemed token: %+v %v", gotTok, err)
	}
	if gotCode, _ := s.OAuthCodeByHash(ctx, a.ID, "code1"); !gotCode.UsedAt.Equal(epoch.Add(time.Minute)) {
		t.Errorf("code not marked used: %+v", gotCode)
	}
	// A second use is a conflict, inserts nothing and deletes the first
	// use's token.
	again := &directory.AccessToken{UserID: ua.ID, Hash: "tok2", Scopes: []string{"public"}, CreatedAt: epoch, SessionID: sess.ID, ClientID: c.ID}
	wantKind(t, s.RedeemOAuthCode(ctx, a.ID, code.ID, epoch.Add(2*time.Minute), again), directory.KindConflict)
	for _, h := range []string{"tok1", "tok2"} {
		_, err := s.AccessTokenByHash(ctx, h)
		wantKind(t, err, directory.KindNotFound)
	}

	// Revoke deletes only the named client's token in the realm.
	tok3 := &directory.AccessToken{UserID: ua.ID, Hash: "tok3", Scopes: []string{"public"}, CreatedAt: epoch, SessionID: sess.ID, ClientID: c.ID}
	if err := s.CreateAccessToken(ctx, a.ID, tok3); err != nil {
		t.Fatal(err)
	}
	for _, wrong := range []struct{ realm, client int64 }{{b.ID, c.ID}, {a.ID, pub.ID}} {
		if err := s.RevokeAccessToken(ctx, wrong.realm, wrong.client, "tok3"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AccessTokenByHash(ctx, "tok3"); err != nil {
		t.Errorf("token revoked by the wrong realm or client: %v", err)
	}
	if err := s.RevokeAccessToken(ctx, a.ID, c.ID, "tok3"); err != nil {
		t.Fatal(err)
	}
	_, err = s.AccessTokenByHash(ctx, "tok3")
	wantKind(t, err, directory.KindNotFound)

	// Deleting a client takes its tokens along; another realm cannot.
	tok4 := &directory.AccessToken{UserID: ua.ID, Hash: "tok4", Scopes: []string{"public"}, CreatedAt: epoch, ClientID: pub.ID}
	if err := s.CreateAccessToken(ctx, a.ID, tok4); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.DeleteOAuthClient(ctx, b.ID, "client-2"), directory.KindNotFound)
	if err := s.DeleteOAuthClient(ctx, a.ID, "client-2"); err != nil {
		t.Fatal(err)
	}
	_, err = s.AccessTokenByHash(ctx, "tok4")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.OAuthClientByUID(ctx, a.ID, "client-2")
	wantKind(t, err, directory.KindNotFound)
}

func testIdentityProviders(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a, b, ua, _ := signinFixture(t, s)
	p := &directory.IdentityProvider{UID: "corp", Name: "Corp", Issuer: "https://id.example", ClientID: "cid", SealedSecret: "v1.sealed",
		Scopes: []string{"openid", "email"}, AuthMethod: directory.IdPAuthPost, PKCE: "S256",
		ClaimsMapping: map[string]string{"given_name": "first_name"}, EnableRefresh: true, RefreshAnticipation: 30 * time.Second,
		ShowDelegation: true, CreatedAt: epoch}
	if err := s.CreateIdP(ctx, a.ID, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.IdPByUID(ctx, a.ID, "corp")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("IdPByUID (-want +got):\n%s", diff)
	}
	if got, err := s.IdPByID(ctx, a.ID, p.ID); err != nil || got.UID != "corp" {
		t.Errorf("IdPByID: %+v %v", got, err)
	}
	_, err = s.IdPByID(ctx, b.ID, p.ID)
	wantKind(t, err, directory.KindNotFound)
	wantDuplicate(t, s.CreateIdP(ctx, a.ID, &directory.IdentityProvider{UID: "corp", Issuer: "x", ClientID: "y", AuthMethod: "none",
		ClaimsMapping: map[string]string{}, CreatedAt: epoch}), "uid")
	other := &directory.IdentityProvider{UID: "corp", Issuer: "https://other.example", ClientID: "z", AuthMethod: "none", ClaimsMapping: map[string]string{}, CreatedAt: epoch}
	if err := s.CreateIdP(ctx, b.ID, other); err != nil {
		t.Fatalf("the same uid in another realm: %v", err)
	}
	if list, err := s.ListIdPs(ctx, a.ID); err != nil || len(list) != 1 || list[0].ID != p.ID {
		t.Errorf("ListIdPs: %+v %v", list, err)
	}

	st := &directory.IdPState{IdPID: p.ID, Hash: "state1", Nonce: "n", Verifier: "v", RedirectURI: "/x", ExpiresAt: epoch.Add(time.Minute)}
	if err := s.CreateIdPState(ctx, a.ID, st); err != nil {
		t.Fatal(err)
	}
	_, err = s.TakeIdPState(ctx, b.ID, "state1")
	wantKind(t, err, directory.KindNotFound)
	gotSt, err := s.TakeIdPState(ctx, a.ID, "state1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, gotSt); diff != "" {
		t.Errorf("TakeIdPState (-want +got):\n%s", diff)
	}
	_, err = s.TakeIdPState(ctx, a.ID, "state1")
	wantKind(t, err, directory.KindNotFound)
	// A new login sweeps the realm's long-expired ones, not live ones.
	old := &directory.IdPState{IdPID: p.ID, Hash: "old", Nonce: "n", ExpiresAt: epoch}
	live := &directory.IdPState{IdPID: p.ID, Hash: "live", Nonce: "n", ExpiresAt: epoch.Add(time.Hour)}
	later := &directory.IdPState{IdPID: p.ID, Hash: "later", Nonce: "n", ExpiresAt: epoch.Add(time.Hour)}
	for _, st := range []*directory.IdPState{old, live, later} {
		if err := s.CreateIdPState(ctx, a.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.TakeIdPState(ctx, a.ID, "old")
	wantKind(t, err, directory.KindNotFound)
	if _, err := s.TakeIdPState(ctx, a.ID, "live"); err != nil {
		t.Errorf("a live state was swept: %v", err)
	}

	_, err = s.IdPLink(ctx, a.ID, p.ID, "sub-1")
	wantKind(t, err, directory.KindNotFound)
	if err := s.LinkIdP(ctx, a.ID, p.ID, "sub-1", ua.ID); err != nil {
		t.Fatal(err)
	}
	if id, err := s.IdPLink(ctx, a.ID, p.ID, "sub-1"); err != nil || id != ua.ID {
		t.Errorf("IdPLink: %d %v", id, err)
	}
	_, err = s.IdPLink(ctx, b.ID, p.ID, "sub-1")
	wantKind(t, err, directory.KindNotFound)

	sess := &directory.Session{UserID: ua.ID, Hash: "h1", Method: "openidc", CreatedAt: epoch, LastSeenAt: epoch, ExpiresAt: epoch.Add(time.Hour)}
	if err := s.CreateSession(ctx, a.ID, sess); err != nil {
		t.Fatal(err)
	}
	tok := &directory.DelegatedToken{UUID: "u-1", SessionID: sess.ID, UserID: ua.ID, IdPID: p.ID, SealedAccessToken: "v1.a",
		SealedRefreshToken: "v1.r", ExpiresAt: epoch.Add(5 * time.Minute), UpdatedAt: epoch}
	if err := s.SaveDelegatedToken(ctx, a.ID, tok); err != nil {
		t.Fatal(err)
	}
	tok.SealedAccessToken, tok.ExpiresAt, tok.UpdatedAt = "v1.a2", epoch.Add(10*time.Minute), epoch.Add(time.Minute)
	if err := s.SaveDelegatedToken(ctx, a.ID, tok); err != nil {
		t.Fatal(err)
	}
	gotTok, err := s.DelegatedTokenBySession(ctx, a.ID, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tok, gotTok); diff != "" {
		t.Errorf("DelegatedTokenBySession after replace (-want +got):\n%s", diff)
	}
	_, err = s.DelegatedTokenBySession(ctx, b.ID, sess.ID)
	wantKind(t, err, directory.KindNotFound)

	// Deleting the provider takes its links and tokens along.
	wantKind(t, s.DeleteIdP(ctx, a.ID, "nope"), directory.KindNotFound)
	if err := s.DeleteIdP(ctx, a.ID, "corp"); err != nil {
		t.Fatal(err)
	}
	_, err = s.IdPLink(ctx, a.ID, p.ID, "sub-1")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.DelegatedTokenBySession(ctx, a.ID, sess.ID)
	wantKind(t, err, directory.KindNotFound)
	if _, err := s.IdPByUID(ctx, b.ID, "corp"); err != nil {
		t.Errorf("beta's provider went with acme's: %v", err)
	}
}
