package customers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/customers"
	"github.com/clientele/clientele/internal/directory"
)

// The parts of TestOpenAPIResponses' scenario for the delivery token,
// the Zendesk endpoints and the realm administration: every operation
// with good and bad input and credentials, on acme and, to check the
// realm isolation the document promises, on beta.

// integrationScenario calls the delivery token and Zendesk endpoints as
// carla and bob, and administers the integration with a, then the same on a server without
// CLIENTELE_SECRET_KEY (409).
func (c *specCheck) integrationScenario(t *testing.T, a *admins, carla, bob *login) {
	t.Helper()
	e := c.e
	ctx := context.Background()
	acme, beta, nope := map[string]string{"realm_uid": "acme"}, map[string]string{"realm_uid": "beta"}, map[string]string{"realm_uid": "nope"}
	const realmPath, legacy = "/api/customers/realms/{realm_uid}", "/api/profile"

	// The delivery token, with each credential and without.
	for _, cr := range []cred{carla.bearer(), carla.cookie()} {
		c.call("GET", realmPath+"/delivery_token", acme, nil, cr)
		c.call("GET", legacy+"/delivery_token", nil, nil, cr)
	}
	c.call("GET", realmPath+"/delivery_token", acme, nil)
	c.call("GET", realmPath+"/delivery_token", acme, nil, bob.bearer())
	c.call("GET", realmPath+"/delivery_token", nope, nil, carla.bearer())
	c.call("GET", legacy+"/delivery_token", nil, nil)
	c.call("GET", legacy+"/delivery_token", nil, nil, bearerCred("unknown"))

	// The integration: none yet (404 for the customer and the admin),
	// then refused and accepted PUTs with every credential.
	const zendesk = realmPath + "/integrations/zendesk"
	c.call("GET", realmPath+"/integrations/zendesk_token", acme, nil, carla.bearer())
	c.call("GET", realmPath+"/integrations/zendesk_sso_url", acme, nil, carla.cookie())
	c.call("GET", zendesk, acme, nil, a.account)
	c.call("DELETE", zendesk, acme, nil, a.acme)
	for _, body := range []any{map[string]any{"url": "http://acme.zendesk.com", "secret": acmeSecret}, map[string]any{"url": "acme.zendesk.com"},
		map[string]any{"url": "acme.zendesk.com", "secret": "abc"}, "[]", map[string]any{"url": 5}} {
		c.call("PUT", zendesk, acme, body, a.account)
	}
	for _, cr := range []cred{nil, bearerCred("wrong"), a.beta, a.noScope, a.customer} {
		var creds []cred
		if cr != nil {
			creds = append(creds, cr)
		}
		c.call("GET", zendesk, acme, nil, creds...)
		c.call("PUT", zendesk, acme, map[string]any{"url": "acme.zendesk.com", "secret": acmeSecret}, creds...)
		c.call("DELETE", zendesk, acme, nil, creds...)
	}
	c.call("PUT", zendesk, nope, map[string]any{"url": "acme.zendesk.com", "secret": acmeSecret}, a.account)
	c.call("GET", zendesk, nope, nil, a.account)
	c.call("DELETE", zendesk, nope, nil, a.account)
	c.call("PUT", zendesk, acme, map[string]any{"name": "Acme Help Center", "url": "https://acme.zendesk.com", "secret": acmeSecret}, a.account)
	c.call("PUT", zendesk, acme, map[string]any{"url": "acme.zendesk.com"}, a.acme)
	c.call("GET", zendesk, acme, nil, a.acme)
	c.call("PUT", zendesk, beta, map[string]any{"url": "beta.zendesk.com", "secret": betaSecret}, a.beta)
	c.call("GET", zendesk, beta, nil, a.account)

	// The customer's Zendesk token and URL.
	c.call("GET", realmPath+"/integrations/zendesk_token", acme, nil, carla.bearer())
	c.call("GET", realmPath+"/integrations/zendesk_token", beta, nil, bob.cookie())
	c.call("GET", realmPath+"/integrations/zendesk_sso_url?return_to="+strings.Repeat("x", 2049), acme, nil, carla.bearer())
	c.call("GET", realmPath+"/integrations/zendesk_sso_url?return_to=https%3A%2F%2Facme.zendesk.com%2Fhc%2Fen-us", acme, nil, carla.bearer())
	c.call("GET", realmPath+"/integrations/zendesk_sso_url", beta, nil, bob.bearer())
	for _, p := range []string{"/integrations/zendesk_token", "/integrations/zendesk_sso_url"} {
		c.call("GET", realmPath+p, acme, nil)
		c.call("GET", realmPath+p, acme, nil, bob.bearer())
		c.call("GET", realmPath+p, nope, nil, carla.bearer())
	}
	// A customer Zendesk cannot identify: neither email nor external id.
	name := "Nameless"
	anon, err := e.svc.CreateUser(ctx, directory.Operator(e.acme.ID), directory.UserInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	nobody := e.signIn(e.acme, anon)
	c.call("GET", realmPath+"/integrations/zendesk_token", acme, nil, nobody.bearer())
	c.call("GET", realmPath+"/integrations/zendesk_sso_url", acme, nil, nobody.bearer())

	// Without CLIENTELE_SECRET_KEY no shared secret can be sealed or
	// opened: 409.
	signin := directory.NewSignin(e.svc, directory.SigninOptions{Passwords: auth.Argon2id{}})
	api, err := customers.NewHandler(customers.Config{Signin: signin, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	noKeyEnv := *e
	noKeyEnv.srv = srv
	noKey := &specCheck{e: &noKeyEnv, v: c.v, succeeded: c.succeeded}
	noKey.call("GET", realmPath+"/integrations/zendesk_token", acme, nil, carla.bearer())
	noKey.call("GET", realmPath+"/integrations/zendesk_sso_url", acme, nil, carla.bearer())
	noKey.call("PUT", zendesk, beta, map[string]any{"url": "beta.zendesk.com", "secret": "another-secret"}, a.account)
	noKey.call("POST", realmPath+"/identity_providers", acme, map[string]any{"uid": "corp", "issuer": "https://id.corp.example",
		"client_id": "clientele", "client_secret": "s3cret-value"}, a.account)

	// Deleting: acme's goes, beta's stays.
	c.call("DELETE", zendesk, acme, nil, a.account)
	c.call("GET", zendesk, acme, nil, a.account)
	c.call("GET", zendesk, beta, nil, a.beta)
}

// adminScenario calls every administration endpoint with the
// credentials a.
func (c *specCheck) adminScenario(t *testing.T, a *admins) {
	t.Helper()
	e := c.e
	acme, beta := map[string]string{"realm_uid": "acme"}, map[string]string{"realm_uid": "beta"}
	const realms, realmPath = "/api/customers/realms", "/api/customers/realms/{realm_uid}"
	with := func(id string) map[string]string { return map[string]string{"realm_uid": "acme", "id": id} }
	carlaID := strconv.FormatInt(e.carla.ID, 10)
	bobID := strconv.FormatInt(e.bob.ID, 10)

	// Credentials: none, wrong, a realm admin elsewhere, without the
	// admin scope, a customer; an unknown realm.
	denied := []struct{ method, path string }{
		{"GET", realms}, {"POST", realms}, {"GET", realmPath}, {"PUT", realmPath}, {"DELETE", realmPath},
		{"GET", realmPath + "/users"}, {"POST", realmPath + "/users"}, {"GET", realmPath + "/users/{id}"},
		{"PUT", realmPath + "/users/{id}"}, {"DELETE", realmPath + "/users/{id}"}, {"POST", realmPath + "/users/{id}/notifications"},
		{"POST", realmPath + "/notifications"}, {"GET", realmPath + "/custom_fields"}, {"POST", realmPath + "/custom_fields"},
		{"GET", realmPath + "/custom_fields/{id}"}, {"PUT", realmPath + "/custom_fields/{id}"}, {"DELETE", realmPath + "/custom_fields/{id}"},
		{"GET", realmPath + "/identity_providers"}, {"POST", realmPath + "/identity_providers"}, {"GET", realmPath + "/identity_providers/{uid}"},
		{"DELETE", realmPath + "/identity_providers/{uid}"}, {"GET", realmPath + "/oauth_clients"}, {"POST", realmPath + "/oauth_clients"},
		{"GET", realmPath + "/oauth_clients/{client_id}"}, {"DELETE", realmPath + "/oauth_clients/{client_id}"},
	}
	for _, d := range denied {
		params := map[string]string{"realm_uid": "acme", "id": carlaID, "uid": "corp", "client_id": "x"}
		body := map[string]any{"subject": "s", "name": "x", "email": "new@acme.test", "type": "text", "key": "k"}
		c.call(d.method, d.path, params, body)
		c.call(d.method, d.path, params, body, bearerCred("wrong"))
		c.call(d.method, d.path, params, body, a.beta)
		c.call(d.method, d.path, params, body, a.noScope)
		if strings.Contains(d.path, "{realm_uid}") {
			c.call(d.method, d.path, params, body, a.customer)
			params["realm_uid"] = "nope"
			c.call(d.method, d.path, params, body, a.account)
		}
	}
	c.call("DELETE", realmPath, acme, nil, a.acme)

	// Realms.
	c.call("GET", realms+"?per_page=1&page=2", nil, nil, a.account)
	c.call("POST", realms, nil, map[string]any{"uid": "gamma", "name": "Gamma", "settings": map[string]any{"signup_enabled": false,
		"session_lifetime": 86400, "idle_timeout": 1800, "allowed_origins": []string{"https://shop.gamma.example"}}}, a.account)
	c.call("POST", realms, nil, map[string]any{"uid": "delta", "name": "Delta"}, a.account)
	c.call("POST", realms, nil, map[string]any{"uid": "acme", "name": "Again"}, a.account)
	c.call("POST", realms, nil, map[string]any{"uid": "Bad uid", "settings": map[string]any{"session_lifetime": 60}}, a.account)
	c.call("POST", realms, nil, "[]", a.account)
	c.call("GET", realms, nil, nil, a.account)
	c.call("GET", realmPath, acme, nil, a.acme)
	c.call("GET", realmPath, beta, nil, a.account)
	c.call("PUT", realmPath, acme, map[string]any{"name": "Acme Inc.", "settings": map[string]any{"idle_timeout": 3600}}, a.acme)
	c.call("PUT", realmPath, acme, map[string]any{"uid": "acme2"}, a.account)
	c.call("PUT", realmPath, acme, map[string]any{"settings": map[string]any{"session_lifetime": -1, "allowed_origins": []string{"ftp://x"}}}, a.acme)
	c.call("PUT", realmPath, acme, map[string]any{"settings": "no"}, a.acme)
	c.call("DELETE", realmPath, map[string]string{"realm_uid": "delta"}, nil, a.account)
	c.call("GET", realmPath, map[string]string{"realm_uid": "delta"}, nil, a.account)

	// Custom fields.
	const fields = realmPath + "/custom_fields"
	c.call("POST", fields, acme, map[string]any{"key": "plan", "name": "Plan", "type": "dropdown", "hint": "The customer's plan",
		"visible": true, "editable": false, "required": false, "options": []map[string]any{{"name": "Basic", "value": "basic"}, {"name": "Pro", "value": "pro"}}}, a.acme)
	planRes := c.call("POST", fields, acme, map[string]any{"custom_field": map[string]any{"key": "member_since", "name": "Member since", "type": "date"}}, a.account)
	planID := strconv.FormatInt(int64(planRes.json(t)["id"].(float64)), 10)
	c.call("POST", fields, acme, map[string]any{"key": "plan", "name": "Plan", "type": "text"}, a.account)
	c.call("POST", fields, acme, map[string]any{"key": "x", "type": "colour"}, a.account)
	c.call("POST", fields, acme, map[string]any{"key": "x"}, a.account)
	c.call("POST", fields, acme, map[string]any{"key": "x", "type": "checkbox", "unique": true}, a.account)
	c.call("POST", fields, acme, map[string]any{"key": 5}, a.account)
	c.call("GET", fields+"?per_page=1", acme, nil, a.acme)
	c.call("GET", fields, beta, nil, a.account)
	c.call("GET", fields+"/{id}", with(planID), nil, a.acme)
	c.call("GET", fields+"/{id}", with("999999"), nil, a.acme)
	c.call("GET", fields+"/{id}", with("plan"), nil, a.acme)
	c.call("GET", fields+"/{id}", map[string]string{"realm_uid": "beta", "id": planID}, nil, a.account)
	c.call("PUT", fields+"/{id}", with(planID), map[string]any{"name": "Member since (year)", "visible": true, "position": 0}, a.acme)
	c.call("PUT", fields+"/{id}", with(planID), map[string]any{"type": "colour"}, a.acme)
	c.call("PUT", fields+"/{id}", with(planID), map[string]any{"editable": true, "visible": false}, a.acme)
	c.call("PUT", fields+"/{id}", with("999999"), map[string]any{"name": "x"}, a.acme)
	c.call("PUT", fields+"/{id}", with(planID), "[]", a.acme)

	// Users.
	const users = realmPath + "/users"
	c.call("GET", users, acme, nil, a.account)
	c.call("GET", users+"?query=carla&active=1&verified=0&page=1&per_page=5", acme, nil, a.acme)
	c.call("GET", users+"?active=yes", acme, nil, a.acme)
	c.call("GET", users+"?query=nosuchkey%3Ax", acme, nil, a.acme)
	c.call("GET", users+"?query=plan%3E3", acme, nil, a.acme)
	c.call("GET", users, beta, nil, a.beta)
	dana := c.call("POST", users, acme, map[string]any{"email": "dana@acme.test", "username": "dana", "first_name": "Dana", "last_name": "Díaz",
		"password": "correct horse battery", "external_id": "cust-7", "tag_list": "vip, newsletter", "locale": "es", "time_zone": "America/Santiago",
		"custom_fields": []map[string]any{{"key": "plan", "value": "pro"}}, "verified": true}, a.account)
	danaID := strconv.FormatInt(int64(dana.json(t)["id"].(float64)), 10)
	c.call("POST", users, acme, map[string]any{"user": map[string]any{"email": "erin@acme.test", "tag_list": []string{"a"}, "activate": false}}, a.acme)
	c.call("POST", users, acme, map[string]any{"username": "no email"}, a.acme)
	c.call("POST", users, acme, map[string]any{"email": "frank@acme.test", "username": "dana", "password": "short"}, a.acme)
	c.call("POST", users, acme, map[string]any{"email": "frank@acme.test", "tag_list": 5}, a.acme)
	c.call("POST", users, acme, map[string]any{"email": "frank@acme.test", "custom_fields": []map[string]any{{"key": "plan", "value": "gold"}}}, a.acme)
	c.call("POST", users, acme, map[string]any{"email": "carla@acme.test"}, a.acme)
	c.call("GET", users+"/{id}", with(danaID), nil, a.acme)
	c.call("GET", users+"/{id}", with(bobID), nil, a.acme)
	c.call("GET", users+"/{id}", with("x"), nil, a.acme)
	c.call("PUT", users+"/{id}", with(danaID), map[string]any{"user": map[string]any{"last_name": "Díaz Soto", "tag_list": []string{"vip"},
		"custom_fields": map[string]any{"plan": "basic"}, "activate": true}}, a.acme)
	c.call("PUT", users+"/{id}", with(danaID), map[string]any{"email": "other@acme.test"}, a.acme)
	c.call("PUT", users+"/{id}", with(danaID), map[string]any{"username": "has space", "locale": 5}, a.acme)
	c.call("PUT", users+"/{id}", with(bobID), map[string]any{"first_name": "X"}, a.account)

	// Notifications to the realm, a tag, one user.
	c.call("POST", realmPath+"/notifications", acme, map[string]any{"subject": "Spring sale", "body": "<p>20% off this week.</p>"}, a.account)
	c.call("POST", realmPath+"/notifications", acme, map[string]any{"subject": "For VIPs", "body": "<p>Early access.</p>", "tag": "vip"}, a.acme)
	c.call("POST", realmPath+"/notifications", acme, map[string]any{"subject": "Hi", "body": "x", "user_id": danaID}, a.acme)
	c.call("POST", realmPath+"/notifications", acme, map[string]any{"subject": "Hi", "user_id": 999999}, a.acme)
	c.call("POST", realmPath+"/notifications", acme, map[string]any{"subject": "", "body": "x"}, a.acme)
	c.call("POST", realmPath+"/notifications", acme, map[string]any{"subject": "Hi", "user_id": danaID, "tag": "vip"}, a.acme)
	c.call("POST", realmPath+"/notifications", acme, map[string]any{"subject": "Hi", "user_id": "abc"}, a.acme)
	c.call("POST", users+"/{id}/notifications", with(danaID), map[string]any{"subject": "Your order shipped", "body": "<p>On its way.</p>"}, a.acme)
	c.call("POST", users+"/{id}/notifications", with(danaID), map[string]any{"subject": "Hi", "tag": "vip"}, a.acme)
	c.call("POST", users+"/{id}/notifications", with(danaID), map[string]any{"subject": strings.Repeat("s", 256)}, a.acme)
	c.call("POST", users+"/{id}/notifications", with(bobID), map[string]any{"subject": "Hi"}, a.acme)

	// Identity providers.
	const idps = realmPath + "/identity_providers"
	c.call("POST", idps, acme, map[string]any{"uid": "corp", "name": "Corp SSO", "issuer": "https://id.corp.example/", "client_id": "clientele",
		"client_secret": "s3cret-value", "scopes": []string{"openid", "email", "profile"}, "claims_mapping": map[string]string{"given_name": "first_name"},
		"enable_refresh": true, "refresh_anticipation": 30, "show_delegation": true}, a.account)
	c.call("POST", idps, acme, map[string]any{"uid": "Bad", "issuer": "ftp://x", "client_id": "c", "client_secret": "s"}, a.acme)
	c.call("POST", idps, acme, map[string]any{"uid": "corp", "issuer": "https://x.example", "client_id": "c", "client_secret": "s"}, a.acme)
	c.call("POST", idps, acme, map[string]any{"uid": 5}, a.acme)
	c.call("GET", idps, acme, nil, a.acme)
	c.call("GET", idps, beta, nil, a.account)
	c.call("GET", idps+"/{uid}", map[string]string{"realm_uid": "acme", "uid": "corp"}, nil, a.acme)
	c.call("GET", idps+"/{uid}", map[string]string{"realm_uid": "beta", "uid": "corp"}, nil, a.account)
	c.call("DELETE", idps+"/{uid}", map[string]string{"realm_uid": "beta", "uid": "corp"}, nil, a.beta)

	// OAuth clients.
	const clients = realmPath + "/oauth_clients"
	shop := c.call("POST", clients, acme, map[string]any{"name": "Shop", "redirect_uris": []string{"https://shop.example/callback"}, "scopes": []string{"public"}}, a.acme)
	shopID, _ := shop.json(t)["client_id"].(string)
	c.call("POST", clients, acme, map[string]any{"name": "Mobile app", "redirect_uris": []string{"com.acme.app://callback"}, "public": true}, a.account)
	c.call("POST", clients, acme, map[string]any{"name": "X", "redirect_uris": []string{"/relative"}, "scopes": []string{"root"}}, a.acme)
	c.call("POST", clients, acme, map[string]any{"name": 5}, a.acme)
	c.call("GET", clients, acme, nil, a.acme)
	c.call("GET", clients, beta, nil, a.beta)
	c.call("GET", clients+"/{client_id}", map[string]string{"realm_uid": "acme", "client_id": shopID}, nil, a.acme)
	c.call("GET", clients+"/{client_id}", map[string]string{"realm_uid": "beta", "client_id": shopID}, nil, a.account)
	c.call("DELETE", clients+"/{client_id}", map[string]string{"realm_uid": "beta", "client_id": shopID}, nil, a.beta)

	// Deletions last, then again (404).
	c.call("DELETE", clients+"/{client_id}", map[string]string{"realm_uid": "acme", "client_id": shopID}, nil, a.acme)
	c.call("GET", clients+"/{client_id}", map[string]string{"realm_uid": "acme", "client_id": shopID}, nil, a.acme)
	c.call("DELETE", idps+"/{uid}", map[string]string{"realm_uid": "acme", "uid": "corp"}, nil, a.account)
	c.call("DELETE", idps+"/{uid}", map[string]string{"realm_uid": "acme", "uid": "corp"}, nil, a.account)
	c.call("DELETE", users+"/{id}", with(danaID), nil, a.acme)
	c.call("DELETE", users+"/{id}", with(danaID), nil, a.acme)
	c.call("GET", users+"/{id}", with(danaID), nil, a.acme)
	c.call("DELETE", users+"/{id}", with(bobID), nil, a.account)
	c.call("DELETE", fields+"/{id}", with(planID), nil, a.acme)
	c.call("DELETE", fields+"/{id}", with(planID), nil, a.acme)
	c.call("DELETE", fields+"/{id}", with("x"), nil, a.acme)
	c.call("DELETE", realmPath, map[string]string{"realm_uid": "gamma"}, nil, a.account)
	c.call("DELETE", realmPath, map[string]string{"realm_uid": "gamma"}, nil, a.account)
	c.call("GET", realmPath, map[string]string{"realm_uid": "gamma"}, nil, a.account)
	c.call("GET", realmPath, map[string]string{"realm_uid": "acme"}, nil, a.account)

	// At most 20 custom fields per realm through this API.
	var last *response
	for i := range 21 {
		if last = c.call("POST", fields, acme, map[string]any{"key": "k" + strconv.Itoa(i), "name": "K", "type": "text"}, a.account); last.status != 201 {
			break
		}
	}
	if last.status != 422 {
		t.Errorf("the realm's 21st custom field answered %d %s, want 422", last.status, last.body)
	}
}
