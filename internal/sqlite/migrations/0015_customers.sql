-- The Customers API: notifications for customers, custom events with
-- their details, and which custom user fields customers see and edit.

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    realm_id   INTEGER NOT NULL REFERENCES realms (id),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    sent_at    INTEGER NOT NULL,
    opened_at  INTEGER, -- NULL while unread
    send_id    INTEGER     -- the notification_sends row it was copied from; NULL for one recipient
);
-- A customer's notifications, unread first (opened_at IS NULL sorts
-- first), then newest: the order of the profile and the API.
CREATE INDEX notifications_user ON notifications (realm_id, user_id, opened_at IS NOT NULL, id DESC);

-- A send to many users (a tag, a realm) is recorded first and copied to
-- its recipients a chunk of users at a time, each chunk its own
-- transaction: a million copies in one transaction would hold SQLite's
-- write lock for half a minute. Users up to cursor have their copy; users
-- created after the send (id > last_user_id) get none. done_at is set once
-- the last chunk is copied.
CREATE TABLE notification_sends (
    id           INTEGER PRIMARY KEY,
    realm_id     INTEGER NOT NULL REFERENCES realms (id),
    tag          TEXT    NOT NULL DEFAULT '', -- '': every user of the realm
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    sent_at      INTEGER NOT NULL,
    last_user_id INTEGER NOT NULL,
    cursor       INTEGER NOT NULL DEFAULT 0,
    copied       INTEGER NOT NULL DEFAULT 0,
    done_at      INTEGER
);
CREATE INDEX notification_sends_pending ON notification_sends (id) WHERE done_at IS NULL;
-- A send gives each user at most one copy.
CREATE UNIQUE INDEX notifications_send_user ON notifications (send_id, user_id) WHERE send_id IS NOT NULL;

-- A custom event's tracking parameters (category, action, url, ...), as
-- JSON; '{}' for the sign-in's own events.
ALTER TABLE events ADD COLUMN info TEXT NOT NULL DEFAULT '{}';
-- Events listed by type.
CREATE INDEX events_realm_user_type ON events (realm_id, user_id, type, id);

-- Modyo's "visible to site users" and "editable by site users": which
-- custom fields the Customers API shows a customer and lets them change.
ALTER TABLE user_fields ADD COLUMN customer_visible INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_fields ADD COLUMN customer_editable INTEGER NOT NULL DEFAULT 0;

-- Account-level admin API tokens of the Customers API: whoever holds one
-- manages every realm. Only the SHA-256 of a token is stored.
CREATE TABLE admin_tokens (
    id           INTEGER PRIMARY KEY,
    hash         TEXT    NOT NULL UNIQUE,
    hint         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
