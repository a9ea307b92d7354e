package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// loneWord reports whether q is a LoneTerm bare term of one word, not a
// phrase, and returns the bounds of its tokens in user_words: [lo, hi) in
// byte order, hi "" when the range is open above. Such a query is counted and paged from
// user_words (migration 0028) read index-only, where the GIN index would
// read a heap page per match. A query with more terms keeps the GIN
// bitmap AND, whose heap reads follow the intersection.
func loneWord(realmID int64, q directory.UserQuery) (lo, hi string, ok bool) {
	t, ok := directory.LoneTerm(q)
	if !ok || t.Field != directory.AnyField || t.Phrase {
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

// maxMergedWords is how many distinct words a lone bare word's prefix may
// stand for and still have its page merged from each word's own ids (see
// wordPage): each word reads at most a page of entries, so the merge
// costs up to maxMergedWords pages of index entries, where the id windows
// of searchByRanges cost the GIN bitmap of every match. A variable so
// that a test can take either path.
var maxMergedWords = 64

// wordPage returns the page p of the users matching a lone bare word whose
// tokens are [lo, hi) in user_words, and false when the prefix stands for
// more than maxMergedWords words (the caller pages it otherwise). Each
// word's rows are in user id order in the key, so the page is the first
// p.Limit distinct ids of a merge of the words' first p.Limit ids after
// the cursor: for "martin" (martin, martinez, martins...: 42,000 users at
// a million) five short index ranges instead of every match. The words
// themselves are found one key probe each (a loose index scan: a
// recursive query that asks for the next token after the last).
func (s *Store) wordPage(ctx context.Context, realmID int64, lo, hi string, p directory.SearchPage) ([]directory.User, bool, error) {
	var tp params
	realm, from := tp.add(realmID), tp.add(lo)
	below := ""
	if hi != "" {
		below = " AND w.token < " + tp.add(hi)
	}
	rows, err := s.pool.Query(ctx, `WITH RECURSIVE words(token) AS (
			(SELECT w.token FROM user_words w WHERE w.realm_id = `+realm+` AND w.token >= `+from+below+` ORDER BY w.token LIMIT 1)
			UNION ALL
			SELECT (SELECT w.token FROM user_words w WHERE w.realm_id = `+realm+` AND w.token > words.token`+below+` ORDER BY w.token LIMIT 1)
			FROM words WHERE words.token IS NOT NULL
		)
		SELECT token FROM words WHERE token IS NOT NULL LIMIT `+tp.add(maxMergedWords+1), tp...)
	if err != nil {
		return nil, false, err
	}
	tokens, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tokens) > maxMergedWords {
		return nil, false, err
	}
	if len(tokens) == 0 {
		return []directory.User{}, true, nil
	}
	var pp params
	realm = pp.add(realmID)
	limit := pp.add(p.Limit)
	query := `SELECT ` + searchColumns + ` FROM (
			SELECT DISTINCT m.user_id FROM unnest(` + pp.add(tokens) + `::text[]) AS t(token),
			LATERAL (SELECT w.user_id FROM user_words w
				WHERE w.realm_id = ` + realm + ` AND w.token = t.token COLLATE "C" AND w.user_id > ` + pp.add(p.AfterID) + `
				ORDER BY w.user_id LIMIT ` + limit + `) m
			ORDER BY m.user_id LIMIT ` + limit + `
		) ids JOIN users u ON u.id = ids.user_id AND u.realm_id = ` + realm + ` ORDER BY u.id`
	users, err := all(ctx, s.pool, scanUser, query, pp...)
	return users, err == nil, err
}
