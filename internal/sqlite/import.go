package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/clientele/clientele/internal/directory"
)

// maxParams is how many parameters a bulk statement binds at most, under
// SQLite's limit of 32,766; lookupChunk is how many values a lookup sends
// at once.
const (
	maxParams   = 32000
	lookupChunk = 500
)

// countKey names one counter row of user_counts in a realm.
type countKey struct {
	role         string
	customRoleID int64
	deleted      bool
}

func countKeyOf(u *directory.User) countKey {
	return countKey{role: string(u.Role), customRoleID: u.CustomRoleID, deleted: !u.Active()}
}

// ImportUsers writes a batch of validated users in one transaction.
//
// The search index (FTS5 tables and user_tags, kept by triggers on users)
// decides how. FTS5 writes its pending terms out as a new segment, and
// merges segments, at every statement savepoint, and the triggers make
// SQLite copy an INSERT ... SELECT's rows to a temporary table before it
// writes them. So the new users of a large batch go in with the index's
// insert triggers suspended inside the transaction, and the index is then
// written with one INSERT ... SELECT per index table (insertNewUsers);
// the changed users go through a temporary table and one UPDATE ... FROM,
// and their triggers. The identities go in after the users (importBatch
// says why). New users get the ids SQLite would give them (one more than
// the largest), assigned here so that their identities and memberships
// are made in Go.
//
// Within a bulk load (BulkLoad), the batch is a savepoint of the load's
// transaction instead, and the new users' index waits for the load's
// commit (load.go).
func (s *Store) ImportUsers(ctx context.Context, realmID int64, batch []directory.ImportUser) error {
	if len(batch) == 0 {
		return nil
	}
	var fresh []*directory.User
	for _, op := range batch {
		if op.User.ID == 0 {
			fresh = append(fresh, op.User)
		}
	}
	var err error
	if l := s.loadOf(ctx); l != nil {
		err = l.importUsers(ctx, realmID, batch)
	} else {
		err = s.bulkTx(ctx, func(tx *sql.Tx) error {
			_, _, err := importBatch(ctx, tx, realmID, batch, false)
			return err
		})
	}
	if err != nil {
		// A batch that failed is still a batch of new users, to be
		// written again or one by one: take back the ids it handed out.
		for _, u := range fresh {
			u.ID = 0
		}
	}
	return err
}

// importBatch is the work of ImportUsers inside tx. With suspended, the
// search index's insert triggers are already dropped (by a load), and the
// new users go in without their index, which the caller owes them; it
// returns the new users' first and last ids (0 when none). The users' ids
// are set once tx commits, or at once within a load.
func importBatch(ctx context.Context, tx *sql.Tx, realmID int64, batch []directory.ImportUser, suspended bool) (first, last int64, err error) {
	var creates, updates []directory.ImportUser
	for _, op := range batch {
		if op.User.ID == 0 {
			creates = append(creates, op)
		} else {
			updates = append(updates, op)
		}
	}
	cols, _, err := userWrite(realmID, batch[0].User, true)
	if err != nil {
		return 0, 0, err
	}
	counts := map[countKey]int64{}
	old, err := lockedCounts(ctx, tx, realmID, updates)
	if err != nil {
		return 0, 0, err
	}
	var maxID int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM users`).Scan(&maxID); err != nil {
		return 0, 0, err
	}
	ids := make([]int64, len(creates))
	var identities []directory.Identity
	for i, op := range creates {
		ids[i] = maxID + 1 + int64(i)
		counts[countKeyOf(op.User)]++
		for _, id := range op.Identities {
			id.RealmID, id.UserID = realmID, ids[i]
			identities = append(identities, id)
		}
	}
	updateIDs := make([]int64, len(updates))
	for i, op := range updates {
		updateIDs[i] = op.User.ID
		if now := countKeyOf(op.User); now != old[op.User.ID] {
			counts[old[op.User.ID]]--
			counts[now]++
		}
	}
	if err := stageUsers(ctx, tx, "import_changed", realmID, cols, updates, updateIDs); err != nil {
		return 0, 0, err
	}
	if err := changeIdentities(ctx, tx, realmID, updates); err != nil {
		return 0, 0, err
	}
	if len(updates) > 0 {
		// The columns updateUserRow writes: all but realm_id, which never
		// changes, and those only an insert writes.
		updateCols, _, err := userWrite(realmID, updates[0].User, false)
		if err != nil {
			return 0, 0, err
		}
		set := make([]string, 0, len(updateCols))
		for _, c := range updateCols[1:] {
			set = append(set, c+" = c."+c)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET `+strings.Join(set, ", ")+`
			FROM temp.import_changed AS c WHERE users.id = c.id AND users.realm_id = ?`, realmID); err != nil {
			return 0, 0, err
		}
	}
	if suspended {
		err = writeRows(ctx, tx, "users", realmID, cols, creates, ids)
	} else {
		err = insertNewUsers(ctx, tx, realmID, cols, creates, ids)
	}
	if err != nil {
		return 0, 0, err
	}
	// The new users' identities go in after the users they name, never
	// before with their foreign keys deferred: while a transaction has
	// deferred violations outstanding, SQLite checks every user it inserts
	// against each table that references users, and one without an index
	// that starts with user_id (organization_memberships, sessions,
	// events) it reads whole, for every user. A seed with organizations,
	// its memberships growing with the users, spent most of its time
	// there: 100,000 users took 130 s of CPU instead of 18.
	if err := insertIdentities(ctx, tx, identities); err != nil {
		return 0, 0, err
	}
	if err := importOrganizations(ctx, tx, realmID, creates, ids, updates); err != nil {
		return 0, 0, err
	}
	if err := addCounts(ctx, tx, realmID, counts); err != nil {
		return 0, 0, err
	}
	// The ids go out with the batch's last statement; ImportUsers takes
	// them back if the batch fails after all (at its commit).
	for i, op := range creates {
		op.User.ID, op.User.RealmID = ids[i], realmID
	}
	if len(ids) == 0 {
		return 0, 0, nil
	}
	return ids[0], ids[len(ids)-1], nil
}

