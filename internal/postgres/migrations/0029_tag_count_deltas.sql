-- Exact counts of active users per tag without a contended row. A counter
-- row per tag (SQLite's tag_counts, 0025) would be locked by every
-- concurrent write of a user with that tag until its commit, and writes of
-- several tags in different orders could deadlock. Here every statement
-- that changes user_tags only inserts: one row per (realm, tag) it
-- changed, with the signed number of users it added or removed. A tag's
-- count is the sum of its rows, exact at any snapshot; Store.FoldTagCounts
-- folds each tag's rows into one, now and then, in one statement that
-- two nodes may run at once (see there).
CREATE TABLE tag_count_deltas (
    realm_id bigint NOT NULL,
    tag      text   NOT NULL,
    delta    bigint NOT NULL
);
CREATE INDEX tag_count_deltas_tag ON tag_count_deltas (realm_id, tag) INCLUDE (delta);

-- Statement-level, with transition tables: a statement writing many rows
-- of one tag (a bulk delete, a COPY's trigger) adds one row, not one per
-- user.
CREATE FUNCTION tag_count_deltas_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_count_deltas (realm_id, tag, delta)
    SELECT realm_id, tag, count(*) FROM new_rows GROUP BY realm_id, tag;
    RETURN NULL;
END $$;
CREATE FUNCTION tag_count_deltas_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_count_deltas (realm_id, tag, delta)
    SELECT realm_id, tag, -count(*) FROM old_rows GROUP BY realm_id, tag;
    RETURN NULL;
END $$;
-- user_tags is only inserted into and deleted from (user_tags_sync); an
-- UPDATE would still count, as the move it is.
CREATE FUNCTION tag_count_deltas_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_count_deltas (realm_id, tag, delta)
    SELECT realm_id, tag, sum(d) FROM (
        SELECT realm_id, tag, 1 AS d FROM new_rows
        UNION ALL
        SELECT realm_id, tag, -1 FROM old_rows
    ) m GROUP BY realm_id, tag HAVING sum(d) <> 0;
    RETURN NULL;
END $$;
CREATE FUNCTION tag_count_deltas_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tag_count_deltas;
    RETURN NULL;
END $$;
CREATE TRIGGER tag_count_deltas_insert AFTER INSERT ON user_tags
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tag_count_deltas_insert();
CREATE TRIGGER tag_count_deltas_delete AFTER DELETE ON user_tags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tag_count_deltas_delete();
CREATE TRIGGER tag_count_deltas_update AFTER UPDATE ON user_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tag_count_deltas_update();
CREATE TRIGGER tag_count_deltas_truncate AFTER TRUNCATE ON user_tags
    FOR EACH STATEMENT EXECUTE FUNCTION tag_count_deltas_truncate();

-- CREATE TRIGGER above locks user_tags against writes until this commits
-- (waiting for those under way), so the counts start from user_tags
-- exactly, even with an older node still writing.
INSERT INTO tag_count_deltas (realm_id, tag, delta)
SELECT realm_id, tag, count(*) FROM user_tags GROUP BY realm_id, tag;
