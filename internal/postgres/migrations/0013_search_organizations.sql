-- Search by organization and group: a full-text index of organization and
-- group names, so organization:NAME and group:NAME find the matching
-- organizations or groups through an index and then their members through
-- the membership indexes; and an index of the users in no organization,
-- for organization:none.

-- search_text is directory.NameSearchText(realm, name): the folded words
-- of the name, each marked with the realm. The store writes it with every
-- organization and group write; a deleted group has none. Its tsvector is
-- generated, so every write path keeps it.
ALTER TABLE organizations ADD COLUMN search_text text NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX organizations_search ON organizations USING gin (search_tsv);

ALTER TABLE groups ADD COLUMN search_text text NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX groups_search ON groups USING gin (search_tsv);

-- The active users in no organization, in id order: organization:none
-- pages and counts from it.
CREATE INDEX users_realm_no_organization ON users (realm_id, id) WHERE organization_id = 0 AND deleted_at IS NULL;

-- Rows written before this migration get their search_text in Go, in this
-- migration's transaction (afterMigration).
