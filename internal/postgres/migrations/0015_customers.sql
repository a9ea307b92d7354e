-- The Customers API: notifications for customers, custom events with
-- their details, and which custom user fields customers see and edit.

CREATE TABLE notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id   bigint NOT NULL REFERENCES realms (id),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject    text   NOT NULL,
    body       text   NOT NULL,
    sent_at    timestamptz NOT NULL,
    opened_at  timestamptz, -- NULL while unread
    send_id    bigint         -- the notification_sends row it was copied from; NULL for one recipient
);
-- A customer's notifications, unread first, then newest: the order of the
-- profile and the API.
CREATE INDEX notifications_user ON notifications (realm_id, user_id, (opened_at IS NOT NULL), id DESC);

-- A send to many users (a tag, a realm) is recorded first and copied to
-- its recipients a chunk of users at a time, each chunk its own
-- transaction, so no write waits on a million copies. Users up to cursor
-- have their copy; users created after the send (id > last_user_id) get
-- none. done_at is set once the last chunk is copied.
CREATE TABLE notification_sends (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm_id     bigint NOT NULL REFERENCES realms (id),
    tag          text   NOT NULL DEFAULT '', -- '': every user of the realm
    subject      text   NOT NULL,
    body         text   NOT NULL,
    sent_at      timestamptz NOT NULL,
    last_user_id bigint NOT NULL,
    cursor       bigint NOT NULL DEFAULT 0,
    copied       bigint NOT NULL DEFAULT 0,
    done_at      timestamptz
);
CREATE INDEX notification_sends_pending ON notification_sends (id) WHERE done_at IS NULL;
-- A send gives each user at most one copy.
CREATE UNIQUE INDEX notifications_send_user ON notifications (send_id, user_id) WHERE send_id IS NOT NULL;

-- A custom event's tracking parameters (category, action, url, ...), as
-- JSON; '{}' for the sign-in's own events.
ALTER TABLE events ADD COLUMN info jsonb NOT NULL DEFAULT '{}';
-- Events listed by type.
CREATE INDEX events_realm_user_type ON events (realm_id, user_id, type, id);

-- Modyo's "visible to site users" and "editable by site users": which
-- custom fields the Customers API shows a customer and lets them change.
ALTER TABLE user_fields ADD COLUMN customer_visible boolean NOT NULL DEFAULT false;
ALTER TABLE user_fields ADD COLUMN customer_editable boolean NOT NULL DEFAULT false;

-- Account-level admin API tokens of the Customers API: whoever holds one
-- manages every realm. Only the SHA-256 of a token is stored.
CREATE TABLE admin_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash         text   NOT NULL UNIQUE,
    hint         text   NOT NULL,
    description  text   NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz
);
