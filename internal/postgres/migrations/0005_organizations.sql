-- Organizations and organization memberships. A user's organization_id
-- mirrors its default membership; the counts of organizations per realm
-- and of members per organization are kept in the transaction of every
-- write, so counting never scans.

CREATE TABLE organizations (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id        bigint      NOT NULL REFERENCES realms (id),
    name            text        NOT NULL,
    -- directory.FoldKey(name), compared bytewise so that autocomplete's
    -- range on it uses the index whatever the database's collation.
    name_key        text        COLLATE "C" NOT NULL,
    external_id     text,
    external_id_key text, -- directory.FoldKey(external_id)
    details         text        NOT NULL DEFAULT '',
    notes           text        NOT NULL DEFAULT '',
    group_id        bigint      NOT NULL DEFAULT 0,
    shared_tickets  boolean     NOT NULL DEFAULT false,
    shared_comments boolean     NOT NULL DEFAULT false,
    domain_names    text[]      NOT NULL DEFAULT '{}',
    tags            text[]      NOT NULL DEFAULT '{}',
    fields          jsonb       NOT NULL DEFAULT '{}',
    users_count     bigint      NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- Names are unique per realm, case-insensitively; the same index serves
-- autocomplete (a range on name_key) and lists in name order.
CREATE UNIQUE INDEX organizations_realm_name ON organizations (realm_id, name_key);
CREATE UNIQUE INDEX organizations_realm_external_id ON organizations (realm_id, external_id_key) WHERE external_id_key IS NOT NULL;
CREATE INDEX organizations_realm ON organizations (realm_id, id);

CREATE TABLE organization_counts (
    realm_id bigint PRIMARY KEY REFERENCES realms (id),
    n        bigint NOT NULL
);

CREATE TABLE organization_memberships (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id        bigint      NOT NULL REFERENCES realms (id),
    user_id         bigint      NOT NULL REFERENCES users (id),
    organization_id bigint      NOT NULL REFERENCES organizations (id),
    is_default      boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- One membership per user and organization; it also pages an
-- organization's members by user id.
CREATE UNIQUE INDEX organization_memberships_org_user ON organization_memberships (realm_id, organization_id, user_id);
CREATE INDEX organization_memberships_user ON organization_memberships (realm_id, user_id);
CREATE INDEX organization_memberships_realm ON organization_memberships (realm_id, id);

-- Users whose default organization is deleted are found without a scan.
CREATE INDEX users_realm_organization ON users (realm_id, organization_id) WHERE organization_id <> 0;
