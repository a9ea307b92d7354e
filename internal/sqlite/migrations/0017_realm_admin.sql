-- The Customers API's realm administration: deleted realms, the required
-- and unique flags of custom fields, and username lookups.

-- A deleted realm keeps its row and its data; every lookup skips it, so it
-- is 404 everywhere at once, and its uid stays taken.
ALTER TABLE realms ADD COLUMN deleted_at INTEGER;

-- Modyo's "required" and "unique" custom field flags, enforced on the
-- Customers API's writes.
ALTER TABLE user_fields ADD COLUMN required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_fields ADD COLUMN unique_values INTEGER NOT NULL DEFAULT 0;

-- Usernames are unique per realm, checked by the directory before each
-- write. Not a unique index: users written before this migration may
-- share one, and the migration must not fail on them.
CREATE INDEX users_realm_username ON users (realm_id, username) WHERE username <> '';
