package postgres_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// TestUserWordsFollowWrites checks that user_words holds exactly the
// distinct bare-term tokens (computed in Go from directory.SearchText) of
// every active user of two realms after inserts, renames, soft deletes,
// restores and hard deletes, whichever statement writes them.
func TestUserWordsFollowWrites(t *testing.T) {
	ctx := t.Context()
	_, conn := migratedSchema(t)
	if _, err := conn.Exec(ctx, `INSERT INTO realms (id, uid, name, created_at, updated_at) OVERRIDING SYSTEM VALUE
		VALUES (1, 'acme', 'Acme', now(), now()), (2, 'beta', 'Beta', now(), now())`); err != nil {
		t.Fatal(err)
	}
	// want holds each user's Go-side text; "" for an inactive one.
	type user struct {
		realm int64
		u     directory.User
	}
	users := map[int64]*user{}
	write := func(id int64) {
		t.Helper()
		x := users[id]
		text := directory.SearchText(x.realm, &x.u)
		var deleted any
		if !x.u.DeletedAt.IsZero() {
			deleted = x.u.DeletedAt
		}
		_, err := conn.Exec(ctx, `INSERT INTO users (id, realm_id, uuid, name, email, notes, role, time_zone, iana_time_zone, locale, locale_id,
			created_at, updated_at, deleted_at, search_text)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(), $7, $8)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, notes = excluded.notes,
			deleted_at = excluded.deleted_at, search_text = excluded.search_text`,
			id, x.realm, strconv.FormatInt(id, 10), x.u.Name, x.u.Email, x.u.Notes, deleted, text)
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string) {
		t.Helper()
		want := map[int64][]string{}
		for id, x := range users {
			prefix := directory.SearchToken(x.realm, directory.AnyField, "")
			for _, tok := range strings.Fields(directory.SearchText(x.realm, &x.u)) {
				if strings.HasPrefix(tok, prefix) && !slices.Contains(want[id], tok) {
					want[id] = append(want[id], tok)
				}
			}
			slices.Sort(want[id])
		}
		rows, err := conn.Query(ctx, `SELECT w.user_id, w.token, w.realm_id = u.realm_id FROM user_words w LEFT JOIN users u ON u.id = w.user_id ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64][]string{}
		for rows.Next() {
			var id int64
			var tok string
			var sameRealm *bool
			if err := rows.Scan(&id, &tok, &sameRealm); err != nil {
				t.Fatal(err)
			}
			if sameRealm == nil || !*sameRealm {
				t.Errorf("%s: user_words row (%d, %s) of no user in its realm", step, id, tok)
			}
			got[id] = append(got[id], tok)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: user_words (-want +got):\n%s", step, diff)
		}
	}
	add := func(id, realm int64, name, email, notes string) {
		users[id] = &user{realm: realm, u: directory.User{ID: id, RealmID: realm, Name: name, Email: email, Notes: notes}}
		write(id)
	}
	add(1, 1, "María Sánchez", "maria@example.com", "Maria again")
	add(2, 1, "Martin Mar", "", "")
	add(3, 2, "María Sánchez", "maria@beta.test", "")
	add(4, 2, "Zoë", "zoe@beta.test", "notes of zoë")
	check("inserts")

	users[1].u.Name = "María López" // drops sanchez, keeps maria
	write(1)
	users[3].u.Email = ""
	write(3)
	check("renames")

	now := time.Now()
	users[2].u.DeletedAt = now
	write(2)
	users[4].u.DeletedAt = now
	write(4)
	check("soft deletes")

	users[2].u.DeletedAt = time.Time{}
	write(2)
	check("restore")

	if _, err := conn.Exec(ctx, `DELETE FROM users WHERE id IN (1, 4)`); err != nil {
		t.Fatal(err)
	}
	delete(users, 1)
	delete(users, 4)
	check("hard deletes")

	// A multi-row statement, as an import's COPY or a bulk job writes.
	if _, err := conn.Exec(ctx, `UPDATE users SET search_text = '' WHERE realm_id = 2`); err != nil {
		t.Fatal(err)
	}
	users[3].u.DeletedAt = now
	check("bulk update")
}

// TestWordCountPlan checks, at 100,000 users after a vacuum and with the
// generic plan a cached statement ends up with, that a lone bare word is
// counted by an index-only scan of user_words that reads no heap page,
// for a rare word and for a prefix most users share, and that the count
// is the GIN index's and leaves the second realm out.
func TestWordCountPlan(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 users")
	}
	ctx := t.Context()
	s, conn := migratedSchema(t)
	// Realm 2 has every 50th user, under the same words.
	_, err := conn.Exec(ctx, `
		INSERT INTO realms (id, uid, name, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES (1, 'big', 'Big', now(), now()), (2, 'small', 'Small', now(), now());
		INSERT INTO users (realm_id, uuid, name, role, time_zone, iana_time_zone, locale, locale_id, created_at, updated_at, search_text)
		SELECT r, 'u' || i, 'User ' || i, 'end-user', 'UTC', 'Etc/UTC', 'en-US', 1, now(), now(),
			'r' || r || 'n0user r' || r || 'n0w' || i || ' r' || r || 'a0user r' || r || 'a0w' || i || ' r' || r || 'a0w' || i || 'x z0'
		FROM generate_series(1, 100000) AS i, LATERAL (SELECT CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END AS r) AS realm`)
	if err != nil {
		t.Fatal(err)
	}
	// A vacuum marks the pages all-visible only once no transaction of
	// the cluster (another test's, say) still may not see the rows: retry
	// until it has.
	for try := 0; ; try++ {
		for _, table := range []string{"user_words", "users"} {
			if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+table); err != nil {
				t.Fatal(err)
			}
		}
		var visible bool
		if err := conn.QueryRow(ctx, `SELECT relallvisible >= relpages FROM pg_class WHERE oid = 'user_words'::regclass`).Scan(&visible); err != nil {
			t.Fatal(err)
		}
		if visible {
			break
		}
		if try == 60 {
			t.Skip("user_words's pages are not all-visible after a minute of vacuums: another transaction holds the cluster's xmin horizon back")
		}
		time.Sleep(time.Second)
	}
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		word string
		want int64
	}{{"w4242", 11}, {"us", 98000}, {"w1", 10889}, {"nobody", 0}} {
		q := directory.UserQuery{Terms: []directory.Term{{Value: tc.word}}}
		query, args, ok := postgres.WordCountQuery(1, q)
		if !ok {
			t.Fatalf("%q is not a lone word", tc.word)
		}
		rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(lines, "\n")
		if !strings.Contains(text, "Index Only Scan using user_words_pkey") || !strings.Contains(text, "Heap Fetches: 0") {
			t.Errorf("%q is not counted index-only:\n%s", tc.word, text)
		}
		got, err := s.CountSearchUsers(ctx, 1, q)
		if err != nil {
			t.Fatal(err)
		}
		var gin int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM users WHERE realm_id = 1 AND search_tsv @@ $1::tsquery`, "'r1a0"+tc.word+"':*").Scan(&gin); err != nil {
			t.Fatal(err)
		}
		if got != tc.want || gin != tc.want {
			t.Errorf("%q: counted %d, GIN index %d, want %d", tc.word, got, gin, tc.want)
		}
	}
}
