// Package postgres implements directory.Store on PostgreSQL through pgx
// (github.com/jackc/pgx/v5) and its connection pool. It is the store for
// deployments where several stateless Clientele nodes share one database.
//
// Every write is one transaction at READ COMMITTED. Writes that move a user
// between the exact counters of user_counts lock the user's row first
// (SELECT ... FOR UPDATE), so two nodes updating the same user at once
// count the change once, and they touch counter rows in a fixed order, so
// two updates moving users in opposite directions cannot deadlock.
//
// Times are stored as timestamptz in UTC at second precision, as the SQLite
// store keeps them, so both stores return the same values.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a directory.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

var _ directory.Store = (*Store)(nil)

// Open returns a Store on the database named by dsn, a PostgreSQL URL
// (postgres://user@host:5432/db?sslmode=disable) or keyword/value string
// ("host=... dbname=..."). Connections are made lazily by a pool; Open does
// not connect, and it does not migrate: call Ping and Migrate.
//
// Run-time parameters given in the DSN are set on every connection, so
// search_path=clientele (in the URL's query or as a keyword) puts the store
// in that schema. Unless the DSN sets them, the session time zone is UTC,
// application_name is "clientele", jit is off and so is parallel query
// (max_parallel_workers_per_gather 0).
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	params := cfg.ConnConfig.RuntimeParams
	if _, ok := params["timezone"]; !ok {
		params["timezone"] = "UTC"
	}
	if _, ok := params["application_name"]; !ok {
		params["application_name"] = "clientele"
	}
	if _, ok := params["jit"]; !ok {
		// The store's queries are short and indexed; PostgreSQL's JIT
		// compiles any plan whose estimated cost passes jit_above_cost (a
		// search count or sort over a large realm does), which costs tens
		// of milliseconds to save microseconds.
		params["jit"] = "off"
	}
	if _, ok := params["max_parallel_workers_per_gather"]; !ok {
		// A server answers many requests at once, which keep its cores
		// busy already: a parallel plan spends about one core per worker
		// to save little time. Counting 474,000 values of a number field
		// took 40 ms with two workers and 35 to 43 ms without; at
		// 1,000,000 users and 8 concurrent clients on two cores, turning
		// it off doubled number-field searches (77 to 150 requests/s) and
		// raised name searches and counts by 10% and 43%.
		params["max_parallel_workers_per_gather"] = "0"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.pool.Ping(ctx)
}

// migrationLock is the first key of the advisory lock that serialises
// migrations: "clnt" in ASCII, a number no other application is likely to
// pick. The second key is the hash of the schema migrated, so stores in
// different schemas of one database (test runs, say) do not wait for each
// other.
const migrationLock int32 = 0x636c6e74

// Migrate applies, in order and each in its own transaction, the embedded
// migrations that are not yet recorded in schema_migrations. Each
// transaction first takes a transaction-scoped advisory lock, so nodes
// starting at once apply each migration exactly once: the others wait, then
// find it recorded. Migrations are forward-only.
func (s *Store) Migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	if s.allApplied(ctx, names) {
		return nil
	}
	for _, name := range names {
		version := strings.TrimSuffix(path.Base(name), ".sql")
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, migrationLock); err != nil {
				return err
			}
			// Created under the lock: concurrent CREATE TABLE IF NOT EXISTS
			// can otherwise fail on the catalog's unique indexes.
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version    text        PRIMARY KEY,
				applied_at timestamptz NOT NULL)`); err != nil {
				return err
			}
			var applied bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&applied); err != nil || applied {
				return err
			}
			// Without arguments pgx sends the file as a simple query, which
			// may hold several statements.
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			if after := afterMigration[version]; after != nil {
				if err := after(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`, version)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %s: %w", version, err)
		}
	}
	return nil
}

