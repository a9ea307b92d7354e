-- Realms, users, identities, user counters and API credentials.
--
-- Times are timestamptz written in UTC at second precision (the store
-- truncates them), NULL where the domain has a zero time. Optional text
-- that a unique index covers (email, phone, external_id) is NULL when not
-- set, so that unset values never collide.

CREATE TABLE realms (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid        text        NOT NULL CONSTRAINT realms_uid UNIQUE,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE users (
    id                    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id              bigint      NOT NULL REFERENCES realms (id),
    uuid                  text        NOT NULL,
    name                  text        NOT NULL,
    first_name            text        NOT NULL DEFAULT '',
    last_name             text        NOT NULL DEFAULT '',
    second_last_name      text        NOT NULL DEFAULT '',
    username              text        NOT NULL DEFAULT '',
    email                 text,
    phone                 text,
    shared_phone_number   boolean     NOT NULL DEFAULT false,
    external_id           text,
    external_id_key       text, -- directory.FoldKey(external_id)
    alias                 text        NOT NULL DEFAULT '',
    signature             text        NOT NULL DEFAULT '',
    details               text        NOT NULL DEFAULT '',
    notes                 text        NOT NULL DEFAULT '',
    remote_photo_url      text        NOT NULL DEFAULT '',
    role                  text        NOT NULL,
    custom_role_id        bigint      NOT NULL DEFAULT 0,
    default_group_id      bigint      NOT NULL DEFAULT 0,
    organization_id       bigint      NOT NULL DEFAULT 0,
    ticket_restriction    text        NOT NULL DEFAULT '',
    moderator             boolean     NOT NULL DEFAULT false,
    only_private_comments boolean     NOT NULL DEFAULT false,
    time_zone             text        NOT NULL,
    iana_time_zone        text        NOT NULL,
    locale                text        NOT NULL,
    locale_id             integer     NOT NULL,
    verified              boolean     NOT NULL DEFAULT false,
    suspended             boolean     NOT NULL DEFAULT false,
    -- Tags are a text[] rather than jsonb: the type itself guarantees a
    -- list of strings, pgx reads it straight into a []string, and a GIN
    -- index on it answers the tag containment (tags @> ARRAY[...]) that
    -- search needs.
    tags                  text[]      NOT NULL DEFAULT '{}',
    -- Custom field values keyed by field key; values are of any JSON type.
    user_fields           jsonb       NOT NULL DEFAULT '{}',
    password_hash         text        NOT NULL DEFAULT '',
    last_login_at         timestamptz,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    deleted_at            timestamptz,
    erased                boolean     NOT NULL DEFAULT false
);

-- external_id is unique per realm, compared case-insensitively.
CREATE UNIQUE INDEX users_realm_external_id ON users (realm_id, external_id_key) WHERE external_id_key IS NOT NULL;
-- Keyset pages of active and of deleted users, by realm, optionally by role.
CREATE INDEX users_realm_active ON users (realm_id, id) WHERE deleted_at IS NULL;
CREATE INDEX users_realm_role_active ON users (realm_id, role, id) WHERE deleted_at IS NULL;
CREATE INDEX users_realm_deleted ON users (realm_id, id) WHERE deleted_at IS NOT NULL;

CREATE TABLE identities (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id   bigint      NOT NULL REFERENCES realms (id),
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type       text        NOT NULL,
    value      text        NOT NULL,
    verified   boolean     NOT NULL DEFAULT false,
    is_primary boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- An email or phone belongs to one user of a realm.
CREATE UNIQUE INDEX identities_realm_value ON identities (realm_id, type, lower(value));
CREATE INDEX identities_user ON identities (user_id);
-- Password logins look an email up across realms.
CREATE INDEX identities_value ON identities (lower(value));

-- Exact user counts, one row per realm, role, custom role and deletion
-- state, kept in the transaction of every user write so counting never
-- scans users.
CREATE TABLE user_counts (
    realm_id       bigint  NOT NULL REFERENCES realms (id),
    role           text    NOT NULL,
    custom_role_id bigint  NOT NULL,
    deleted        boolean NOT NULL,
    n              bigint  NOT NULL,
    PRIMARY KEY (realm_id, role, custom_role_id, deleted)
);

CREATE TABLE api_tokens (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id     bigint      NOT NULL REFERENCES realms (id),
    hash         text        NOT NULL CONSTRAINT api_tokens_hash UNIQUE,
    hint         text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz
);
CREATE INDEX api_tokens_realm ON api_tokens (realm_id, id);

CREATE TABLE access_tokens (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id   bigint      NOT NULL REFERENCES realms (id),
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       text        NOT NULL CONSTRAINT access_tokens_hash UNIQUE,
    scopes     text[]      NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    expires_at timestamptz
);
CREATE INDEX access_tokens_user ON access_tokens (realm_id, user_id);