// insertNewUsers inserts the new users of a batch with the ids assigned
// to them. A batch of bulkIndexMin users or more is written with the
// search index's triggers suspended and then indexed in one statement per
// index table; a smaller one goes through a staging table and one INSERT
// ... SELECT, and the triggers index it.
func insertNewUsers(ctx context.Context, tx *sql.Tx, realmID int64, cols []string, creates []directory.ImportUser, ids []int64) error {
	if len(creates) == 0 {
		return nil
	}
	if len(creates) >= bulkIndexMin {
		defs, ok, err := suspendIndexTriggers(ctx, tx)
		if err != nil {
			return err
		}
		if ok {
			if err := writeRows(ctx, tx, "users", realmID, cols, creates, ids); err != nil {
				return err
			}
			return indexNewUsers(ctx, tx, realmID, ids[0], ids[len(ids)-1], defs)
		}
	}
	if err := stageUsers(ctx, tx, "import_new", realmID, cols, creates, ids); err != nil {
		return err
	}
	list := "id, " + strings.Join(cols, ", ")
	_, err := tx.ExecContext(ctx, `INSERT INTO users (`+list+`) SELECT `+list+` FROM temp.import_new ORDER BY id`)
	return err
}

// stageUsers fills the temporary table name with the users' ids and the
// columns of userWrite, a few hundred rows a statement. The table lives
// on the write connection and is made anew for every batch, so it always
// has userWrite's columns.
func stageUsers(ctx context.Context, tx *sql.Tx, name string, realmID int64, cols []string, ops []directory.ImportUser, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.`+name); err != nil {
		return err
	}
	if len(ops) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE `+name+` (id INTEGER PRIMARY KEY, `+strings.Join(cols, ", ")+`)`); err != nil {
		return err
	}
	return writeRows(ctx, tx, "temp."+name, realmID, cols, ops, ids)
}

