package directory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Bulk jobs.
//
// A bulk request (create many users, update many, ...) is stored as a Job
// holding one JobItem per user and answered at once; runners (RunJobs, on
// every node) claim queued jobs and work through their items one by one.
//
// Each item is exactly once: the item's user write and the record of its
// result (JobStep) commit in one transaction of the store
// (JobStore.CreateUserInJob, UpdateUserInJob), and a result is unique per
// job and item index, so
//
//   - a runner that dies after an item committed leaves its result behind;
//     the runner that takes the job over skips every item with a result;
//   - a runner that dies before the commit leaves nothing of the item, which
//     the next runner does from scratch;
//   - two runners on the same item (one whose lease expired while it was
//     still working) cannot both commit it: the second result violates the
//     unique key, so its whole transaction, user write included, is rolled
//     back and it gets ErrJobItemDone.
//
// Items that fail (validation, permissions, a missing user) write no user
// and record a failed result, also at most once.
//
// Jobs over other records (organizations, memberships) keep the same
// guarantee through JobStore.WriteInJob: the item runs the Service's own
// method, whose store writes all join one transaction with the item's
// result. Adding a kind of job is a JobType, an entry in jobKinds saying
// how an item runs, and the API's endpoint.

// JobType is the kind of a bulk job, spelled as on the wire (job_type).
type JobType string

// The bulk jobs of the Users API.
const (
	JobCreateUsers         JobType = "create_many_users"           // POST /users/create_many
	JobCreateOrUpdateUsers JobType = "create_or_update_many_users" // POST /users/create_or_update_many
	JobUpdateUsers         JobType = "update_many_users"           // PUT /users/update_many
	JobDeleteUsers         JobType = "destroy_many_users"          // DELETE /users/destroy_many

	JobCreateOrganizations JobType = "create_many_organizations"             // POST /organizations/create_many
	JobUpdateOrganizations JobType = "update_many_organizations"             // PUT /organizations/update_many
	JobDeleteOrganizations JobType = "destroy_many_organizations"            // DELETE /organizations/destroy_many
	JobCreateMemberships   JobType = "create_many_organization_memberships"  // POST /organization_memberships/create_many
	JobDeleteMemberships   JobType = "destroy_many_organization_memberships" // DELETE /organization_memberships/destroy_many

	JobCreateGroupMemberships JobType = "create_many_group_memberships"  // POST /group_memberships/create_many
	JobDeleteGroupMemberships JobType = "destroy_many_group_memberships" // DELETE /group_memberships/destroy_many
)

// jobKind is how the items of one JobType run.
type jobKind struct {
	// noun and verb make the "Maximum 100 users may be created per call"
	// refusal; record names one item in messages ("Creating User #53",
	// "User 7 not found").
	noun, verb, record string
	// message is the progress verb of a working job ("Creating").
	message string
	// adminOnly refuses the whole request of an agent (403), for the
	// endpoints Zendesk allows to admins only; the items of other kinds
	// are refused one by one when their record needs an admin.
	adminOnly bool
	// run does one item as its single-record endpoint would, as actor a,
	// and records step with its write (see JobStore.WriteInJob).
	run func(s *Service, ctx context.Context, a Actor, item JobItem, step *JobStep) error
}

