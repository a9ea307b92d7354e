// Package enginetest is what the HTTP packages' tests share: the store
// engines every scenario runs on (SQLite, and PostgreSQL when
// CLIENTELE_TEST_POSTGRES is set), a settable clock, and the TestMain that
// drops the PostgreSQL schema the scenarios share. Only tests import it.
package enginetest

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres/pgtest"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
)

// Epoch is the instant a test clock starts at.
var Epoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// Clock is a settable test clock with a resolution of one second, safe
// for concurrent use.
type Clock struct{ t atomic.Int64 }

// NewClock returns a clock showing Epoch.
func NewClock() *Clock {
	c := &Clock{}
	c.t.Store(Epoch.Unix())
	return c
}

// Now is the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(c.t.Load(), 0).UTC() }

// Advance moves the clock forward by d (whole seconds).
func (c *Clock) Advance(d time.Duration) { c.t.Add(int64(d / time.Second)) }

// Engine is a store the tests run on.
type Engine struct {
	Name string
	// Open returns an empty, migrated store that lives as long as t.
	Open func(t testing.TB) directory.Store
}

// Engines returns SQLite, and PostgreSQL when CLIENTELE_TEST_POSTGRES is
// set: every scenario runs on both and must give the same answers.
func Engines() []Engine {
	out := []Engine{{"sqlite", func(t testing.TB) directory.Store { return sqlitetest.Open(t) }}}
	if os.Getenv("CLIENTELE_TEST_POSTGRES") != "" {
		out = append(out, Engine{"postgres", pgtest.OpenEmptied})
	}
	return out
}

// Main runs a package's tests and then drops the PostgreSQL schema they
// shared; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := pgtest.DropShared(); err != nil {
		fmt.Fprintln(os.Stderr, "dropping the shared test schema:", err)
	}
	os.Exit(code)
}
