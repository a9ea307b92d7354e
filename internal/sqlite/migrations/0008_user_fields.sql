-- Custom user field definitions and the options of dropdowns and
-- multiselects. Users keep their values in users.user_fields, keyed by
-- field key.

CREATE TABLE user_fields (
    id                       INTEGER PRIMARY KEY,
    realm_id                 INTEGER NOT NULL REFERENCES realms (id),
    key                      TEXT    NOT NULL,
    type                     TEXT    NOT NULL,
    title                    TEXT    NOT NULL,
    raw_title                TEXT    NOT NULL,
    description              TEXT    NOT NULL DEFAULT '',
    raw_description          TEXT    NOT NULL DEFAULT '',
    position                 INTEGER NOT NULL,
    active                   INTEGER NOT NULL,
    regexp_for_validation    TEXT    NOT NULL DEFAULT '',
    tag                      TEXT    NOT NULL DEFAULT '',
    relationship_target_type TEXT    NOT NULL DEFAULT '',
    relationship_filter      TEXT, -- JSON object, NULL for none
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL
);

-- A key names one field of a realm.
CREATE UNIQUE INDEX user_fields_realm_key ON user_fields (realm_id, key);

CREATE TABLE user_field_options (
    id        INTEGER PRIMARY KEY,
    realm_id  INTEGER NOT NULL REFERENCES realms (id),
    field_id  INTEGER NOT NULL REFERENCES user_fields (id) ON DELETE CASCADE,
    name      TEXT    NOT NULL,
    raw_name  TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    position  INTEGER NOT NULL
);

CREATE INDEX user_field_options_field ON user_field_options (field_id, position);
