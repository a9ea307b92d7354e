package customers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/clientele/clientele/internal/customers"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	valerrors "github.com/pb33f/libopenapi-validator/errors"
)

// operationMethods are the keys of a path item that name operations.
var operationMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// pathParam matches a path parameter in a ServeMux pattern ({realm},
// {name...}) or an OpenAPI path ({realm_uid}).
var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// routeKey is a route as the completeness test compares them: the method
// and the path with every parameter's name erased, so {realm} (the Go
// pattern) and {realm_uid} (Modyo's name in the document) are the same.
func routeKey(method, path string) string {
	return strings.ToUpper(method) + " " + pathParam.ReplaceAllString(path, "{}")
}

// loadOpenAPI returns the served document, decoded.
func loadOpenAPI(t *testing.T) (raw []byte, doc map[string]any) {
	t.Helper()
	raw, err := customers.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	return raw, doc
}

// documentedRoutes lists the operations of doc as route keys.
func documentedRoutes(doc map[string]any) []string {
	var out []string
	for p, item := range doc["paths"].(map[string]any) {
		for _, m := range operationMethods {
			if _, ok := item.(map[string]any)[m]; ok {
				out = append(out, routeKey(m, p))
			}
		}
	}
	slices.Sort(out)
	return out
}

// compareRoutes returns the served routes the document lacks and the
// documented operations no route serves.
func compareRoutes(served []customers.Route, documented []string) (undocumented, unserved []string) {
	have := map[string]bool{}
	for _, r := range served {
		k := routeKey(r.Method, r.Pattern)
		have[k] = true
		if !slices.Contains(documented, k) {
			undocumented = append(undocumented, r.Method+" "+r.Pattern)
		}
	}
	for _, k := range documented {
		if !have[k] {
			unserved = append(unserved, k)
		}
	}
	return undocumented, unserved
}

