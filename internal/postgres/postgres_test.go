package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/directory/storetest"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// TestMain drops the schema the contract suites share once they end.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := pgtest.DropShared(); err != nil {
		fmt.Fprintln(os.Stderr, "dropping the shared test schema:", err)
	}
	os.Exit(code)
}

// openDSN opens a store, closed when t ends (before its schema is dropped).
func openDSN(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// migratedSchema returns a store on a new, migrated schema and a plain
// connection to it for the statements a test writes itself.
func migratedSchema(t *testing.T) (*postgres.Store, *pgx.Conn) {
	t.Helper()
	dsn, _ := pgtest.NewSchema(t)
	s := openDSN(t, dsn)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return s, conn
}

// migrationNames lists the embedded migrations, as the files name them.
func migrationNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".sql"))
	}
	return names
}

// appliedMigrations lists schema_migrations in the schema of dsn.
func appliedMigrations(t *testing.T, dsn string) []string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return versions
}

func TestStoreContract(t *testing.T) {
	pgtest.DSN(t)
	storetest.Run(t, pgtest.OpenEmptied)
}

func TestJobStoreContract(t *testing.T) { pgtest.DSN(t); storetest.RunJobs(t, pgtest.OpenEmptied) }

func TestUserActionStoreContract(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunUserActions(t, pgtest.OpenEmptied)
}

func TestOrganizationStoreContract(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunOrganizations(t, pgtest.OpenEmptied)
}

func TestSigninStoreContract(t *testing.T) { pgtest.DSN(t); storetest.RunSignin(t, pgtest.OpenEmptied) }

func TestRealmAdminStoreContract(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunRealmAdmin(t, pgtest.OpenEmptied)
}

func TestMigrateTwice(t *testing.T) {
	dsn, _ := pgtest.NewSchema(t)
	s := openDSN(t, dsn)
	for i := range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	if diff := cmp.Diff(migrationNames(t), appliedMigrations(t, dsn)); diff != "" {
		t.Errorf("schema_migrations (-want +got):\n%s", diff)
	}
	r := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.CreateRealm(t.Context(), r); err != nil || r.ID == 0 {
		t.Errorf("CreateRealm after two migrations: id %d, %v", r.ID, err)
	}
}

// TestMigrateConcurrently starts several nodes on one fresh schema at once:
// each must succeed, and the migrations must be applied once.
func TestMigrateConcurrently(t *testing.T) {
	dsn, _ := pgtest.NewSchema(t)
	const nodes = 4
	stores := make([]*postgres.Store, nodes)
	for i := range stores {
		stores[i] = openDSN(t, dsn)
	}
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: Migrate: %v", i, err)
		}
	}
	if diff := cmp.Diff(migrationNames(t), appliedMigrations(t, dsn)); diff != "" {
		t.Errorf("schema_migrations (-want +got):\n%s", diff)
	}
}

