package customers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestAdminIdentityProviders checks the providers' list, create, show and
// delete, and that the client secret never comes back.
func TestAdminIdentityProviders(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		const path = "/api/customers/realms/acme/identity_providers"
		r := e.do("POST", path, map[string]any{"uid": "corp", "name": "Corp SSO", "issuer": "https://id.corp.example/",
			"client_id": "clientele", "client_secret": "s3cret-value", "show_delegation": true, "refresh_anticipation": 30}, a.account)
		wantStatus(t, r, http.StatusCreated)
		if strings.Contains(string(r.body), "s3cret-value") {
			t.Errorf("create shows the client secret: %s", r.body)
		}
		got := r.json(t)
		if got["uid"] != "corp" || got["issuer"] != "https://id.corp.example" || got["show_delegation"] != true || got["refresh_anticipation"] != float64(30) {
			t.Errorf("created = %s", r.body)
		}
		p, err := e.signin.IdP(ctx, e.acme.ID, "corp")
		if err != nil {
			t.Fatal(err)
		}
		if secret, err := e.signin.ClientSecret(p); err != nil || secret != "s3cret-value" {
			t.Errorf("stored secret = %q, %v", secret, err)
		}
		for name, c := range a.both() {
			for _, p := range []string{path, path + "/corp"} {
				r := e.do("GET", p, nil, c)
				wantStatus(t, r, http.StatusOK)
				if strings.Contains(string(r.body), "s3cret") || !strings.Contains(string(r.body), `"client_id":"clientele"`) {
					t.Errorf("%s %s = %s", name, p, r.body)
				}
			}
		}
		for body, want := range map[string]string{
			`{"uid":"Bad","issuer":"ftp://x","client_id":"c","client_secret":"s"}`:                                     `{"errors":{"issuer":["must be an http(s) URL"],"uid":["must be 1 to 63 lowercase letters, digits or dashes, and not \"callback\""]}}`,
			`{"uid":"x","issuer":"https://x.example","client_id":""}`:                                                  `{"errors":{"client_id":["can't be blank"],"client_secret":["can't be blank unless auth_method is none"]}}`,
			`{"uid":"x","issuer":"https://x.example","client_id":"c","client_secret":"s","refresh_anticipation":5000}`: `{"errors":{"refresh_anticipation":["must be between 0 and 100 seconds"]}}`,
			`{"uid":"corp","issuer":"https://x.example","client_id":"c","client_secret":"s"}`:                          `{"errors":{"uid":["has already been taken"]}}`,
		} {
			r := e.do("POST", path, body, a.acme)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantBody(t, r, want)
		}
		if list, _ := e.signin.IdPs(ctx, e.acme.ID); len(list) != 1 {
			t.Errorf("after refused creates: %d providers", len(list))
		}
		// Beta sees none of acme's.
		r = e.do("GET", "/api/customers/realms/beta/identity_providers", nil, a.account)
		wantBody(t, r, `{"identity_providers":[],"meta":{"total_entries":0,"per_page":10,"current_page":1,"total_pages":0}}`)
		wantStatus(t, e.do("GET", "/api/customers/realms/beta/identity_providers/corp", nil, a.account), http.StatusNotFound)
		wantStatus(t, e.do("DELETE", "/api/customers/realms/beta/identity_providers/corp", nil, a.account), http.StatusNotFound)

		r = e.do("DELETE", path+"/corp", nil, a.acme)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `{}`)
		if list, _ := e.signin.IdPs(ctx, e.acme.ID); len(list) != 0 {
			t.Errorf("after delete: %d providers", len(list))
		}
		wantStatus(t, e.do("GET", path+"/corp", nil, a.acme), http.StatusNotFound)
	})
}

// TestAdminOAuthClients checks the OAuth clients' list, create, show and
// delete: the secret is shown once, on create.
func TestAdminOAuthClients(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e *env) {
		a := e.admins()
		ctx := context.Background()
		const path = "/api/customers/realms/acme/oauth_clients"
		r := e.do("POST", path, map[string]any{"name": "Shop", "redirect_uris": []string{"https://shop.example/cb"}, "scopes": []string{"public", "admin"}}, a.acme)
		wantStatus(t, r, http.StatusCreated)
		created := r.json(t)
		id, secret := created["client_id"].(string), created["client_secret"].(string)
		if id == "" || len(secret) < 30 || created["confidential"] != true {
			t.Errorf("created = %s", r.body)
		}
		r = e.do("POST", path, map[string]any{"name": "App", "redirect_uris": []string{"app://cb"}, "public": true}, a.account)
		wantStatus(t, r, http.StatusCreated)
		if got := r.json(t); got["confidential"] != false || got["client_secret"] != nil {
			t.Errorf("public client = %s", r.body)
		}
		for name, c := range a.both() {
			for _, p := range []string{path, path + "/" + id} {
				r := e.do("GET", p, nil, c)
				wantStatus(t, r, http.StatusOK)
				if strings.Contains(string(r.body), secret) || strings.Contains(string(r.body), "client_secret") || !strings.Contains(string(r.body), id) {
					t.Errorf("%s %s = %s", name, p, r.body)
				}
			}
		}
		for body, want := range map[string]string{
			`{"name":"X"}`: `{"errors":{"redirect_uri":["at least one is required"]}}`,
			`{"name":"X","redirect_uris":["/relative"],"scopes":["root"]}`: `{"errors":{"redirect_uri":["must be an absolute URI without a fragment: /relative"],"scopes":["must be public or admin, not root"]}}`,
			`{"name":5}`: ``,
		} {
			r := e.do("POST", path, body, a.account)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if want != "" {
				wantBody(t, r, want)
			}
		}
		if list, _ := e.signin.OAuthClients(ctx, e.acme.ID); len(list) != 2 {
			t.Errorf("after refused creates: %d clients", len(list))
		}
		wantStatus(t, e.do("GET", "/api/customers/realms/beta/oauth_clients/"+id, nil, a.account), http.StatusNotFound)
		wantStatus(t, e.do("DELETE", "/api/customers/realms/beta/oauth_clients/"+id, nil, a.account), http.StatusNotFound)
		r = e.do("GET", "/api/customers/realms/beta/oauth_clients", nil, a.account)
		if got := r.json(t); len(got["oauth_clients"].([]any)) != 0 {
			t.Errorf("beta's clients = %s", r.body)
		}
		r = e.do("DELETE", path+"/"+id, nil, a.account)
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `{}`)
		wantStatus(t, e.do("GET", path+"/"+id, nil, a.account), http.StatusNotFound)
		if list, _ := e.signin.OAuthClients(ctx, e.acme.ID); len(list) != 1 {
			t.Errorf("after delete: %d clients", len(list))
		}
	})
}
