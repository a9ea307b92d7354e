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
-- A user's values (the index holds the primary key's columns too): the
-- triggers' deletes, and a probe of each candidate user when a search's
-- range is broad.
CREATE INDEX user_field_numbers_user ON user_field_numbers (user_id);

-- The rows user_field_numbers holds for the active users: their values
-- of the realm's integer, decimal and date fields that read as numbers (a
-- date as the API stores it, YYYY-MM-DDT00:00:00Z, and not in year 0000,
-- as PostgreSQL's store reads dates too). A value of another type (the
-- API never stores one) is left out rather than made an error that would
-- stop the user's write.
CREATE VIEW user_field_number_rows AS
SELECT realm_id, key, value, user_id FROM (
    SELECT u.realm_id AS realm_id, f.key AS key, u.id AS user_id, CASE
        WHEN f.type = 'date' AND j.type = 'text'
             AND j.value GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T00:00:00Z' AND j.value NOT GLOB '0000*'
            THEN unixepoch(j.value)
        WHEN f.type IN ('integer', 'decimal') AND j.type IN ('integer', 'real') THEN j.value
    END AS value
    FROM users u, json_each(u.user_fields) j
    JOIN user_fields f ON f.realm_id = u.realm_id AND f.key = j.key
    WHERE u.deleted_at IS NULL AND f.type IN ('integer', 'decimal', 'date')
) WHERE value IS NOT NULL;

CREATE TRIGGER user_field_numbers_insert AFTER INSERT ON users
WHEN new.deleted_at IS NULL AND new.user_fields <> '{}' BEGIN
    INSERT OR IGNORE INTO user_field_numbers (realm_id, key, value, user_id)
    SELECT realm_id, key, value, user_id FROM user_field_number_rows WHERE user_id = new.id;
END;
CREATE TRIGGER user_field_numbers_update AFTER UPDATE OF user_fields, deleted_at ON users
WHEN old.user_fields IS NOT new.user_fields OR old.deleted_at IS NOT new.deleted_at BEGIN
    DELETE FROM user_field_numbers WHERE realm_id = old.realm_id AND user_id = old.id;
    INSERT OR IGNORE INTO user_field_numbers (realm_id, key, value, user_id)
    SELECT realm_id, key, value, user_id FROM user_field_number_rows WHERE user_id = new.id;
END;
CREATE TRIGGER user_field_numbers_delete AFTER DELETE ON users BEGIN
    DELETE FROM user_field_numbers WHERE realm_id = old.realm_id AND user_id = old.id;
END;

-- The values stored before this migration.
INSERT OR IGNORE INTO user_field_numbers (realm_id, key, value, user_id)
SELECT realm_id, key, value, user_id FROM user_field_number_rows;
