package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/clientele/clientele/internal/directory"
)

// loadKey marks a context carrying a bulk load of the store s (BulkLoad):
// the store's reads and writes made with it join the load's transaction.
type loadKey struct{ s *Store }

// load is a bulk load in progress (directory.Load). It holds the write
// connection for its whole life and one transaction at a time on it,
// from the first store call after a commit to the next Commit.
//
// Inside a transaction, the new users of ImportUsers go in without the
// search index: the index's insert triggers are dropped at the first
// batch and the users' ids remembered as pending; Commit writes their
// index with one INSERT ... SELECT per index table (a few large sorted
// FTS5 segments instead of one per batch, merged again and again) and
// puts the triggers back, before the commit. So every committed state
// has the triggers and a complete index, and a crash (or End without
// Commit) rolls back to the last commit like any transaction: the
// uncommitted users, their index and the dropped triggers all together.
type load struct {
	conn *sql.Conn
	tx   *sql.Tx // nil between a commit and the next store call
	// defs are the stored definitions of the index triggers that tx has
	// dropped (suspendIndexTriggers); nil while the triggers are in place.
	defs []string
	// pending are the users written in tx and not yet in the index.
	pending []idSpan
	// depth counts the savepoints open (nested store writes).
	depth int
	// perCommit is how many new users the loader expects between two
	// commits (ExpectPerCommit); 0 when it did not say.
	perCommit int
	// indexDefs are the stored definitions of the deferredIndexes that tx
	// has dropped; nil while they are in place. deferTried is set once tx
	// has decided whether to drop them: at most once a transaction, so
	// that a part mixing updates and new users builds them once, at the
	// commit, not after every batch of updates.
	indexDefs  []string
	deferTried bool
	// uniqueAtCommit adds uniqueDeferred to the indexes deferred
	// (CheckUniqueAtCommit).
	uniqueAtCommit bool
}

// deferredIndex is an index a load may build at its commit: its name, its
// table and its definition as stored.
type deferredIndex struct{ name, table, def string }

// deferredIndexes are the secondary indexes whose keys a bulk load writes
// in random order (dates, identity values), so that every new user's
// entries land on pages all over the index: at a million users most of
// them miss the cache, and the commit writes most of the index's pages
// again. Within a transaction that adds many users against what the table
// holds, the load drops them at its first batch and builds them again
// before the commit (settle), which SQLite does with one sort: every
// committed state has them. Only non-unique indexes are here: a unique
// one must fail the batch that breaks it, not the commit, unless the
// loader says otherwise (uniqueDeferred). As for the
// index triggers, their stored definitions must be these (whitespace
// aside), or the load leaves them alone (TestDeferredIndexes).
var deferredIndexes = []deferredIndex{
	{"users_realm_created", "users", `CREATE INDEX users_realm_created ON users (realm_id, created_at) WHERE deleted_at IS NULL`},
	{"users_realm_updated", "users", `CREATE INDEX users_realm_updated ON users (realm_id, updated_at, id)`},
	{"identities_value", "identities", `CREATE INDEX identities_value ON identities (lower(value))`},
}

// uniqueDeferred are the unique indexes a load defers as it does
// deferredIndexes, when its loader asked for uniqueness to be checked at
// commits (directory.UniqueAtCommit): the identities' values are random
// keys, and at a million users writing them one by one was the largest
// single cost of a seed (32 s of its 125 s on the writing thread). Built
// again at the commit, a duplicate fails the build, and so the commit,
// with the same error as an insert would have had.
var uniqueDeferred = []deferredIndex{
	{"identities_realm_value", "identities", `CREATE UNIQUE INDEX identities_realm_value ON identities (realm_id, type, lower(value))`},
}

// deferShare is how large a transaction's new users must be against the
// users already stored for deferredIndexes to be built at its commit: at
// least a third. Building an index reads the whole table, so it pays
// only when the part is a good share of it; a part of 10,000 users into a
// million goes entry by entry as before.
const deferShare = 3

// CheckUniqueAtCommit makes the load defer uniqueDeferred too
// (directory.UniqueAtCommit).
func (l *load) CheckUniqueAtCommit() { l.uniqueAtCommit = true }

// ExpectPerCommit records that about n new users come between two
// commits (directory.LoadSizer); without it the load never defers an
// index.
func (l *load) ExpectPerCommit(n int) { l.perCommit = n }

// deferIndexes drops the deferredIndexes inside tx when the transaction
// is expected to add at least a deferShare part of the users stored, and
// remembers their definitions for settle.
func (l *load) deferIndexes(ctx context.Context, tx *sql.Tx) error {
	if l.deferTried {
		return nil
	}
	l.deferTried = true
	if l.perCommit <= 0 {
		return nil
	}
	// max(id) reads one page; it counts the users of every realm, deleted
	// ones too, which is what an index build reads.
	var stored int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM users`).Scan(&stored); err != nil {
		return err
	}
	if int64(l.perCommit)*deferShare < stored {
		return nil
	}
	indexes := deferredIndexes
	if l.uniqueAtCommit {
		indexes = append(slices.Clip(indexes), uniqueDeferred...)
	}
	defs := make([]string, len(indexes))
	for i, ix := range indexes {
		err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ? AND tbl_name = ?`, ix.name, ix.table).Scan(&defs[i])
		if errors.Is(err, sql.ErrNoRows) || err == nil && !sameSQL(defs[i], ix.def) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	for _, ix := range indexes {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+ix.name); err != nil {
			return err
		}
	}
	l.indexDefs = defs
	return nil
}

// idSpan is the users of a realm with ids from first to last.
type idSpan struct{ realmID, first, last int64 }

