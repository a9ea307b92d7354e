package directory_test

import (
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

func (e *env) group(t *testing.T, a directory.Actor, name string) *directory.Group {
	t.Helper()
	g, err := e.svc.CreateGroup(e.ctx, a, directory.GroupInput{Name: &name})
	if err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return g
}

func (e *env) memberships(t *testing.T, realmID, userID int64) []directory.GroupMembership {
	t.Helper()
	ms, err := e.store.ListGroupMemberships(e.ctx, realmID, directory.GroupMembershipFilter{UserID: userID}, directory.Page{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestImportLeavesGroupsAlone checks that an import, which writes no
// memberships, refuses what would need them, and changes nothing.
func TestImportLeavesGroupsAlone(t *testing.T) {
	e := newEnv(t)
	g := e.group(t, e.opA, "Support")
	agent, _ := e.staff(t, directory.RoleAgent, "agent@example.com")
	if agent.DefaultGroupID != g.ID {
		t.Fatalf("a new agent's default group = %d, want the realm's default %d", agent.DefaultGroupID, g.ID)
	}
	results, err := e.svc.ImportUsers(e.ctx, e.opA, []directory.UserInput{
		{Name: ptr("New"), Email: ptr("new@example.com"), Role: ptr("agent"), DefaultGroupID: ptr(g.ID)},
		{Email: ptr("agent@example.com"), Role: ptr("end-user")},
		{Email: ptr("agent@example.com"), Notes: ptr("kept in Support")},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, results[0].Err, directory.FieldError{Field: "default_group_id", Code: "InvalidValue"})
	wantInvalid(t, results[1].Err, directory.FieldError{Field: "role", Code: "InvalidValue"})
	if results[2].Err != nil {
		t.Errorf("a plain update of a group member: %v", results[2].Err)
	}
	u := e.stored(t, agent.ID)
	if u.Role != directory.RoleAgent || u.DefaultGroupID != g.ID || u.Notes != "kept in Support" {
		t.Errorf("agent after import = role %s, default group %d, notes %q", u.Role, u.DefaultGroupID, u.Notes)
	}
	if ms := e.memberships(t, e.a.ID, agent.ID); len(ms) != 1 || !ms[0].Default {
		t.Errorf("agent's memberships after import = %+v", ms)
	}
}

// TestDeleteDefaultGroup checks that deleting the realm's default group
// hands the default to the oldest group left, in that realm only, and that
// the last group leaves the realm without one.
func TestDeleteDefaultGroup(t *testing.T) {
	e := newEnv(t)
	first, second, third := e.group(t, e.opA, "First"), e.group(t, e.opA, "Second"), e.group(t, e.opA, "Third")
	other := e.group(t, e.opB, "Other")
	if !first.Default || second.Default || !other.Default {
		t.Fatalf("defaults: first %v, second %v, other realm %v", first.Default, second.Default, other.Default)
	}
	if err := e.svc.DeleteGroup(e.ctx, e.opA, first.ID); err != nil {
		t.Fatal(err)
	}
	if g, err := e.store.DefaultGroup(e.ctx, e.a.ID); err != nil || g.ID != second.ID {
		t.Errorf("default after deleting First = %v, %v; want Second", g, err)
	}
	if g, err := e.store.DefaultGroup(e.ctx, e.b.ID); err != nil || g.ID != other.ID {
		t.Errorf("other realm's default = %v, %v", g, err)
	}
	for _, id := range []int64{second.ID, third.ID} {
		if err := e.svc.DeleteGroup(e.ctx, e.opA, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.DefaultGroup(e.ctx, e.a.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("default of a realm without groups: %v", err)
	}
	// Another realm's group is not found, and an agent may not delete.
	wantKind(t, e.svc.DeleteGroup(e.ctx, e.opA, other.ID), directory.KindNotFound)
	_, agentA := e.staff(t, directory.RoleAgent, "agent@example.com")
	wantKind(t, e.svc.DeleteGroup(e.ctx, agentA, third.ID), directory.KindForbidden)
}

// TestBulkUpdateLeavesGroups checks that the job path of an update
// (update_many) keeps memberships in line as the single update does.
func TestBulkUpdateLeavesGroups(t *testing.T) {
	e := newEnv(t)
	e.group(t, e.opA, "Support")
	agent, _ := e.staff(t, directory.RoleAgent, "agent@example.com")
	j, err := e.svc.SubmitJob(e.ctx, e.opA, directory.JobUpdateUsers,
		[]directory.JobItem{{UserID: agent.ID, Input: directory.UserInput{Role: ptr("end-user")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RunPendingJobs(e.ctx); err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.Job(e.ctx, e.opA, j.ID)
	if err != nil || done.Status != directory.JobCompleted {
		t.Fatalf("job = %+v, %v", done, err)
	}
	if u := e.stored(t, agent.ID); u.Role != directory.RoleEndUser || u.DefaultGroupID != 0 {
		t.Errorf("user after update_many = role %s, default group %d", u.Role, u.DefaultGroupID)
	}
	if ms := e.memberships(t, e.a.ID, agent.ID); len(ms) != 0 {
		t.Errorf("memberships after demotion by update_many = %+v", ms)
	}
}
