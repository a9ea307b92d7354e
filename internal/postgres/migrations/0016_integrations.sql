-- The install's account (Modyo's "account"): its UUID, the secret that
-- signs the Customers API's delivery tokens and their lifetime. One row,
-- made on first use by whichever node gets there first.
CREATE TABLE account (
    id                   smallint PRIMARY KEY CHECK (id = 1),
    uuid                 text     NOT NULL,
    delivery_secret      text     NOT NULL,
    delivery_token_ttl_s bigint   NOT NULL,
    created_at           timestamptz NOT NULL
);

-- A realm's Zendesk integration (JWT single sign-on into a Zendesk help
-- center): at most one per realm. The shared secret is sealed with the
-- server's secret key; secret_hint is its last four characters.
CREATE TABLE zendesk_integrations (
    realm_id      bigint PRIMARY KEY REFERENCES realms (id) ON DELETE CASCADE,
    name          text   NOT NULL,
    host          text   NOT NULL,
    sealed_secret text   NOT NULL,
    secret_hint   text   NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
