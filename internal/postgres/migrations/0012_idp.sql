-- External OpenID Connect identity providers per realm, who signed in
-- through them, pending logins, and the providers' tokens per session
-- (sealed with the server's secret key).

CREATE TABLE identity_providers (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id               bigint NOT NULL REFERENCES realms (id),
    uid                    text    NOT NULL,
    name                   text    NOT NULL,
    issuer                 text    NOT NULL,
    client_id              text    NOT NULL,
    sealed_secret          text    NOT NULL DEFAULT '',
    scopes                 text    NOT NULL, -- space-separated
    auth_method            text    NOT NULL,
    pkce                   text    NOT NULL DEFAULT '',
    claims_mapping         text    NOT NULL DEFAULT '{}',
    enable_refresh         boolean NOT NULL DEFAULT false,
    refresh_anticipation_s bigint NOT NULL DEFAULT 0,
    show_delegation        boolean NOT NULL DEFAULT false,
    created_at             timestamptz NOT NULL
);
CREATE UNIQUE INDEX idps_realm_uid ON identity_providers (realm_id, uid);

CREATE TABLE idp_links (
    realm_id bigint NOT NULL REFERENCES realms (id),
    idp_id   bigint NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    subject  text    NOT NULL,
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (realm_id, idp_id, subject)
);

CREATE TABLE idp_states (
    realm_id     bigint NOT NULL REFERENCES realms (id),
    hash         text    NOT NULL,
    idp_id       bigint NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    nonce        text    NOT NULL,
    verifier     text    NOT NULL DEFAULT '',
    redirect_uri text    NOT NULL DEFAULT '',
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (realm_id, hash)
);

CREATE TABLE delegated_tokens (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id             bigint NOT NULL REFERENCES realms (id),
    uuid                 text    NOT NULL,
    session_id           bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id              bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idp_id               bigint NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    sealed_access_token  text    NOT NULL,
    sealed_refresh_token text    NOT NULL DEFAULT '',
    expires_at           timestamptz,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX delegated_tokens_session ON delegated_tokens (realm_id, session_id);
