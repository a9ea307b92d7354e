-- SQLite keeps per-tag counts of active users in this migration, in a
-- table its one writer updates without contention. PostgreSQL counts a
-- tag from user_tags's index alone: a counter row per tag would be locked
-- by every concurrent write of a user with that tag until its commit, and
-- writes touching several tags in different orders could deadlock. The
-- file keeps both engines' migration names the same.
SELECT 1;
