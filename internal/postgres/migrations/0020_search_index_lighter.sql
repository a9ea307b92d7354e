-- SQLite's full-text tables were made lighter in this migration (the
-- ascii tokenizer, no row sizes, no trigram positions); PostgreSQL's GIN
-- indexes have nothing alike, so there is nothing to change here. The file
-- keeps both engines' migration names the same.
SELECT 1;
