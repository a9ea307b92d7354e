package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// jobColumns lists the jobs columns in the order scanJob reads them; items
// are read only by ClaimJob.
const jobColumns = `seq, realm_id, id, type, actor_id, actor_role, status, total, progress, message,
	lease_owner, lease_until, created_at, updated_at`

func scanJob(row scanner, extra ...any) (*directory.Job, error) {
	var j directory.Job
	var typ, role, status string
	var leaseUntil, created, updated sql.NullInt64
	dest := append([]any{&j.Seq, &j.RealmID, &j.ID, &typ, &j.ActorID, &role, &status, &j.Total, &j.Progress, &j.Message,
		&j.LeaseOwner, &leaseUntil, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, mapError(err)
	}
	j.Type, j.ActorRole, j.Status = directory.JobType(typ), directory.Role(role), directory.JobStatus(status)
	j.LeaseUntil, j.CreatedAt, j.UpdatedAt = fromUnix(leaseUntil), fromUnix(created), fromUnix(updated)
	j.Results = []directory.JobResult{}
	return &j, nil
}

// CreateJob stores a queued job with its items, as JSON.
func (s *Store) CreateJob(ctx context.Context, realmID int64, j *directory.Job) error {
	items, err := json.Marshal(j.Items)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO jobs (realm_id, id, type, actor_id, actor_role, status, total, progress, message,
			items, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
			realmID, j.ID, string(j.Type), j.ActorID, string(j.ActorRole), string(j.Status), j.Total, j.Progress, j.Message,
			string(items), unix(j.CreatedAt), unix(j.UpdatedAt)).Scan(&j.Seq)
		if err != nil {
			return err
		}
		j.RealmID = realmID
		return nil
	})
}

// readTx runs fn in a read transaction, so a job and its results are read
// from one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return mapError(fn(tx))
}

// JobByID returns the job with its results.
func (s *Store) JobByID(ctx context.Context, realmID int64, id string) (*directory.Job, error) {
	var j *directory.Job
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE realm_id = ? AND id = ?`, realmID, id))
		if err != nil {
			return err
		}
		return loadJobResults(ctx, tx, realmID, []*directory.Job{j})
	})
	return j, err
}

// JobsByIDs returns the jobs among ids with their results, newest first.
func (s *Store) JobsByIDs(ctx context.Context, realmID int64, ids []string) ([]directory.Job, error) {
	if len(ids) == 0 {
		return []directory.Job{}, nil
	}
	args := []any{realmID}
	for _, id := range ids {
		args = append(args, id)
	}
	return s.queryJobs(ctx, realmID, `SELECT `+jobColumns+` FROM jobs WHERE realm_id = ? AND id IN (`+placeholders(len(ids))+`)
		ORDER BY seq DESC`, args...)
}

// ListJobs returns one page of the realm's jobs with their results, by seq.
func (s *Store) ListJobs(ctx context.Context, realmID int64, p directory.Page) ([]directory.Job, error) {
	query, args, backwards := keysetPage(`SELECT `+jobColumns+` FROM jobs`, "seq", "realm_id = ?", []any{realmID}, p)
	jobs, err := s.queryJobs(ctx, realmID, query, args...)
	if err != nil {
		return nil, err
	}
	if backwards {
		reverse(jobs)
	}
	return jobs, nil
}

// queryJobs reads the jobs of a query and their results in one snapshot.
func (s *Store) queryJobs(ctx context.Context, realmID int64, query string, args ...any) ([]directory.Job, error) {
	var out []directory.Job
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		var jobs []*directory.Job
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				rows.Close()
				return err
			}
			jobs = append(jobs, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := loadJobResults(ctx, tx, realmID, jobs); err != nil {
			return err
		}
		out = make([]directory.Job, len(jobs))
		for i, j := range jobs {
			out[i] = *j
		}
		return nil
	})
	return out, err
}

// loadJobResults fills the results of jobs, all of realmID, in one query.
func loadJobResults(ctx context.Context, tx *sql.Tx, realmID int64, jobs []*directory.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	byID := make(map[string]*directory.Job, len(jobs))
	args := []any{realmID}
	for _, j := range jobs {
		byID[j.ID] = j
		args = append(args, j.ID)
	}
	rows, err := tx.QueryContext(ctx, `SELECT job_id, idx, user_id, outcome, email, error FROM job_results
		WHERE realm_id = ? AND job_id IN (`+placeholders(len(jobs))+`) ORDER BY job_id, idx`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var jobID, outcome string
		var r directory.JobResult
		var userID sql.NullInt64
		var errJSON sql.NullString
		if err := rows.Scan(&jobID, &r.Index, &userID, &outcome, &r.Email, &errJSON); err != nil {
			return err
		}
		r.UserID, r.Outcome = userID.Int64, directory.JobOutcome(outcome)
		if errJSON.Valid {
			if err := json.Unmarshal([]byte(errJSON.String), &r.Err); err != nil {
				return fmt.Errorf("sqlite: job %s result %d error: %w", jobID, r.Index, err)
			}
		}
		if j := byID[jobID]; j != nil {
			j.Results = append(j.Results, r)
		}
	}
	return rows.Err()
}

// ClaimJob makes the oldest waiting job of any realm working under owner's
// lease. The write transaction starts IMMEDIATE, so claims (from any
// number of runners or processes on the file) happen one at a time.
func (s *Store) ClaimJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*directory.Job, error) {
	var j *directory.Job
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var items string
		var err error
		j, err = scanJob(tx.QueryRowContext(ctx, `UPDATE jobs SET status = 'working', lease_owner = ?, lease_until = ?, updated_at = ?
			WHERE seq = (SELECT seq FROM jobs WHERE status IN ('queued', 'working') AND (status = 'queued' OR lease_until < ?)
				ORDER BY seq LIMIT 1)
			RETURNING `+jobColumns+`, items`, owner, now.Add(lease).Unix(), now.Unix(), now.Unix()), &items)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(items), &j.Items); err != nil {
			// A job whose items cannot be read is still claimed: the runner
			// marks it failed rather than meeting it again forever.
			j.Items = nil
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
	return s.tx(ctx, func(tx *sql.Tx) error { return recordJobStep(ctx, tx, realmID, step) })
}

// recordJobStep counts the step in its job and inserts its result; a
// result already there makes it fail with ErrJobItemDone, so that the
// caller's transaction, and the user write in it, is rolled back.
func recordJobStep(ctx context.Context, tx *sql.Tx, realmID int64, step *directory.JobStep) error {
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET progress = progress + 1, message = ?, updated_at = ?,
		lease_until = CASE WHEN lease_owner = ? THEN ? ELSE lease_until END
		WHERE realm_id = ? AND id = ?`,
		step.Message, unix(step.At), step.Owner, unix(step.LeaseUntil), realmID, step.JobID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.ErrNotFound
	}
	var errJSON any
	if r := step.Result; r.Err != nil {
		b, err := json.Marshal(r.Err)
		if err != nil {
			return err
		}
		errJSON = string(b)
	}
	r := step.Result
	var userID any
	if r.UserID != 0 {
		userID = r.UserID
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO job_results (realm_id, job_id, idx, user_id, outcome, email, error)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		realmID, step.JobID, r.Index, userID, string(r.Outcome), r.Email, errJSON)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.ErrJobItemDone
	}
	return nil
}