// jobKinds lists every kind of bulk job.
var jobKinds = map[JobType]jobKind{
	JobCreateUsers:         {noun: "users", verb: "created", record: "User", message: "Creating", run: userItem(JobCreateUsers)},
	JobCreateOrUpdateUsers: {noun: "users", verb: "created or updated", record: "User", message: "Creating or updating", run: userItem(JobCreateOrUpdateUsers)},
	JobUpdateUsers:         {noun: "users", verb: "updated", record: "User", message: "Updating", run: userItem(JobUpdateUsers)},
	JobDeleteUsers:         {noun: "users", verb: "deleted", record: "User", message: "Deleting", run: userItem(JobDeleteUsers)},

	JobCreateOrganizations: {noun: "organizations", verb: "created", record: "Organization", message: "Creating",
		run: inJob(func(s *Service, ctx context.Context, a Actor, item JobItem, r *JobResult) error {
			o, err := s.CreateOrganization(ctx, a, item.Organization)
			if err == nil {
				r.UserID, r.Outcome = o.ID, JobCreated
			}
			return err
		})},
	JobUpdateOrganizations: {noun: "organizations", verb: "updated", record: "Organization", message: "Updating",
		run: inJob(func(s *Service, ctx context.Context, a Actor, item JobItem, r *JobResult) error {
			id, err := s.jobItemOrganization(ctx, a, item)
			if err != nil {
				return err
			}
			r.UserID = id
			if _, err := s.UpdateOrganization(ctx, a, id, item.Organization); err != nil {
				return err
			}
			r.Outcome = JobUpdated
			return nil
		})},
	JobDeleteOrganizations: {noun: "organizations", verb: "deleted", record: "Organization", message: "Deleting",
		run: inJob(func(s *Service, ctx context.Context, a Actor, item JobItem, r *JobResult) error {
			id, err := s.jobItemOrganization(ctx, a, item)
			if err != nil {
				return err
			}
			r.UserID = id
			if err := s.DeleteOrganization(ctx, a, id); err != nil {
				return err
			}
			r.Outcome = JobDeleted
			return nil
		})},
	JobCreateMemberships: {noun: "organization memberships", verb: "created", record: "Organization Membership", message: "Creating",
		run: inJob(func(s *Service, ctx context.Context, a Actor, item JobItem, r *JobResult) error {
			m, err := s.CreateMembership(ctx, a, item.Membership)
			if err == nil {
				r.UserID, r.Outcome = m.ID, JobCreated
			}
			return err
		})},
	JobDeleteMemberships: {noun: "organization memberships", verb: "deleted", record: "Organization Membership", message: "Deleting",
		run: inJob(func(s *Service, ctx context.Context, a Actor, item JobItem, r *JobResult) error {
			if err := s.DeleteMembership(ctx, a, 0, item.ID); err != nil {
				return err
			}
			r.Outcome = JobDeleted
			return nil
		})},
	JobCreateGroupMemberships: {noun: "group memberships", verb: "created", record: "Group Membership", message: "Creating", adminOnly: true,
		run: inJob(func(s *Service, ctx context.Context, a Actor, item JobItem, r *JobResult) error {
			m, err := s.CreateGroupMembership(ctx, a, item.GroupMembership)
			if err == nil {
				r.UserID, r.Outcome = m.ID, JobCreated
			}
			return err
		})},
	JobDeleteGroupMemberships: {noun: "group memberships", verb: "deleted", record: "Group Membership", message: "Deleting", adminOnly: true,
		run: inJob(func(s *Service, ctx context.Context, a Actor, item JobItem, r *JobResult) error {
			if err := s.DeleteGroupMembership(ctx, a, 0, item.ID); err != nil {
				return err
			}
			r.Outcome = JobDeleted
			return nil
		})},
}

// inJob runs an item's Service call inside JobStore.WriteInJob, so every
// store write the call makes commits together with the item's result, or
// not at all. do fills in the result's record and outcome.
func inJob(do func(s *Service, ctx context.Context, a Actor, item JobItem, r *JobResult) error) func(*Service, context.Context, Actor, JobItem, *JobStep) error {
	return func(s *Service, ctx context.Context, a Actor, item JobItem, step *JobStep) error {
		if item.Problem != nil {
			return item.Problem
		}
		return s.store.WriteInJob(ctx, a.RealmID, step, func(ctx context.Context) error {
			return do(s, ctx, a, item, &step.Result)
		})
	}
}

// JobStatus is the state of a job, spelled as on the wire.
type JobStatus string