// newAPI is the Customers API's handler over a fresh SQLite store, for
// the tests that need only its routes.
func newAPI(t *testing.T) *customers.Handler {
	t.Helper()
	svc := directory.NewService(sqlitetest.Open(t), directory.ServiceOptions{})
	h, err := customers.NewHandler(customers.Config{Signin: directory.NewSignin(svc, directory.SigninOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestOpenAPIComplete fails when a route of the API is missing from the
// OpenAPI document, or the document names an operation no route serves.
func TestOpenAPIComplete(t *testing.T) {
	t.Parallel()
	_, doc := loadOpenAPI(t)
	routes := newAPI(t).Routes()
	if len(routes) == 0 {
		t.Fatal("the handler lists no routes")
	}
	undocumented, unserved := compareRoutes(routes, documentedRoutes(doc))
	for _, r := range undocumented {
		t.Errorf("route %s is not in the OpenAPI document (internal/customers/openapi/paths_*.json)", r)
	}
	for _, r := range unserved {
		t.Errorf("the OpenAPI document names %s, which no route serves", r)
	}

	// The comparison itself sees a missing and an extra operation, and
	// takes {realm} and {realm_uid} for the same parameter.
	u, x := compareRoutes([]customers.Route{{Method: "GET", Pattern: "/api/customers/realms/{realm}/me"}, {Method: "DELETE", Pattern: "/x/{id}"}},
		[]string{routeKey("get", "/api/customers/realms/{realm_uid}/me"), routeKey("put", "/api/customers/realms/{realm_uid}/me")})
	if !slices.Equal(u, []string{"DELETE /x/{id}"}) || !slices.Equal(x, []string{"PUT /api/customers/realms/{}/me"}) {
		t.Errorf("compareRoutes = %q, %q", u, x)
	}
}

// TestOpenAPIStructure checks the document's shape: OpenAPI 3.1.0, every
// operation with an id, a tag and responses, every path parameter
// declared, every $ref resolving; then validates it against the OpenAPI
// 3.1 schema with libopenapi-validator.
func TestOpenAPIStructure(t *testing.T) {
	t.Parallel()
	raw, doc := loadOpenAPI(t)
	checkStructure(t, raw, doc)
}

// checkStructure is TestOpenAPIStructure's checks on one document.
func checkStructure(t *testing.T, raw []byte, doc map[string]any) {
	t.Helper()
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	servers, _ := doc["servers"].([]any)
	if len(servers) != 1 || servers[0].(map[string]any)["url"] != "/" {
		t.Errorf("servers = %v, want the relative /", doc["servers"])
	}
	schemes := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	for name, want := range map[string]string{"realmBearer": "http", "realmSession": "apiKey", "adminToken": "http"} {
		if s, ok := schemes[name].(map[string]any); !ok || s["type"] != want {
			t.Errorf("security scheme %s = %v, want type %s", name, schemes[name], want)
		}
	}
	if c := schemes["realmSession"].(map[string]any); c["in"] != "cookie" || c["name"] != "clientele_session_{realm_uid}" {
		t.Errorf("realmSession = %v", c)
	}

	ids := map[string]string{}
	for p, item := range doc["paths"].(map[string]any) {
		inPath := pathParam.FindAllString(p, -1)
		for _, m := range operationMethods {
			op, ok := item.(map[string]any)[m].(map[string]any)
			if !ok {
				continue
			}
			where := strings.ToUpper(m) + " " + p
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] != "" {
				t.Errorf("%s: operationId %q is missing or also used by %s", where, id, ids[id])
			}
			ids[id] = where
			if tags, _ := op["tags"].([]any); len(tags) == 0 {
				t.Errorf("%s has no tag", where)
			}
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s has no summary", where)
			}
			responses, _ := op["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s has no responses", where)
			}
			var declared []string
			for _, prm := range op["parameters"].([]any) {
				prm = resolve(t, doc, prm)
				if prm.(map[string]any)["in"] == "path" {
					declared = append(declared, "{"+prm.(map[string]any)["name"].(string)+"}")
				}
			}
			slices.Sort(declared)
			want := slices.Sorted(slices.Values(inPath))
			if !slices.Equal(declared, want) {
				t.Errorf("%s declares path parameters %v, its path has %v", where, declared, want)
			}
			if _, ok := op["security"]; !ok {
				t.Errorf("%s names no security requirement", where)
			}
		}
	}

	// Every $ref points at something in the document.
	refs := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" {
					refs++
					if _, ok := pointer(doc, x.(string)); !ok {
						t.Errorf("%s: $ref %s resolves to nothing", at, x)
					}
					continue
				}
				walk(x, at+"/"+k)
			}
		case []any:
			for i, x := range v {
				walk(x, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "#")
	if refs == 0 {
		t.Error("the document has no $ref: the check above checked nothing")
	}

	// The library's verdict, against the OpenAPI 3.1 JSON schema.
	v := newValidator(t, raw)
	if ok, errs := v.ValidateDocument(); !ok {
		t.Errorf("libopenapi-validator: the document is not valid OpenAPI 3.1:\n%s", formatValidation(errs))
	}
}

// TestOpenAPIExamples checks every documented response example against
// its own schema, through the same validator as the real responses.
func TestOpenAPIExamples(t *testing.T) {
	t.Parallel()
	raw, doc := loadOpenAPI(t)
	if n := checkExamples(t, raw, doc); n < 20 {
		t.Errorf("checked %d examples; the document should have one for every JSON response", n)
	}
}

// checkExamples validates doc's response examples and returns how many
// there were.
func checkExamples(t *testing.T, raw []byte, doc map[string]any) int {
	t.Helper()
	v := newValidator(t, raw)
	checked := 0
	for p, item := range doc["paths"].(map[string]any) {
		// A concrete URL for the path: acme's realm, notification 1.
		concrete := strings.NewReplacer("{realm_uid}", "acme", "{id}", "1").Replace(p)
		for _, m := range operationMethods {
			op, ok := item.(map[string]any)[m].(map[string]any)
			if !ok {
				continue
			}
			for status, res := range op["responses"].(map[string]any) {
				res := resolve(t, doc, res).(map[string]any)
				content, _ := res["content"].(map[string]any)
				media, _ := content["application/json"].(map[string]any)
				if media == nil {
					continue
				}
				var examples []any
				if ex, ok := media["example"]; ok {
					examples = append(examples, ex)
				}
				named, _ := media["examples"].(map[string]any)
				for _, ex := range named {
					examples = append(examples, resolve(t, doc, ex).(map[string]any)["value"])
				}
				for _, ex := range examples {
					body, _ := json.Marshal(ex)
					code, _ := strconv.Atoi(status)
					req, _ := http.NewRequest(strings.ToUpper(m), "http://clientele.example"+concrete, nil)
					res := &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
						Body: io.NopCloser(bytes.NewReader(body)), Request: req}
					if ok, errs := v.ValidateHttpResponse(req, res); !ok {
						t.Errorf("%s %s %s: the example %s does not fit its schema:\n%s", strings.ToUpper(m), p, status, body, formatValidation(errs))
					}
					checked++
				}
			}
		}
	}
	return checked
}

