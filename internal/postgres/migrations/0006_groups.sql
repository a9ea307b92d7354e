-- Groups of agents and their memberships.

CREATE TABLE groups (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id    bigint      NOT NULL REFERENCES realms (id),
    name        text        NOT NULL,
    name_key    text        NOT NULL, -- directory.FoldKey(name)
    description text        NOT NULL DEFAULT '',
    is_default  boolean     NOT NULL DEFAULT false,
    is_public   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    deleted_at  timestamptz
);

-- Names are unique among a realm's active groups; a deleted group's name
-- is free again.
CREATE UNIQUE INDEX groups_realm_name ON groups (realm_id, name_key) WHERE deleted_at IS NULL;
-- At most one default group per realm.
CREATE UNIQUE INDEX groups_realm_default ON groups (realm_id) WHERE is_default;
CREATE INDEX groups_realm_active ON groups (realm_id, id) WHERE deleted_at IS NULL;

CREATE TABLE group_memberships (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id   bigint      NOT NULL REFERENCES realms (id),
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id   bigint      NOT NULL REFERENCES groups (id),
    is_default boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- A user is in a group once, and has at most one default membership.
CREATE UNIQUE INDEX group_memberships_user_group ON group_memberships (realm_id, user_id, group_id);
CREATE UNIQUE INDEX group_memberships_user_default ON group_memberships (realm_id, user_id) WHERE is_default;
-- Members of a group, in user order, for /groups/{id}/users and its keyset pages.
CREATE INDEX group_memberships_group_user ON group_memberships (realm_id, group_id, user_id);
