-- The values of the realms' integer, decimal and date user fields as
-- numbers, indexed by field and value, so that seats>5, seats:5 and
-- renewal_date<2027-01-01 are one range of an index: users.user_fields is
-- jsonb without one. A date is the Unix time of its midnight (UTC), as the
-- API stores dates. Like user_tags it holds active users only, and a
-- trigger keeps it in the same transaction as the user's write.
CREATE TABLE user_field_numbers (
    realm_id bigint           NOT NULL,
    key      text             NOT NULL,
    value    double precision NOT NULL,
    user_id  bigint           NOT NULL,
    PRIMARY KEY (realm_id, key, value, user_id)
);
-- A user's values, index-only: the trigger's delete, and a probe of each
-- candidate user when a search's range is broad.
CREATE INDEX user_field_numbers_user ON user_field_numbers (user_id, realm_id, key, value);

-- user_field_number_rows are the rows of one user's values: those of the
-- realm's integer, decimal and date fields that read as numbers (a date
-- as the API stores it, YYYY-MM-DDT00:00:00Z, and not in year 0000, which
-- PostgreSQL has no timestamp for). A value of another type (the API never
-- stores one) is skipped rather than made an error that would stop the
-- user's write.
CREATE FUNCTION user_field_number_rows(realm bigint, fields jsonb)
RETURNS TABLE (key text, value double precision) LANGUAGE sql STABLE AS $$
    SELECT f.key, CASE
        WHEN f.type = 'date' AND jsonb_typeof(j.value) = 'string'
             AND j.value #>> '{}' ~ '^\d{4}-\d{2}-\d{2}T00:00:00Z$' AND NOT starts_with(j.value #>> '{}', '0000')
            THEN extract(epoch FROM (j.value #>> '{}')::timestamptz)::double precision
        WHEN f.type IN ('integer', 'decimal') AND jsonb_typeof(j.value) = 'number'
            THEN (j.value #>> '{}')::double precision
    END
    FROM jsonb_each(fields) j
    JOIN user_fields f ON f.realm_id = realm AND f.key = j.key
    WHERE f.type IN ('integer', 'decimal', 'date')
$$;

CREATE FUNCTION user_field_numbers_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM user_field_numbers WHERE realm_id = OLD.realm_id AND user_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL AND NEW.user_fields <> '{}' THEN
        INSERT INTO user_field_numbers (realm_id, key, value, user_id)
        SELECT NEW.realm_id, r.key, r.value, NEW.id FROM user_field_number_rows(NEW.realm_id, NEW.user_fields) r
        WHERE r.value IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER user_field_numbers_insert AFTER INSERT ON users FOR EACH ROW
    WHEN (NEW.user_fields <> '{}') EXECUTE FUNCTION user_field_numbers_sync();
CREATE TRIGGER user_field_numbers_update AFTER UPDATE OF user_fields, deleted_at ON users FOR EACH ROW
    WHEN (OLD.user_fields IS DISTINCT FROM NEW.user_fields OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION user_field_numbers_sync();
CREATE TRIGGER user_field_numbers_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION user_field_numbers_sync();

-- The values stored before this migration.
INSERT INTO user_field_numbers (realm_id, key, value, user_id)
SELECT u.realm_id, r.key, r.value, u.id
FROM users u, user_field_number_rows(u.realm_id, u.user_fields) r
WHERE u.deleted_at IS NULL AND u.user_fields <> '{}' AND r.value IS NOT NULL
ON CONFLICT DO NOTHING;