// TestOpenAPIPending assembles the document with the parts in
// openapi/pending/ (endpoints other branches are building, not served
// yet) and checks it as the served one, so they can be moved in as they
// are.
func TestOpenAPIPending(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{}
	for from, to := range map[string]string{"openapi/base.json": "base.json", "openapi/paths_customer.json": "paths_customer.json",
		"openapi/pending/paths_integrations.json": "paths_integrations.json", "openapi/pending/paths_admin.json": "paths_admin.json"} {
		raw, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		files["openapi/"+to] = &fstest.MapFile{Data: raw}
	}
	raw, err := customers.AssembleOpenAPI(files, "openapi")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	served, _ := loadOpenAPI(t)
	if len(raw) <= len(served) {
		t.Fatalf("the pending parts added nothing")
	}
	checkStructure(t, raw, doc)
	checkExamples(t, raw, doc)
}

// resolve follows v's $ref, if it has one.
func resolve(t *testing.T, doc map[string]any, v any) any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	ref, ok := m["$ref"].(string)
	if !ok {
		return v
	}
	target, ok := pointer(doc, ref)
	if !ok {
		t.Fatalf("$ref %s resolves to nothing", ref)
	}
	return resolve(t, doc, target)
}

// pointer resolves a local JSON pointer reference (#/a/b).
func pointer(doc map[string]any, ref string) (any, bool) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// newValidator is libopenapi-validator over the document.
func newValidator(t *testing.T, raw []byte) validator.Validator {
	t.Helper()
	d, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatalf("libopenapi cannot read the document: %v", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatalf("libopenapi-validator cannot build a model of the document: %v", errs)
	}
	return v
}

// formatValidation lists validation errors with their schema details.
func formatValidation(errs []*valerrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s\n", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "      %s (%s): %s\n", s.FieldPath, s.KeywordLocation, s.Reason)
		}
	}
	return b.String()
}

// specCheck sends requests to the test server and validates every
// answer against the OpenAPI document, remembering which operations
// answered with success.
type specCheck struct {
	e         *env
	v         validator.Validator
	succeeded map[string]bool
}

// call sends method to the path template (the document's, with
// {realm_uid} and {id} filled from params), validates the response, and
// returns it.
func (c *specCheck) call(method, template string, params map[string]string, body any, creds ...cred) *response {
	c.e.t.Helper()
	concrete := template
	for k, v := range params {
		concrete = strings.ReplaceAll(concrete, "{"+k+"}", v)
	}
	r := c.e.do(method, concrete, body, creds...)
	req, err := http.NewRequest(method, c.e.srv.URL+concrete, nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	res := &http.Response{StatusCode: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)), Request: req}
	if ok, errs := c.v.ValidateHttpResponse(req, res); !ok {
		c.e.t.Errorf("%s %s answered %d %s, which the OpenAPI document does not describe:\n%s", method, concrete, r.status, r.body, formatValidation(errs))
	}
	if r.status < 300 {
		op, _, _ := strings.Cut(template, "?")
		c.succeeded[routeKey(method, op)] = true
	}
	return r
}

