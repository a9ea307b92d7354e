package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache: the store's queries are
// a fixed set, but searches build their SQL from the query's terms.
const maxCachedStatements = 512

// readDB is the read pool with a cache of prepared statements. SQLite
// spends a fifth of a simple request parsing SQL otherwise (measured by
// BenchmarkAPI's profile): database/sql prepares every query anew.
type readDB struct {
	*sql.DB
	// load is the context key of the store's bulk load: a read made with
	// the load's context reads through the load's connection, and so sees
	// its uncommitted writes.
	load  loadKey
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newReadDB(db *sql.DB) *readDB {
	return &readDB{DB: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement of query, preparing it once; nil
// when it cannot be prepared or the cache is full.
func (r *readDB) stmt(ctx context.Context, query string) *sql.Stmt {
	r.mu.RLock()
	st := r.stmts[query]
	r.mu.RUnlock()
	if st != nil {
		return st
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if st := r.stmts[query]; st != nil {
		return st
	}
	if len(r.stmts) >= maxCachedStatements {
		return nil
	}
	st, err := r.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // the plain query reports the error
	}
	r.stmts[query] = st
	return st
}

// QueryContext runs query through its cached prepared statement.
func (r *readDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if l, ok := ctx.Value(r.load).(*load); ok {
		if l.tx != nil {
			return l.tx.QueryContext(ctx, query, args...)
		}
		return l.conn.QueryContext(ctx, query, args...)
	}
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query through its cached prepared statement.
func (r *readDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if l, ok := ctx.Value(r.load).(*load); ok {
		if l.tx != nil {
			return l.tx.QueryRowContext(ctx, query, args...)
		}
		return l.conn.QueryRowContext(ctx, query, args...)
	}
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the cached statements and the pool.
func (r *readDB) Close() error {
	r.mu.Lock()
	for _, st := range r.stmts {
		st.Close()
	}
	r.stmts = nil
	r.mu.Unlock()
	return r.DB.Close()
}
