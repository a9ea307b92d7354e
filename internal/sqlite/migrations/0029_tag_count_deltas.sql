-- PostgreSQL keeps per-tag counts as insert-only deltas in this
-- migration, so that concurrent writers of one tag lock no common row.
-- SQLite has one writer and keeps tag_counts (0025). The file keeps both
-- engines' migration names the same.
SELECT 1;
