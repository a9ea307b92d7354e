-- Search by organization and group: a full-text index of organization and
-- group names, so organization:NAME and group:NAME find the matching
-- organizations or groups through an index and then their members through
-- the membership indexes; and an index of the users in no organization,
-- for organization:none.

-- search_text is directory.NameSearchText(realm, name): the folded words
-- of the name, each marked with the realm. The store writes it with every
-- organization and group write; a deleted group has none. No prefix
-- indexes: every token starts with r<realm>n0, so no query reads them
-- (as 0014 found for users_fts).
ALTER TABLE organizations ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE organizations_fts USING fts5(
    search_text,
    content = 'organizations', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER organizations_fts_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO organizations_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER organizations_fts_update AFTER UPDATE OF search_text ON organizations
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO organizations_fts (organizations_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO organizations_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER organizations_fts_delete AFTER DELETE ON organizations BEGIN
    INSERT INTO organizations_fts (organizations_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
-- The rows already there enter the index (with no words yet): the
-- triggers' 'delete' of a row the index never held would corrupt it.
INSERT INTO organizations_fts (organizations_fts) VALUES ('rebuild');

ALTER TABLE groups ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE groups_fts USING fts5(
    search_text,
    content = 'groups', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER groups_fts_insert AFTER INSERT ON groups BEGIN
    INSERT INTO groups_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER groups_fts_update AFTER UPDATE OF search_text ON groups
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO groups_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER groups_fts_delete AFTER DELETE ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
INSERT INTO groups_fts (groups_fts) VALUES ('rebuild');

-- The active users in no organization, in id order: organization:none
-- pages and counts from it. Literal predicates, so that a query naming
-- them (not bound parameters) can use it.
CREATE INDEX users_realm_no_organization ON users (realm_id, id) WHERE organization_id = 0 AND deleted_at IS NULL;

-- Rows written before this migration get their search_text from the store
-- in Go (backfillNameSearch), through the triggers.
