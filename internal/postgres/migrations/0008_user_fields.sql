-- Custom user field definitions and the options of dropdowns and
-- multiselects. Users keep their values in users.user_fields, keyed by
-- field key.

CREATE TABLE user_fields (
    id                       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id                 bigint      NOT NULL REFERENCES realms (id),
    key                      text        NOT NULL,
    type                     text        NOT NULL,
    title                    text        NOT NULL,
    raw_title                text        NOT NULL,
    description              text        NOT NULL DEFAULT '',
    raw_description          text        NOT NULL DEFAULT '',
    position                 integer     NOT NULL,
    active                   boolean     NOT NULL,
    regexp_for_validation    text        NOT NULL DEFAULT '',
    tag                      text        NOT NULL DEFAULT '',
    relationship_target_type text        NOT NULL DEFAULT '',
    relationship_filter      jsonb,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL
);

-- A key names one field of a realm.
CREATE UNIQUE INDEX user_fields_realm_key ON user_fields (realm_id, key);

CREATE TABLE user_field_options (
    id        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id  bigint  NOT NULL REFERENCES realms (id),
    field_id  bigint  NOT NULL REFERENCES user_fields (id) ON DELETE CASCADE,
    name      text    NOT NULL,
    raw_name  text    NOT NULL,
    value     text    NOT NULL,
    position  integer NOT NULL
);

CREATE INDEX user_field_options_field ON user_field_options (field_id, position);
