// Package sqlite implements directory.Store on an embedded SQLite database
// (modernc.org/sqlite, no cgo): Clientele's zero-configuration default.
//
// The database runs in WAL mode with a busy timeout and foreign keys on.
// Writes go through a single connection whose transactions start IMMEDIATE,
// so concurrent writers queue instead of failing with SQLITE_BUSY, while
// reads use a pool of their own and never wait for a writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

var uriPathEscaper = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// Store is a directory.Store on SQLite.
type Store struct {
	write *sql.DB // one connection: SQLite has one writer at a time
	read  *readDB
}

var _ directory.Store = (*Store)(nil)

// Open opens (creating it and its folder if needed) the SQLite database at
// path. It does not migrate; call Migrate.
func Open(path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite: create folder: %w", err)
		}
	}
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		pragmas.Add("_pragma", p)
	}
	// The path is part of a file: URI, where '%' escapes, '?' starts the
	// parameters and '#' a fragment; escape them so a path holding them
	// opens the file it names.
	base := "file:" + uriPathEscaper.Replace(path) + "?" + pragmas.Encode()
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", base)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	readConns := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(readConns)
	// Keep every read connection open: database/sql keeps two idle by
	// default and closes the rest as they are released, so with more
	// requests in flight than that, requests opened new connections, each
	// reading the schema and preparing its statements again (a sixth of a
	// shown user's CPU at 8 concurrent requests).
	read.SetMaxIdleConns(readConns)
	s := &Store{write: write, read: newReadDB(read)}
	s.read.load = loadKey{s}
	return s, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.read.PingContext(ctx)
}

// Migrate applies, in order and each in its own transaction, the embedded
// migrations that are not yet recorded in schema_migrations.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(filepath.Base(name), ".sql")
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		applied := false
		err = s.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil || n > 0 {
				return err
			}
			applied = true
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if version == "0026_name_key" {
				if err := fillNameKeys(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, time.Now().Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", version, err)
		}
		// The search index holds words folded in Go, which SQL cannot
		// compute for the rows already there.
		if applied && version == "0003_search" {
			if err := s.backfillSearchText(ctx); err != nil {
				return fmt.Errorf("sqlite: migration %s: backfill: %w", version, err)
			}
		}
		if applied && version == "0013_search_organizations" {
			if err := s.backfillNameSearch(ctx); err != nil {
				return fmt.Errorf("sqlite: migration %s: backfill: %w", version, err)
			}
		}
	}
	return s.Optimize(ctx)
}

// Optimize refreshes the query planner's statistics when they are stale
// (PRAGMA optimize, with a bounded ANALYZE). Without statistics SQLite may,
// for example, sort a whole date range to page it by id instead of
// walking the id index. Migrate runs it; call it again after loading many
// users.
func (s *Store) Optimize(ctx context.Context) error {
	_, err := s.write.ExecContext(ctx, `PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002`)
	return err
}

// MergeIndex merges each full-text table of the search index into one
// segment (FTS5's 'optimize'), one transaction per table. Call it after a
// bulk load: the load writes the index in large segments, and left as
// they are, FTS5's automerge later combines them inside some ordinary
// user write, which then rewrites hundreds of megabytes while every other
// writer waits (creates of a freshly seeded 1,000,000-user realm stalled
// for 5 to 11 s). Merged at once, the segments ordinary writes add stay
// small. At 1,000,000 users it takes several seconds, holding the write
// lock meanwhile.
func (s *Store) MergeIndex(ctx context.Context) error {
	for _, table := range searchIndexTables {
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`) VALUES ('optimize')`)
			return err
		}); err != nil {
			return fmt.Errorf("sqlite: merging %s: %w", table, err)
		}
	}
	return nil
}

// txKey marks a context carrying a write transaction of the store s that
// later writes join (WriteInJob).
type txKey struct{ s *Store }

// tx runs fn in one write transaction, committed when fn returns nil. When
// ctx carries a transaction of this store (WriteInJob), fn runs in it and
// its owner commits; when ctx carries a bulk load, fn runs in the load's
// transaction, after the load has indexed its users.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	if tx, ok := ctx.Value(txKey{s}).(*sql.Tx); ok {
		return mapError(fn(tx))
	}
	if l := s.loadOf(ctx); l != nil {
		return l.writeSettled(ctx, fn)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return mapError(err)
	}
	return mapError(tx.Commit())
}

// uniqueFields maps the unique indexes to the wire field they protect.
var uniqueFields = []struct{ index, field string }{
	{"users.external_id_key", "external_id"},
	{"organizations.name_key", "name"},
	{"organizations.external_id_key", "external_id"},
	{"organization_memberships.user_id", "user_id"},
	{"identities_realm_value", "email"},
	{"realms.uid", "uid"},
	{"api_tokens.hash", "token"},
	{"access_tokens.hash", "token"},
	{"user_fields.key", "key"},
	{"identity_providers.uid", "uid"},
}

// mapError turns unique violations into KindInvalid duplicate errors and
// "no rows" into ErrNotFound; anything else passes through.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return directory.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		for _, u := range uniqueFields {
			if strings.Contains(se.Error(), u.index) {
				return &directory.Error{Kind: directory.KindInvalid, Message: "Record validation errors",
					Fields: []directory.FieldError{{Field: u.field, Code: "DuplicateValue", Message: "has already been taken"}}}
			}
		}
	}
	return err
}

// unix stores a time as seconds, and a zero time as NULL.
func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// fromUnix reads what unix stored.
func fromUnix(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

// nullText stores "" as NULL, for columns where NULL means "not set" and
// must not collide in a unique index.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
