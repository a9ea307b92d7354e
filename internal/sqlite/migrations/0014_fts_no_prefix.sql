-- users_fts without the 2- and 3-character prefix indexes of 0003: every
-- token starts with r<realm><field>, so no query ever reads them, and they
-- tripled the terms each user write put into the index. The triggers on
-- users name the table, so they keep working once it is made anew.
DROP TABLE users_fts;
CREATE VIRTUAL TABLE users_fts USING fts5(
    search_text,
    content = 'users', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO users_fts (users_fts) VALUES ('rebuild');
