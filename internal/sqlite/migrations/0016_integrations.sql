-- The install's account (Modyo's "account"): its UUID, the secret that
-- signs the Customers API's delivery tokens and their lifetime. One row,
-- made on first use by whichever node gets there first.
CREATE TABLE account (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    uuid                 TEXT    NOT NULL,
    delivery_secret      TEXT    NOT NULL,
    delivery_token_ttl_s INTEGER NOT NULL,
    created_at           INTEGER NOT NULL
);

-- A realm's Zendesk integration (JWT single sign-on into a Zendesk help
-- center): at most one per realm. The shared secret is sealed with the
-- server's secret key; secret_hint is its last four characters.
CREATE TABLE zendesk_integrations (
    realm_id      INTEGER PRIMARY KEY REFERENCES realms (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    host          TEXT    NOT NULL,
    sealed_secret TEXT    NOT NULL,
    secret_hint   TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
