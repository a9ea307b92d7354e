-- PostgreSQL gets a B-tree of each active user's bare search words in this
-- migration, because its GIN index has no index-only scan and it reads a
-- heap page per match to count or page a bare word. SQLite's FTS5 index
-- counts and pages a word prefix from the index alone, so there is nothing
-- to add here. The file keeps both engines' migration names the same.
SELECT 1;