// writeRows inserts the users ops, with their ids and the columns of
// userWrite, into table, as many rows a statement as SQLite takes.
func writeRows(ctx context.Context, tx *sql.Tx, table string, realmID int64, cols []string, ops []directory.ImportUser, ids []int64) error {
	width := len(cols) + 1
	perStmt := maxParams / width
	// The values of a statement's rows (JSON, search text) are made by
	// another goroutine while SQLite writes the rows before them, so the
	// two overlap on a machine with more than one core.
	type chunk struct {
		n    int
		args []any
		err  error
	}
	chunks := make(chan chunk, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(chunks)
		for start := 0; start < len(ops); start += perStmt {
			part := ops[start:min(start+perStmt, len(ops))]
			c := chunk{n: len(part), args: make([]any, 0, len(part)*width)}
			for i, op := range part {
				_, vals, err := userWrite(realmID, op.User, true)
				if err != nil {
					c.err = err
					break
				}
				c.args = append(append(c.args, ids[start+i]), vals...)
			}
			select {
			case chunks <- c:
			case <-done:
				return
			}
			if c.err != nil {
				return
			}
		}
	}()
	var stmt *sql.Stmt // full chunks share one prepared statement
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	for c := range chunks {
		if c.err != nil {
			return c.err
		}
		query := `INSERT INTO ` + table + ` (id, ` + strings.Join(cols, ", ") + `) VALUES ` + rowsOf(c.n, width)
		var err error
		if c.n == perStmt {
			if stmt == nil {
				if stmt, err = tx.PrepareContext(ctx, query); err != nil {
					return err
				}
			}
			_, err = stmt.ExecContext(ctx, c.args...)
		} else {
			_, err = tx.ExecContext(ctx, query, c.args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// lockedCounts returns the counter each existing user of updates is in
// now; a user not in the realm is ErrNotFound. (The transaction holds
// SQLite's one write lock, so the rows cannot change before the commit.)
func lockedCounts(ctx context.Context, tx *sql.Tx, realmID int64, updates []directory.ImportUser) (map[int64]countKey, error) {
	old := make(map[int64]countKey, len(updates))
	for chunk := range slices.Chunk(updates, lookupChunk) {
		args := []any{realmID}
		for _, op := range chunk {
			args = append(args, op.User.ID)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, role, custom_role_id, deleted_at IS NOT NULL FROM users
			WHERE realm_id = ? AND id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var k countKey
			if err := rows.Scan(&id, &k.role, &k.customRoleID, &k.deleted); err != nil {
				rows.Close()
				return nil, err
			}
			old[id] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, op := range updates {
		if _, ok := old[op.User.ID]; !ok {
			return nil, directory.ErrNotFound
		}
	}
	return old, nil
}

// changeIdentities applies the identity changes of existing users, as
// UpdateUser does.
func changeIdentities(ctx context.Context, tx *sql.Tx, realmID int64, updates []directory.ImportUser) error {
	var added []directory.Identity
	for _, op := range updates {
		u := op.User
		for _, id := range op.Change.Delete {
			if _, err := tx.ExecContext(ctx, `DELETE FROM identities WHERE realm_id = ? AND user_id = ? AND id = ?`, realmID, u.ID, id); err != nil {
				return err
			}
		}
		for _, id := range op.Change.Update {
			if _, err := tx.ExecContext(ctx, `UPDATE identities SET value = ?, verified = ?, is_primary = ?, updated_at = ?
				WHERE realm_id = ? AND user_id = ? AND id = ?`, id.Value, id.Verified, id.Primary, id.UpdatedAt.Unix(), realmID, u.ID, id.ID); err != nil {
				return err
			}
		}
		for _, id := range op.Change.Add {
			id.UserID, id.RealmID = u.ID, realmID
			added = append(added, id)
		}
	}
	return insertIdentities(ctx, tx, added)
}

// insertIdentities inserts identities with multi-row INSERTs.
func insertIdentities(ctx context.Context, tx *sql.Tx, identities []directory.Identity) error {
	const cols = 8
	for chunk := range slices.Chunk(identities, maxParams/cols) {
		args := make([]any, 0, len(chunk)*cols)
		for _, id := range chunk {
			args = append(args, id.RealmID, id.UserID, id.Type, id.Value, id.Verified, id.Primary, id.CreatedAt.Unix(), id.UpdatedAt.Unix())
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identities (realm_id, user_id, type, value, verified, is_primary, created_at, updated_at)
			VALUES `+rowsOf(len(chunk), cols), args...); err != nil {
			return err
		}
	}
	return nil
}

// Settings of the write connection once it has run a bulk transaction.
//
// A batch dirties megabytes of pages (rows, indexes, the search index):
// with SQLite's default 2 MiB cache they spill to the WAL before the
// commit. And at a million users the indexes on random keys (emails, the
// search index's segments, which FTS5 merges as it goes) no longer fit any
// cache, so most page reads miss it: through read(2), a seed of 1,000,000
// users read 450 GB from the OS cache, 4 KiB a call, and spent most of its
// time there. Mapping the file instead (mmap_size) turns those reads into
// memory accesses. Neither setting is reset after the batch: shrinking the
// cache and unmapping the file cost as much again at the next batch, so
// the write connection keeps them (the mapping is of the file, shared with
// the OS cache, not memory of the process's own).
const (
	bulkCacheKiB  = 65536
	bulkMmapBytes = 0x7fff0000 // the largest mapping SQLite allows by default
)

// bulkPragmas set the write connection up for bulk writes.
var bulkPragmas = []string{
	fmt.Sprintf(`PRAGMA cache_size = -%d`, bulkCacheKiB),
	fmt.Sprintf(`PRAGMA mmap_size = %d`, bulkMmapBytes),
}

// bulkTx runs fn in one write transaction, like tx, on the write
// connection set up for bulk writes.
func (s *Store) bulkTx(ctx context.Context, fn func(*sql.Tx) error) error {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, pragma := range bulkPragmas {
		if _, err := conn.ExecContext(ctx, pragma); err != nil {
			return err
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return mapError(err)
	}
	return mapError(tx.Commit())
}

// addCounts applies the counter changes of a batch, one statement per
// counter row.
func addCounts(ctx context.Context, tx *sql.Tx, realmID int64, counts map[countKey]int64) error {
	for k, n := range counts {
		if n == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_counts (realm_id, role, custom_role_id, deleted, n) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (realm_id, role, custom_role_id, deleted) DO UPDATE SET n = n + excluded.n`,
			realmID, k.role, k.customRoleID, k.deleted, n); err != nil {
			return err
		}
	}
	return nil
}

// rowsOf returns n groups of m placeholders: "(?, ?), (?, ?)".
func rowsOf(n, m int) string {
	row := "(" + placeholders(m) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// IdentitiesByValues returns the identities of type typ whose value is
// among values, compared case-insensitively, ordered by id.
func (s *Store) IdentitiesByValues(ctx context.Context, realmID int64, typ string, values []string) ([]directory.Identity, error) {
	out := []directory.Identity{}
	for chunk := range slices.Chunk(values, lookupChunk) {
		args := []any{realmID, typ}
		conds := make([]string, len(chunk))
		for i, v := range chunk {
			args = append(args, v)
			conds[i] = "lower(?)"
		}
		list, err := s.queryIdentities(ctx, `SELECT id, realm_id, user_id, type, value, verified, is_primary, created_at, updated_at
			FROM identities WHERE realm_id = ? AND type = ? AND lower(value) IN (`+strings.Join(conds, ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	slices.SortFunc(out, func(a, b directory.Identity) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// IdentitiesByUsers returns the identities of the users userIDs, by user,
// primary first, then by id.
func (s *Store) IdentitiesByUsers(ctx context.Context, realmID int64, userIDs []int64) ([]directory.Identity, error) {
	out := []directory.Identity{}
	for chunk := range slices.Chunk(userIDs, lookupChunk) {
		args := []any{realmID}
		for _, id := range chunk {
			args = append(args, id)
		}
		// "+realm_id" keeps the planner off identities_realm_value: with a
		// long IN list of bound ids it would rather scan the realm's every
		// identity through that index than probe identities_user per id
		// (seen at 100,000 users: 2 s instead of 30 ms a batch of 1,000).
		list, err := s.queryIdentities(ctx, `SELECT id, realm_id, user_id, type, value, verified, is_primary, created_at, updated_at
			FROM identities WHERE +realm_id = ? AND user_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	slices.SortFunc(out, func(a, b directory.Identity) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), primaryFirst(a, b), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func primaryFirst(a, b directory.Identity) int {
	switch {
	case a.Primary == b.Primary:
		return 0
	case a.Primary:
		return -1
	}
	return 1
}

func (s *Store) queryIdentities(ctx context.Context, query string, args ...any) ([]directory.Identity, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []directory.Identity
	for rows.Next() {
		var id directory.Identity
		var created, updated sql.NullInt64
		if err := rows.Scan(&id.ID, &id.RealmID, &id.UserID, &id.Type, &id.Value, &id.Verified, &id.Primary, &created, &updated); err != nil {
			return nil, err
		}
		id.CreatedAt, id.UpdatedAt = fromUnix(created), fromUnix(updated)
		out = append(out, id)
	}
	return out, rows.Err()
}
