// Package pgtest gives tests a PostgreSQL store of their own: a throwaway
// schema in the database named by CLIENTELE_TEST_POSTGRES, dropped when
// the test ends. Without that variable the test is skipped.
package pgtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
)

// SkipMessage is how a test skipped for want of PostgreSQL says so; CI
// looks for it.
const SkipMessage = "CLIENTELE_TEST_POSTGRES not set: PostgreSQL store tests skipped"

// DSN returns the DSN of the test database, or skips t.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CLIENTELE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip(SkipMessage)
	}
	return dsn
}

// schemaName returns a schema name made from t's name and a random suffix,
// so that runs, tests and subtests never share tables.
func schemaName(t testing.TB) string {
	name := strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(t.Name()))
	if len(name) > 40 { // identifiers are cut at 63 bytes
		name = name[len(name)-40:]
	}
	return fmt.Sprintf("t_%s_%016x", name, rand.Uint64())
}

// withSearchPath adds search_path=schema to a URL or keyword/value DSN.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("CLIENTELE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// NewSchema creates a throwaway schema, dropped when t ends, and returns
// the DSN that puts a store in it, and its name.
func NewSchema(t testing.TB) (dsn, schema string) {
	t.Helper()
	dsn = DSN(t)
	schema = schemaName(t)
	if err := postgres.CreateSchema(context.Background(), dsn, schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := postgres.DropSchema(context.Background(), dsn, schema); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, dsn, schema), schema
}

// Open returns a migrated, empty store in a schema of its own, closed when
// t ends (before the schema is dropped).
func Open(t testing.TB) directory.Store {
	t.Helper()
	dsn, _ := NewSchema(t)
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}
