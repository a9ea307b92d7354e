package customers

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/clientele/clientele/internal/customers/docsui"
)

// The URLs of the API's documentation.
const (
	openAPIPath    = "/api/customers/openapi.json"
	docsPath       = "/api/customers/docs"
	docsAssetsPath = "/api/customers/docs/assets/"
)

// docsFiles are the page's own files: its template, the page a build
// without the vendored assets shows, and the script that starts Swagger
// UI.
//
//go:embed docs/index.html docs/unvendored.html docs/clientele-docs.js
var docsFiles embed.FS

var (
	docsPageTemplate = template.Must(template.ParseFS(docsFiles, "docs/index.html"))
	unvendoredPage   = template.Must(template.ParseFS(docsFiles, "docs/unvendored.html"))
)

// docsCSP is the docs page's Content-Security-Policy: scripts, styles,
// images and fetches from this origin only. Swagger UI sets inline style
// attributes (style-src 'unsafe-inline') and its stylesheet draws icons
// as data: images; it needs no eval and no inline script. Nothing
// remote is allowed.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// docs is the documentation the handler serves: the OpenAPI document,
// the page, and its assets by name.
type docs struct {
	page   []byte // the rendered page; the unvendored page when missing
	assets map[string]*staticFile
	// missing lists the vendored files this build lacks; the page and
	// its assets answer 503 then.
	missing []string
}

// newDocs prepares the page over vendored, the npm files (docsui.Files).
func newDocs(vendored fs.FS) (*docs, error) {
	d := &docs{assets: map[string]*staticFile{}, missing: docsui.Missing(vendored)}
	own, err := docsFiles.ReadFile("docs/clientele-docs.js")
	if err != nil {
		return nil, err
	}
	d.assets["clientele-docs.js"] = newStaticFile("clientele-docs.js", "text/javascript; charset=utf-8", own)
	var page bytes.Buffer
	if len(d.missing) > 0 {
		err = unvendoredPage.Execute(&page, map[string]any{"Package": docsui.Package, "Version": docsui.Version(),
			"Missing": d.missing, "SpecURL": openAPIPath})
		d.page = page.Bytes()
		return d, err
	}
	for _, name := range docsui.Files {
		raw, err := fs.ReadFile(vendored, name)
		if err != nil {
			return nil, fmt.Errorf("docs page: %w", err)
		}
		d.assets[name] = newStaticFile(name, assetType(name), raw)
	}
	err = docsPageTemplate.Execute(&page, map[string]any{"SpecURL": openAPIPath, "Asset": func(name string) (string, error) {
		f, ok := d.assets[name]
		if !ok {
			return "", fmt.Errorf("docs page: no asset %q", name)
		}
		// The version in the URL lets browsers keep the file for good.
		return docsAssetsPath + name + "?v=" + f.version(), nil
	}})
	d.page = page.Bytes()
	return d, err
}

// assetType is the Content-Type of a vendored file.
func assetType(name string) string {
	if name == "LICENSE" {
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// docsRoutes are the routes of the documentation, served beside the API
// and not part of it (Routes leaves them out).
func (h *Handler) docsRoutes() []Route {
	return []Route{
		{"GET", openAPIPath, h.serveOpenAPI},
		{"GET", docsPath, h.serveDocsPage},
		{"GET", docsAssetsPath + "{name}", h.serveDocsAsset},
	}
}

// serveDocsPage is GET /api/customers/docs: Swagger UI over the OpenAPI
// document, or, in a build without the vendored files, a 503 page that
// says how to vendor them.
func (h *Handler) serveDocsPage(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", docsCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-cache")
	if len(h.docs.missing) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	w.Write(h.docs.page)
}

// serveDocsAsset is GET /api/customers/docs/assets/{name}. A request
// with the current version (?v=, as the page links them) may be cached
// for a year; any other revalidates with the ETag.
func (h *Handler) serveDocsAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	f, ok := h.docs.assets[name]
	if !ok {
		if len(h.docs.missing) > 0 {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "The docs page's assets were not vendored into this build: run go generate ./internal/customers/docsui and build again.\n")
			return
		}
		writeJSON(w, http.StatusNotFound, errorList("Not found"))
		return
	}
	cache := "no-cache"
	if r.URL.Query().Get("v") == f.version() {
		cache = "public, max-age=31536000, immutable"
	}
	f.serve(w, r, cache)
}
