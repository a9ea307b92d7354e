package customers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/customers"
	"github.com/clientele/clientele/internal/directory"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// verify parses token as its consumer would: HS256 only, with secret,
// at the test clock's time; it returns the claims and the header.
func (e *env) verify(token, secret string, opts ...jwt.ParserOption) (jwt.MapClaims, map[string]any, error) {
	claims := jwt.MapClaims{}
	opts = append([]jwt.ParserOption{jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(e.clock.Now), jwt.WithIssuedAt()}, opts...)
	t, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return []byte(secret), nil }, opts...)
	if err != nil {
		return nil, nil, err
	}
	return claims, t.Header, nil
}

// noCred sends no credential.
func noCred(*http.Request) {}

// wantAuthErrors checks Modyo's 401 and 404 answers of a customer
// endpoint of realm acme (path is relative to the realm): no or unknown
// credentials and beta's credentials are nobody, an unknown realm is
// 404 {}.
func wantAuthErrors(t *testing.T, e *env, path string, bob *login) {
	t.Helper()
	for name, c := range map[string]cred{"nothing": noCred, "unknown token": bearerCred("nope"),
		"beta's token": bob.bearer(), "beta's cookie": bob.cookie()} {
		r := e.do("GET", "/api/customers/realms/acme"+path, nil, c)
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s with %s: status %d, want 401; body %s", path, name, r.status, r.body)
			continue
		}
		wantBody(t, r, userSession)
	}
	r := e.do("GET", "/api/customers/realms/nowhere"+path, nil, bob.bearer())
	wantStatus(t, r, http.StatusNotFound)
	wantBody(t, r, `{}`)
	// A deleted customer's live session is nobody.
	name, email := "Gone", "gone-"+strings.NewReplacer("/", "-").Replace(path)+"@acme.test"
	gone, err := e.svc.CreateUser(context.Background(), directory.Operator(e.acme.ID), directory.UserInput{Name: &name, Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	goneLogin := e.signIn(e.acme, gone)
	if _, err := e.svc.DeleteUser(context.Background(), directory.Operator(e.acme.ID), gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []cred{goneLogin.cookie(), goneLogin.bearer()} {
		r := e.do("GET", "/api/customers/realms/acme"+path, nil, c)
		wantStatus(t, r, http.StatusUnauthorized)
		wantBody(t, r, userSession)
	}
}

// TestDeliveryToken checks GET delivery_token on both API generations:
// the token verifies with the account's secret and carries Modyo's
// claims; every way to be refused.
func TestDeliveryToken(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		carla := e.signIn(e.acme, e.carla)
		bob := e.signIn(e.beta, e.bob)
		var account *directory.Account
		for _, path := range []string{"/api/customers/realms/acme/delivery_token", "/api/profile/delivery_token"} {
			for name, c := range map[string]cred{"cookie": carla.cookie(), "bearer": carla.bearer()} {
				r := e.do("GET", path, nil, c)
				wantStatus(t, r, http.StatusOK)
				body := r.json(t)
				if len(body) != 1 {
					t.Errorf("%s %s: body %s, want only delivery_token", path, name, r.body)
				}
				token, _ := body["delivery_token"].(string)
				// The account exists once a token was issued.
				var err error
				if account, err = e.svc.Account(ctx); err != nil {
					t.Fatal(err)
				}
				claims, header, err := e.verify(token, account.DeliverySecret, jwt.WithAudience(e.srv.URL+"/api/content"),
					jwt.WithSubject(account.UUID), jwt.WithIssuer(e.srv.URL+path), jwt.WithExpirationRequired())
				if err != nil {
					t.Fatalf("%s %s: token %q does not verify: %v", path, name, token, err)
				}
				now := float64(e.clock.Now().Unix())
				want := jwt.MapClaims{"iss": e.srv.URL + path, "aud": e.srv.URL + "/api/content", "sub": account.UUID,
					"iat": now, "exp": now + 3600, "access_type": "delivery", "segments": []any{}}
				if diff := cmp.Diff(want, claims); diff != "" {
					t.Errorf("%s %s: claims (-want +got):\n%s", path, name, diff)
				}
				if header["typ"] != "JWT" || header["alg"] != "HS256" {
					t.Errorf("%s %s: header %v", path, name, header)
				}
				// Another secret does not verify it.
				if _, _, err := e.verify(token, "another secret"); !errors.Is(err, jwt.ErrSignatureInvalid) {
					t.Errorf("%s %s: verified with another secret: %v", path, name, err)
				}
			}
		}
		// The account's lifetime sets exp; the UUID stays.
		if _, err := e.svc.SetDeliveryTokenTTL(ctx, 90*time.Second); err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/api/customers/realms/acme/delivery_token", nil, carla.bearer())
		wantStatus(t, r, http.StatusOK)
		token := r.json(t)["delivery_token"].(string)
		claims, _, err := e.verify(token, account.DeliverySecret)
		if err != nil {
			t.Fatal(err)
		}
		if exp, _ := claims.GetExpirationTime(); exp == nil || exp.Unix() != e.clock.Now().Unix()+90 || claims["sub"] != account.UUID {
			t.Errorf("after SetDeliveryTokenTTL(90s): claims %v", claims)
		}
		// It expires.
		e.clock.Advance(91 * time.Second)
		if _, _, err := e.verify(token, account.DeliverySecret); !errors.Is(err, jwt.ErrTokenExpired) {
			t.Errorf("an expired delivery token verified: %v", err)
		}
		// Beta's customer gets a token of the same account on the legacy path.
		r = e.do("GET", "/api/profile/delivery_token", nil, bob.bearer())
		wantStatus(t, r, http.StatusOK)
		if claims, _, err := e.verify(r.json(t)["delivery_token"].(string), account.DeliverySecret); err != nil || claims["sub"] != account.UUID {
			t.Errorf("beta's delivery token: %v, %v", claims, err)
		}

		wantAuthErrors(t, e, "/delivery_token", bob)
		// @modyo/sdk calls it cross-origin with the bearer token and
		// credentials: the preflight allows Authorization, the answer
		// echoes the origin.
		r = e.do("OPTIONS", "/api/customers/realms/acme/delivery_token", nil, header("Origin", testOrigin),
			header("Access-Control-Request-Method", "GET"), header("Access-Control-Request-Headers", "authorization"))
		if r.status/100 != 2 || !strings.Contains(strings.ToLower(r.header.Get("Access-Control-Allow-Headers")), "authorization") {
			t.Errorf("preflight: %d %v", r.status, r.header)
		}
		r = e.do("GET", "/api/customers/realms/acme/delivery_token", nil, carla.bearer(), header("Origin", testOrigin))
		wantStatus(t, r, http.StatusOK)
		if r.header.Get("Access-Control-Allow-Origin") != testOrigin || r.header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("cross-origin delivery_token: %v", r.header)
		}
		wantBody(t, e.do("GET", "/api/profile/delivery_token", nil), userSession)
		wantBody(t, e.do("GET", "/api/profile/delivery_token", nil, bearerCred("nope")), userSession)
		if err := e.signin.Logout(ctx, e.acme.ID, carla.secret, directory.Client{}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []cred{carla.cookie(), carla.bearer()} {
			for _, path := range []string{"/api/customers/realms/acme/delivery_token", "/api/profile/delivery_token"} {
				r := e.do("GET", path, nil, c)
				wantStatus(t, r, http.StatusUnauthorized)
				wantBody(t, r, grantExpired)
			}
		}
	})
}

