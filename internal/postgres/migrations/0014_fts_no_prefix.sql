-- SQLite's full-text table lost its unused prefix indexes in this
-- migration; PostgreSQL's GIN index over search_tsv has none, so there is
-- nothing to change here. The file keeps both engines' migration names the
-- same.
SELECT 1;
