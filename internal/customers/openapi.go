package customers

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"time"
)

// openAPIFiles is the OpenAPI document in parts: base.json (info,
// security schemes, shared components) and one paths_*.json per area of
// the API.
//
//go:embed openapi/base.json openapi/paths_*.json
var openAPIFiles embed.FS

// OpenAPI returns the OpenAPI 3.1 document of the Customers API, as
// GET /api/customers/openapi.json serves it.
func OpenAPI() ([]byte, error) { return assembleOpenAPI(openAPIFiles, "openapi") }

// assembleOpenAPI merges dir/base.json with every dir/paths_*.json, in
// name order: their paths, tags and components are added to the base's.
// Two files may describe different methods of one path (the customer's
// GET notifications, the admin's POST); an operation, tag or component
// that two files both define is an error, so one file cannot silently
// override another.
func assembleOpenAPI(fsys fs.FS, dir string) ([]byte, error) {
	doc, err := readJSONObject(fsys, path.Join(dir, "base.json"))
	if err != nil {
		return nil, err
	}
	parts, err := fs.Glob(fsys, path.Join(dir, "paths_*.json"))
	if err != nil {
		return nil, err
	}
	for _, name := range parts {
		part, err := readJSONObject(fsys, name)
		if err != nil {
			return nil, err
		}
		for key, v := range part {
			switch key {
			case "paths":
				err = mergePaths(doc, v, name)
			case "components":
				comps, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("openapi: %s: components is not an object", name)
				}
				base, ok := doc["components"].(map[string]any)
				if !ok {
					base = map[string]any{}
					doc["components"] = base
				}
				for kind, defs := range comps {
					if err = mergeObject(base, kind, defs, name+": components"); err != nil {
						break
					}
				}
			case "tags":
				err = mergeTags(doc, v, name)
			default:
				err = fmt.Errorf("openapi: %s: only paths, components and tags may be in a paths file, not %q", name, key)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // the descriptions' markdown stays readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// readJSONObject decodes one file of the document, keeping numbers as
// written.
func readJSONObject(fsys fs.FS, name string) (map[string]any, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("openapi: %s: more than one JSON value", name)
	}
	return v, nil
}

// mergeObject adds the members of the object add to the object
// into[key], refusing a member that is already there.
func mergeObject(into map[string]any, key string, add any, source string) error {
	members, ok := add.(map[string]any)
	if !ok {
		return fmt.Errorf("openapi: %s: %s is not an object", source, key)
	}
	dst, ok := into[key].(map[string]any)
	if !ok {
		dst = map[string]any{}
		into[key] = dst
	}
	for name, v := range members {
		if _, dup := dst[name]; dup {
			return fmt.Errorf("openapi: %s: %s %q is defined twice", source, key, name)
		}
		dst[name] = v
	}
	return nil
}

// mergePaths adds a file's paths to the document's, method by method.
func mergePaths(doc map[string]any, add any, source string) error {
	paths, ok := add.(map[string]any)
	if !ok {
		return fmt.Errorf("openapi: %s: paths is not an object", source)
	}
	have, ok := doc["paths"].(map[string]any)
	if !ok {
		have = map[string]any{}
		doc["paths"] = have
	}
	for p, item := range paths {
		if err := mergeObject(have, p, item, source+": path"); err != nil {
			return err
		}
	}
	return nil
}

// mergeTags appends a file's tags to the document's, refusing a name
// that is already there.
func mergeTags(doc map[string]any, add any, source string) error {
	tags, ok := add.([]any)
	if !ok {
		return fmt.Errorf("openapi: %s: tags is not a list", source)
	}
	have, _ := doc["tags"].([]any)
	for _, t := range tags {
		name, _ := t.(map[string]any)["name"].(string)
		if name == "" || slices.ContainsFunc(have, func(h any) bool { return h.(map[string]any)["name"] == name }) {
			return fmt.Errorf("openapi: %s: tag %q is unnamed or defined twice", source, name)
		}
		have = append(have, t)
	}
	doc["tags"] = have
	return nil
}

// staticFile is a file the handler serves from memory, with the strong
// ETag that lets browsers revalidate it cheaply.
type staticFile struct {
	name        string
	contentType string
	body        []byte
	etag        string
}

func newStaticFile(name, contentType string, body []byte) *staticFile {
	sum := sha256.Sum256(body)
	return &staticFile{name: name, contentType: contentType, body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// version is a short digest of the file's content, used in its URL so a
// new build's file is never read from an old cache.
func (f *staticFile) version() string { return f.etag[1:13] }

// serve writes the file with cacheControl, answering conditional
// requests (If-None-Match) with 304.
func (f *staticFile) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", f.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.body))
}

// serveOpenAPI is GET /api/customers/openapi.json. Browsers revalidate
// it on every use (no-cache), so a new version is seen at once.
func (h *Handler) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	h.openAPI.serve(w, r, "no-cache")
}
