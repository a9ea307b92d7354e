-- user_tags holds the tags of active users only, like the full-text index,
-- so a tag search counts from user_tags alone, without reading users.
DROP TRIGGER user_tags_insert;
DROP TRIGGER user_tags_update;
CREATE TRIGGER user_tags_insert AFTER INSERT ON users WHEN new.deleted_at IS NULL BEGIN
    INSERT OR IGNORE INTO user_tags (realm_id, tag, user_id) SELECT new.realm_id, value, new.id FROM json_each(new.tags);
END;
CREATE TRIGGER user_tags_update AFTER UPDATE OF tags, deleted_at ON users
WHEN old.tags IS NOT new.tags OR old.deleted_at IS NOT new.deleted_at BEGIN
    DELETE FROM user_tags WHERE user_id = old.id;
    INSERT OR IGNORE INTO user_tags (realm_id, tag, user_id)
    SELECT new.realm_id, value, new.id FROM json_each(new.tags) WHERE new.deleted_at IS NULL;
END;
DELETE FROM user_tags WHERE user_id IN (SELECT id FROM users WHERE deleted_at IS NOT NULL);
