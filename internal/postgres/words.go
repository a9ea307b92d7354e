package postgres

import (
	"github.com/clientele/clientele/internal/directory"
)

// loneWord reports whether q is exactly one positive bare term of one
// word, not a phrase, with no suspended or verified filter, and returns
// the bounds of its tokens in user_words: [lo, hi) in byte order, hi ""
// when the range is open above. Such a query is counted and paged from
// user_words (migration 0028) read index-only, where the GIN index would
// read a heap page per match. A query with more terms keeps the GIN
// bitmap AND, whose heap reads follow the intersection.
func loneWord(realmID int64, q directory.UserQuery) (lo, hi string, ok bool) {
	if len(q.Terms) != 1 || !q.FindsUsers() || q.Suspended != nil || q.Verified != nil {
		return "", "", false
	}
	t := q.Terms[0]
	if t.Field != directory.AnyField || t.Negated || t.Phrase {
		return "", "", false
	}
	words, err := directory.TextWords(t)
	if err != nil || len(words) != 1 {
		return "", "", false
	}
	lo = directory.SearchToken(realmID, directory.AnyField, words[0])
	return lo, directory.PrefixEnd(lo), true
}

// wordRange is the SQL condition on user_words w for the tokens in
// [lo, hi), its parameters added to p.
func wordRange(p *params, realmID int64, lo, hi string) string {
	cond := "w.realm_id = " + p.add(realmID) + " AND w.token >= " + p.add(lo)
	if hi != "" {
		cond += " AND w.token < " + p.add(hi)
	}
	return cond
}

// wordCountQuery counts the distinct users of the tokens in [lo, hi) of
// realmID, from user_words's key alone (an index-only scan once vacuum
// has marked the table's pages all-visible).
func wordCountQuery(realmID int64, lo, hi string) (string, params) {
	var p params
	return `SELECT count(DISTINCT w.user_id) FROM user_words w WHERE ` + wordRange(&p, realmID, lo, hi), p
}
