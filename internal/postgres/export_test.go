package postgres

// AutocompleteQuery exposes the autocomplete query to the plan test.
var AutocompleteQuery = autocompleteQuery

// SetPlainSearchMatches sets plainSearchMatches until the test ends.
func SetPlainSearchMatches(t interface{ Cleanup(func()) }, n float64) {
	old := plainSearchMatches
	plainSearchMatches = n
	t.Cleanup(func() { plainSearchMatches = old })
}

// FoldTagCountsSQL is FoldTagCounts' statement, for a test that runs it in
// a transaction of its own, and FoldBatch its argument.
const FoldTagCountsSQL, FoldBatch = foldTagCountsSQL, foldBatch