// allApplied reports whether every migration of names is recorded, read
// without a lock: a node starting on a migrated database then takes none.
// Any doubt (no table yet, an error) answers false, and Migrate goes the
// locked way.
func (s *Store) allApplied(ctx context.Context, names []string) bool {
	var n int
	versions := make([]string, len(names))
	for i, name := range names {
		versions[i] = strings.TrimSuffix(path.Base(name), ".sql")
	}
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ANY($1)`, versions).Scan(&n)
	return err == nil && n == len(names)
}

// CreateSchema creates the schema named schema in the database of dsn. With
// DropSchema it gives each test run a throwaway schema: open the store with
// search_path=schema added to the DSN.
func CreateSchema(ctx context.Context, dsn, schema string) error {
	return execOnce(ctx, dsn, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize())
}

// DropSchema drops the schema named schema and everything in it, if it
// exists.
func DropSchema(ctx context.Context, dsn, schema string) error {
	return execOnce(ctx, dsn, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
}

// execOnce runs one statement on a connection of its own.
func execOnce(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// txKey marks a context carrying a transaction of the store s that later
// writes join (WriteInJob).
type txKey struct{ s *Store }

// tx runs fn in one transaction, committed when fn returns nil and rolled
// back otherwise. When ctx carries a transaction of this store
// (WriteInJob), fn runs in it and its owner commits.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	if tx, ok := ctx.Value(txKey{s}).(pgx.Tx); ok {
		return mapError(fn(tx))
	}
	return mapError(pgx.BeginFunc(ctx, s.pool, fn))
}

// writer is where a single-statement write goes: ctx's transaction when
// it carries one of this store (WriteInJob), so the write commits or rolls
// back with it, and otherwise the pool, where the statement is its own
// transaction.
func (s *Store) writer(ctx context.Context) interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
} {
	if tx, ok := ctx.Value(txKey{s}).(pgx.Tx); ok {
		return tx
	}
	return s.pool
}

// querier is what both the pool and a transaction offer to read rows.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// all returns every row of a query, scanned by scan; never nil.
func all[T any](ctx context.Context, q querier, scan pgx.RowToFunc[T], sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scan)
}

// one returns the first row of a query, scanned by scan, or ErrNotFound.
func one[T any](ctx context.Context, q querier, scan pgx.RowToFunc[T], sql string, args ...any) (*T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, mapError(err)
	}
	v, err := pgx.CollectOneRow(rows, scan)
	if err != nil {
		return nil, mapError(err)
	}
	return &v, nil
}

// params collects the arguments of a query built piece by piece.
type params []any

// add appends v and returns its placeholder.
func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// uniqueFields maps the unique constraints and indexes to the wire field
// they protect.
var uniqueFields = map[string]string{
	"users_realm_external_id":           "external_id",
	"organizations_realm_name":          "name",
	"organizations_realm_external_id":   "external_id",
	"organization_memberships_org_user": "user_id",
	"identities_realm_value":            "email",
	"realms_uid":                        "uid",
	"api_tokens_hash":                   "token",
	"access_tokens_hash":                "token",
	"user_fields_realm_key":             "key",
	"idps_realm_uid":                    "uid",
}

// mapError turns unique violations into KindInvalid duplicate errors, "no
// rows" into ErrNotFound, and serialization failures, deadlocks and
// references to rows deleted meanwhile into KindConflict; anything else
// passes through.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.ErrNotFound
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		if field, ok := uniqueFields[pe.ConstraintName]; ok {
			return &directory.Error{Kind: directory.KindInvalid, Message: "Record validation errors",
				Fields: []directory.FieldError{{Field: field, Code: "DuplicateValue", Message: "has already been taken"}}}
		}
	case "40001", "40P01", "23503": // serialization_failure, deadlock_detected, foreign_key_violation (a row deleted meanwhile)
		return &directory.Error{Kind: directory.KindConflict, Message: "a concurrent write collided; try again"}
	}
	return err
}

// at stores a time of a NOT NULL column: in UTC, at second precision.
func at(t time.Time) time.Time {
	return t.UTC().Truncate(time.Second)
}

// nullTime stores a time like at, and a zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := at(t)
	return &u
}

// fromNullTime reads what nullTime stored.
func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullText stores "" as NULL, for columns where NULL means "not set" and
// must not collide in a unique index.
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// fromNullText reads what nullText stored.
func fromNullText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