// A job is queued until a runner claims it, working while a runner holds
// its lease, then completed (whatever its items' outcomes) or, when it
// could not be run at all, failed.
const (
	JobQueued    JobStatus = "queued"
	JobWorking   JobStatus = "working"
	JobCompleted JobStatus = "completed"
	JobFailed    JobStatus = "failed"
)

// JobOutcome is what happened to one item of a job, spelled as Zendesk's
// result status.
type JobOutcome string

// The outcomes of an item.
const (
	JobCreated    JobOutcome = "Created"
	JobUpdated    JobOutcome = "Updated"
	JobDeleted    JobOutcome = "Deleted"
	JobItemFailed JobOutcome = "Failed"
)

// MaxJobItems is the most items one bulk request may carry.
const MaxJobItems = 100

// JobLease is how long a runner holds a job without recording progress,
// unless RunJobsWithLease sets another lease. Every finished item extends
// the lease; a job whose lease ran out (its runner died or hangs) is
// claimed again by another runner, which resumes after the last recorded
// item.
const JobLease = time.Minute

// JobItem is one record of a bulk request. Update and delete items of
// user jobs name their user by UserID or, when it is 0, by ExternalID;
// those of other jobs name their record by ID or (organizations)
// ExternalID.
type JobItem struct {
	UserID     int64
	ExternalID string
	// Input is the user to create or the change to apply.
	Input UserInput
	// ID names the organization or (organization or group) membership of
	// an update or delete item.
	ID int64 `json:",omitempty"`
	// Organization is the organization to create or the change to apply.
	Organization OrganizationInput `json:",omitzero"`
	// Membership is the organization membership to create.
	Membership MembershipInput `json:",omitzero"`
	// GroupMembership is the group membership to create (its user, group
	// and default flag).
	GroupMembership GroupMembership `json:",omitzero"`
	// Problem, when set, is why the item could not even be read (a field of
	// the wrong type); the item then fails with it without being run.
	Problem *Error
}

// JobResult is the outcome of one item.
type JobResult struct {
	// Index is the item's position in the request, from 0.
	Index int
	// UserID is the record (user, organization or membership) created,
	// updated or deleted, or the record the item named; 0 when there is
	// none. The name is the users jobs' own, kept for the stored results.
	UserID int64
	// Outcome is Created, Updated, Deleted or Failed.
	Outcome JobOutcome
	// Email is the user's primary email after the write ("" for none).
	Email string
	// Err is why the item failed; nil unless Outcome is JobItemFailed. An
	// unexpected error is kept as KindInternal with its text, for
	// operators; APIs show a generic text instead.
	Err *Error
}

