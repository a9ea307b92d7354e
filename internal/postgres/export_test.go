package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
)

// AutocompleteQuery exposes the autocomplete query to the plan test.
var AutocompleteQuery = autocompleteQuery

// SetPlainSearchMatches sets plainSearchMatches and maxMergedWords until
// the test ends.
func SetPlainSearchMatches(t interface{ Cleanup(func()) }, gin float64, merged int) {
	oldGIN, oldMerged := plainSearchMatches, maxMergedWords
	plainSearchMatches, maxMergedWords = gin, merged
	t.Cleanup(func() { plainSearchMatches, maxMergedWords = oldGIN, oldMerged })
}

// WordCountQuery exposes the count of a lone bare word to the plan test:
// its SQL and arguments for q in realmID, and whether q is one.
func WordCountQuery(realmID int64, q directory.UserQuery) (string, []any, bool) {
	lo, hi, ok := loneWord(realmID, q)
	query, p := wordCountQuery(realmID, lo, hi)
	return query, p, ok
}

// FoldTagCountsSQL is FoldTagCounts' statement, for a test that runs it in
// a transaction of its own, and FoldBatch its argument.
const FoldTagCountsSQL, FoldBatch = foldTagCountsSQL, foldBatch

// Setting reads a run-time parameter of one of s's sessions.
func Setting(t interface{ Context() context.Context }, s *Store, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(t.Context(), `SELECT current_setting($1)`, name).Scan(&v)
	return v, err
}