// TestAccountSettings checks the account's rules: made once, and a
// lifetime within bounds.
func TestAccountSettings(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, err := e.svc.Account(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.UUID) != 36 || len(a.DeliverySecret) < 43 || a.DeliveryTokenTTL != time.Hour {
			t.Errorf("new account: %+v", a)
		}
		again, err := e.svc.Account(ctx)
		if err != nil || again.UUID != a.UUID || again.DeliverySecret != a.DeliverySecret {
			t.Errorf("second Account: %+v, %v; want the first", again, err)
		}
		for _, ttl := range []time.Duration{0, 59 * time.Second, 25 * time.Hour, 90*time.Second + time.Millisecond} {
			if _, err := e.svc.SetDeliveryTokenTTL(ctx, ttl); directory.KindOf(err) != directory.KindInvalid {
				t.Errorf("SetDeliveryTokenTTL(%v): %v, want KindInvalid", ttl, err)
			}
		}
		if a, err := e.svc.Account(ctx); err != nil || a.DeliveryTokenTTL != time.Hour {
			t.Errorf("refused lifetimes changed the account: %+v, %v", a, err)
		}
	})
}

// zendeskSecrets are the shared secrets of the test realms' integrations.
const (
	acmeSecret = "acme-shared-secret-0123456789abcdef"
	betaSecret = "beta-shared-secret-fedcba9876543210"
)

