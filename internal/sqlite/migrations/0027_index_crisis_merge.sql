-- FTS5 merges a whole level of a full-text table's merge tree at once,
-- inside whatever write fills the level to crisismerge segments (16 by
-- default), and after a bulk load that level holds the load's big
-- segment: some ordinary user write then rewrote 100 MB of index while
-- every other writer waited. With the threshold out of reach of ordinary
-- writes, serve merges in bounded steps instead (Store.MergeIndexStep),
-- each in a short transaction of its own. The setting is stored in each
-- table's _config.
INSERT INTO users_fts (users_fts, rank) VALUES ('crisismerge', 128);
INSERT INTO users_trigram (users_trigram, rank) VALUES ('crisismerge', 128);