// TestOpenHonoursSearchPath checks that a store opened with search_path in
// its DSN creates its tables in that schema and nowhere else.
func TestOpenHonoursSearchPath(t *testing.T) {
	dsn, schema := pgtest.NewSchema(t)
	if err := openDSN(t, dsn).Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), `SELECT table_schema FROM information_schema.tables WHERE table_name = 'user_counts' AND table_schema = $1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{schema}, got); diff != "" {
		t.Errorf("schemas holding user_counts (-want +got):\n%s", diff)
	}
}

// TestConcurrentUpdatesCountOnce has several nodes update the same users at
// once, deleting them and moving them between roles in opposite
// directions. Every write must succeed (no deadlock between counter rows)
// and the counters must match the users as stored.
func TestConcurrentUpdatesCountOnce(t *testing.T) {
	dsn, _ := pgtest.NewSchema(t)
	nodes := []*postgres.Store{openDSN(t, dsn), openDSN(t, dsn), openDSN(t, dsn)}
	ctx := t.Context()
	if err := nodes[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	epoch := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	r := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: epoch, UpdatedAt: epoch}
	if err := nodes[0].CreateRealm(ctx, r); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 6 {
		u := &directory.User{UUID: fmt.Sprint("uuid-", i), Name: fmt.Sprint("user ", i), Role: directory.RoleEndUser,
			TimeZone: "UTC", IANATimeZone: "UTC", Locale: "en-US", LocaleID: 1, CreatedAt: epoch, UpdatedAt: epoch}
		if i%2 == 1 {
			u.Role = directory.RoleAgent
		}
		if err := nodes[0].CreateUser(ctx, r.ID, u, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}

	// Each worker reads a user and writes it back changed, as
	// directory.Service does: writes race on stale reads.
	const workers, rounds = 6, 15
	errs := make(chan error, workers*rounds)
	var wg sync.WaitGroup
	for w := range workers {
		s := nodes[w%len(nodes)]
		wg.Go(func() {
			for i := range rounds {
				id := ids[(w+i)%len(ids)]
				u, err := s.UserByID(ctx, r.ID, id)
				if err != nil {
					errs <- err
					return
				}
				switch {
				case i%5 == 4:
					u.DeletedAt = epoch
				case u.Role == directory.RoleEndUser:
					u.Role, u.CustomRoleID = directory.RoleAgent, int64(w%2)
				default:
					u.Role, u.CustomRoleID = directory.RoleEndUser, 0
				}
				if err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{}); err != nil {
					errs <- fmt.Errorf("update user %d: %w", id, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	s := nodes[0]
	stored := map[string]int64{}
	for _, deleted := range []bool{false, true} {
		users, err := s.ListUsers(ctx, r.ID, directory.UserFilter{Deleted: deleted}, directory.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			stored[fmt.Sprintf("deleted=%t role=%s custom=%d", deleted, u.Role, u.CustomRoleID)]++
		}
	}
	counted := map[string]int64{}
	for _, deleted := range []bool{false, true} {
		for _, role := range []directory.Role{directory.RoleEndUser, directory.RoleAgent} {
			for _, custom := range []int64{0, 1} {
				f := directory.UserFilter{Deleted: deleted, Roles: []directory.Role{role}, CustomRoleID: custom}
				n, err := s.CountUsers(ctx, r.ID, f)
				if err != nil {
					t.Fatal(err)
				}
				if custom == 0 { // 0 means any custom role: subtract custom role 1
					m, err := s.CountUsers(ctx, r.ID, directory.UserFilter{Deleted: deleted, Roles: []directory.Role{role}, CustomRoleID: 1})
					if err != nil {
						t.Fatal(err)
					}
					n -= m
				}
				if n != 0 {
					counted[fmt.Sprintf("deleted=%t role=%s custom=%d", deleted, role, custom)] = n
				}
			}
		}
	}
	if diff := cmp.Diff(stored, counted); diff != "" {
		t.Errorf("counters against stored users (-stored +counted):\n%s", diff)
	}
}

// TestEraseUserMovesCounters erases a deleted agent in a custom role: the
// erased form keeps no custom role, so the counters must follow it.
func TestEraseUserMovesCounters(t *testing.T) {
	s := pgtest.Open(t)
	ctx := t.Context()
	epoch := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	r := &directory.Realm{UID: "acme", Name: "Acme", CreatedAt: epoch, UpdatedAt: epoch}
	if err := s.CreateRealm(ctx, r); err != nil {
		t.Fatal(err)
	}
	u := &directory.User{UUID: "uuid-1", Name: "Agent", Role: directory.RoleAgent, CustomRoleID: 7,
		TimeZone: "UTC", IANATimeZone: "UTC", Locale: "en-US", LocaleID: 1, CreatedAt: epoch, UpdatedAt: epoch, DeletedAt: epoch}
	if err := s.CreateUser(ctx, r.ID, u, nil); err != nil {
		t.Fatal(err)
	}
	erased := &directory.User{ID: u.ID, UUID: u.UUID, Name: directory.PermanentlyDeletedName, Role: u.Role,
		TimeZone: "UTC", IANATimeZone: "UTC", Locale: "en-US", LocaleID: 1, CreatedAt: epoch, UpdatedAt: epoch, DeletedAt: epoch, Erased: true}
	if err := s.EraseUser(ctx, r.ID, erased); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for name, f := range map[string]directory.UserFilter{
		"deleted":                {Deleted: true},
		"deleted agents":         {Deleted: true, Roles: []directory.Role{directory.RoleAgent}},
		"deleted in custom role": {Deleted: true, CustomRoleID: 7},
	} {
		n, err := s.CountUsers(ctx, r.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		got[name] = n
	}
	want := map[string]int64{"deleted": 1, "deleted agents": 1, "deleted in custom role": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts after erase (-want +got):\n%s", diff)
	}
}

func BenchmarkStore(b *testing.B) {
	pgtest.DSN(b)
	storetest.Bench(b, pgtest.Open)
}

func TestImportContract(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunImport(t, pgtest.OpenEmptied)
}

func TestGroupStoreContract(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunGroups(t, pgtest.OpenEmptied)
}

func TestSideloadStoreContract(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunSideloads(t, pgtest.OpenEmptied)
}

// TestSessionSettings checks the run-time parameters the store sets on its
// sessions unless the DSN sets them: UTC, its application name, no JIT
// and no parallel query; a DSN's own value wins.
func TestSessionSettings(t *testing.T) {
	dsn, _ := pgtest.NewSchema(t)
	want := map[string]string{"TimeZone": "UTC", "application_name": "clientele", "jit": "off", "max_parallel_workers_per_gather": "0"}
	s := openDSN(t, dsn)
	for name, v := range want {
		if got, err := postgres.Setting(t, s, name); err != nil || got != v {
			t.Errorf("%s = %q, %v; want %q", name, got, err, v)
		}
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	own := openDSN(t, dsn+sep+"max_parallel_workers_per_gather=1&application_name=mine")
	for name, v := range map[string]string{"max_parallel_workers_per_gather": "1", "application_name": "mine"} {
		if got, err := postgres.Setting(t, own, name); err != nil || got != v {
			t.Errorf("with the DSN's own %s: %q, %v; want %q", name, got, err, v)
		}
	}
}