// Job is a bulk request and its progress.
type Job struct {
	// ID is the job's public id, "V3-" and 32 hex digits as Zendesk's.
	ID      string
	RealmID int64
	// Seq is the store's order of submission, for keyset pages.
	Seq int64
	// ActorID and ActorRole are who submitted the job: every item runs
	// with their rights.
	ActorID   int64
	ActorRole Role
	Type      JobType
	Status    JobStatus
	Total     int
	Progress  int // items with a result
	Message   string
	// Items are the request's items. Stores fill them only in ClaimJob.
	Items []JobItem
	// Results are the recorded outcomes, ordered by index.
	Results []JobResult
	// LeaseOwner and LeaseUntil identify the runner holding a working job
	// and until when.
	LeaseOwner string
	LeaseUntil time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// JobStep is one finished item of a job, recorded at most once per job and
// index: its result, the job's new message, and the runner's lease
// extension.
type JobStep struct {
	JobID  string
	Owner  string // the runner recording it; only its own lease is extended
	Result JobResult
	// Message replaces the job's message ("Creating User #3").
	Message    string
	At         time.Time // the job's updated_at
	LeaseUntil time.Time
}

// ErrJobItemDone is returned by the JobStore writes when the item already
// has a result: the write was not made.
var ErrJobItemDone = &Error{Kind: KindConflict, Message: "the job item already has a result"}

// JobStore is the part of Store that keeps bulk jobs. Every method but
// ClaimJob works within one realm; ClaimJob serves the runners of all
// realms.
type JobStore interface {
	// CreateJob stores a new queued job with its items and sets j.Seq.
	CreateJob(ctx context.Context, realmID int64, j *Job) error
	// JobByID returns a job with its results (not its items).
	JobByID(ctx context.Context, realmID int64, id string) (*Job, error)
	// JobsByIDs returns the jobs found among ids, with their results,
	// newest first; unknown ids are skipped.
	JobsByIDs(ctx context.Context, realmID int64, ids []string) ([]Job, error)
	// ListJobs returns one page of the realm's jobs, with their results,
	// ordered by Seq as p asks (Descending: newest first); p.AfterID and
	// p.BeforeID are Seqs.
	ListJobs(ctx context.Context, realmID int64, p Page) ([]Job, error)
	// ClaimJob takes, in any realm, the oldest job that is queued or
	// working with a lease that ended before now, and makes it working
	// under owner's lease until now+lease. It returns the job with its
	// items and results, or KindNotFound when none waits. Runners
	// claiming at once, on any number of nodes, never get the same job.
	ClaimJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*Job, error)
	// RecordJobStep records the result of an item that wrote nothing (a
	// failure) and counts it in the job's progress, in one transaction. It
	// returns ErrJobItemDone, changing nothing, if the item has a result.
	RecordJobStep(ctx context.Context, realmID int64, step *JobStep) error
	// CreateUserInJob is CreateUser and RecordJobStep in one transaction,
	// with step.Result.UserID set to the new user's id: either both are
	// written or neither. It returns ErrJobItemDone, creating nothing, if
	// the item has a result.
	CreateUserInJob(ctx context.Context, realmID int64, u *User, ids []Identity, step *JobStep) error
	// UpdateUserInJob is UpdateUser and RecordJobStep in one transaction,
	// as CreateUserInJob.
	UpdateUserInJob(ctx context.Context, realmID int64, u *User, change IdentityChange, step *JobStep) error
	// InTransaction opens one transaction and runs write with a context
	// that every write of this store made with it joins; it commits when
	// write returns nil and rolls everything back otherwise, so a Service
	// call made of several store writes is stored whole or not at all.
	// Reads made with the context see the database as committed.
	InTransaction(ctx context.Context, write func(ctx context.Context) error) error
	// WriteInJob opens one transaction, runs write with a context that
	// every write of this store made with it joins (instead of committing
	// on its own), then records step (as RecordJobStep) and commits: the
	// writes and the result are stored together or not at all. An error
	// from write, or ErrJobItemDone when the item already has a result,
	// rolls everything back. Reads made with the context see the database
	// as committed, without write's own changes.
	WriteInJob(ctx context.Context, realmID int64, step *JobStep, write func(ctx context.Context) error) error
	// FinishJob sets the final status and message of a working job held by
	// owner and ends its lease. It does nothing if another runner has
	// taken the job over.
	FinishJob(ctx context.Context, realmID int64, id, owner string, status JobStatus, message string, at time.Time) error
}

// randomJobID returns an id shaped like Zendesk's: "V3-" and 32 hex digits.
func randomJobID() string { return "V3-" + randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}

