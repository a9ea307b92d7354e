-- SQLite raises its full-text tables' crisis-merge threshold in this
-- migration; PostgreSQL's GIN index has no such merges. The file keeps
-- both engines' migration names the same.
SELECT 1;
