package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/directory/storetest"
	"github.com/clientele/clientele/internal/sqlite"
)

func open(t testing.TB) directory.Store {
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

func TestStoreContract(t *testing.T) {
	storetest.Run(t, open)
}

func TestMigrateTwice(t *testing.T) {
	s := open(t)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, open)
}