// SubmitJob stores a bulk job of typ over items, queued for a runner, and
// returns it; no item is looked at yet, so an item's problems become its
// failed result. Agents and admins may submit (admins only for the kinds
// Zendesk allows to admins only); each item then runs with the submitter's
// rights. At most MaxJobItems items are allowed.
func (s *Service) SubmitJob(ctx context.Context, a Actor, typ JobType, items []JobItem) (*Job, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	kind, ok := jobKinds[typ]
	if !ok {
		return nil, fmt.Errorf("directory: unknown job type %q", typ)
	}
	if kind.adminOnly {
		if err := requireAdmin(a); err != nil {
			return nil, err
		}
	}
	if len(items) == 0 {
		return nil, Errorf(KindBadRequest, "Send at least one %s", strings.ToLower(kind.record))
	}
	if len(items) > MaxJobItems {
		return nil, Errorf(KindTooMany, "Maximum %d %s may be %s per call", MaxJobItems, kind.noun, kind.verb)
	}
	now := s.Now()
	j := &Job{
		ID: s.newJobID(), RealmID: a.RealmID, ActorID: a.UserID, ActorRole: a.Role,
		Type: typ, Status: JobQueued, Total: len(items), Items: items,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.CreateJob(ctx, a.RealmID, j); err != nil {
		return nil, err
	}
	return j, nil
}

// Job returns the job id of the actor's realm, with its results.
func (s *Service) Job(ctx context.Context, a Actor, id string) (*Job, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	return s.store.JobByID(ctx, a.RealmID, id)
}

// JobsByIDs returns the jobs among ids, newest first; unknown ids are
// skipped. At most 100 ids are allowed.
func (s *Service) JobsByIDs(ctx context.Context, a Actor, ids []string) ([]Job, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if len(ids) > 100 {
		return nil, Errorf(KindTooMany, "Maximum 100 job statuses may be requested per call")
	}
	return s.store.JobsByIDs(ctx, a.RealmID, ids)
}

// Jobs returns one page of the realm's jobs, ordered by submission.
func (s *Service) Jobs(ctx context.Context, a Actor, p Page) ([]Job, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	return s.store.ListJobs(ctx, a.RealmID, p)
}

// RunJobs runs bulk jobs until ctx ends: workers goroutines each claim a
// job, run it, and look for the next one, waiting poll between looks when
// none waits. A job left by a runner that stopped (ctx ended, or its
// process died) is resumed by any runner once its lease ends. Errors that
// are not an item's own are logged to log (nil: discarded) and the job is
// retried after its lease. RunJobs returns when every worker has stopped.
// Jobs are held under a JobLease.
func (s *Service) RunJobs(ctx context.Context, workers int, poll time.Duration, log *slog.Logger) {
	s.RunJobsWithLease(ctx, workers, poll, JobLease, log)
}

// RunJobsWithLease is RunJobs holding each job under a lease of lease (at
// least a second): a job whose runner died is resumed that long after
// its last recorded item. A lease shorter than one item takes lets another
// runner take the job over while that item is still being done; the
// item's write is then made once all the same, but work is wasted.
func (s *Service) RunJobsWithLease(ctx context.Context, workers int, poll, lease time.Duration, log *slog.Logger) {
	// The store's times are whole seconds (Service.Now).
	lease = max(lease, time.Second)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for ctx.Err() == nil {
				ran, err := s.runNextJob(ctx, lease)
				if err != nil && ctx.Err() == nil {
					log.ErrorContext(ctx, "bulk job", "err", err)
				}
				if ran && err == nil {
					continue
				}
				select {
				case <-ctx.Done():
				case <-time.After(poll):
				}
			}
		})
	}
	wg.Wait()
}

// RunPendingJobs runs jobs until none waits (queued, or working with an
// expired lease) and reports how many it ran. It stops at the first error
// that is not an item's own, leaving that job to be resumed after its
// lease. Tests and one-shot commands use it; servers run RunJobs.
func (s *Service) RunPendingJobs(ctx context.Context) (int, error) {
	n := 0
	for {
		ran, err := s.runNextJob(ctx, JobLease)
		if ran {
			n++
		}
		if err != nil || !ran {
			return n, err
		}
	}
}

// runNextJob claims one job and runs it under lease; ran is false when
// none waited.
func (s *Service) runNextJob(ctx context.Context, lease time.Duration) (ran bool, err error) {
	owner := randomHex(16)
	j, err := s.store.ClaimJob(ctx, owner, s.Now(), lease)
	if KindOf(err) == KindNotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("directory: claim job: %w", err)
	}
	return true, s.runJob(ctx, j, owner, lease)
}