// BulkLoad starts a bulk load on the write connection, which it holds
// until End: the store calls made with the context it returns join the
// load's transaction, committed by Commit. Writes with any other context
// wait for the load to end, so one goroutine must not mix them; reads
// with any other context see only what the load has committed.
func (s *Store) BulkLoad(ctx context.Context) (context.Context, directory.Load, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, pragma := range bulkPragmas {
		if _, err := conn.ExecContext(ctx, pragma); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	l := &load{conn: conn}
	return context.WithValue(ctx, loadKey{s}, l), l, nil
}

// loadOf returns the load ctx carries for s, or nil.
func (s *Store) loadOf(ctx context.Context) *load {
	l, _ := ctx.Value(loadKey{s}).(*load)
	return l
}

// begin returns the load's transaction, starting one if none is open.
func (l *load) begin(ctx context.Context) (*sql.Tx, error) {
	if l.tx == nil {
		tx, err := l.conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		l.tx = tx
	}
	return l.tx, nil
}

// Commit indexes the users waiting for it, puts the index triggers back
// and commits; the load goes on with a new transaction at the next call.
func (l *load) Commit(ctx context.Context) error {
	if l.tx == nil {
		return nil
	}
	if err := l.settle(ctx); err != nil {
		return mapError(err)
	}
	err := l.tx.Commit()
	l.tx, l.deferTried = nil, false
	return mapError(err)
}

// End rolls back what was not committed and gives the write connection
// back. It may be called more than once.
func (l *load) End() error {
	var err error
	if l.tx != nil {
		err = l.tx.Rollback()
		l.tx, l.defs, l.pending, l.indexDefs, l.deferTried = nil, nil, nil, nil, false
	}
	if l.conn != nil {
		err = firstErr(err, l.conn.Close())
		l.conn = nil
	}
	return err
}

// firstErr returns a if it is an error, else b.
func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// settle writes the index of the pending users, puts the triggers back
// and builds the deferred indexes: the transaction is then as the
// triggers and indexes would have left it.
func (l *load) settle(ctx context.Context) error {
	if err := l.indexPending(ctx); err != nil {
		return err
	}
	for _, def := range l.defs {
		if _, err := l.tx.ExecContext(ctx, def); err != nil {
			return err
		}
	}
	l.defs = nil
	for _, def := range l.indexDefs {
		if _, err := l.tx.ExecContext(ctx, def); err != nil {
			return err
		}
	}
	l.indexDefs = nil
	return nil
}

// indexPending writes the search index of the pending users.
func (l *load) indexPending(ctx context.Context) error {
	if len(l.pending) == 0 {
		return nil
	}
	if err := indexUsers(ctx, l.tx, l.pending); err != nil {
		return err
	}
	l.pending = nil
	return nil
}

// addPending records the users of realmID with ids from first to last as
// written without their index.
func (l *load) addPending(realmID, first, last int64) {
	if n := len(l.pending); n > 0 && l.pending[n-1].realmID == realmID && l.pending[n-1].last+1 == first {
		l.pending[n-1].last = last
		return
	}
	l.pending = append(l.pending, idSpan{realmID, first, last})
}

// write runs fn inside the load's transaction, in a savepoint: when fn
// fails, its writes are undone and the load goes on.
func (l *load) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := l.begin(ctx)
	if err != nil {
		return err
	}
	l.depth++
	name := fmt.Sprintf("load%d", l.depth)
	defer func() { l.depth-- }()
	if _, err := tx.ExecContext(ctx, `SAVEPOINT `+name); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		// ROLLBACK TO leaves the savepoint open; RELEASE closes it.
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO `+name); rerr != nil {
			return rerr
		}
		if _, rerr := tx.ExecContext(ctx, `RELEASE `+name); rerr != nil {
			return rerr
		}
		return mapError(err)
	}
	_, err = tx.ExecContext(ctx, `RELEASE `+name)
	return mapError(err)
}

// importUsers is ImportUsers inside a load.
func (l *load) importUsers(ctx context.Context, realmID int64, batch []directory.ImportUser) error {
	tx, err := l.begin(ctx)
	if err != nil {
		return err
	}
	hasNew, hasUpdates := false, false
	for _, op := range batch {
		if op.User.ID == 0 {
			hasNew = true
		} else {
			hasUpdates = true
		}
	}
	if hasUpdates && l.defs != nil {
		// Updates run with every index trigger in place: their triggers
		// change user_tags, whose counts only the suspended insert
		// trigger would raise, and take out of the index what the
		// pending users do not have in it yet. So index the pending
		// users and put the triggers back first; the batch's new users
		// then go the plain way (insertNewUsers).
		if err := l.settle(ctx); err != nil {
			return mapError(err)
		}
	}
	if hasNew && !hasUpdates && l.defs == nil {
		// Outside the batch's savepoint, so that a failed batch does not
		// bring the triggers back behind the load's back.
		defs, ok, err := suspendIndexTriggers(ctx, tx)
		if err != nil {
			return mapError(err)
		}
		if ok {
			l.defs = defs
			if err := l.deferIndexes(ctx, tx); err != nil {
				return mapError(err)
			}
		}
	}
	var first, last int64
	err = l.write(ctx, func(tx *sql.Tx) error {
		var err error
		first, last, err = importBatch(ctx, tx, realmID, batch, l.defs != nil)
		return err
	})
	if err == nil && first != 0 && l.defs != nil {
		l.addPending(realmID, first, last)
	}
	return err
}

// writeSettled runs fn as write does, after indexing the pending users
// and putting the triggers back: fn may write users the plain way.
func (l *load) writeSettled(ctx context.Context, fn func(*sql.Tx) error) error {
	if _, err := l.begin(ctx); err != nil {
		return err
	}
	if err := l.settle(ctx); err != nil {
		return mapError(err)
	}
	return l.write(ctx, fn)
}
