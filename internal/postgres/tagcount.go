package postgres

import "context"

// foldBatch bounds the delta rows one FoldTagCounts claims, so that after
// a bulk load (a row per tag per user written) a fold is many short
// statements rather than one that holds a million row locks.
const foldBatch = 20000

// FoldTagCounts folds the rows of tag_count_deltas (migration 0029) of
// tags that have several into one row per tag, their sum, dropping a sum
// of zero, and reports whether it folded any. A tag's count is the sum of
// its rows whether or not this has run; folding keeps that sum short.
//
// It is one statement, so a reader sees the rows before it or the sum
// after it. It claims the rows it folds with FOR UPDATE SKIP LOCKED:
// another fold running at once (on another node) claims other rows, and
// a row a fold committed in the meantime is gone, so no delta is folded
// twice or lost, at READ COMMITTED, without either fold waiting on the
// other or on a writer (a writer only inserts, and its uncommitted rows
// are invisible to the fold).
func (s *Store) FoldTagCounts(ctx context.Context) (worked bool, err error) {
	var claimed, folded int64
	err = s.pool.QueryRow(ctx, foldTagCountsSQL, foldBatch).Scan(&claimed, &folded)
	return claimed > folded, err
}

// foldTagCountsSQL is FoldTagCounts' statement; $1 is foldBatch. It
// returns the rows it claimed and the sums it wrote.
const foldTagCountsSQL = `WITH claimed AS (
		SELECT ctid FROM tag_count_deltas
		WHERE (realm_id, tag) IN (SELECT realm_id, tag FROM tag_count_deltas GROUP BY realm_id, tag HAVING count(*) > 1)
		ORDER BY realm_id, tag
		LIMIT $1
		FOR UPDATE SKIP LOCKED
	), gone AS (
		DELETE FROM tag_count_deltas WHERE ctid = ANY (ARRAY(SELECT ctid FROM claimed))
		RETURNING realm_id, tag, delta
	), sums AS (
		INSERT INTO tag_count_deltas (realm_id, tag, delta)
		SELECT realm_id, tag, sum(delta) FROM gone GROUP BY realm_id, tag HAVING sum(delta) <> 0
		RETURNING 1
	)
	SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM sums)`

// tagCount is the number of active users of the realm with tag: the sum
// of its deltas.
func (s *Store) tagCount(ctx context.Context, realmID int64, tag string) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(delta), 0)::bigint FROM tag_count_deltas WHERE realm_id = $1 AND tag = $2`, realmID, tag).Scan(&n)
	return n, err
}
