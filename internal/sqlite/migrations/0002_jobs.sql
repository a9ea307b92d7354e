-- Bulk jobs (create_many, update_many...) and the result of each of their
-- items. A result is unique per job and item index: it is written in the
-- transaction of the item's user write, so an item is done at most once
-- even when two runners race on it.

CREATE TABLE jobs (
    seq         INTEGER PRIMARY KEY, -- order of submission, for keyset pages
    realm_id    INTEGER NOT NULL REFERENCES realms (id),
    id          TEXT    NOT NULL,    -- public id, "V3-..."
    type        TEXT    NOT NULL,
    actor_id    INTEGER NOT NULL,    -- who submitted it; items run with their rights
    actor_role  TEXT    NOT NULL,
    status      TEXT    NOT NULL,    -- queued, working, completed, failed
    total       INTEGER NOT NULL,
    progress    INTEGER NOT NULL DEFAULT 0,
    message     TEXT    NOT NULL DEFAULT '',
    items       TEXT    NOT NULL,    -- JSON of []directory.JobItem
    lease_owner TEXT    NOT NULL DEFAULT '',
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE UNIQUE INDEX jobs_realm_id ON jobs (realm_id, id);
CREATE INDEX jobs_realm_seq ON jobs (realm_id, seq);
-- Runners look only at jobs not yet finished.
CREATE INDEX jobs_pending ON jobs (seq) WHERE status IN ('queued', 'working');

CREATE TABLE job_results (
    realm_id INTEGER NOT NULL,
    job_id   TEXT    NOT NULL,
    idx      INTEGER NOT NULL,
    user_id  INTEGER,            -- NULL when the item names no user
    outcome  TEXT    NOT NULL,   -- Created, Updated, Deleted, Failed
    email    TEXT    NOT NULL DEFAULT '',
    error    TEXT,               -- JSON of directory.Error when Failed
    PRIMARY KEY (realm_id, job_id, idx),
    FOREIGN KEY (realm_id, job_id) REFERENCES jobs (realm_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
