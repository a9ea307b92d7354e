-- Realm sign-in: settings, sessions, single-use links, failed logins, the
-- mail outbox, events, and the realm OAuth2 server's clients and codes.

CREATE TABLE signin_settings (
    realm_id           bigint PRIMARY KEY REFERENCES realms (id),
    signup_enabled     boolean     NOT NULL,
    session_lifetime_s bigint NOT NULL,
    idle_timeout_s     bigint NOT NULL,
    allowed_origins    text    NOT NULL DEFAULT '' -- space-separated
);

CREATE TABLE sessions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id       bigint NOT NULL REFERENCES realms (id),
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash           text    NOT NULL,
    method         text    NOT NULL,
    user_agent     text    NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    idle_timeout_s bigint NOT NULL,
    revoked_at     timestamptz
);
CREATE UNIQUE INDEX sessions_realm_hash ON sessions (realm_id, hash);
CREATE INDEX sessions_user ON sessions (realm_id, user_id);

CREATE TABLE signin_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id   bigint NOT NULL REFERENCES realms (id),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text    NOT NULL,
    hash       text    NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE UNIQUE INDEX signin_tokens_realm_hash ON signin_tokens (realm_id, kind, hash);

CREATE TABLE login_failures (
    realm_id  bigint NOT NULL REFERENCES realms (id),
    email_key text    NOT NULL,
    failures  bigint NOT NULL,
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (realm_id, email_key)
);

CREATE TABLE mails (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id   bigint NOT NULL REFERENCES realms (id),
    to_addr    text    NOT NULL,
    subject    text    NOT NULL,
    body       text    NOT NULL,
    created_at timestamptz NOT NULL,
    sent_at    timestamptz,
    error      text    NOT NULL DEFAULT ''
);
CREATE INDEX mails_realm ON mails (realm_id, id);

CREATE TABLE events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id   bigint NOT NULL REFERENCES realms (id),
    user_id    bigint NOT NULL DEFAULT 0, -- 0: no known user
    type       text    NOT NULL,
    method     text    NOT NULL DEFAULT '',
    user_agent text    NOT NULL DEFAULT '',
    ip         text    NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX events_realm_user ON events (realm_id, user_id, id);

CREATE TABLE oauth_clients (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id      bigint NOT NULL REFERENCES realms (id),
    uid           text    NOT NULL,
    secret_hash   text    NOT NULL DEFAULT '',
    name          text    NOT NULL DEFAULT '',
    confidential  boolean     NOT NULL,
    redirect_uris text    NOT NULL, -- space-separated
    scopes        text    NOT NULL, -- space-separated
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX oauth_clients_realm_uid ON oauth_clients (realm_id, uid);

CREATE TABLE oauth_codes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id         bigint NOT NULL REFERENCES realms (id),
    client_id        bigint NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id       bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    hash             text    NOT NULL,
    redirect_uri     text    NOT NULL,
    scopes           text    NOT NULL,
    challenge        text    NOT NULL DEFAULT '',
    challenge_method text    NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz
);
CREATE UNIQUE INDEX oauth_codes_realm_hash ON oauth_codes (realm_id, hash);

-- Access tokens issued from a session live as long as it does; those of
-- an OAuth client go with it; a code used twice takes its token along.
ALTER TABLE access_tokens ADD COLUMN session_id bigint REFERENCES sessions (id) ON DELETE CASCADE;
ALTER TABLE access_tokens ADD COLUMN client_id bigint REFERENCES oauth_clients (id) ON DELETE CASCADE;
ALTER TABLE access_tokens ADD COLUMN code_id bigint;
CREATE INDEX access_tokens_session ON access_tokens (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX access_tokens_client ON access_tokens (client_id) WHERE client_id IS NOT NULL;
