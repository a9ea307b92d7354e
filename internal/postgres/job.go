package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// jobColumns lists the jobs columns in the order scanJob reads them; items
// are read only by ClaimJob.
const jobColumns = `seq, realm_id, id, type, actor_id, actor_role, status, total, progress, message,
	lease_owner, lease_until, created_at, updated_at`

func scanJob(row pgx.CollectableRow) (directory.Job, error) {
	var j directory.Job
	var typ, role, status string
	var leaseUntil *time.Time
	err := row.Scan(&j.Seq, &j.RealmID, &j.ID, &typ, &j.ActorID, &role, &status, &j.Total, &j.Progress, &j.Message,
		&j.LeaseOwner, &leaseUntil, &j.CreatedAt, &j.UpdatedAt)
	j.Type, j.ActorRole, j.Status = directory.JobType(typ), directory.Role(role), directory.JobStatus(status)
	j.LeaseUntil, j.CreatedAt, j.UpdatedAt = fromNullTime(leaseUntil), j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	j.Results = []directory.JobResult{}
	return j, err
}

// scanClaimedJob reads jobColumns followed by items.
func scanClaimedJob(row pgx.CollectableRow) (directory.Job, error) {
	var items []byte
	j, err := scanJob(extraColumn{row, &items})
	if err != nil {
		return j, err
	}
	if err := json.Unmarshal(items, &j.Items); err != nil {
		// A job whose items cannot be read is still claimed: the runner
		// marks it failed rather than meeting it again forever.
		j.Items = nil
	}
	return j, nil
}

// extraColumn scans one more column after those its row's scanner asks
// for.
type extraColumn struct {
	pgx.CollectableRow
	dest any
}

func (r extraColumn) Scan(dest ...any) error { return r.CollectableRow.Scan(append(dest, r.dest)...) }

