-- The incremental export reads a realm's users, deleted ones included, in
-- the order of their last change. The index replaces 0003's, which held
-- active users only; searches on updated filter the deleted out.
DROP INDEX users_realm_updated;
CREATE INDEX users_realm_updated ON users (realm_id, updated_at, id);
