-- The values of the realms' integer, decimal and date user fields as
-- numbers, indexed by field and value, so that seats>5, seats:5 and
-- renewal_date<2027-01-01 are one range of an index: users.user_fields is
-- JSON without one. A date is the Unix time of its midnight (UTC), as the
-- API stores dates. Like user_tags it holds active users only, and
-- triggers keep it in the same transaction as the user's write.
CREATE TABLE user_field_numbers (
    realm_id INTEGER NOT NULL,
    key      TEXT    NOT NULL,
    value    REAL    NOT NULL,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (realm_id, key, value, user_id)
) WITHOUT ROWID;
CREATE INDEX user_field_numbers_user ON user_field_numbers (user_id);

-- Each trigger writes a user's values of the realm's integer, decimal and
-- date fields that read as numbers. A value of another type (the API
-- never stores one) is skipped rather than made an error that would stop
-- the user's write.
CREATE TRIGGER user_field_numbers_insert AFTER INSERT ON users
WHEN new.deleted_at IS NULL AND new.user_fields <> '{}' BEGIN
    INSERT OR IGNORE INTO user_field_numbers (realm_id, key, value, user_id)
    SELECT new.realm_id, key, value, new.id FROM (
        SELECT f.key AS key, CASE
            WHEN f.type = 'date' AND j.type = 'text' THEN unixepoch(j.value)
            WHEN f.type IN ('integer', 'decimal') AND j.type IN ('integer', 'real') THEN j.value
        END AS value
        FROM json_each(new.user_fields) j
        JOIN user_fields f ON f.realm_id = new.realm_id AND f.key = j.key
        WHERE f.type IN ('integer', 'decimal', 'date')
    ) WHERE value IS NOT NULL;
END;
CREATE TRIGGER user_field_numbers_update AFTER UPDATE OF user_fields, deleted_at ON users
WHEN old.user_fields IS NOT new.user_fields OR old.deleted_at IS NOT new.deleted_at BEGIN
    DELETE FROM user_field_numbers WHERE user_id = old.id;
    INSERT OR IGNORE INTO user_field_numbers (realm_id, key, value, user_id)
    SELECT new.realm_id, key, value, new.id FROM (
        SELECT f.key AS key, CASE
            WHEN f.type = 'date' AND j.type = 'text' THEN unixepoch(j.value)
            WHEN f.type IN ('integer', 'decimal') AND j.type IN ('integer', 'real') THEN j.value
        END AS value
        FROM json_each(new.user_fields) j
        JOIN user_fields f ON f.realm_id = new.realm_id AND f.key = j.key
        WHERE f.type IN ('integer', 'decimal', 'date')
    ) WHERE value IS NOT NULL AND new.deleted_at IS NULL;
END;
CREATE TRIGGER user_field_numbers_delete AFTER DELETE ON users BEGIN
    DELETE FROM user_field_numbers WHERE user_id = old.id;
END;

-- The values stored before this migration.
INSERT OR IGNORE INTO user_field_numbers (realm_id, key, value, user_id)
SELECT realm_id, key, value, user_id FROM (
    SELECT u.realm_id AS realm_id, f.key AS key, u.id AS user_id, CASE
        WHEN f.type = 'date' AND j.type = 'text' THEN unixepoch(j.value)
        WHEN f.type IN ('integer', 'decimal') AND j.type IN ('integer', 'real') THEN j.value
    END AS value
    FROM users u, json_each(u.user_fields) j
    JOIN user_fields f ON f.realm_id = u.realm_id AND f.key = j.key
    WHERE u.deleted_at IS NULL AND u.user_fields <> '{}' AND f.type IN ('integer', 'decimal', 'date')
) WHERE value IS NOT NULL;
