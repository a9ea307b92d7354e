package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/directory/storetest"
	"github.com/clientele/clientele/internal/sqlite"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
)

func open(t testing.TB) directory.Store { return sqlitetest.Open(t) }

func TestStoreContract(t *testing.T) {
	storetest.Run(t, open)
}

func TestJobStoreContract(t *testing.T) { storetest.RunJobs(t, open) }

func TestUserActionStoreContract(t *testing.T)   { storetest.RunUserActions(t, open) }
func TestOrganizationStoreContract(t *testing.T) { storetest.RunOrganizations(t, open) }
func TestSigninStoreContract(t *testing.T)       { storetest.RunSignin(t, open) }
func TestRealmAdminStoreContract(t *testing.T)   { storetest.RunRealmAdmin(t, open) }

func TestMigrateTwice(t *testing.T) {
	s := open(t)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, open)
}

// TestOpenOddPath opens a database whose path holds the characters a file:
// URI treats specially, as t.Run names do ("#00").
func TestOpenOddPath(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a#00", "b%41?c")
	s, err := sqlite.Open(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "db")); err != nil {
		t.Errorf("database not at the path given: %v", err)
	}
}

func TestImportContract(t *testing.T) {
	storetest.RunImport(t, open)
}

func TestGroupStoreContract(t *testing.T) { storetest.RunGroups(t, open) }

func TestSideloadStoreContract(t *testing.T) { storetest.RunSideloads(t, open) }
