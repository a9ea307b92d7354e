-- Realms, users, identities, user counters and API credentials.

CREATE TABLE realms (
    id         INTEGER PRIMARY KEY,
    uid        TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    realm_id              INTEGER NOT NULL REFERENCES realms (id),
    uuid                  TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    first_name            TEXT    NOT NULL DEFAULT '',
    last_name             TEXT    NOT NULL DEFAULT '',
    second_last_name      TEXT    NOT NULL DEFAULT '',
    username              TEXT    NOT NULL DEFAULT '',
    email                 TEXT,
    phone                 TEXT,
    shared_phone_number   INTEGER NOT NULL DEFAULT 0,
    external_id           TEXT,
    external_id_key       TEXT, -- directory.FoldKey(external_id)
    alias                 TEXT    NOT NULL DEFAULT '',
    signature             TEXT    NOT NULL DEFAULT '',
    details               TEXT    NOT NULL DEFAULT '',
    notes                 TEXT    NOT NULL DEFAULT '',
    remote_photo_url      TEXT    NOT NULL DEFAULT '',
    role                  TEXT    NOT NULL,
    custom_role_id        INTEGER NOT NULL DEFAULT 0,
    default_group_id      INTEGER NOT NULL DEFAULT 0,
    organization_id       INTEGER NOT NULL DEFAULT 0,
    ticket_restriction    TEXT    NOT NULL DEFAULT '',
    moderator             INTEGER NOT NULL DEFAULT 0,
    only_private_comments INTEGER NOT NULL DEFAULT 0,
    time_zone             TEXT    NOT NULL,
    iana_time_zone        TEXT    NOT NULL,
    locale                TEXT    NOT NULL,
    locale_id             INTEGER NOT NULL,
    verified              INTEGER NOT NULL DEFAULT 0,
    suspended             INTEGER NOT NULL DEFAULT 0,
    tags                  TEXT    NOT NULL DEFAULT '[]',
    user_fields           TEXT    NOT NULL DEFAULT '{}',
    password_hash         TEXT    NOT NULL DEFAULT '',
    last_login_at         INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    deleted_at            INTEGER,
    erased                INTEGER NOT NULL DEFAULT 0
);

-- external_id is unique per realm, compared case-insensitively.
CREATE UNIQUE INDEX users_realm_external_id ON users (realm_id, external_id_key) WHERE external_id_key IS NOT NULL;
-- Keyset pages of active and of deleted users, by realm, optionally by role.
CREATE INDEX users_realm_active ON users (realm_id, id) WHERE deleted_at IS NULL;
CREATE INDEX users_realm_role_active ON users (realm_id, role, id) WHERE deleted_at IS NULL;
CREATE INDEX users_realm_deleted ON users (realm_id, id) WHERE deleted_at IS NOT NULL;

CREATE TABLE identities (
    id         INTEGER PRIMARY KEY,
    realm_id   INTEGER NOT NULL REFERENCES realms (id),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    verified   INTEGER NOT NULL DEFAULT 0,
    is_primary INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
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
    realm_id       INTEGER NOT NULL REFERENCES realms (id),
    role           TEXT    NOT NULL,
    custom_role_id INTEGER NOT NULL,
    deleted        INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (realm_id, role, custom_role_id, deleted)
) WITHOUT ROWID;

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    realm_id     INTEGER NOT NULL REFERENCES realms (id),
    hash         TEXT    NOT NULL UNIQUE,
    hint         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_realm ON api_tokens (realm_id, id);

CREATE TABLE access_tokens (
    id         INTEGER PRIMARY KEY,
    realm_id   INTEGER NOT NULL REFERENCES realms (id),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT    NOT NULL UNIQUE,
    scopes     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);
CREATE INDEX access_tokens_user ON access_tokens (realm_id, user_id);
