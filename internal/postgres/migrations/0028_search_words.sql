-- A bare search word (a word prefix over every text field) is counted and
-- paged from a B-tree that PostgreSQL reads index-only: a GIN index has no
-- index-only scan, and PostgreSQL 15 reads one heap page per match of a
-- bitmap heap scan, even for a count (8,239 pages for the 8,424 users of
-- "maria" at 1,000,000 users).
--
-- user_words holds one row per distinct bare-term token of each active
-- user: the lexemes of users.search_tsv that start with the realm's
-- AnyField code ('r' || realm_id || 'a0', directory.SearchToken), which
-- are exactly the lexemes a bare term's tsquery ('r1a0mar':*) can match.
-- The field tokens, custom field tokens and the field break ("z0") are
-- left out. An inactive user has no search_text, so no rows. The tokens
-- compare as bytes ("C"), the order directory.PrefixEnd bounds a prefix
-- in, and a tsquery prefix matches bytes.
CREATE TABLE user_words (
    realm_id bigint NOT NULL,
    token    text COLLATE "C" NOT NULL,
    user_id  bigint NOT NULL
);

-- user_words_of returns the bare-term tokens of a user's tsvector.
CREATE FUNCTION user_words_of(realm_id bigint, tsv tsvector) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(w COLLATE "C"), '{}')
    FROM unnest(tsvector_to_array(tsv)) AS w
    WHERE starts_with(w, 'r' || realm_id || 'a0')
$$;

-- Kept by triggers on users, in the transaction of every write, whatever
-- the path (single writes, imports by COPY, seed, bulk jobs): an insert
-- adds the user's tokens, a delete removes them, and an update of
-- search_text (a rename, a soft delete, a restore) removes the tokens the
-- user lost and adds the ones it gained, leaving the others alone.
CREATE FUNCTION user_words_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_words text[] := '{}';
    new_words text[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_words := user_words_of(OLD.realm_id, OLD.search_tsv);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_words := user_words_of(NEW.realm_id, NEW.search_tsv);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM user_words
        WHERE realm_id = OLD.realm_id AND user_id = OLD.id AND token = ANY (
            CASE WHEN TG_OP = 'DELETE' OR OLD.realm_id <> NEW.realm_id THEN old_words
            ELSE ARRAY(SELECT unnest(old_words) EXCEPT SELECT unnest(new_words)) END);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO user_words (realm_id, token, user_id)
        SELECT NEW.realm_id, w, NEW.id FROM unnest(
            CASE WHEN TG_OP = 'INSERT' OR OLD.realm_id <> NEW.realm_id THEN new_words
            ELSE ARRAY(SELECT unnest(new_words) EXCEPT SELECT unnest(old_words)) END) AS w;
    END IF;
    RETURN NULL;
END $$;

-- Inserts add their rows once per statement, from the statement's new
-- rows: a seed or an import by COPY then pays one INSERT, not a PL/pgSQL
-- call per user.
CREATE FUNCTION user_words_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_words (realm_id, token, user_id)
    SELECT n.realm_id, w, n.id FROM new_users n, unnest(user_words_of(n.realm_id, n.search_tsv)) AS w;
    RETURN NULL;
END $$;
CREATE TRIGGER user_words_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_words_insert();
CREATE TRIGGER user_words_update AFTER UPDATE OF search_text, realm_id ON users FOR EACH ROW
    WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text OR OLD.realm_id <> NEW.realm_id)
    EXECUTE FUNCTION user_words_sync();
CREATE TRIGGER user_words_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION user_words_sync();

-- The users already here, before the key is built: one sort instead of
-- a B-tree insert per row.
INSERT INTO user_words (realm_id, token, user_id)
SELECT u.realm_id, w, u.id FROM users u, unnest(user_words_of(u.realm_id, u.search_tsv)) AS w;
ALTER TABLE user_words ADD PRIMARY KEY (realm_id, token, user_id);
-- The rows are new: until a vacuum marks their pages all-visible an
-- index-only scan still reads the heap. Autovacuum's insert threshold
-- (PostgreSQL 13) gets there on its own; the statistics are wanted now.
ANALYZE user_words;