// runJob works through the items of a claimed job that have no result
// yet, in order, then completes it; every item extends owner's lease by
// lease.
func (s *Service) runJob(ctx context.Context, j *Job, owner string, lease time.Duration) error {
	if len(j.Items) != j.Total {
		now := s.Now()
		return s.store.FinishJob(ctx, j.RealmID, j.ID, owner, JobFailed,
			fmt.Sprintf("Failed at %s: the job's items could not be read", now.Format(jobTimeLayout)), now)
	}
	done := make(map[int]bool, len(j.Results))
	for _, r := range j.Results {
		done[r.Index] = true
	}
	a := Actor{RealmID: j.RealmID, UserID: j.ActorID, Role: j.ActorRole}
	for i, item := range j.Items {
		if done[i] {
			continue
		}
		// Stopping between items leaves the job working under a lease that
		// runs out; whoever claims it next starts at this item.
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.runJobItem(ctx, j, owner, lease, a, i, item); err != nil {
			return fmt.Errorf("directory: job %s item %d: %w", j.ID, i, err)
		}
	}
	now := s.Now()
	return s.store.FinishJob(ctx, j.RealmID, j.ID, owner, JobCompleted, "Completed at "+now.Format(jobTimeLayout), now)
}

// jobTimeLayout is how Zendesk writes times in job messages
// ("Completed at 2023-09-18 23:26:10 +0000").
const jobTimeLayout = "2006-01-02 15:04:05 -0700"

// runJobItem does item i and records its result. The error it returns is
// not the item's (those are recorded as its result) but one that stops the
// job: the context ended, or the store could not record the result.
func (s *Service) runJobItem(ctx context.Context, j *Job, owner string, lease time.Duration, a Actor, i int, item JobItem) error {
	var err error
	var step *JobStep
	kind, ok := jobKinds[j.Type]
	if !ok {
		return fmt.Errorf("directory: unknown job type %q", j.Type)
	}
	// A write that collided with a concurrent one (KindConflict on
	// PostgreSQL) was rolled back whole, so it is tried again.
	for attempt := 1; ; attempt++ {
		now := s.Now()
		step = &JobStep{
			JobID: j.ID, Owner: owner, Result: JobResult{Index: i, UserID: max(item.UserID, item.ID)},
			Message: fmt.Sprintf("%s %s #%d", kind.message, kind.record, i+1),
			At:      now, LeaseUntil: now.Add(lease),
		}
		err = kind.run(s, ctx, a, item, step)
		if KindOf(err) != KindConflict || errors.Is(err, ErrJobItemDone) || attempt == 3 {
			break
		}
	}
	switch {
	case err == nil || errors.Is(err, ErrJobItemDone):
		return nil // recorded with the write, now or by an earlier runner
	case ctx.Err() != nil:
		return ctx.Err() // the write was cut short and rolled back: not the item's fault
	}
	step.Result = JobResult{Index: i, UserID: step.Result.UserID, Outcome: JobItemFailed, Err: jobItemError(err, kind.record, step.Result.UserID, item)}
	if err := s.store.RecordJobStep(ctx, j.RealmID, step); err != nil && !errors.Is(err, ErrJobItemDone) {
		return err
	}
	return nil
}

// userItem runs one item of a users job of type typ through the Service's own
// methods, with the job's actor, so an item obeys exactly the rules of the
// single-user endpoints. The one user write those methods make goes
// through jobItemStore, which turns it into a write that also records
// step.
func userItem(typ JobType) func(*Service, context.Context, Actor, JobItem, *JobStep) error {
	return func(s *Service, ctx context.Context, a Actor, item JobItem, step *JobStep) error {
		return s.doUserJobItem(ctx, typ, a, item, step)
	}
}

