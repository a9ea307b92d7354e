package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

// TestOrganizationQueryPlans checks, with bound parameters and planner
// statistics, that autocomplete, organization lists, the members of an
// organization and the deletion of an organization read indexes: none
// scans a table, and the ordered lists walk an index instead of sorting.
func TestOrganizationQueryPlans(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	_, err := s.write.ExecContext(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) VALUES (1, 'big', 'Big', 0, 0), (2, 'small', 'Small', 0, 0);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
		INSERT INTO organizations (realm_id, name, name_key, created_at, updated_at)
		SELECT CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END, 'Org ' || i, 'org ' || i, 0, 0 FROM n;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
		INSERT INTO users (realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, organization_id, created_at, updated_at, search_text)
		SELECT 1, 'u' || i, 'User ' || i, 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, 1 + i % 4000, 0, 0, '' FROM n;
		INSERT INTO organization_memberships (realm_id, user_id, organization_id, is_default, created_at, updated_at)
		SELECT 1, id, organization_id, 1, 0, 0 FROM users;`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	type plan struct {
		name  string
		query string
		args  []any
	}
	var plans []plan
	add := func(name, query string, args ...any) { plans = append(plans, plan{name, query, args}) }
	where, args := organizationWhere(1, directory.OrganizationFilter{NamePrefix: "org 12"})
	add("list autocomplete", `SELECT id FROM organizations WHERE `+where+` ORDER BY name_key, id LIMIT ? OFFSET ?`, append(args, 100, 0)...)
	add("autocomplete count", `SELECT count(*) FROM organizations WHERE `+where, args...)
	where, args = organizationWhere(1, directory.OrganizationFilter{})
	query, args, _ := keysetPage(`SELECT id FROM organizations`, "id", where, args, directory.Page{Limit: 101, AfterID: 3000})
	add("list organizations keyset", query, args...)
	where, args = organizationWhere(1, directory.OrganizationFilter{UserID: 42})
	add("list a user's organizations", `SELECT id FROM organizations WHERE `+where+` ORDER BY id LIMIT ?`, append(args, 101)...)
	query, args, _ = keysetPage(`SELECT id FROM users`, "id",
		"realm_id = ? AND id IN (SELECT user_id FROM organization_memberships WHERE realm_id = ? AND organization_id = ?)",
		[]any{1, 1, 7}, directory.Page{Limit: 101})
	add("list an organization's users", query, args...)
	add("list a user's memberships", `SELECT `+membershipColumns+membershipFrom+` WHERE m.realm_id = ? AND m.user_id = ?
		ORDER BY m.is_default DESC, o.name_key, m.id LIMIT ? OFFSET ?`, 1, 42, 100, 0)
	add("users whose default is deleted", `UPDATE users SET organization_id = 0 WHERE realm_id = ? AND organization_id = ? AND organization_id <> 0`, 1, 7)
	add("delete an organization's memberships", `DELETE FROM organization_memberships WHERE realm_id = ? AND organization_id = ?`, 1, 7)

	for _, p := range plans {
		steps := queryPlan(t, s.read.DB, p.name, p.query, p.args...)
		text := strings.Join(steps, "; ")
		for _, step := range steps {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("%s scans a table: %s", p.name, text)
			}
		}
		if strings.HasPrefix(p.name, "list") && strings.Contains(text, "TEMP B-TREE") && !strings.Contains(p.name, "memberships") {
			t.Errorf("%s sorts instead of walking an index: %s", p.name, text)
		}
		t.Logf("%s: %s", p.name, text)
	}
}

// TestMembershipPlansWithoutStatistics checks the plans of the statements
// that take a user out of its other organizations on a database with no
// statistics for the memberships (a new one, before its first optimize):
// they must search the user's index, not read the realm's memberships.
func TestMembershipPlansWithoutStatistics(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	var stats int
	if err := s.write.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'organization_memberships'`).Scan(&stats); err != nil {
		t.Fatal(err)
	}
	if stats != 0 {
		t.Fatalf("the migrated database has %d statistics rows for organization_memberships; the test needs none", stats)
	}
	for name, query := range map[string]string{"uncount": uncountOtherMemberships, "delete": deleteOtherMemberships} {
		var plan []string
		for _, step := range queryPlan(t, s.write, name, query, 1, 42, 7) {
			if strings.Contains(step, "organization_memberships") {
				plan = append(plan, step)
			}
		}
		if len(plan) != 1 || !strings.Contains(plan[0], "INDEX organization_memberships_user (realm_id=? AND user_id=?)") {
			t.Errorf("%s: plan %q, want a search of organization_memberships_user on (realm_id, user_id)", name, plan)
		}
	}
}
