package sqlite

import (
	"context"
	"database/sql"
)

// searchIndexTables are the full-text tables of the users' search index,
// whose segments MergeIndex and MergeIndexStep merge.
var searchIndexTables = []string{"users_fts", "users_trigram"}

// mergeStepPages bounds the work of one MergeIndexStep per table: FTS5's
// 'merge' writes about this many pages and stops, which took 14 to 54 ms
// at 200,000 users.
const mergeStepPages = 200

// MergeIndexStep does one bounded step of the search index's merge work,
// one write transaction per full-text table, so that a step holds the
// write lock for one table's bounded merge at a time, and reports whether
// there was work. Why: FTS5 merges its segments inside ordinary writes,
// and when one level of its merge tree fills up (crisismerge, raised to
// 128 by migration 0027), it merges the whole level at once, big segments
// included: after a bulk load that made some user write rewrite 100 MB of
// index while every other writer waited (1 to 5 s). serve calls this
// between writes, so the levels stay short and the big merges happen in
// steps other writes slip between.
func (s *Store) MergeIndexStep(ctx context.Context) (worked bool, err error) {
	for _, table := range searchIndexTables {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			// FTS5 documents the connection's total_changes() growing by 2
			// or more as the sign that a 'merge' found work.
			var before, after int64
			if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`, rank) VALUES ('merge', ?)`, mergeStepPages); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
				return err
			}
			worked = worked || after-before >= 2
			return nil
		})
		if err != nil {
			return worked, err
		}
	}
	return worked, nil
}