// TestOpenAPIResponses sends every operation of the document to the
// real server, with good and bad input and credentials, and validates
// each answer (status, Content-Type, body) against the document; every
// operation must have succeeded at least once.
func TestOpenAPIResponses(t *testing.T) {
	t.Parallel()
	raw, doc := loadOpenAPI(t)
	v := newValidator(t, raw)
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := &specCheck{e: e, v: v, succeeded: map[string]bool{}}
		e.field(e.acme, "nickname", directory.FieldText, true, true)
		e.field(e.acme, "tier", directory.FieldText, true, false)
		ext, photo, tags := "11111111-1", "https://cdn.acme.example/avatars/carla.png", []string{"vip"}
		if _, err := e.svc.UpdateUser(ctx, directory.Operator(e.acme.ID), e.carla.ID, directory.UserInput{ExternalID: &ext,
			RemotePhotoURL: &photo, Tags: &tags, UserFields: map[string]any{"tier": "gold"}}); err != nil {
			t.Fatal(err)
		}
		for _, realm := range []*directory.Realm{e.acme, e.beta} {
			if _, err := e.svc.SendNotification(ctx, realm.ID, "Your order shipped", "<p>Order 1042 is on its way.</p>", directory.Recipients{}); err != nil {
				t.Fatal(err)
			}
		}
		carla, bob := e.signIn(e.acme, e.carla), e.signIn(e.beta, e.bob)
		acme, nope := map[string]string{"realm_uid": "acme"}, map[string]string{"realm_uid": "nope"}
		const realmPath, legacy = "/api/customers/realms/{realm_uid}", "/api/profile"

		// me, with each credential, none, and an unknown realm.
		for _, cr := range []cred{carla.bearer(), carla.cookie()} {
			c.call("GET", realmPath+"/me", acme, nil, cr)
			c.call("GET", legacy+"/me", nil, nil, cr)
		}
		c.call("GET", realmPath+"/me", acme, nil)
		c.call("GET", realmPath+"/me", acme, nil, bob.bearer())
		c.call("GET", realmPath+"/me", nope, nil, carla.bearer())
		c.call("GET", legacy+"/me", nil, nil)
		c.call("PUT", realmPath+"/me", acme, map[string]any{"first_name": "Carla", "phone": "+56 9 1234 5678",
			"custom_fields": []any{map[string]any{"key": "nickname", "value": "Carlita"}, map[string]any{"key": "tier", "value": "platinum"}}}, carla.bearer())
		c.call("PUT", realmPath+"/me", acme, map[string]any{"user": map[string]any{"custom_fields": map[string]any{"nickname": "C"}}}, carla.cookie())
		c.call("PUT", realmPath+"/me", acme, map[string]any{"phone": "nope"}, carla.bearer())
		c.call("PUT", realmPath+"/me", acme, "[1]", carla.bearer())
		c.call("PUT", realmPath+"/me", acme, map[string]any{"first_name": "X"}, carla.cookie(), header("Origin", "https://evil.example"), header("Sec-Fetch-Site", "cross-site"))
		c.call("PUT", realmPath+"/me", nope, map[string]any{}, carla.bearer())
		c.call("PUT", realmPath+"/me", acme, map[string]any{})

		// notifications and mark_as_read; beta's notification is not
		// carla's.
		list := c.call("GET", realmPath+"/notifications", acme, nil, carla.bearer()).json(t)
		id := strconv.FormatInt(int64(list["notifications"].([]any)[0].(map[string]any)["id"].(float64)), 10)
		betas := c.call("GET", realmPath+"/notifications", map[string]string{"realm_uid": "beta"}, nil, bob.bearer()).json(t)
		betaID := strconv.FormatInt(int64(betas["notifications"].([]any)[0].(map[string]any)["id"].(float64)), 10)
		c.call("GET", realmPath+"/notifications?page=2&per_page=500", acme, nil, carla.cookie())
		c.call("GET", legacy+"/notifications", nil, nil, carla.cookie())
		c.call("GET", realmPath+"/notifications", nope, nil, carla.bearer())
		c.call("GET", legacy+"/notifications", nil, nil)
		for _, m := range []string{"PUT", "POST"} {
			mine := map[string]string{"realm_uid": "acme", "id": id}
			c.call(m, realmPath+"/notifications/{id}/mark_as_read", mine, nil, carla.bearer())
			c.call(m, legacy+"/notifications/{id}/mark_as_read", mine, nil, carla.bearer())
			c.call(m, realmPath+"/notifications/{id}/mark_as_read", map[string]string{"realm_uid": "acme", "id": betaID}, nil, carla.bearer())
			c.call(m, legacy+"/notifications/{id}/mark_as_read", map[string]string{"id": "999999"}, nil, carla.bearer())
			c.call(m, realmPath+"/notifications/{id}/mark_as_read", mine, nil)
			c.call(m, realmPath+"/notifications/{id}/mark_as_read", map[string]string{"realm_uid": "nope", "id": id}, nil, carla.bearer())
		}

		// events: custom ones as JSON and as a form, then the list.
		c.call("POST", realmPath+"/events", acme, map[string]any{"e_c": "checkout", "e_a": "completed", "revenue": "42.50", "dropped": "x"}, carla.bearer())
		c.call("POST", realmPath+"/events?e_c=page&e_a=viewed&url=https://shop.example/", acme, "", carla.bearer(), header("Content-Type", "application/x-www-form-urlencoded"))
		c.call("POST", realmPath+"/events", acme, map[string]any{"e_c": "bad word"}, carla.bearer())
		c.call("POST", realmPath+"/events", acme, map[string]any{"e_c": "a", "e_a": "b"})
		c.call("POST", realmPath+"/events", acme, map[string]any{"e_c": "a", "e_a": "b"}, bearerCred("unknown"))
		c.call("POST", realmPath+"/events", nope, map[string]any{"e_c": "a", "e_a": "b"}, carla.bearer())
		c.call("GET", realmPath+"/events?sort_by=type&order=asc&not_impersonated=1", acme, nil, carla.cookie())
		c.call("GET", realmPath+"/events", acme, nil, bob.bearer())
		c.call("GET", realmPath+"/events", nope, nil, carla.bearer())

		// Every answer after the session ends is grant_expired.
		if err := e.signin.Logout(ctx, e.acme.ID, carla.secret, directory.Client{}); err != nil {
			t.Fatal(err)
		}
		c.call("GET", realmPath+"/me", acme, nil, carla.bearer())
		c.call("GET", legacy+"/notifications", nil, nil, carla.cookie())
		c.call("GET", realmPath+"/events", acme, nil, carla.bearer())
		c.call("POST", realmPath+"/events", acme, map[string]any{"e_c": "a", "e_a": "b"}, carla.bearer())

		for _, op := range documentedRoutes(doc) {
			if !c.succeeded[op] {
				t.Errorf("%s never succeeded here: its success response is not checked against the code", op)
			}
		}
	})
}

