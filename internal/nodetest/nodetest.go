// Package nodetest is what the client tests that run npm packages in
// Node.js share: installing a folder's pinned packages. Only tests import
// it.
package nodetest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// EnsureModules runs `npm ci` in dir when dir/node_modules/pkg is
// missing, installing exactly what dir's package-lock.json pins. A
// missing or failing npm fails the test: CI must be able to run it.
func EnsureModules(t *testing.T, dir, pkg string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err == nil {
		return
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("%s/node_modules/%s is missing and npm is not on PATH: %v", dir, pkg, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}
