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
	"sync"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/jackc/pgx/v5"
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

// withSearchPath adds search_path=schema to a URL or keyword/value DSN,
// and synchronous_commit=off: a throwaway schema needs no durability, and
// waiting for every commit to reach the disk made the API tests, which
// write a fresh realm for each scenario, several times slower.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema + " synchronous_commit=off"
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("CLIENTELE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("synchronous_commit", "off")
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

// shared is the schema OpenEmptied hands out, made and migrated once per
// test process.
var shared struct {
	mu     sync.Mutex
	base   string // CLIENTELE_TEST_POSTGRES
	dsn    string // with the schema's search_path; "" until made
	schema string
	inUse  bool
	// emptier, read from the catalog after the first migration, is only
	// touched by the test holding the schema (inUse).
	emptier *emptier
}

// OpenEmptied returns a migrated store in a schema the process's tests
// share, with every table emptied and every id sequence restarted at 1
// (so ids, and golden files, are the same as in a fresh schema). Creating,
// migrating and dropping a schema per test costs far more than emptying
// one: API tests that start each scenario from a fresh realm use this. A
// test asking while another still holds the schema gets a schema of its
// own (Open). Call DropShared when the tests end (TestMain).
func OpenEmptied(t testing.TB) directory.Store {
	t.Helper()
	base := DSN(t)
	ctx := context.Background()
	shared.mu.Lock()
	if shared.inUse {
		shared.mu.Unlock()
		return Open(t)
	}
	if shared.dsn == "" {
		schema := fmt.Sprintf("t_shared_%016x", rand.Uint64())
		if err := postgres.CreateSchema(ctx, base, schema); err != nil {
			shared.mu.Unlock()
			t.Fatal(err)
		}
		shared.base, shared.schema, shared.dsn = base, schema, withSearchPath(t, base, schema)
	}
	shared.inUse = true
	dsn := shared.dsn
	shared.mu.Unlock()
	release := func() {
		shared.mu.Lock()
		shared.inUse = false
		shared.mu.Unlock()
	}
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		release()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		release()
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := emptyShared(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// emptier empties a schema's tables and restarts their identity columns.
// Deleting the few rows a test leaves, with triggers and foreign keys off
// for the transaction, then resetting every sequence in one statement,
// takes a few milliseconds where TRUNCATE, which makes new files for every
// table, takes a hundred. Without the right to turn triggers off (not a
// superuser) it falls back to TRUNCATE.
type emptier struct {
	tables []string
	reset  string // the statements that empty the schema
}

// newEmptier reads schema's tables and identity sequences from the
// catalog, once: the schema does not change between tests.
func newEmptier(ctx context.Context, conn *pgx.Conn, schema string) (*emptier, error) {
	e := &emptier{}
	if err := conn.QueryRow(ctx, `SELECT coalesce(array_agg(quote_ident(tablename) ORDER BY tablename), '{}') FROM pg_tables
		WHERE schemaname = $1 AND tablename <> 'schema_migrations'`, schema).Scan(&e.tables); err != nil {
		return nil, err
	}
	var sequences string
	if err := conn.QueryRow(ctx, `SELECT coalesce(string_agg(format('setval(%L, 1, false)',
			pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname)), ', '), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> ''
		WHERE n.nspname = $1 AND c.relkind = 'r'`, schema).Scan(&sequences); err != nil {
		return nil, err
	}
	e.reset = "SET LOCAL session_replication_role = replica;"
	for _, t := range e.tables {
		e.reset += " DELETE FROM " + t + ";"
	}
	if sequences != "" {
		e.reset += " SELECT " + sequences + ";"
	}
	return e, nil
}

// empty runs the reset on conn, or TRUNCATE when it is refused.
func (e *emptier) empty(ctx context.Context, conn *pgx.Conn) error {
	if len(e.tables) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, e.reset)
		return err
	})
	if err == nil {
		return nil
	}
	_, err = conn.Exec(ctx, `TRUNCATE `+strings.Join(e.tables, ", ")+` RESTART IDENTITY CASCADE`)
	return err
}

// emptyShared empties the shared schema through a connection of its own,
// reading its catalog the first time.
func emptyShared(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, shared.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if shared.emptier == nil {
		if shared.emptier, err = newEmptier(ctx, conn, shared.schema); err != nil {
			return err
		}
	}
	return shared.emptier.empty(ctx, conn)
}

// DropShared drops the schema OpenEmptied made, if any.
func DropShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.dsn == "" {
		return nil
	}
	err := postgres.DropSchema(context.Background(), shared.base, shared.schema)
	shared.dsn, shared.emptier = "", nil
	return err
}