// CreateJob stores a queued job with its items.
func (s *Store) CreateJob(ctx context.Context, realmID int64, j *directory.Job) error {
	items, err := json.Marshal(j.Items)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO jobs (realm_id, id, type, actor_id, actor_role, status, total, progress, message,
			items, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING seq`,
			realmID, j.ID, string(j.Type), j.ActorID, string(j.ActorRole), string(j.Status), j.Total, j.Progress, j.Message,
			string(items), at(j.CreatedAt), at(j.UpdatedAt)).Scan(&j.Seq)
		if err != nil {
			return err
		}
		j.RealmID = realmID
		return nil
	})
}

// readTx runs fn in a read-only REPEATABLE READ transaction, so a job and
// its results are read from one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return mapError(pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn))
}

// JobByID returns the job with its results.
func (s *Store) JobByID(ctx context.Context, realmID int64, id string) (*directory.Job, error) {
	var j *directory.Job
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		if j, err = one(ctx, tx, scanJob, `SELECT `+jobColumns+` FROM jobs WHERE realm_id = $1 AND id = $2`, realmID, id); err != nil {
			return err
		}
		return loadJobResults(ctx, tx, realmID, []*directory.Job{j})
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// JobsByIDs returns the jobs among ids with their results, newest first.
func (s *Store) JobsByIDs(ctx context.Context, realmID int64, ids []string) ([]directory.Job, error) {
	if len(ids) == 0 {
		return []directory.Job{}, nil
	}
	return s.queryJobs(ctx, realmID, `SELECT `+jobColumns+` FROM jobs WHERE realm_id = $1 AND id = ANY ($2) ORDER BY seq DESC`, realmID, ids)
}

// ListJobs returns one page of the realm's jobs with their results, by seq.
func (s *Store) ListJobs(ctx context.Context, realmID int64, p directory.Page) ([]directory.Job, error) {
	var args params
	query, backwards := keysetPage(&args, `SELECT `+jobColumns+` FROM jobs`, "seq", "realm_id = "+args.add(realmID), p)
	jobs, err := s.queryJobs(ctx, realmID, query, args...)
	if err != nil {
		return nil, err
	}
	if backwards {
		slices.Reverse(jobs)
	}
	return jobs, nil
}

// queryJobs reads the jobs of a query and their results in one snapshot.
func (s *Store) queryJobs(ctx context.Context, realmID int64, query string, args ...any) ([]directory.Job, error) {
	var jobs []directory.Job
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		if jobs, err = all(ctx, tx, scanJob, query, args...); err != nil {
			return err
		}
		ptrs := make([]*directory.Job, len(jobs))
		for i := range jobs {
			ptrs[i] = &jobs[i]
		}
		return loadJobResults(ctx, tx, realmID, ptrs)
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// loadJobResults fills the results of jobs, all of realmID, in one query.
func loadJobResults(ctx context.Context, tx pgx.Tx, realmID int64, jobs []*directory.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	byID := make(map[string]*directory.Job, len(jobs))
	ids := make([]string, 0, len(jobs))
	for _, j := range jobs {
		byID[j.ID] = j
		ids = append(ids, j.ID)
	}
	rows, err := tx.Query(ctx, `SELECT job_id, idx, user_id, outcome, email, error FROM job_results
		WHERE realm_id = $1 AND job_id = ANY ($2) ORDER BY job_id, idx`, realmID, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var jobID, outcome string
		var r directory.JobResult
		var userID *int64
		var errJSON []byte
		if err := rows.Scan(&jobID, &r.Index, &userID, &outcome, &r.Email, &errJSON); err != nil {
			return err
		}
		if userID != nil {
			r.UserID = *userID
		}
		r.Outcome = directory.JobOutcome(outcome)
		if errJSON != nil {
			if err := json.Unmarshal(errJSON, &r.Err); err != nil {
				return fmt.Errorf("postgres: job %s result %d error: %w", jobID, r.Index, err)
			}
		}
		if j := byID[jobID]; j != nil {
			j.Results = append(j.Results, r)
		}
	}
	return rows.Err()
}

// ClaimJob makes the oldest waiting job of any realm working under owner's
// lease. FOR UPDATE SKIP LOCKED makes runners claiming at once, on any
// number of nodes, pass over a job another is claiming rather than wait
// for it and claim it a second time.
func (s *Store) ClaimJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*directory.Job, error) {
	var j *directory.Job
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		j, err = one(ctx, tx, scanClaimedJob, `UPDATE jobs SET status = 'working', lease_owner = $1, lease_until = $2, updated_at = $3
			WHERE seq = (SELECT seq FROM jobs WHERE status IN ('queued', 'working') AND (status = 'queued' OR lease_until < $3)
				ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING `+jobColumns+`, items`, owner, at(now.Add(lease)), at(now))
		if err != nil {
			return err
		}
		return loadJobResults(ctx, tx, j.RealmID, []*directory.Job{j})
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// RecordJobStep records a result that comes with no user write.
func (s *Store) RecordJobStep(ctx context.Context, realmID int64, step *directory.JobStep) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return recordJobStep(ctx, tx, realmID, step) })
}

// recordJobStep counts the step in its job and inserts its result; a
// result already there makes it fail with ErrJobItemDone, so that the
// caller's transaction, and the user write in it, is rolled back. (A
// concurrent transaction recording the same item makes this one wait for
// it on the job's row, then insert nothing.)
func recordJobStep(ctx context.Context, tx pgx.Tx, realmID int64, step *directory.JobStep) error {
	tag, err := tx.Exec(ctx, `UPDATE jobs SET progress = progress + 1, message = $1, updated_at = $2,
		lease_until = CASE WHEN lease_owner = $3 THEN $4 ELSE lease_until END
		WHERE realm_id = $5 AND id = $6`,
		step.Message, at(step.At), step.Owner, at(step.LeaseUntil), realmID, step.JobID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return directory.ErrNotFound
	}
	r := step.Result
	var errJSON []byte
	if r.Err != nil {
		if errJSON, err = json.Marshal(r.Err); err != nil {
			return err
		}
	}
	var userID *int64
	if r.UserID != 0 {
		userID = &r.UserID
	}
	tag, err = tx.Exec(ctx, `INSERT INTO job_results (realm_id, job_id, idx, user_id, outcome, email, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		realmID, step.JobID, r.Index, userID, string(r.Outcome), r.Email, jsonOrNull(errJSON))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return directory.ErrJobItemDone
	}
	return nil
}

// jsonOrNull passes JSON text to a jsonb parameter, nil as NULL.
func jsonOrNull(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// CreateUserInJob creates u as CreateUser does (user.go) and records step,
// in one transaction.
func (s *Store) CreateUserInJob(ctx context.Context, realmID int64, u *directory.User, ids []directory.Identity, step *directory.JobStep) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		counts, err := insertUser(ctx, tx, realmID, u, ids)
		if err != nil {
			return err
		}
		step.Result.UserID = u.ID
		if err := recordJobStep(ctx, tx, realmID, step); err != nil {
			return err
		}
		// The counter comes last, as in CreateUser.
		return addCounts(ctx, tx, realmID, counts...)
	})
}

// UpdateUserInJob writes u as UpdateUser does (user.go) and records step,
// in one transaction.
func (s *Store) UpdateUserInJob(ctx context.Context, realmID int64, u *directory.User, change directory.IdentityChange, step *directory.JobStep) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		moves, err := updateUser(ctx, tx, realmID, u, change)
		if err != nil {
			return err
		}
		step.Result.UserID = u.ID
		if err := recordJobStep(ctx, tx, realmID, step); err != nil {
			return err
		}
		return addCounts(ctx, tx, realmID, moves...)
	})
}

// InTransaction runs write in one transaction that the store's writes
// made with its context join.
func (s *Store) InTransaction(ctx context.Context, write func(context.Context) error) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return write(context.WithValue(ctx, txKey{s}, tx)) })
}

// WriteInJob runs write and records step in one transaction: every write
// of this store made with write's context joins it.
func (s *Store) WriteInJob(ctx context.Context, realmID int64, step *directory.JobStep, write func(context.Context) error) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := write(context.WithValue(ctx, txKey{s}, tx)); err != nil {
			return err
		}
		return recordJobStep(ctx, tx, realmID, step)
	})
}

// FinishJob sets a working job's final status if owner still holds it.
func (s *Store) FinishJob(ctx context.Context, realmID int64, id, owner string, status directory.JobStatus, message string, when time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE jobs SET status = $1, message = $2, updated_at = $3, lease_owner = '', lease_until = NULL
			WHERE realm_id = $4 AND id = $5 AND status = 'working' AND lease_owner = $6`,
			string(status), message, at(when), realmID, id, owner)
		return err
	})
}
