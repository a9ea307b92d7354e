-- Search: a full-text index of the users' text fields (word prefixes), a
-- trigram index for wildcards inside emails, external ids and phones, a tag
-- table, and date indexes, all written in the transaction of every user
-- write, so a user is searchable the moment the write returns.

-- search_text is directory.SearchText(user): folded words marked by field;
-- its tsvector is generated, so every write path keeps it.
ALTER TABLE users ADD COLUMN search_text text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX users_search ON users USING gin (search_tsv);

-- pg_trgm lives in public, once per database, whatever schema the tables
-- are in; the opclass is named with its schema.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE INDEX users_email_trgm ON users USING gin (lower(email) public.gin_trgm_ops);
CREATE INDEX users_external_id_trgm ON users USING gin (lower(external_id) public.gin_trgm_ops);
CREATE INDEX users_phone_trgm ON users USING gin (phone public.gin_trgm_ops);

-- One row per tag of a user, kept from users.tags by a trigger.
CREATE TABLE user_tags (
    realm_id bigint NOT NULL,
    tag      text   NOT NULL,
    user_id  bigint NOT NULL,
    PRIMARY KEY (realm_id, tag, user_id)
);
CREATE INDEX user_tags_user ON user_tags (user_id);

CREATE FUNCTION user_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM user_tags WHERE user_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO user_tags (realm_id, tag, user_id)
        SELECT DISTINCT NEW.realm_id, t, NEW.id FROM unnest(NEW.tags) AS t
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER user_tags_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION user_tags_sync();
CREATE TRIGGER user_tags_update AFTER UPDATE OF tags ON users FOR EACH ROW
    WHEN (OLD.tags IS DISTINCT FROM NEW.tags) EXECUTE FUNCTION user_tags_sync();
CREATE TRIGGER user_tags_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION user_tags_sync();
INSERT INTO user_tags (realm_id, tag, user_id)
SELECT DISTINCT u.realm_id, t, u.id FROM users u, unnest(u.tags) AS t ON CONFLICT DO NOTHING;

-- Partial like the id indexes, so counting a date range reads the index
-- alone.
CREATE INDEX users_realm_created ON users (realm_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX users_realm_updated ON users (realm_id, updated_at) WHERE deleted_at IS NULL;
