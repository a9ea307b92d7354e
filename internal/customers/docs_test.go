package customers_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/clientele/clientele/internal/customers"
	"github.com/clientele/clientele/internal/customers/docsui"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/server"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
)

// docsServer is the whole server with the Customers API whose docs page
// uses assets (nil: those vendored into this build).
func docsServer(t *testing.T, assets fs.FS) *httptest.Server {
	t.Helper()
	store := sqlitetest.Open(t)
	svc := directory.NewService(store, directory.ServiceOptions{})
	api, err := customers.NewHandler(customers.Config{Signin: directory.NewSignin(svc, directory.SigninOptions{}), DocsAssets: assets})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.NewHandler(server.Config{DB: store, Customers: api, Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	return srv
}

// get fetches url with the given request headers.
func get(t *testing.T, url string, headers ...string) *response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: body}
}

// vendorAssets runs the same vendoring as `go generate
// ./internal/customers/docsui` (npm ci of the pinned swagger-ui-dist)
// into a temporary directory.
func vendorAssets(t *testing.T) fs.FS {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("node's npm not found on PATH: docs page test with the real swagger-ui-dist skipped")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if err := docsui.Vendor(ctx, dir); err != nil {
		t.Fatal(err)
	}
	return os.DirFS(dir)
}

// The page's links: every src and href attribute.
var pageLinks = regexp.MustCompile(`(?i)\s(?:src|href|data-spec-url)="([^"]*)"`)

