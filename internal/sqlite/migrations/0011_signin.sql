-- Realm sign-in: settings, sessions, single-use links, failed logins, the
-- mail outbox, events, and the realm OAuth2 server's clients and codes.

CREATE TABLE signin_settings (
    realm_id           INTEGER PRIMARY KEY REFERENCES realms (id),
    signup_enabled     INTEGER NOT NULL,
    session_lifetime_s INTEGER NOT NULL,
    idle_timeout_s     INTEGER NOT NULL,
    allowed_origins    TEXT    NOT NULL DEFAULT '' -- space-separated
);

CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    realm_id       INTEGER NOT NULL REFERENCES realms (id),
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash           TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    user_agent     TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    idle_timeout_s INTEGER NOT NULL,
    revoked_at     INTEGER
);
CREATE UNIQUE INDEX sessions_realm_hash ON sessions (realm_id, hash);
CREATE INDEX sessions_user ON sessions (realm_id, user_id);

CREATE TABLE signin_tokens (
    id         INTEGER PRIMARY KEY,
    realm_id   INTEGER NOT NULL REFERENCES realms (id),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE UNIQUE INDEX signin_tokens_realm_hash ON signin_tokens (realm_id, kind, hash);

CREATE TABLE login_failures (
    realm_id  INTEGER NOT NULL REFERENCES realms (id),
    email_key TEXT    NOT NULL,
    failures  INTEGER NOT NULL,
    last_at   INTEGER NOT NULL,
    PRIMARY KEY (realm_id, email_key)
) WITHOUT ROWID;

CREATE TABLE mails (
    id         INTEGER PRIMARY KEY,
    realm_id   INTEGER NOT NULL REFERENCES realms (id),
    to_addr    TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX mails_realm ON mails (realm_id, id);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    realm_id   INTEGER NOT NULL REFERENCES realms (id),
    user_id    INTEGER NOT NULL DEFAULT 0, -- 0: no known user
    type       TEXT    NOT NULL,
    method     TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT '',
    ip         TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX events_realm_user ON events (realm_id, user_id, id);

CREATE TABLE oauth_clients (
    id            INTEGER PRIMARY KEY,
    realm_id      INTEGER NOT NULL REFERENCES realms (id),
    uid           TEXT    NOT NULL,
    secret_hash   TEXT    NOT NULL DEFAULT '',
    name          TEXT    NOT NULL DEFAULT '',
    confidential  INTEGER NOT NULL,
    redirect_uris TEXT    NOT NULL, -- space-separated
    scopes        TEXT    NOT NULL, -- space-separated
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX oauth_clients_realm_uid ON oauth_clients (realm_id, uid);

CREATE TABLE oauth_codes (
    id               INTEGER PRIMARY KEY,
    realm_id         INTEGER NOT NULL REFERENCES realms (id),
    client_id        INTEGER NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id       INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    hash             TEXT    NOT NULL,
    redirect_uri     TEXT    NOT NULL,
    scopes           TEXT    NOT NULL,
    challenge        TEXT    NOT NULL DEFAULT '',
    challenge_method TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    used_at          INTEGER
);
CREATE UNIQUE INDEX oauth_codes_realm_hash ON oauth_codes (realm_id, hash);

-- Access tokens issued from a session live as long as it does; those of
-- an OAuth client go with it; a code used twice takes its token along.
ALTER TABLE access_tokens ADD COLUMN session_id INTEGER REFERENCES sessions (id) ON DELETE CASCADE;
ALTER TABLE access_tokens ADD COLUMN client_id INTEGER REFERENCES oauth_clients (id) ON DELETE CASCADE;
ALTER TABLE access_tokens ADD COLUMN code_id INTEGER;
CREATE INDEX access_tokens_session ON access_tokens (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX access_tokens_client ON access_tokens (client_id) WHERE client_id IS NOT NULL;
