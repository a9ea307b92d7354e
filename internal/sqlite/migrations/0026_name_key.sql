-- Autocomplete is "name starts with" (Zendesk's users/autocomplete), not a
-- search for name words: users get their name's key (directory.NameKey:
-- lower case, accents removed, spaces collapsed), which the migration's
-- Go step fills for the users already here, and the active users' keys
-- are indexed in order, per realm, so a prefix is a range of the index
-- read in name order and cut at the page's size.
-- SQLite's lower() folds ASCII only; the key is computed in Go.
ALTER TABLE users ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX users_realm_name_key ON users (realm_id, name_key, id) WHERE deleted_at IS NULL;
