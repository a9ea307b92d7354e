package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// TestQueryPlans checks, on 100,000 users and with bound parameters (as
// the store runs them), that no search, list or lookup scans the users
// table: SQLite's planner may choose differently with parameters than with
// literals, and only at scale does a wrong choice show.
func TestQueryPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 100,000 users")
	}
	ctx := context.Background()
	s := openTestStore(t)
	// Two realms, the second one small; rows written by SQL, with the
	// search text the store would compute, so the triggers fill every index.
	_, err := s.write.ExecContext(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) VALUES (1, 'big', 'Big', 0, 0), (2, 'small', 'Small', 0, 0);
		INSERT INTO user_fields (realm_id, key, type, title, raw_title, position, active, created_at, updated_at)
			VALUES (1, 'seats', 'integer', 'Seats', 'Seats', 0, 1, 0, 0), (2, 'seats', 'integer', 'Seats', 'Seats', 0, 1, 0, 0);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		INSERT INTO users (realm_id, uuid, name, email, external_id, external_id_key, role, time_zone, iana_time_zone,
			locale, locale_id, tags, created_at, updated_at, search_text, name_key, user_fields)
		SELECT CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END, 'u' || i, 'User ' || i, 'user' || i || '@example.com',
			'EXT-' || i, 'ext-' || i, CASE WHEN i % 20 = 0 THEN 'agent' ELSE 'end-user' END,
			'UTC', 'Etc/UTC', 'en-US', 1, CASE WHEN i % 7 = 0 THEN '["vip"]' ELSE '[]' END,
			1600000000 + i * 60, 1600000000 + i * 60,
			replace('Rn0user Rn0' || i || ' Re0user' || i || ' Re0example Re0com Rx0ext Rx0' || i ||
				' Ra0user Ra0' || i || ' Ra0user' || i || ' Ra0example Ra0com Ra0ext Ra0' || i, 'R', 'r' || (CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END)),
			'user ' || i, '{"seats":' || (i % 1000) || '}'
		FROM n;
		INSERT INTO user_counts (realm_id, role, custom_role_id, deleted, n)
		SELECT realm_id, role, 0, 0, count(*) FROM users GROUP BY realm_id, role;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
		INSERT INTO organizations (id, realm_id, name, name_key, created_at, updated_at, search_text)
		SELECT i, CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END, 'Org ' || i, 'org ' || i, 0, 0,
			'r' || (CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END) || 'n0org r' || (CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END) || 'n0' || i FROM n;
		UPDATE users SET organization_id = 1 + id % 1999 WHERE id % 3 <> 0 AND realm_id = 1 AND (1 + id % 1999) % 50 <> 0;
		INSERT INTO organization_memberships (realm_id, user_id, organization_id, is_default, created_at, updated_at)
		SELECT realm_id, id, organization_id, 1, 0, 0 FROM users WHERE organization_id <> 0;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
		INSERT INTO groups (id, realm_id, name, name_key, created_at, updated_at, search_text)
		SELECT i, 1, 'Tier ' || i, 'tier ' || i, 0, 0, 'r1n0tier r1n0' || i FROM n;
		INSERT INTO group_memberships (realm_id, user_id, group_id, is_default, created_at, updated_at)
		SELECT realm_id, id, 1 + id % 40, 1, 0, 0 FROM users WHERE role = 'agent' AND realm_id = 1;`)
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
	var broad map[string]bool // the fields search takes for broad ranges
	search := func(name string, q directory.UserQuery, p directory.SearchPage) {
		sq, err := buildSearch(1, q, broad)
		if err != nil {
			t.Fatal(err)
		}
		query, args := sq.sql("u.id")
		add(name, query+" ORDER BY u.id LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
		query, args = sq.sql("count(*)")
		add(name+" count", query, args...)
	}
	term := func(field, value string) directory.Term { return directory.Term{Field: field, Value: value} }
	search("bare word", directory.UserQuery{Terms: []directory.Term{term("", "user")}}, directory.SearchPage{Limit: 100})
	search("name word", directory.UserQuery{Terms: []directory.Term{term("name", "4242")}}, directory.SearchPage{Limit: 100})
	search("email", directory.UserQuery{Terms: []directory.Term{term("email", "user4242@example.com")}}, directory.SearchPage{Limit: 100})
	search("external id", directory.UserQuery{Terms: []directory.Term{term("external_id", "ext-4242")}}, directory.SearchPage{Limit: 100})
	search("role", directory.UserQuery{Terms: []directory.Term{term("role", "agent")}}, directory.SearchPage{Limit: 100})
	search("tag", directory.UserQuery{Terms: []directory.Term{term("tags", "vip")}}, directory.SearchPage{Limit: 100})
	search("tag and role", directory.UserQuery{Terms: []directory.Term{term("tags", "vip"), term("role", "agent")}}, directory.SearchPage{Limit: 100})
	search("word and tag", directory.UserQuery{Terms: []directory.Term{term("", "user"), term("tags", "vip")}}, directory.SearchPage{Limit: 100})
	search("created after", directory.UserQuery{Terms: []directory.Term{{Field: "created", Op: directory.OpGT, Time: time.Unix(1600000000, 0)}}}, directory.SearchPage{Limit: 100})
	search("created in a week", directory.UserQuery{Terms: []directory.Term{{Field: "created", Op: directory.OpGT, Time: time.Unix(1605000000, 0)},
		{Field: "created", Op: directory.OpLT, Time: time.Unix(1605600000, 0)}}}, directory.SearchPage{Limit: 100})
	search("organization by name", directory.UserQuery{Terms: []directory.Term{term("organization", "org 42")}}, directory.SearchPage{Limit: 100})
	search("organization by id", directory.UserQuery{Terms: []directory.Term{term("organization", "42")}}, directory.SearchPage{Limit: 100})
	search("organization broad", directory.UserQuery{Terms: []directory.Term{term("organization", "org")}}, directory.SearchPage{Limit: 100})
	search("organization none", directory.UserQuery{Terms: []directory.Term{term("organization", "none")}}, directory.SearchPage{Limit: 100})
	search("in an organization", directory.UserQuery{Terms: []directory.Term{{Field: "organization", Value: "none", Negated: true}}}, directory.SearchPage{Limit: 100})
	search("organization and word", directory.UserQuery{Terms: []directory.Term{term("", "user"), term("organization", "org 42")}}, directory.SearchPage{Limit: 100})
	search("organization and tag", directory.UserQuery{Terms: []directory.Term{term("tags", "vip"), term("organization", "org 42")}}, directory.SearchPage{Limit: 100})
	search("group by name", directory.UserQuery{Terms: []directory.Term{term("group", "tier 7")}}, directory.SearchPage{Limit: 100})
	search("group and role", directory.UserQuery{Terms: []directory.Term{term("group", "tier 7"), term("role", "agent")}}, directory.SearchPage{Limit: 100})
	seats := func(op directory.Op, n float64) directory.Term {
		ops := map[directory.Op]string{directory.OpEq: "=", directory.OpLT: "<", directory.OpGT: ">", directory.OpGE: ">="}
		return directory.Term{Field: "seats", Op: op, Bounds: []directory.Bound{{Op: ops[op], Value: n}}}
	}
	search("number equal", directory.UserQuery{Terms: []directory.Term{seats(directory.OpEq, 42)}}, directory.SearchPage{Limit: 100})
	search("number narrow", directory.UserQuery{Terms: []directory.Term{seats(directory.OpGE, 990)}}, directory.SearchPage{Limit: 100})
	search("number wide, by list", directory.UserQuery{Terms: []directory.Term{seats(directory.OpGT, 5)}}, directory.SearchPage{Limit: 100})
	search("number and word", directory.UserQuery{Terms: []directory.Term{term("", "4242"), seats(directory.OpGT, 5)}}, directory.SearchPage{Limit: 100})
	search("number and tag", directory.UserQuery{Terms: []directory.Term{term("tags", "vip"), seats(directory.OpLT, 10)}}, directory.SearchPage{Limit: 100})
	search("number range", directory.UserQuery{Terms: []directory.Term{seats(directory.OpGT, 5), seats(directory.OpLT, 10)}}, directory.SearchPage{Limit: 100})
	broad = map[string]bool{"seats": true}
	search("number broad, by user", directory.UserQuery{Terms: []directory.Term{seats(directory.OpGT, 5)}}, directory.SearchPage{Limit: 100})
	search("number broad and word", directory.UserQuery{Terms: []directory.Term{term("", "4242"), seats(directory.OpGT, 5)}}, directory.SearchPage{Limit: 100})
	broad = nil
	negated := seats(directory.OpGT, 5)
	negated.Negated = true
	search("number negated", directory.UserQuery{Terms: []directory.Term{negated}}, directory.SearchPage{Limit: 100})
	autocomplete, args := autocompleteTail(1, "user 42", 100)
	add("autocomplete", "SELECT "+userPacked+" "+autocomplete, args...)
	autocomplete, args = autocompleteTail(1, "us", 100) // every user of the realm
	add("autocomplete broad", "SELECT "+userPacked+" "+autocomplete, args...)
	where, args := userWhere(1, directory.UserFilter{})
	add("list keyset deep", `SELECT id FROM users WHERE `+where+` AND id > ? ORDER BY id ASC LIMIT ?`, append(args, 90000, 101)...)
	where, args = userWhere(1, directory.UserFilter{Roles: []directory.Role{directory.RoleAgent}})
	add("list agents", `SELECT id FROM users WHERE `+where+` ORDER BY id ASC LIMIT ?`, append(args, 101)...)
	where, args = userWhere(1, directory.UserFilter{ExternalID: "EXT-4242"})
	add("list by external id", `SELECT id FROM users WHERE `+where+` ORDER BY id ASC LIMIT ?`, append(args, 101)...)
	add("user by email", `SELECT id FROM users WHERE realm_id = ? AND id =
		(SELECT user_id FROM identities WHERE realm_id = ? AND type = ? AND lower(value) = lower(?))`, 1, 1, "email", "user4242@example.com")
	add("count", `SELECT coalesce(sum(n), 0) FROM user_counts WHERE realm_id = ? AND deleted = ?`, 1, false)
	add("list changed after", `SELECT id FROM users WHERE realm_id = ? AND (updated_at, id) > (?, ?) AND updated_at < ?
		ORDER BY updated_at, id LIMIT ?`, 1, 1600000000, 0, 1700000000, 1001)

	for _, p := range plans {
		steps := queryPlan(t, s.read.DB, p.name, p.query, p.args...)
		text := strings.Join(steps, "; ")
		// A number or date field's terms read one range of its values'
		// index, or, when broad or negated, probe the values of each
		// candidate user.
		probe := strings.Contains(p.name, "broad") || strings.Contains(p.name, "negated")
		if strings.HasPrefix(p.name, "number") && !probe && !strings.Contains(text, "SEARCH user_field_numbers USING PRIMARY KEY (realm_id=? AND key=? AND value") {
			t.Errorf("%s does not read a range of the field's values: %s", p.name, text)
		}
		if strings.HasPrefix(p.name, "number") && probe && !strings.Contains(text, "COVERING INDEX user_field_numbers_user (user_id=? AND realm_id=? AND key=? AND value") {
			t.Errorf("%s does not probe each user's values: %s", p.name, text)
		}
		membership := strings.HasPrefix(p.name, "organization") || strings.HasPrefix(p.name, "group") || strings.HasPrefix(p.name, "in an organization")
		for _, step := range steps {
			// A SCAN of a table (not of the full-text index, which drives
			// text searches, nor of the one row of a constant) reads every
			// row of every realm.
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "VIRTUAL TABLE") && step != "SCAN CONSTANT ROW" {
				t.Errorf("%s scans a table: %s", p.name, text)
			}
			// Organization and group terms find their users by id, from
			// the members of the matching organizations or groups (or from
			// the index of users in no organization), never by walking the
			// realm's users or memberships.
			if membership && strings.HasPrefix(step, "SEARCH u ") && !strings.Contains(step, "INTEGER PRIMARY KEY") &&
				!strings.Contains(step, "users_realm_no_organization") {
				t.Errorf("%s walks the realm's users: %s", p.name, text)
			}
			if membership && strings.Contains(step, "_memberships ") && !strings.Contains(step, "organization_id=?") && !strings.Contains(step, "group_id=?") {
				t.Errorf("%s walks the realm's memberships: %s", p.name, text)
			}
			if membership && strings.HasPrefix(step, "SEARCH users ") && !strings.Contains(step, "users_realm_organization") {
				t.Errorf("%s walks the realm's users: %s", p.name, text)
			}
		}
		// Autocomplete reads one range of the name keys' index in its
		// order, whatever share of the realm the prefix covers.
		if strings.HasPrefix(p.name, "autocomplete") && (!strings.Contains(text, "users_realm_name_key") || strings.Contains(text, "TEMP B-TREE")) {
			t.Errorf("%s does not walk the name keys' index: %s", p.name, text)
		}
		if strings.HasPrefix(p.name, "list") && strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("%s sorts instead of walking an index: %s", p.name, text)
		}
	}
}

// queryPlan returns the steps of query's plan with args bound, as
// EXPLAIN QUERY PLAN gives them; name labels a failure.
func queryPlan(t *testing.T, db *sql.DB, name, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return steps
}
