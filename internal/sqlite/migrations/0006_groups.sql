-- Groups of agents and their memberships.

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    realm_id    INTEGER NOT NULL REFERENCES realms (id),
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL, -- directory.FoldKey(name)
    description TEXT    NOT NULL DEFAULT '',
    is_default  INTEGER NOT NULL DEFAULT 0,
    is_public   INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);

-- Names are unique among a realm's active groups; a deleted group's name
-- is free again.
CREATE UNIQUE INDEX groups_realm_name ON groups (realm_id, name_key) WHERE deleted_at IS NULL;
-- At most one default group per realm.
CREATE UNIQUE INDEX groups_realm_default ON groups (realm_id) WHERE is_default = 1;
CREATE INDEX groups_realm_active ON groups (realm_id, id) WHERE deleted_at IS NULL;

CREATE TABLE group_memberships (
    id         INTEGER PRIMARY KEY,
    realm_id   INTEGER NOT NULL REFERENCES realms (id),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id   INTEGER NOT NULL REFERENCES groups (id),
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A user is in a group once, and has at most one default membership.
CREATE UNIQUE INDEX group_memberships_user_group ON group_memberships (realm_id, user_id, group_id);
CREATE UNIQUE INDEX group_memberships_user_default ON group_memberships (realm_id, user_id) WHERE is_default = 1;
-- Members of a group, in user order, for /groups/{id}/users and its keyset pages.
CREATE INDEX group_memberships_group_user ON group_memberships (realm_id, group_id, user_id);