// CreateUserInJob creates u as CreateUser does (user.go) and records step,
// in one transaction.
func (s *Store) CreateUserInJob(ctx context.Context, realmID int64, u *directory.User, ids []directory.Identity, step *directory.JobStep) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := insertUser(ctx, tx, realmID, u, ids); err != nil {
			return err
		}
		step.Result.UserID = u.ID
		return recordJobStep(ctx, tx, realmID, step)
	})
}

// UpdateUserInJob writes u as UpdateUser does (user.go) and records step,
// in one transaction.
func (s *Store) UpdateUserInJob(ctx context.Context, realmID int64, u *directory.User, change directory.IdentityChange, step *directory.JobStep) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := updateUser(ctx, tx, realmID, u, change); err != nil {
			return err
		}
		step.Result.UserID = u.ID
		return recordJobStep(ctx, tx, realmID, step)
	})
}

// InTransaction runs write in one transaction that the store's writes
// made with its context join.
func (s *Store) InTransaction(ctx context.Context, write func(context.Context) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return write(context.WithValue(ctx, txKey{s}, tx)) })
}

// WriteInJob runs write and records step in one transaction: every write
// of this store made with write's context joins it.
func (s *Store) WriteInJob(ctx context.Context, realmID int64, step *directory.JobStep, write func(context.Context) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := write(context.WithValue(ctx, txKey{s}, tx)); err != nil {
			return err
		}
		return recordJobStep(ctx, tx, realmID, step)
	})
}

// FinishJob sets a working job's final status if owner still holds it.
func (s *Store) FinishJob(ctx context.Context, realmID int64, id, owner string, status directory.JobStatus, message string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET status = ?, message = ?, updated_at = ?, lease_owner = '', lease_until = NULL
			WHERE realm_id = ? AND id = ? AND status = 'working' AND lease_owner = ?`,
			string(status), message, unix(at), realmID, id, owner)
		return err
	})
}
