-- Exact counts of active users per tag, kept by triggers on user_tags, in
-- the transaction of every write that changes it (the user writes, their
-- triggers and the bulk index path all go through user_tags), so that a
-- tags: search counts in O(1) instead of reading every user with the tag
-- (80,000 index entries for a common tag at 1,000,000 users).
CREATE TABLE tag_counts (
    realm_id INTEGER NOT NULL,
    tag      TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (realm_id, tag)
) WITHOUT ROWID;
CREATE TRIGGER tag_counts_insert AFTER INSERT ON user_tags BEGIN
    INSERT INTO tag_counts (realm_id, tag, n) VALUES (new.realm_id, new.tag, 1)
    ON CONFLICT (realm_id, tag) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tag_counts_delete AFTER DELETE ON user_tags BEGIN
    UPDATE tag_counts SET n = n - 1 WHERE realm_id = old.realm_id AND tag = old.tag;
END;
INSERT INTO tag_counts (realm_id, tag, n) SELECT realm_id, tag, count(*) FROM user_tags GROUP BY realm_id, tag;
