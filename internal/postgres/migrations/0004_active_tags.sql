-- user_tags holds the tags of active users only, like the full-text index,
-- so a tag search counts from user_tags alone, without reading users.
CREATE OR REPLACE FUNCTION user_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM user_tags WHERE user_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        INSERT INTO user_tags (realm_id, tag, user_id)
        SELECT DISTINCT NEW.realm_id, t, NEW.id FROM unnest(NEW.tags) AS t
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER user_tags_update ON users;
CREATE TRIGGER user_tags_update AFTER UPDATE OF tags, deleted_at ON users FOR EACH ROW
    WHEN (OLD.tags IS DISTINCT FROM NEW.tags OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION user_tags_sync();
DELETE FROM user_tags WHERE user_id IN (SELECT id FROM users WHERE deleted_at IS NOT NULL);