// zendeskSetup gives acme and beta a Zendesk integration, and carla every
// attribute the Zendesk token carries.
func zendeskSetup(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := e.signin.SetZendeskIntegration(ctx, e.acme.ID, directory.ZendeskInput{Name: "Help", URL: "acme.zendesk.com", Secret: acmeSecret}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.signin.SetZendeskIntegration(ctx, e.beta.ID, directory.ZendeskInput{URL: "https://beta.zendesk.com/", Secret: betaSecret}); err != nil {
		t.Fatal(err)
	}
	op := directory.Operator(e.acme.ID)
	orgName := "Acme Retail"
	org, err := e.svc.CreateOrganization(ctx, op, directory.OrganizationInput{Name: &orgName})
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	for _, f := range []struct {
		key, typ string
		visible  *bool
	}{{"birthday", "date", &yes}, {"plan", "text", &yes}, {"risk_score", "integer", &no}, {"nickname", "text", &yes}} {
		key, typ := f.key, f.typ
		if _, err := e.svc.CreateUserField(ctx, op, directory.UserFieldInput{Key: &key, Type: &typ, Title: &key, CustomerVisible: f.visible}); err != nil {
			t.Fatal(err)
		}
	}
	ext, phone, locale, tags := "cust-42", "+56912345678", "es", []string{"vip", "gold"}
	_, err = e.svc.UpdateUser(ctx, op, e.carla.ID, directory.UserInput{ExternalID: &ext, Phone: &phone, Locale: &locale, Tags: &tags,
		OrganizationID: &org.ID, UserFields: map[string]any{"birthday": "1990-04-05", "plan": "gold", "risk_score": float64(7)}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestZendeskSSO checks the Zendesk token and SSO URL: each verifies
// exactly as Zendesk would (HS256 with the realm's shared secret, typ
// and alg in the header, iat checked) and carries Zendesk's claims with
// their types; the other realm's secret does not verify it.
func TestZendeskSSO(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		zendeskSetup(t, e)
		carla := e.signIn(e.acme, e.carla)
		bob := e.signIn(e.beta, e.bob)
		es, _ := directory.ResolveLocale("es")
		now := float64(e.clock.Now().Unix())
		want := jwt.MapClaims{"iat": now, "name": "Carla Customer", "email": "carla@acme.test", "external_id": "cust-42",
			"organization": "Acme Retail", "phone": "+56912345678", "tags": []any{"vip", "gold"}, "locale_id": float64(es.ID),
			"user_fields": map[string]any{"birthday": "1990-04-05", "plan": "gold"}}
		jtis := map[string]bool{}
		// check verifies a token of carla's and records its jti.
		check := func(what, token string) {
			t.Helper()
			claims, header, err := e.verify(token, acmeSecret)
			if err != nil {
				t.Fatalf("%s: token does not verify with the shared secret: %v", what, err)
			}
			if diff := cmp.Diff(map[string]any{"typ": "JWT", "alg": "HS256"}, header); diff != "" {
				t.Errorf("%s: header (-want +got):\n%s", what, diff)
			}
			jti, _ := claims["jti"].(string)
			if len(jti) < 16 || jtis[jti] {
				t.Errorf("%s: jti %q is short or was seen before", what, jti)
			}
			jtis[jti] = true
			delete(claims, "jti")
			if diff := cmp.Diff(want, claims); diff != "" {
				t.Errorf("%s: claims (-want +got):\n%s", what, diff)
			}
			if _, _, err := e.verify(token, betaSecret); !errors.Is(err, jwt.ErrSignatureInvalid) {
				t.Errorf("%s: verified with beta's secret: %v", what, err)
			}
		}
		for name, c := range map[string]cred{"cookie": carla.cookie(), "bearer": carla.bearer()} {
			for range 2 {
				r := e.do("GET", "/api/customers/realms/acme/integrations/zendesk_token", nil, c)
				wantStatus(t, r, http.StatusOK)
				body := r.json(t)
				if len(body) != 1 {
					t.Errorf("zendesk_token %s: body %s, want only token", name, r.body)
				}
				token, _ := body["token"].(string)
				check("zendesk_token "+name, token)

				r = e.do("GET", "/api/customers/realms/acme/integrations/zendesk_sso_url", nil, c)
				wantStatus(t, r, http.StatusOK)
				u, err := url.Parse(r.json(t)["url"].(string))
				if err != nil || u.Scheme != "https" || u.Host != "acme.zendesk.com" || u.Path != "/access/jwt" {
					t.Fatalf("zendesk_sso_url %s: %s", name, r.body)
				}
				if q := u.Query(); len(q) != 1 {
					t.Errorf("zendesk_sso_url %s without return_to: query %v", name, q)
				}
				check("zendesk_sso_url "+name, u.Query().Get("jwt"))
			}
		}
		// return_to is passed through, encoded.
		returnTo := "https://acme.zendesk.com/hc/en-us/requests?status=open&q=a b#top"
		r := e.do("GET", "/api/customers/realms/acme/integrations/zendesk_sso_url?return_to="+url.QueryEscape(returnTo), nil, carla.bearer())
		wantStatus(t, r, http.StatusOK)
		raw := r.json(t)["url"].(string)
		u, _ := url.Parse(raw)
		if got := u.Query().Get("return_to"); got != returnTo || !strings.Contains(raw, "&return_to="+url.QueryEscape(returnTo)) {
			t.Errorf("return_to = %q in %s, want %q", got, raw, returnTo)
		}
		check("zendesk_sso_url with return_to", u.Query().Get("jwt"))
		r = e.do("GET", "/api/customers/realms/acme/integrations/zendesk_sso_url?return_to="+strings.Repeat("x", 2049), nil, carla.bearer())
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"return_to":["is too long (maximum is 2048 characters)"]}}`)

		// Beta's customer gets a token of beta's secret and host, which
		// acme's secret does not verify; realm isolation of the claims.
		r = e.do("GET", "/api/customers/realms/beta/integrations/zendesk_sso_url", nil, bob.cookie())
		wantStatus(t, r, http.StatusOK)
		u, _ = url.Parse(r.json(t)["url"].(string))
		if u.Host != "beta.zendesk.com" {
			t.Errorf("beta's SSO URL: %s", u)
		}
		claims, _, err := e.verify(u.Query().Get("jwt"), betaSecret)
		if err != nil {
			t.Fatal(err)
		}
		delete(claims, "jti")
		if diff := cmp.Diff(jwt.MapClaims{"iat": now, "name": "Bob Beta", "email": "carla@acme.test", "locale_id": float64(1)}, claims); diff != "" {
			t.Errorf("bob's claims (-want +got):\n%s", diff)
		}
		if _, _, err := e.verify(u.Query().Get("jwt"), acmeSecret); !errors.Is(err, jwt.ErrSignatureInvalid) {
			t.Errorf("beta's token verified with acme's secret: %v", err)
		}

		// Zendesk refuses a token issued too long ago (iat in the future
		// of its clock is refused by the same check).
		old := e.do("GET", "/api/customers/realms/acme/integrations/zendesk_token", nil, carla.bearer()).json(t)["token"].(string)
		e.clock.Advance(-5 * time.Minute)
		if _, _, err := e.verify(old, acmeSecret); !errors.Is(err, jwt.ErrTokenUsedBeforeIssued) {
			t.Errorf("a token issued after the verifier's time verified: %v", err)
		}
		e.clock.Advance(5 * time.Minute)

		for _, path := range []string{"/integrations/zendesk_token", "/integrations/zendesk_sso_url"} {
			wantAuthErrors(t, e, path, bob)
		}

		// A customer Zendesk cannot identify: neither email nor external id.
		nameOnly := "Nadia"
		nadia, err := e.svc.CreateUser(ctx, directory.Operator(e.acme.ID), directory.UserInput{Name: &nameOnly})
		if err != nil {
			t.Fatal(err)
		}
		r = e.do("GET", "/api/customers/realms/acme/integrations/zendesk_token", nil, e.signIn(e.acme, nadia).bearer())
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantBody(t, r, `{"errors":{"base":["Zendesk needs the customer's email or external id to sign them in"]}}`)

		// A realm without an integration: 404 with a reason, on both.
		if err := e.signin.DeleteZendeskIntegration(ctx, e.acme.ID); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"zendesk_token", "zendesk_sso_url"} {
			for _, c := range []cred{carla.cookie(), carla.bearer()} {
				r := e.do("GET", "/api/customers/realms/acme/integrations/"+path, nil, c)
				wantStatus(t, r, http.StatusNotFound)
				wantBody(t, r, `{"errors":["This realm has no Zendesk integration"]}`)
			}
		}
		// Beta's stays.
		wantStatus(t, e.do("GET", "/api/customers/realms/beta/integrations/zendesk_token", nil, bob.bearer()), http.StatusOK)

		// A session that ended is grant_expired.
		if err := e.signin.Logout(ctx, e.beta.ID, bob.secret, directory.Client{}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []cred{bob.cookie(), bob.bearer()} {
			r := e.do("GET", "/api/customers/realms/beta/integrations/zendesk_sso_url", nil, c)
			wantStatus(t, r, http.StatusUnauthorized)
			wantBody(t, r, grantExpired)
		}
	})
}

// TestZendeskIntegrationAdmin checks GET, PUT and DELETE of a realm's
// Zendesk integration with an admin token and a realm admin's token, and
// every refusal.
func TestZendeskIntegrationAdmin(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		const path = "/api/customers/realms/acme/integrations/zendesk"
		admin := bearerCred(e.adminToken())
		wantBody(t, e.do("GET", path, nil, admin), `{"errors":["This realm has no Zendesk integration"]}`)

		// Refused input is a 422 that names the field, and stores nothing.
		for _, tc := range []struct {
			body any
			want string
		}{
			{map[string]any{"url": "acme.zendesk.com"}, `{"errors":{"secret":["can't be blank"]}}`},
			{map[string]any{"url": "", "secret": acmeSecret}, `{"errors":{"url":["can't be blank"]}}`},
			{map[string]any{"url": "acme.zendesk.com", "secret": "abc"},
				`{"errors":{"secret":["must be 4 to 512 characters without leading or trailing spaces"]}}`},
			{map[string]any{"url": "acme.zendesk.com", "secret": strings.Repeat("s", 513)},
				`{"errors":{"secret":["must be 4 to 512 characters without leading or trailing spaces"]}}`},
			{map[string]any{"name": strings.Repeat("n", 256), "url": "acme.zendesk.com", "secret": acmeSecret},
				`{"errors":{"name":["is invalid or too long"]}}`},
		} {
			r := e.do("PUT", path, tc.body, admin)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, tc.want)
		}
		for _, bad := range []string{"http://acme.zendesk.com", "acme", "https://acme.zendesk.com/hc", "https://user@acme.zendesk.com",
			"acme.zendesk.com?x=1", "ftp://acme.zendesk.com", "acme_shop.zendesk.com", "-acme.zendesk.com", "acme.zendesk.com:99999", "https://"} {
			r := e.do("PUT", path, map[string]any{"url": bad, "secret": acmeSecret}, admin)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, `{"errors":{"url":["must be a Zendesk host such as acme.zendesk.com, or https://acme.zendesk.com"]}}`)
		}
		for _, body := range []string{`{"url": 5}`, `not json`, `[]`} {
			r := e.do("PUT", path, body, admin)
			wantStatus(t, r, http.StatusUnprocessableEntity)
		}
		wantStatus(t, e.do("GET", path, nil, admin), http.StatusNotFound)

		// Create: 201, the secret never shown, only its last four characters.
		r := e.do("PUT", path, map[string]any{"name": "Help center", "url": "https://Acme.Zendesk.com/", "secret": acmeSecret}, admin)
		wantStatus(t, r, http.StatusCreated)
		created := `{"name":"Help center","url":"https://acme.zendesk.com","host":"acme.zendesk.com","secret_hint":"...cdef",` +
			`"created_at":"2024-05-06T07:08:09.000+00:00","updated_at":"2024-05-06T07:08:09.000+00:00"}`
		wantBody(t, r, created)
		r = e.do("GET", path, nil, admin)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, created)
		if strings.Contains(string(r.body), acmeSecret) {
			t.Errorf("GET shows the secret: %s", r.body)
		}
		// The second realm sees none.
		wantStatus(t, e.do("GET", "/api/customers/realms/beta/integrations/zendesk", nil, admin), http.StatusNotFound)

		// Replace without a secret: 200, the secret kept; a port is kept.
		e.clock.Advance(time.Minute)
		r = e.do("PUT", path, map[string]any{"url": "help.acme.test:8443"}, admin)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `{"name":"Zendesk","url":"https://help.acme.test:8443","host":"help.acme.test:8443","secret_hint":"...cdef",`+
			`"created_at":"2024-05-06T07:08:09.000+00:00","updated_at":"2024-05-06T07:09:09.000+00:00"}`)
		carla := e.signIn(e.acme, e.carla)
		token := e.do("GET", "/api/customers/realms/acme/integrations/zendesk_token", nil, carla.bearer()).json(t)["token"].(string)
		if _, _, err := e.verify(token, acmeSecret); err != nil {
			t.Errorf("token after a replace without secret: %v", err)
		}
		// A new secret signs from now on.
		const newSecret = "rotated-secret-zyxw"
		wantStatus(t, e.do("PUT", path, map[string]any{"url": "acme.zendesk.com", "secret": newSecret}, admin), http.StatusOK)
		token = e.do("GET", "/api/customers/realms/acme/integrations/zendesk_token", nil, carla.bearer()).json(t)["token"].(string)
		if _, _, err := e.verify(token, newSecret); err != nil {
			t.Errorf("token after the secret changed: %v", err)
		}
		if _, _, err := e.verify(token, acmeSecret); !errors.Is(err, jwt.ErrSignatureInvalid) {
			t.Errorf("the old secret still verifies: %v", err)
		}

		// A realm admin signed in with the admin scope manages their realm only.
		op := directory.Operator(e.acme.ID)
		name, email, role := "Ada Admin", "ada@acme.test", "admin"
		ada, err := e.svc.CreateUser(ctx, op, directory.UserInput{Name: &name, Email: &email, Role: &role})
		if err != nil {
			t.Fatal(err)
		}
		adaAdmin := e.signIn(e.acme, ada, "public", "admin")
		r = e.do("GET", path, nil, adaAdmin.bearer())
		wantStatus(t, r, http.StatusOK)
		if body := r.json(t); body["secret_hint"] != "...zyxw" || body["host"] != "acme.zendesk.com" {
			t.Errorf("realm admin GET: %s", r.body)
		}
		wantStatus(t, e.do("PUT", path, map[string]any{"name": "By Ada", "url": "acme.zendesk.com"}, adaAdmin.bearer()), http.StatusOK)
		// Not in another realm, not without the admin scope, not as a customer.
		for name, c := range map[string]cred{
			"no token":          noCred,
			"unknown token":     bearerCred("nope"),
			"acme admin cookie": adaAdmin.cookie(),
		} {
			for _, method := range []string{"GET", "PUT", "DELETE"} {
				r := e.do(method, path, map[string]any{"url": "evil.zendesk.com", "secret": "evil-secret"}, c)
				if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s: status %d, WWW-Authenticate %q; body %s", method, name, r.status, r.header.Get("WWW-Authenticate"), r.body)
				}
			}
		}
		// A realm admin is known on another realm, and refused there: 403.
		for _, method := range []string{"GET", "PUT", "DELETE"} {
			r := e.do(method, "/api/customers/realms/beta/integrations/zendesk", map[string]any{"url": "evil.zendesk.com", "secret": "evil-secret"}, adaAdmin.bearer())
			if r.status != http.StatusForbidden {
				t.Errorf("%s acme admin on beta: status %d, want 403; body %s", method, r.status, r.body)
			}
		}
		adaPublic := e.signIn(e.acme, ada)
		carlaAdminScope := e.signIn(e.acme, e.carla, "public", "admin")
		for name, c := range map[string]cred{"public scope": adaPublic.bearer(), "customer with admin scope": carlaAdminScope.bearer()} {
			for _, method := range []string{"GET", "PUT", "DELETE"} {
				r := e.do(method, path, map[string]any{"url": "evil.zendesk.com", "secret": "evil-secret"}, c)
				if r.status != http.StatusForbidden {
					t.Errorf("%s %s: status %d, want 403; body %s", method, name, r.status, r.body)
				}
			}
		}
		r = e.do("GET", "/api/customers/realms/nowhere/integrations/zendesk", nil, admin)
		wantStatus(t, r, http.StatusNotFound)
		wantBody(t, r, `{}`)
		// Nothing refused changed the integration.
		if z, err := e.signin.ZendeskIntegration(ctx, e.acme.ID); err != nil || z.Name != "By Ada" || z.Host != "acme.zendesk.com" || z.SecretHint != "zyxw" {
			t.Errorf("integration after refused calls: %+v, %v", z, err)
		}
		if _, err := e.signin.ZendeskIntegration(ctx, e.beta.ID); directory.KindOf(err) != directory.KindNotFound {
			t.Errorf("beta got an integration: %v", err)
		}

		// Delete: 200 {}, then 404.
		r = e.do("DELETE", path, nil, adaAdmin.bearer())
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `{}`)
		r = e.do("DELETE", path, nil, admin)
		wantStatus(t, r, http.StatusNotFound)
		wantBody(t, r, `{"errors":["This realm has no Zendesk integration"]}`)
	})
}

// TestZendeskWithoutSecretKey checks that a server without
// CLIENTELE_SECRET_KEY refuses to store a shared secret, and says why it
// cannot sign with one stored before.
func TestZendeskWithoutSecretKey(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		if _, _, err := e.signin.SetZendeskIntegration(context.Background(), e.acme.ID,
			directory.ZendeskInput{URL: "acme.zendesk.com", Secret: acmeSecret}); err != nil {
			t.Fatal(err)
		}
		signin := directory.NewSignin(e.svc, directory.SigninOptions{Passwords: auth.Argon2id{}})
		api, err := customers.NewHandler(customers.Config{Signin: signin, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(api)
		defer srv.Close()
		noKey := *e
		noKey.srv = srv
		r := noKey.do("PUT", "/api/customers/realms/beta/integrations/zendesk", map[string]any{"url": "beta.zendesk.com", "secret": betaSecret},
			bearerCred(e.adminToken()))
		wantStatus(t, r, http.StatusConflict)
		wantBody(t, r, `{"errors":["integrations need CLIENTELE_SECRET_KEY to encrypt their shared secrets"]}`)
		if _, err := e.signin.ZendeskIntegration(context.Background(), e.beta.ID); directory.KindOf(err) != directory.KindNotFound {
			t.Errorf("beta's integration was stored: %v", err)
		}
		r = noKey.do("GET", "/api/customers/realms/acme/integrations/zendesk_token", nil, e.signIn(e.acme, e.carla).bearer())
		wantStatus(t, r, http.StatusConflict)
		wantBody(t, r, `{"errors":["integrations need CLIENTELE_SECRET_KEY to encrypt their shared secrets"]}`)
	})
}
