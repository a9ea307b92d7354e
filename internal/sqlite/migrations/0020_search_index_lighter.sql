-- A lighter search index, cheaper to write for every user write and bulk
-- load, answering the same queries:
--
-- users_fts: no per-row sizes (columnsize=0): only ranking (bm25) reads
-- them, and no query ranks; they cost a row of users_fts_docsize per user.
--
-- users_trigram: detail=column, no positions. A wildcard search asks it
-- only for candidates (email LIKE ?, rechecked against the user's own
-- value by the query), and without positions FTS5 still finds every row
-- holding the pattern's trigrams in that column, a superset of the
-- matches; its postings shrink to a row id and a column.
--
-- The triggers on users name the tables, so they keep working once the
-- tables are made anew.
DROP TABLE users_fts;
CREATE VIRTUAL TABLE users_fts USING fts5(
    search_text,
    content = 'users', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0',
    columnsize = 0
);
INSERT INTO users_fts (users_fts) VALUES ('rebuild');

DROP TABLE users_trigram;
CREATE VIRTUAL TABLE users_trigram USING fts5(
    email, external_id, phone,
    content = 'users', content_rowid = 'id',
    tokenize = 'trigram',
    detail = 'column',
    columnsize = 0
);
INSERT INTO users_trigram (users_trigram) VALUES ('rebuild');
