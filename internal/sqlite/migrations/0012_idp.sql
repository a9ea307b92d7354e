-- External OpenID Connect identity providers per realm, who signed in
-- through them, pending logins, and the providers' tokens per session
-- (sealed with the server's secret key).

CREATE TABLE identity_providers (
    id                     INTEGER PRIMARY KEY,
    realm_id               INTEGER NOT NULL REFERENCES realms (id),
    uid                    TEXT    NOT NULL,
    name                   TEXT    NOT NULL,
    issuer                 TEXT    NOT NULL,
    client_id              TEXT    NOT NULL,
    sealed_secret          TEXT    NOT NULL DEFAULT '',
    scopes                 TEXT    NOT NULL, -- space-separated
    auth_method            TEXT    NOT NULL,
    pkce                   TEXT    NOT NULL DEFAULT '',
    claims_mapping         TEXT    NOT NULL DEFAULT '{}',
    enable_refresh         INTEGER NOT NULL DEFAULT 0,
    refresh_anticipation_s INTEGER NOT NULL DEFAULT 0,
    show_delegation        INTEGER NOT NULL DEFAULT 0,
    created_at             INTEGER NOT NULL
);
CREATE UNIQUE INDEX identity_providers_realm_uid ON identity_providers (realm_id, uid);

CREATE TABLE idp_links (
    realm_id INTEGER NOT NULL REFERENCES realms (id),
    idp_id   INTEGER NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    subject  TEXT    NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (realm_id, idp_id, subject)
);

CREATE TABLE idp_states (
    realm_id     INTEGER NOT NULL REFERENCES realms (id),
    hash         TEXT    NOT NULL,
    idp_id       INTEGER NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    nonce        TEXT    NOT NULL,
    verifier     TEXT    NOT NULL DEFAULT '',
    redirect_uri TEXT    NOT NULL DEFAULT '',
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (realm_id, hash)
);

CREATE TABLE delegated_tokens (
    id                   INTEGER PRIMARY KEY,
    realm_id             INTEGER NOT NULL REFERENCES realms (id),
    uuid                 TEXT    NOT NULL,
    session_id           INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idp_id               INTEGER NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    sealed_access_token  TEXT    NOT NULL,
    sealed_refresh_token TEXT    NOT NULL DEFAULT '',
    expires_at           INTEGER,
    updated_at           INTEGER NOT NULL
);
CREATE UNIQUE INDEX delegated_tokens_session ON delegated_tokens (realm_id, session_id);
