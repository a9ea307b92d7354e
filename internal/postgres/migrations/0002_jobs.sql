-- Bulk jobs (create_many, update_many...) and the result of each of their
-- items. A result is unique per job and item index: it is written in the
-- transaction of the item's user write, so an item is done at most once
-- even when two runners, on any nodes, race on it.

CREATE TABLE jobs (
    seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- order of submission, for keyset pages
    realm_id    bigint      NOT NULL REFERENCES realms (id),
    id          text        NOT NULL, -- public id, "V3-..."
    type        text        NOT NULL,
    actor_id    bigint      NOT NULL, -- who submitted it; items run with their rights
    actor_role  text        NOT NULL,
    status      text        NOT NULL, -- queued, working, completed, failed
    total       integer     NOT NULL,
    progress    integer     NOT NULL DEFAULT 0,
    message     text        NOT NULL DEFAULT '',
    items       jsonb       NOT NULL, -- []directory.JobItem
    lease_owner text        NOT NULL DEFAULT '',
    lease_until timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT jobs_realm_id UNIQUE (realm_id, id)
);

CREATE INDEX jobs_realm_seq ON jobs (realm_id, seq);
-- Runners look only at jobs not yet finished.
CREATE INDEX jobs_pending ON jobs (seq) WHERE status IN ('queued', 'working');

CREATE TABLE job_results (
    realm_id bigint  NOT NULL,
    job_id   text    NOT NULL,
    idx      integer NOT NULL,
    user_id  bigint,            -- NULL when the item names no user
    outcome  text    NOT NULL,  -- Created, Updated, Deleted, Failed
    email    text    NOT NULL DEFAULT '',
    error    jsonb,             -- directory.Error when Failed
    PRIMARY KEY (realm_id, job_id, idx),
    FOREIGN KEY (realm_id, job_id) REFERENCES jobs (realm_id, id) ON DELETE CASCADE
);
