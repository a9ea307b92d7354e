-- The search index holds each word once, under its field
-- (directory.SearchText): a bare term is matched as any one of the text
-- fields' tokens, so the second copy of every word, under the bare-term
-- code a0 ("r12a0jo") and separated by field breaks, is no longer read.
-- It was about half of each user's tsvector and GIN entries.
--
-- In a stored text those copies are a run at the end, from the first
-- token of the realm's a0 code on (custom field tokens come before it,
-- and no other token starts with it): cut the text there; search_tsv
-- follows as a generated column. Names whose parts repeat the full name
-- keep both copies until the user is next written: they match the same
-- words.
UPDATE users SET search_text = substr(search_text, 1, strpos(search_text, ' r' || realm_id || 'a0') - 1)
WHERE strpos(search_text, ' r' || realm_id || 'a0') > 0;
