-- The search index holds each word once, under its field
-- (directory.SearchText): a bare term is matched as any one of the text
-- fields' tokens, so the second copy of every word, under the bare-term
-- code a0 ("r12a0jo") and separated by field breaks, is no longer read.
-- It was about half of users_fts's terms, and of the work of writing it.
--
-- In a stored text those copies are a run at the end, from the first
-- token of the realm's a0 code on (custom field tokens come before it,
-- and no other token starts with it): cut the text there. The update
-- trigger would take each user out of the index and put it back; the
-- index is instead rebuilt once from the new texts, the trigger dropped
-- and put back verbatim (migration 0003) around the UPDATE. Names whose
-- parts repeat the full name keep both copies until the user is next
-- written: they match the same words. The rebuilt index is merged into
-- one segment at once ('optimize'), as after a bulk load, so that no later
-- user write pays for merging it.
DROP TRIGGER users_fts_update;
UPDATE users SET search_text = substr(search_text, 1, instr(search_text, ' r' || realm_id || 'a0') - 1)
WHERE instr(search_text, ' r' || realm_id || 'a0') > 0;
CREATE TRIGGER users_fts_update AFTER UPDATE OF search_text ON users
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO users_fts (users_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO users_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
INSERT INTO users_fts (users_fts) VALUES ('rebuild');
INSERT INTO users_fts (users_fts) VALUES ('optimize');