func (s *Service) doUserJobItem(ctx context.Context, typ JobType, a Actor, item JobItem, step *JobStep) error {
	if item.Problem != nil {
		return item.Problem
	}
	// A copy of the service with the same clock and id sources; only its
	// store's two user writes differ.
	svc := *s
	svc.store = &jobItemStore{Store: s.store, step: step, deleting: typ == JobDeleteUsers}
	switch typ {
	case JobCreateUsers:
		_, err := svc.CreateUser(ctx, a, item.Input)
		return err
	case JobCreateOrUpdateUsers:
		_, _, err := svc.CreateOrUpdateUser(ctx, a, item.Input)
		return err
	case JobUpdateUsers, JobDeleteUsers:
		if err := requireStaff(a); err != nil {
			return err
		}
		id, err := s.jobItemUser(ctx, a, item)
		if err != nil {
			return err
		}
		step.Result.UserID = id
		if typ == JobUpdateUsers {
			_, err = svc.UpdateUser(ctx, a, id, item.Input)
		} else {
			_, err = svc.DeleteUser(ctx, a, id)
		}
		return err
	}
	return fmt.Errorf("directory: unknown job type %q", typ)
}

// jobItemUser returns the id of the user an update or delete item names.
func (s *Service) jobItemUser(ctx context.Context, a Actor, item JobItem) (int64, error) {
	switch {
	case item.UserID != 0:
		return item.UserID, nil
	case trimmed(item.ExternalID) != "":
		u, err := s.store.UserByExternalID(ctx, a.RealmID, trimmed(item.ExternalID))
		if err != nil {
			return 0, err
		}
		return u.ID, nil
	}
	var v Invalid
	v.Add("id", "BlankValue", "is required: send the user's id or external_id")
	return 0, v.Err()
}

// jobItemOrganization returns the id of the organization an update or
// delete item names.
func (s *Service) jobItemOrganization(ctx context.Context, a Actor, item JobItem) (int64, error) {
	switch {
	case item.ID != 0:
		return item.ID, nil
	case trimmed(item.ExternalID) != "":
		o, err := s.store.OrganizationByExternalID(ctx, a.RealmID, trimmed(item.ExternalID))
		if err != nil {
			return 0, err
		}
		return o.ID, nil
	}
	var v Invalid
	v.Add("id", "BlankValue", "is required: send the organization's id or external_id")
	return 0, v.Err()
}

// jobItemError is the error recorded for a failed item: the domain error
// as is, a missing record named (id, when the item named one or its user
// was found as a soft-deleted one), anything else kept as an internal
// error.
func jobItemError(err error, record string, id int64, item JobItem) *Error {
	var e *Error
	switch {
	case KindOf(err) == KindNotFound && id != 0:
		return Errorf(KindNotFound, "%s %d not found", record, id)
	case KindOf(err) == KindNotFound && item.ExternalID != "":
		return Errorf(KindNotFound, "No %s has the external_id %s", strings.ToLower(record), item.ExternalID)
	case errors.As(err, &e):
		return e
	}
	return &Error{Kind: KindInternal, Message: err.Error()}
}

// jobItemStore is the store of one job item: it passes everything through
// but the user writes, which it makes together with the item's step.
// Service.CreateUser, UpdateUser and DeleteUser each write once, last,
// after every check; a second write in the same item would find the step
// recorded and fail with ErrJobItemDone rather than write twice.
type jobItemStore struct {
	Store
	step     *JobStep
	deleting bool
}

// CreateUser creates u and records the item as Created.
func (w *jobItemStore) CreateUser(ctx context.Context, realmID int64, u *User, ids []Identity) error {
	w.step.Result.Outcome, w.step.Result.Email = JobCreated, u.Email
	return w.Store.CreateUserInJob(ctx, realmID, u, ids, w.step)
}

// UpdateUser writes u and records the item as Updated, or as Deleted in a
// delete job.
func (w *jobItemStore) UpdateUser(ctx context.Context, realmID int64, u *User, change IdentityChange) error {
	w.step.Result.Outcome = JobUpdated
	if w.deleting {
		w.step.Result.Outcome = JobDeleted
	}
	w.step.Result.UserID, w.step.Result.Email = u.ID, u.Email
	return w.Store.UpdateUserInJob(ctx, realmID, u, change, w.step)
}
