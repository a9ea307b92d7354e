// Package docsui holds the third-party files of the Customers API's
// interactive reference page (/api/customers/docs): swagger-ui-dist from
// npm, at the version package.json and package-lock.json pin.
//
// The files are vendored at build time, never committed: `go generate
// ./internal/customers/docsui` runs Vendor, which installs the package
// with npm ci and copies Files into dist/, which is git-ignored except
// its README.md and embedded into the binary. A plain `go build` of a
// fresh clone still compiles; its Assets then lack Files, and the docs
// page says so.
package docsui

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

//go:generate go run ./gen -out dist

// dist is what the last `go generate` vendored: Files and README.md, or
// README.md alone.
//
//go:embed dist
var dist embed.FS

// manifest is the npm project that pins the package.
//
//go:embed package.json package-lock.json
var manifest embed.FS

// Package is the npm package the files come from.
const Package = "swagger-ui-dist"

// Files are the files of Package that the page needs: the bundle (the
// whole UI, React included), its stylesheet, its icon, and its license,
// which must travel with it.
var Files = []string{"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"}

// Assets returns the vendored files of this build, at the root of the
// returned file system.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path, so Sub cannot fail
	}
	return sub
}

// Missing lists the Files that assets lacks: all of them in a build that
// was not vendored.
func Missing(assets fs.FS) []string {
	var missing []string
	for _, name := range Files {
		if info, err := fs.Stat(assets, name); err != nil || info.IsDir() || info.Size() == 0 {
			missing = append(missing, name)
		}
	}
	return missing
}

// Version is the version of Package that package.json pins.
func Version() string {
	raw, err := manifest.ReadFile("package.json")
	if err != nil {
		panic(err) // embedded at build time
	}
	var p struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		panic(fmt.Sprintf("docsui: package.json: %v", err))
	}
	return p.Dependencies[Package]
}

// Vendor installs Package with `npm ci` (npm from PATH) in a temporary
// copy of the pinned npm project, so the lock file's integrity hashes are
// checked, and copies Files into the directory out, creating it. Install
// scripts are not run: the package's only dependency is a telemetry
// script.
func Vendor(ctx context.Context, out string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("docsui: npm is needed to vendor %s: %w", Package, err)
	}
	work, err := os.MkdirTemp("", "clientele-docsui-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	for _, name := range []string{"package.json", "package-lock.json"} {
		raw, err := manifest.ReadFile(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(work, name), raw, 0o644); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SCARF_ANALYTICS=false")
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("docsui: npm ci: %w\n%s", err, output.Bytes())
	}
	pkg := filepath.Join(work, "node_modules", Package)
	if err := checkVersion(pkg); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, name := range Files {
		raw, err := os.ReadFile(filepath.Join(pkg, name))
		if err != nil {
			return fmt.Errorf("docsui: %s %s has no %s: %w", Package, Version(), name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name), raw, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// checkVersion makes sure npm installed the pinned version.
func checkVersion(pkg string) error {
	raw, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		return fmt.Errorf("docsui: npm ci did not install %s: %w", Package, err)
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("docsui: %s's package.json: %w", Package, err)
	}
	if p.Version != Version() {
		return errors.New("docsui: npm ci installed " + Package + " " + p.Version + ", package.json pins " + Version())
	}
	return nil
}
