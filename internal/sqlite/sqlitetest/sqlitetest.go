// Package sqlitetest gives tests a SQLite store of their own: a migrated,
// empty database in the test's temporary folder, closed when it ends.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/clientele/clientele/internal/sqlite"
)

// Open returns a migrated, empty store, closed when t ends.
func Open(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "clientele.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}