// TestDocsPage serves the docs page with the real swagger-ui-dist,
// vendored as a build does, and checks the page, its Content-Security-
// Policy, and every asset it links.
func TestDocsPage(t *testing.T) {
	t.Parallel()
	assets := vendorAssets(t)
	srv := docsServer(t, assets)

	page := get(t, srv.URL+"/api/customers/docs")
	wantStatus(t, page, http.StatusOK)
	if ct := page.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("page Content-Type = %q", ct)
	}
	html := string(page.body)
	for _, want := range []string{`<div id="swagger-ui"></div>`, `data-spec-url="/api/customers/openapi.json"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s:\n%s", want, html)
		}
	}
	// Only scripts with a src: the policy refuses inline ones.
	if scripts, withSrc := strings.Count(html, "<script"), strings.Count(html, "<script src="); scripts != withSrc || scripts != 2 {
		t.Errorf("the page has %d scripts, %d with src; want 2, both external:\n%s", scripts, withSrc, html)
	}
	checkDocsCSP(t, page.header.Get("Content-Security-Policy"))

	// Every link is a path on this server, and answers.
	var linked []string
	for _, m := range pageLinks.FindAllStringSubmatch(html, -1) {
		link := m[1]
		if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
			t.Errorf("the page links %q, which is not a path on this server", link)
			continue
		}
		linked = append(linked, link)
	}
	if strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Errorf("the page names an absolute URL:\n%s", html)
	}
	for _, name := range []string{"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "clientele-docs.js"} {
		if !slices.ContainsFunc(linked, func(l string) bool { return strings.HasPrefix(l, "/api/customers/docs/assets/"+name+"?v=") }) {
			t.Errorf("the page does not link the asset %s with its version: %q", name, linked)
		}
	}
	wantTypes := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png",
		".json": "application/json"}
	for _, link := range linked {
		r := get(t, srv.URL+link)
		wantStatus(t, r, http.StatusOK)
		path, _, _ := strings.Cut(link, "?")
		if ct := r.header.Get("Content-Type"); ct != wantTypes[filepath.Ext(path)] {
			t.Errorf("%s: Content-Type %q, want %q", link, ct, wantTypes[filepath.Ext(path)])
		}
		if len(r.body) == 0 {
			t.Errorf("%s: empty body", link)
		}
		etag := r.header.Get("ETag")
		if etag == "" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: ETag %q, X-Content-Type-Options %q", link, etag, r.header.Get("X-Content-Type-Options"))
		}
		if name, ok := strings.CutPrefix(path, "/api/customers/docs/assets/"); ok {
			if cc := r.header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control %q, want a year's immutable cache for a versioned URL", link, cc)
			}
			// The vendored files are served byte for byte.
			if want, err := fs.ReadFile(assets, name); err == nil && !bytes.Equal(r.body, want) {
				t.Errorf("%s: the body differs from the vendored file", link)
			}
			// Without the version, the browser revalidates; a revalidation
			// with the ETag is a 304.
			if cc := get(t, srv.URL+path).header.Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("%s without ?v: Cache-Control %q, want no-cache", path, cc)
			}
		} else if cc := r.header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", link, cc)
		}
		if r := get(t, srv.URL+link, "If-None-Match", etag); r.status != http.StatusNotModified || len(r.body) != 0 {
			t.Errorf("%s with If-None-Match: %d, %d bytes; want 304 and no body", link, r.status, len(r.body))
		}
	}

	// The real bundle, and the license that travels with it.
	if r := get(t, srv.URL+"/api/customers/docs/assets/swagger-ui-bundle.js"); !bytes.Contains(r.body, []byte("SwaggerUIBundle")) {
		t.Error("swagger-ui-bundle.js does not define SwaggerUIBundle")
	}
	license := get(t, srv.URL+"/api/customers/docs/assets/LICENSE")
	wantStatus(t, license, http.StatusOK)
	if ct := license.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" || !bytes.Contains(license.body, []byte("Apache License")) {
		t.Errorf("LICENSE: %q, %.60s", ct, license.body)
	}
	// The start script keeps Swagger UI from calling its online validator.
	if r := get(t, srv.URL+"/api/customers/docs/assets/clientele-docs.js"); !bytes.Contains(r.body, []byte("validatorUrl: null")) {
		t.Errorf("clientele-docs.js does not turn the online validator off:\n%s", r.body)
	}
	// Any other name is a 404, and no name escapes the assets.
	for _, p := range []string{"/api/customers/docs/assets/nope.js", "/api/customers/docs/assets/..%2Fdocsui.go", "/api/customers/docs/assets/"} {
		if r := get(t, srv.URL+p); r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, r.status)
		}
	}
}

// checkDocsCSP checks the docs page's Content-Security-Policy: scripts
// only from this origin and never inline or eval'd, fetches only to
// this origin, nothing remote anywhere, and what Swagger UI needs:
// its stylesheet, inline style attributes and data: images.
func checkDocsCSP(t *testing.T, csp string) {
	t.Helper()
	directives := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		fields := strings.Fields(d)
		if len(fields) > 0 {
			directives[fields[0]] = fields[1:]
		}
	}
	want := map[string][]string{
		"default-src":     {"'none'"},
		"script-src":      {"'self'"},
		"style-src":       {"'self'", "'unsafe-inline'"},
		"img-src":         {"'self'", "data:"},
		"font-src":        {"'self'", "data:"},
		"connect-src":     {"'self'"},
		"base-uri":        {"'none'"},
		"form-action":     {"'none'"},
		"frame-ancestors": {"'none'"},
	}
	for name, sources := range want {
		if got := directives[name]; !slices.Equal(got, sources) {
			t.Errorf("Content-Security-Policy %s = %q, want %q (policy: %s)", name, got, sources, csp)
		}
	}
	for name := range directives {
		if _, ok := want[name]; !ok {
			t.Errorf("Content-Security-Policy has an unexpected directive %s: %s", name, csp)
		}
	}
}

// TestDocsPageUnvendored checks a build whose docs assets were not
// vendored: the page and its npm files answer 503 and say how to vendor
// them; the OpenAPI document is served all the same.
func TestDocsPageUnvendored(t *testing.T) {
	t.Parallel()
	srv := docsServer(t, fstest.MapFS{"README.md": {Data: []byte("placeholder")}})
	page := get(t, srv.URL+"/api/customers/docs")
	wantStatus(t, page, http.StatusServiceUnavailable)
	if ct := page.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, want := range []string{"were not vendored into this build", "go generate ./internal/customers/docsui",
		"swagger-ui-dist " + docsui.Version(), "swagger-ui-bundle.js", `href="/api/customers/openapi.json"`} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("the page does not say %q:\n%s", want, page.body)
		}
	}
	checkDocsCSP(t, page.header.Get("Content-Security-Policy"))
	for _, name := range docsui.Files {
		r := get(t, srv.URL+"/api/customers/docs/assets/"+name)
		wantStatus(t, r, http.StatusServiceUnavailable)
		if !strings.Contains(string(r.body), "go generate ./internal/customers/docsui") || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %q, Cache-Control %q", name, r.body, r.header.Get("Cache-Control"))
		}
	}
	spec := get(t, srv.URL+"/api/customers/openapi.json")
	wantStatus(t, spec, http.StatusOK)

	// This build's own embedded assets give one answer or the other,
	// as `go generate` was or was not run before it.
	want := http.StatusOK
	if len(docsui.Missing(docsui.Assets())) > 0 {
		want = http.StatusServiceUnavailable
	}
	wantStatus(t, get(t, docsServer(t, nil).URL+"/api/customers/docs"), want)
}

// TestServeOpenAPI checks GET /api/customers/openapi.json: the
// assembled document as JSON, revalidated by the browser on every use.
func TestServeOpenAPI(t *testing.T) {
	t.Parallel()
	srv := docsServer(t, nil)
	r := get(t, srv.URL+"/api/customers/openapi.json")
	wantStatus(t, r, http.StatusOK)
	want, err := customers.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.body, want) {
		t.Error("the served document differs from customers.OpenAPI()")
	}
	if ct, cc := r.header.Get("Content-Type"), r.header.Get("Cache-Control"); ct != "application/json" || cc != "no-cache" {
		t.Errorf("Content-Type %q, Cache-Control %q", ct, cc)
	}
	if r := get(t, srv.URL+"/api/customers/openapi.json", "If-None-Match", r.header.Get("ETag")); r.status != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", r.status)
	}
}
