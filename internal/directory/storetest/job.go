package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// RunJobs runs the contract of the JobStore methods against stores made by
// open: jobs and results stay in their realm, claims never hand one job to
// two runners, and an item's result is recorded at most once, together
// with its user write or not at all.
func RunJobs(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"CreateAndRead", testJobCreateAndRead},
		{"List", testJobList},
		{"Claim", testJobClaim},
		{"ClaimConcurrently", testJobClaimConcurrently},
		{"RecordStep", testJobRecordStep},
		{"UserWritesInJob", testJobUserWrites},
		{"WriteInJob", testJobWriteInJob},
		{"Finish", testJobFinish},
		{"RealmIsolation", testJobRealmIsolation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func strp(s string) *string { return &s }

// newJob returns a queued create job over items, submitted at epoch.
func newJob(id string, items ...directory.JobItem) *directory.Job {
	return &directory.Job{
		ID: id, ActorID: 7, ActorRole: directory.RoleAdmin, Type: directory.JobCreateUsers,
		Status: directory.JobQueued, Total: len(items), Items: items, CreatedAt: epoch, UpdatedAt: epoch,
	}
}

// nameItems returns n create items named "user 0", "user 1"...
func nameItems(n int) []directory.JobItem {
	items := make([]directory.JobItem, n)
	for i := range items {
		items[i] = directory.JobItem{Input: directory.UserInput{Name: strp(fmt.Sprint("user ", i))}}
	}
	return items
}

func createJob(t *testing.T, s directory.Store, realmID int64, j *directory.Job) *directory.Job {
	t.Helper()
	if err := s.CreateJob(context.Background(), realmID, j); err != nil {
		t.Fatalf("CreateJob(%s): %v", j.ID, err)
	}
	return j
}

func claim(t *testing.T, s directory.Store, owner string, now time.Time) *directory.Job {
	t.Helper()
	j, err := s.ClaimJob(context.Background(), owner, now, directory.JobLease)
	if err != nil {
		t.Fatalf("ClaimJob(%s): %v", owner, err)
	}
	return j
}

func jobByID(t *testing.T, s directory.Store, realmID int64, id string) *directory.Job {
	t.Helper()
	j, err := s.JobByID(context.Background(), realmID, id)
	if err != nil {
		t.Fatalf("JobByID(%s): %v", id, err)
	}
	return j
}

func jobIDs(jobs []directory.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

// step returns the step of item index of job, by owner, at now.
func step(job, owner string, index int, outcome directory.JobOutcome, now time.Time) *directory.JobStep {
	return &directory.JobStep{
		JobID: job, Owner: owner, Result: directory.JobResult{Index: index, Outcome: outcome},
		Message: fmt.Sprintf("Creating User #%d", index+1), At: now, LeaseUntil: now.Add(directory.JobLease),
	}
}

func wantJobItemDone(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, directory.ErrJobItemDone) {
		t.Fatalf("error = %v, want ErrJobItemDone", err)
	}
}

func testJobCreateAndRead(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	tags := []string{"vip"}
	items := []directory.JobItem{
		{Input: directory.UserInput{Name: strp("Ann"), Email: strp("ann@acme.test"), Tags: &tags,
			UserFields: map[string]any{"tier": "gold"},
			Identities: []directory.IdentityInput{{Type: "twitter", Value: "ann"}}}},
		{UserID: 42, Input: directory.UserInput{Notes: strp("")}},
		{ExternalID: "ext-1"},
		{Problem: &directory.Error{Kind: directory.KindInvalid, Message: "Record validation errors",
			Fields: []directory.FieldError{{Field: "name", Code: "InvalidValue", Message: "must be a string"}}}},
	}
	j := createJob(t, s, a.ID, newJob("V3-one", items...))
	if j.Seq == 0 || j.RealmID != a.ID {
		t.Errorf("CreateJob set Seq %d, RealmID %d", j.Seq, j.RealmID)
	}
	want := *j
	want.Items, want.Results = nil, []directory.JobResult{}
	if diff := cmp.Diff(&want, jobByID(t, s, a.ID, "V3-one")); diff != "" {
		t.Errorf("JobByID (-want +got):\n%s", diff)
	}
	_, err := s.JobByID(ctx, a.ID, "V3-nope")
	wantKind(t, err, directory.KindNotFound)
	_, err = s.JobByID(ctx, b.ID, "V3-one")
	wantKind(t, err, directory.KindNotFound)

	// The items come back whole when a runner claims the job.
	got := claim(t, s, "runner", epoch)
	if diff := cmp.Diff(items, got.Items); diff != "" {
		t.Errorf("claimed items (-want +got):\n%s", diff)
	}
}

func testJobList(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	for i := range 5 {
		createJob(t, s, a.ID, newJob(fmt.Sprint("V3-a", i), nameItems(1)...))
		if i < 2 {
			createJob(t, s, b.ID, newJob(fmt.Sprint("V3-b", i), nameItems(1)...))
		}
	}
	list := func(p directory.Page) []string {
		t.Helper()
		jobs, err := s.ListJobs(ctx, a.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		return jobIDs(jobs)
	}
	all, err := s.ListJobs(ctx, a.ID, directory.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	seq := func(i int) int64 { return all[i].Seq }
	for _, tc := range []struct {
		name string
		page directory.Page
		want []string
	}{
		{"oldest first", directory.Page{Limit: 10}, []string{"V3-a0", "V3-a1", "V3-a2", "V3-a3", "V3-a4"}},
		{"newest first", directory.Page{Limit: 2, Descending: true}, []string{"V3-a4", "V3-a3"}},
		{"after", directory.Page{Limit: 2, AfterID: seq(1)}, []string{"V3-a2", "V3-a3"}},
		{"after, newest first", directory.Page{Limit: 2, AfterID: seq(3), Descending: true}, []string{"V3-a2", "V3-a1"}},
		{"before", directory.Page{Limit: 2, BeforeID: seq(3)}, []string{"V3-a1", "V3-a2"}},
		{"before, newest first", directory.Page{Limit: 2, BeforeID: seq(1), Descending: true}, []string{"V3-a3", "V3-a2"}},
	} {
		if diff := cmp.Diff(tc.want, list(tc.page)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	got, err := s.JobsByIDs(ctx, a.ID, []string{"V3-a1", "V3-a3", "V3-b0", "V3-nope"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"V3-a3", "V3-a1"}, jobIDs(got)); diff != "" {
		t.Errorf("JobsByIDs (-want +got):\n%s", diff)
	}
	if got, err := s.JobsByIDs(ctx, a.ID, nil); err != nil || len(got) != 0 {
		t.Errorf("JobsByIDs(nil) = %v, %v", got, err)
	}
}

func testJobClaim(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	_, err := s.ClaimJob(ctx, "r1", epoch, directory.JobLease)
	wantKind(t, err, directory.KindNotFound)

	createJob(t, s, a.ID, newJob("V3-first", nameItems(3)...))
	createJob(t, s, b.ID, newJob("V3-second", nameItems(1)...))
	first := claim(t, s, "r1", epoch)
	if first.ID != "V3-first" || first.RealmID != a.ID || first.Status != directory.JobWorking ||
		first.LeaseOwner != "r1" || !first.LeaseUntil.Equal(epoch.Add(directory.JobLease)) || len(first.Items) != 3 {
		t.Errorf("first claim = %+v", first)
	}
	// The next claim, in any realm, gets the next job.
	second := claim(t, s, "r2", epoch)
	if second.ID != "V3-second" || second.RealmID != b.ID {
		t.Errorf("second claim = %s of realm %d", second.ID, second.RealmID)
	}
	// Both are held: nothing waits until a lease ends.
	_, err = s.ClaimJob(ctx, "r3", epoch.Add(directory.JobLease), directory.JobLease)
	wantKind(t, err, directory.KindNotFound)

	// r1 records item 0, extending its lease, then dies; r2 finishes.
	if err := s.RecordJobStep(ctx, a.ID, step("V3-first", "r1", 0, directory.JobItemFailed, epoch.Add(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishJob(ctx, b.ID, "V3-second", "r2", directory.JobCompleted, "done", epoch); err != nil {
		t.Fatal(err)
	}
	_, err = s.ClaimJob(ctx, "r3", epoch.Add(directory.JobLease+5*time.Second), directory.JobLease)
	wantKind(t, err, directory.KindNotFound) // r1's lease was extended to +70s

	// Once the lease has ended, r3 takes the job over, with the result so
	// far, so that it can resume after it. A completed job is never claimed.
	later := epoch.Add(directory.JobLease + time.Hour)
	again := claim(t, s, "r3", later)
	if again.ID != "V3-first" || again.LeaseOwner != "r3" || !again.LeaseUntil.Equal(later.Add(directory.JobLease)) {
		t.Errorf("claim after the lease = %+v", again)
	}
	if len(again.Results) != 1 || again.Results[0].Index != 0 || again.Progress != 1 {
		t.Errorf("resumed job results = %+v, progress %d", again.Results, again.Progress)
	}
	_, err = s.ClaimJob(ctx, "r4", later.Add(time.Minute), time.Hour)
	if directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("claim found %v after both jobs were claimed or done", err)
	}
}

func testJobClaimConcurrently(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	const rounds, jobs, runners = 5, 6, 12
	for round := range rounds {
		for i := range jobs {
			createJob(t, s, a.ID, newJob(fmt.Sprintf("V3-%d-%d", round, i), nameItems(1)...))
		}
		claimed := make(chan string, runners)
		errs := make(chan error, runners)
		var wg sync.WaitGroup
		for r := range runners {
			wg.Go(func() {
				j, err := s.ClaimJob(ctx, fmt.Sprint("runner-", r), epoch, directory.JobLease)
				switch {
				case err == nil:
					claimed <- j.ID
				case directory.KindOf(err) != directory.KindNotFound:
					errs <- err
				}
			})
		}
		wg.Wait()
		close(claimed)
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		seen := map[string]int{}
		for id := range claimed {
			seen[id]++
		}
		if len(seen) != jobs {
			t.Errorf("round %d: %d jobs claimed, want %d: %v", round, len(seen), jobs, seen)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("job %s claimed %d times", id, n)
			}
		}
	}
}

func testJobRecordStep(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	createJob(t, s, a.ID, newJob("V3-job", nameItems(3)...))
	claim(t, s, "r1", epoch)

	at := epoch.Add(5 * time.Second)
	failed := step("V3-job", "r1", 1, directory.JobItemFailed, at)
	failed.Result.UserID = 42
	failed.Result.Err = &directory.Error{Kind: directory.KindInvalid, Message: "Record validation errors",
		Fields: []directory.FieldError{{Field: "email", Code: "DuplicateValue", Message: "x is already being used by another user"}}}
	if err := s.RecordJobStep(ctx, a.ID, failed); err != nil {
		t.Fatal(err)
	}
	j := jobByID(t, s, a.ID, "V3-job")
	if diff := cmp.Diff([]directory.JobResult{failed.Result}, j.Results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if j.Progress != 1 || j.Message != "Creating User #2" || !j.UpdatedAt.Equal(at) || !j.LeaseUntil.Equal(failed.LeaseUntil) {
		t.Errorf("job after a step: progress %d, message %q, updated %v, lease %v", j.Progress, j.Message, j.UpdatedAt, j.LeaseUntil)
	}

	// The same item again changes nothing.
	again := step("V3-job", "r1", 1, directory.JobItemFailed, at.Add(time.Second))
	again.Result.Err = &directory.Error{Kind: directory.KindInternal, Message: "other"}
	wantJobItemDone(t, s.RecordJobStep(ctx, a.ID, again))
	if j := jobByID(t, s, a.ID, "V3-job"); j.Progress != 1 || len(j.Results) != 1 || j.Results[0].Err.Kind != directory.KindInvalid {
		t.Errorf("job after a repeated step: progress %d, results %+v", j.Progress, j.Results)
	}

	// A step of a runner that lost the job is recorded, but does not extend
	// the lease of the runner holding it.
	stale := step("V3-job", "r0", 0, directory.JobCreated, at.Add(time.Hour))
	stale.Result.UserID, stale.Result.Email = 7, "ann@acme.test"
	if err := s.RecordJobStep(ctx, a.ID, stale); err != nil {
		t.Fatal(err)
	}
	j = jobByID(t, s, a.ID, "V3-job")
	if j.Progress != 2 || !j.LeaseUntil.Equal(failed.LeaseUntil) || j.Results[0] != stale.Result {
		t.Errorf("job after a stale step: progress %d, lease %v, results %+v", j.Progress, j.LeaseUntil, j.Results)
	}

	err := s.RecordJobStep(ctx, a.ID, step("V3-nope", "r1", 0, directory.JobItemFailed, at))
	wantKind(t, err, directory.KindNotFound)
}

func testJobUserWrites(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	createJob(t, s, a.ID, newJob("V3-job", nameItems(3)...))
	claim(t, s, "r1", epoch)
	count := func(deleted bool) int64 {
		t.Helper()
		n, err := s.CountUsers(ctx, a.ID, directory.UserFilter{Deleted: deleted})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	ann := newUser("Ann")
	ann.Email = "ann@acme.test"
	created := step("V3-job", "r1", 0, directory.JobCreated, epoch)
	created.Result.Email = ann.Email
	if err := s.CreateUserInJob(ctx, a.ID, ann, []directory.Identity{emailIdentity(ann.Email, true)}, created); err != nil {
		t.Fatal(err)
	}
	if ann.ID == 0 || created.Result.UserID != ann.ID {
		t.Fatalf("CreateUserInJob set user id %d, result id %d", ann.ID, created.Result.UserID)
	}
	if got, err := s.UserByIdentity(ctx, a.ID, directory.IdentityEmail, "ann@acme.test"); err != nil || got.ID != ann.ID {
		t.Errorf("created user by email = %v, %v", got, err)
	}
	// A second write for the same item creates nothing.
	bob := newUser("Bob")
	wantJobItemDone(t, s.CreateUserInJob(ctx, a.ID, bob, []directory.Identity{emailIdentity("bob@acme.test", true)},
		step("V3-job", "r1", 0, directory.JobCreated, epoch)))
	_, err := s.UserByIdentity(ctx, a.ID, directory.IdentityEmail, "bob@acme.test")
	wantKind(t, err, directory.KindNotFound)
	// A write the store refuses records nothing.
	dup := newUser("Dup")
	dup.Email = "ann@acme.test"
	err = s.CreateUserInJob(ctx, a.ID, dup, []directory.Identity{emailIdentity("ANN@acme.test", true)},
		step("V3-job", "r1", 1, directory.JobCreated, epoch))
	wantDuplicate(t, err, "email")
	if n := count(false); n != 1 {
		t.Errorf("active users = %d, want 1", n)
	}
	if j := jobByID(t, s, a.ID, "V3-job"); j.Progress != 1 || len(j.Results) != 1 {
		t.Errorf("after the refused create: progress %d, results %+v", j.Progress, j.Results)
	}

	// Updates: the item's write and its result, once.
	renamed := *ann
	renamed.Name = "Ann Renamed"
	change := directory.IdentityChange{Add: []directory.Identity{emailIdentity("ann2@acme.test", false)}}
	updated := step("V3-job", "r1", 1, directory.JobUpdated, epoch)
	if err := s.UpdateUserInJob(ctx, a.ID, &renamed, change, updated); err != nil {
		t.Fatal(err)
	}
	again := renamed
	again.Name = "Ann Twice"
	wantJobItemDone(t, s.UpdateUserInJob(ctx, a.ID, &again,
		directory.IdentityChange{Add: []directory.Identity{emailIdentity("ann3@acme.test", false)}},
		step("V3-job", "r1", 1, directory.JobUpdated, epoch)))
	if got, err := s.UserByID(ctx, a.ID, ann.ID); err != nil || got.Name != "Ann Renamed" {
		t.Errorf("updated user = %v, %v", got, err)
	}
	idents, err := s.IdentitiesByUser(ctx, a.ID, ann.ID)
	if err != nil || len(idents) != 2 {
		t.Errorf("identities after the update = %+v, %v", idents, err)
	}
	// A delete moves the counters with the result.
	deleted := renamed
	deleted.DeletedAt = epoch
	if err := s.UpdateUserInJob(ctx, a.ID, &deleted, directory.IdentityChange{}, step("V3-job", "r1", 2, directory.JobDeleted, epoch)); err != nil {
		t.Fatal(err)
	}
	if active, gone := count(false), count(true); active != 0 || gone != 1 {
		t.Errorf("counts after the delete: %d active, %d deleted", active, gone)
	}
	want := []directory.JobResult{
		{Index: 0, UserID: ann.ID, Outcome: directory.JobCreated, Email: "ann@acme.test"},
		{Index: 1, UserID: ann.ID, Outcome: directory.JobUpdated},
		{Index: 2, UserID: ann.ID, Outcome: directory.JobDeleted},
	}
	if diff := cmp.Diff(want, jobByID(t, s, a.ID, "V3-job").Results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// testJobWriteInJob checks that the writes made with WriteInJob's context
// commit with the item's result or not at all: once, never twice, and
// nothing when the write fails.
func testJobWriteInJob(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	createJob(t, s, a.ID, newJob("V3-job", nameItems(3)...))
	claim(t, s, "r1", epoch)
	orgs := func() int64 {
		t.Helper()
		n, err := s.CountOrganizations(ctx, a.ID, directory.OrganizationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Two writes in one item (an organization and a membership of it)
	// and the result commit together.
	u := create(t, s, a.ID, newUser("Ann"))
	var org *directory.Organization
	created := step("V3-job", "r1", 0, directory.JobCreated, epoch)
	err := s.WriteInJob(ctx, a.ID, created, func(ctx context.Context) error {
		org = newOrganization("Org 0")
		if err := s.CreateOrganization(ctx, a.ID, org); err != nil {
			return err
		}
		created.Result.UserID = org.ID
		return s.CreateMembership(ctx, a.ID, &directory.Membership{UserID: u.ID, OrganizationID: org.ID, CreatedAt: epoch, UpdatedAt: epoch})
	})
	if err != nil {
		t.Fatal(err)
	}
	if orgs() != 1 || userOrg(t, s, a.ID, u.ID) != org.ID {
		t.Errorf("after the item: %d organizations, user in %d", orgs(), userOrg(t, s, a.ID, u.ID))
	}
	// The same item again writes nothing.
	wantJobItemDone(t, s.WriteInJob(ctx, a.ID, step("V3-job", "r1", 0, directory.JobCreated, epoch), func(ctx context.Context) error {
		return s.CreateOrganization(ctx, a.ID, newOrganization("Org again"))
	}))
	if orgs() != 1 {
		t.Errorf("organizations after a second run of the item = %d, want 1", orgs())
	}
	// A write that fails halfway rolls back its first half and records
	// nothing.
	err = s.WriteInJob(ctx, a.ID, step("V3-job", "r1", 1, directory.JobCreated, epoch), func(ctx context.Context) error {
		if err := s.CreateOrganization(ctx, a.ID, newOrganization("Half")); err != nil {
			return err
		}
		return s.CreateOrganization(ctx, a.ID, newOrganization("org 0")) // a taken name
	})
	wantDuplicate(t, err, "name")
	if orgs() != 1 {
		t.Errorf("organizations after a failed item = %d, want 1", orgs())
	}
	if _, err := s.OrganizationByName(ctx, a.ID, "Half"); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("the failed item's first write stayed: %v", err)
	}
	want := []directory.JobResult{{Index: 0, UserID: org.ID, Outcome: directory.JobCreated}}
	if diff := cmp.Diff(want, jobByID(t, s, a.ID, "V3-job").Results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func testJobFinish(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	createJob(t, s, a.ID, newJob("V3-job", nameItems(1)...))
	claim(t, s, "r1", epoch)
	// A runner that lost the job cannot finish it.
	if err := s.FinishJob(ctx, a.ID, "V3-job", "r0", directory.JobCompleted, "stale", epoch); err != nil {
		t.Fatal(err)
	}
	if j := jobByID(t, s, a.ID, "V3-job"); j.Status != directory.JobWorking || j.LeaseOwner != "r1" {
		t.Errorf("after a stale finish: %+v", j)
	}
	done := epoch.Add(time.Minute)
	if err := s.FinishJob(ctx, a.ID, "V3-job", "r1", directory.JobCompleted, "Completed at x", done); err != nil {
		t.Fatal(err)
	}
	j := jobByID(t, s, a.ID, "V3-job")
	if j.Status != directory.JobCompleted || j.Message != "Completed at x" || !j.UpdatedAt.Equal(done) ||
		j.LeaseOwner != "" || !j.LeaseUntil.IsZero() {
		t.Errorf("finished job = %+v", j)
	}
	if err := s.FinishJob(ctx, a.ID, "V3-job", "r1", directory.JobFailed, "again", done); err != nil {
		t.Fatal(err)
	}
	if j := jobByID(t, s, a.ID, "V3-job"); j.Status != directory.JobCompleted {
		t.Errorf("a finished job was finished again: %+v", j)
	}
}

func testJobRealmIsolation(t *testing.T, s directory.Store) {
	ctx := context.Background()
	a := realm(t, s, "acme")
	b := realm(t, s, "beta")
	createJob(t, s, a.ID, newJob("V3-job", nameItems(2)...))
	// The same id in another realm is another job.
	createJob(t, s, b.ID, newJob("V3-job", nameItems(1)...))
	if got := jobByID(t, s, b.ID, "V3-job"); got.Total != 1 {
		t.Errorf("beta's job = %+v", got)
	}
	claim(t, s, "r1", epoch)
	// A step recorded in beta goes to beta's job of that id, never to
	// acme's; a user write into a job that is not there writes nothing.
	if err := s.RecordJobStep(ctx, b.ID, step("V3-job", "r1", 1, directory.JobItemFailed, epoch)); err != nil {
		t.Fatal(err) // beta's own job of that id
	}
	u := newUser("Intruder")
	err := s.CreateUserInJob(ctx, a.ID, u, nil, step("V3-other", "r1", 0, directory.JobCreated, epoch))
	wantKind(t, err, directory.KindNotFound)
	if n, err := s.CountUsers(ctx, a.ID, directory.UserFilter{}); err != nil || n != 0 {
		t.Errorf("acme users after a write into a missing job: %d, %v", n, err)
	}
	if j := jobByID(t, s, a.ID, "V3-job"); j.Progress != 0 || len(j.Results) != 0 {
		t.Errorf("acme's job got beta's step: %+v", j)
	}
	if j := jobByID(t, s, b.ID, "V3-job"); j.Progress != 1 || len(j.Results) != 1 {
		t.Errorf("beta's job = %+v", j)
	}
	list, err := s.ListJobs(ctx, b.ID, directory.Page{Limit: 10})
	if err != nil || len(list) != 1 || list[0].RealmID != b.ID {
		t.Errorf("beta's list = %+v, %v", list, err)
	}
}