// TestAssembleOpenAPI checks the merge of the document's files: two
// files may describe different methods of one path, never the same
// operation, component or tag twice.
func TestAssembleOpenAPI(t *testing.T) {
	t.Parallel()
	base := `{"openapi":"3.1.0","paths":{},"tags":[{"name":"A"}],"components":{"schemas":{"S":{}}}}`
	for name, tc := range map[string]struct {
		a, b    string
		wantErr string
	}{
		"two methods of one path": {a: `{"paths":{"/x":{"get":{}}}}`, b: `{"paths":{"/x":{"post":{}}},"tags":[{"name":"B"}],"components":{"schemas":{"T":{}}}}`},
		"one operation twice":     {a: `{"paths":{"/x":{"get":{}}}}`, b: `{"paths":{"/x":{"get":{}}}}`, wantErr: `"get" is defined twice`},
		"a component twice":       {a: `{"components":{"schemas":{"S":{}}}}`, b: `{}`, wantErr: `schemas "S" is defined twice`},
		"a tag twice":             {a: `{"tags":[{"name":"A"}]}`, b: `{}`, wantErr: `tag "A"`},
		"another key":             {a: `{"info":{}}`, b: `{}`, wantErr: `not "info"`},
		"not JSON":                {a: `{"paths":`, b: `{}`, wantErr: "paths_a.json"},
	} {
		files := fstest.MapFS{"o/base.json": {Data: []byte(base)}, "o/paths_a.json": {Data: []byte(tc.a)}, "o/paths_b.json": {Data: []byte(tc.b)}}
		raw, err := customers.AssembleOpenAPI(files, "o")
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want one saying %s", name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var doc struct {
			Paths      map[string]map[string]any
			Tags       []map[string]string
			Components struct{ Schemas map[string]any }
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Paths["/x"]) != 2 || len(doc.Tags) != 2 || len(doc.Components.Schemas) != 2 {
			t.Errorf("%s: merged %s", name, raw)
		}
	}
}
