-- Organizations and organization memberships. A user's organization_id
-- mirrors its default membership; the counts of organizations per realm
-- and of members per organization are kept in the transaction of every
-- write, so counting never scans.

CREATE TABLE organizations (
    id              INTEGER PRIMARY KEY,
    realm_id        INTEGER NOT NULL REFERENCES realms (id),
    name            TEXT    NOT NULL,
    name_key        TEXT    NOT NULL, -- directory.FoldKey(name)
    external_id     TEXT,
    external_id_key TEXT,             -- directory.FoldKey(external_id)
    details         TEXT    NOT NULL DEFAULT '',
    notes           TEXT    NOT NULL DEFAULT '',
    group_id        INTEGER NOT NULL DEFAULT 0,
    shared_tickets  INTEGER NOT NULL DEFAULT 0,
    shared_comments INTEGER NOT NULL DEFAULT 0,
    domain_names    TEXT    NOT NULL DEFAULT '[]',
    tags            TEXT    NOT NULL DEFAULT '[]',
    fields          TEXT    NOT NULL DEFAULT '{}',
    users_count     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- Names are unique per realm, case-insensitively; the same index serves
-- autocomplete (a range on name_key) and lists in name order.
CREATE UNIQUE INDEX organizations_realm_name ON organizations (realm_id, name_key);
CREATE UNIQUE INDEX organizations_realm_external_id ON organizations (realm_id, external_id_key) WHERE external_id_key IS NOT NULL;
CREATE INDEX organizations_realm ON organizations (realm_id, id);

CREATE TABLE organization_counts (
    realm_id INTEGER PRIMARY KEY REFERENCES realms (id),
    n        INTEGER NOT NULL
);

CREATE TABLE organization_memberships (
    id              INTEGER PRIMARY KEY,
    realm_id        INTEGER NOT NULL REFERENCES realms (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    is_default      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- One membership per user and organization; it also pages an
-- organization's members by user id.
CREATE UNIQUE INDEX organization_memberships_org_user ON organization_memberships (realm_id, organization_id, user_id);
CREATE INDEX organization_memberships_user ON organization_memberships (realm_id, user_id);
CREATE INDEX organization_memberships_realm ON organization_memberships (realm_id, id);

-- Users whose default organization is deleted are found without a scan.
CREATE INDEX users_realm_organization ON users (realm_id, organization_id) WHERE organization_id <> 0;
