-- Search: a full-text index of the users' text fields (word prefixes), a
-- trigram index for wildcards inside emails, external ids and phones, a tag
-- table, and date indexes. Triggers keep them in the transaction of every
-- user write, so a user is searchable the moment the write returns.

-- search_text is directory.SearchText(user): folded words marked by field.
ALTER TABLE users ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE users_fts USING fts5(
    search_text,
    content = 'users', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);
CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER users_fts_update AFTER UPDATE OF search_text ON users
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO users_fts (users_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO users_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_fts (users_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;

CREATE VIRTUAL TABLE users_trigram USING fts5(
    email, external_id, phone,
    content = 'users', content_rowid = 'id',
    tokenize = 'trigram'
);
CREATE TRIGGER users_trigram_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_trigram (rowid, email, external_id, phone) VALUES (new.id, new.email, new.external_id, new.phone);
END;
CREATE TRIGGER users_trigram_update AFTER UPDATE OF email, external_id, phone ON users
WHEN old.email IS NOT new.email OR old.external_id IS NOT new.external_id OR old.phone IS NOT new.phone BEGIN
    INSERT INTO users_trigram (users_trigram, rowid, email, external_id, phone) VALUES ('delete', old.id, old.email, old.external_id, old.phone);
    INSERT INTO users_trigram (rowid, email, external_id, phone) VALUES (new.id, new.email, new.external_id, new.phone);
END;
CREATE TRIGGER users_trigram_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_trigram (users_trigram, rowid, email, external_id, phone) VALUES ('delete', old.id, old.email, old.external_id, old.phone);
END;

-- One row per tag of a user, from the users.tags JSON array.
CREATE TABLE user_tags (
    realm_id INTEGER NOT NULL,
    tag      TEXT    NOT NULL,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (realm_id, tag, user_id)
) WITHOUT ROWID;
CREATE INDEX user_tags_user ON user_tags (user_id);
CREATE TRIGGER user_tags_insert AFTER INSERT ON users BEGIN
    INSERT OR IGNORE INTO user_tags (realm_id, tag, user_id) SELECT new.realm_id, value, new.id FROM json_each(new.tags);
END;
CREATE TRIGGER user_tags_update AFTER UPDATE OF tags ON users
WHEN old.tags IS NOT new.tags BEGIN
    DELETE FROM user_tags WHERE user_id = old.id;
    INSERT OR IGNORE INTO user_tags (realm_id, tag, user_id) SELECT new.realm_id, value, new.id FROM json_each(new.tags);
END;
CREATE TRIGGER user_tags_delete AFTER DELETE ON users BEGIN
    DELETE FROM user_tags WHERE user_id = old.id;
END;
INSERT OR IGNORE INTO user_tags (realm_id, tag, user_id) SELECT u.realm_id, j.value, u.id FROM users u, json_each(u.tags) j;

-- Partial like the id indexes, so counting a date range reads the index
-- alone.
CREATE INDEX users_realm_created ON users (realm_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX users_realm_updated ON users (realm_id, updated_at) WHERE deleted_at IS NULL;

-- Rows written before this migration: the trigram index is rebuilt here;
-- search_text is filled by the store in Go, which then rebuilds users_fts.
INSERT INTO users_trigram (users_trigram) VALUES ('rebuild');
