package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/clientele/clientele/internal/directory"
)

// searchQuery is a user search translated to SQL: FTS5 MATCH expressions
// for the text terms, conditions on indexed columns for the others.
type searchQuery struct {
	match   []string // positive full-text expressions, ANDed into one MATCH
	realmID int64
	tag     string   // a tag every match has, which drives the query when no text term does
	where   []string // conditions on users u
	args    []any    // arguments of where, in order
	nothing bool     // the query cannot match anything
}

// ftsString quotes s as an FTS5 string.
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// textMatch is the FTS5 expression for words in one of fields: word
// prefixes, or the exact phrase when phrase is set. Several words must
// follow each other (as "example.com" does in an email).
func textMatch(realmID int64, fields []string, words []string, phrase bool) string {
	var alts []string
	for _, f := range fields {
		tokens := make([]string, len(words))
		for i, w := range words {
			tokens[i] = directory.SearchToken(realmID, f, w)
		}
		e := ftsString(strings.Join(tokens, " "))
		if !phrase {
			e += "*"
		}
		alts = append(alts, e)
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// likePattern turns a value with * wildcards into a LIKE pattern.
func likePattern(v string) string {
	r := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`, "*", "%")
	return r.Replace(strings.ToLower(v))
}

// textTerm adds a term on text fields: FTS when positive, NOT IN (FTS) when
// negated.
func (sq *searchQuery) text(t directory.Term, fields []string) error {
	words, err := directory.TextWords(t)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		// Nothing searchable (punctuation only): nothing matches it.
		if !t.Negated {
			sq.nothing = true
		}
		return nil
	}
	e := textMatch(sq.realmID, fields, words, t.Phrase)
	if t.Negated {
		sq.where = append(sq.where, "u.id NOT IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ?)")
		sq.args = append(sq.args, e)
		return nil
	}
	sq.match = append(sq.match, e)
	return nil
}

// cond adds a condition on users u, negated when t is.
func (sq *searchQuery) cond(t directory.Term, cond string, args ...any) {
	if t.Negated {
		cond = "NOT (" + cond + ")"
	}
	sq.where = append(sq.where, cond)
	sq.args = append(sq.args, args...)
}

// timeCond compares a timestamp column with the term's time; ":" on a date
// means that whole day.
func (sq *searchQuery) timeCond(t directory.Term, column string) {
	at := t.Time.Unix()
	switch t.Op {
	case directory.OpLT:
		sq.cond(t, "u."+column+" < ?", at)
	case directory.OpLE:
		sq.cond(t, "u."+column+" <= ?", at)
	case directory.OpGT:
		sq.cond(t, "u."+column+" > ?", at)
	case directory.OpGE:
		sq.cond(t, "u."+column+" >= ?", at)
	default:
		// ":" on a date is that whole day, in the date's own offset.
		day := t.Time
		sq.cond(t, "u."+column+" >= ? AND u."+column+" < ?", day.Unix(), day.AddDate(0, 0, 1).Unix())
	}
}

// number adds the Numeric terms of one field, all positive or a single
// negated one: the users whose value of the field falls in every term's
// range, from user_field_numbers. A range of few values is read first,
// one range of the (realm, key, value) index, and its users looked up; a
// broad one (directory.BroadRange) and a negated one are tested user by
// user instead, a probe of the values' user index each.
func (sq *searchQuery) number(terms []directory.Term, broad bool) {
	t := terms[0]
	cond, args := numberRange(terms)
	if broad || t.Negated {
		sq.cond(t, "EXISTS (SELECT 1 FROM user_field_numbers INDEXED BY user_field_numbers_user WHERE user_id = u.id AND realm_id = ? AND key = ? AND "+cond+")",
			append([]any{sq.realmID, t.Field}, args...)...)
		return
	}
	sq.cond(t, "u.id IN (SELECT user_id FROM user_field_numbers WHERE realm_id = ? AND key = ? AND "+cond+")",
		append([]any{sq.realmID, t.Field}, args...)...)
}

// numberRange is the condition on user_field_numbers.value of Numeric
// terms of one field, every bound ANDed, and its arguments: seats>5
// seats<10 is one range of the index.
func numberRange(terms []directory.Term) (string, []any) {
	var conds []string
	var args []any
	for _, t := range terms {
		for _, b := range t.Bounds {
			conds = append(conds, "value "+b.Op+" ?")
			args = append(args, b.Value)
		}
	}
	return strings.Join(conds, " AND "), args
}

// broadRanges returns the fields whose range in q (directory.NumberRanges)
// holds at least directory.BroadRange values, counted in the index up to
// that many.
func (s *Store) broadRanges(ctx context.Context, realmID int64, q directory.UserQuery) (map[string]bool, error) {
	var broad map[string]bool
	for field, terms := range directory.NumberRanges(q) {
		cond, args := numberRange(terms)
		var n int
		err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM user_field_numbers WHERE realm_id = ? AND key = ? AND "+cond+" LIMIT ?)",
			append(append([]any{realmID, field}, args...), directory.BroadRange)...).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n >= directory.BroadRange {
			if broad == nil {
				broad = map[string]bool{}
			}
			broad[field] = true
		}
	}
	return broad, nil
}

// trigram adds a wildcard match on a column: the trigram index finds the
// candidates (FTS5 uses it only for a LIKE without ESCAPE, where _ and %
// in the value match loosely), then the row's own value is compared
// exactly.
func (sq *searchQuery) trigram(t directory.Term, column string) {
	loose := strings.ReplaceAll(strings.ToLower(t.Value), "*", "%")
	sq.cond(t, "u.id IN (SELECT rowid FROM users_trigram WHERE "+column+" LIKE ?) AND lower(u."+column+") LIKE ? ESCAPE '\\'",
		loose, likePattern(t.Value))
}

// membership adds organization:VALUE or group:VALUE: the users with a
// membership (in table, by column) of an organization or group whose name
// matches VALUE as name:VALUE matches a user's name (word prefixes, or the
// phrase), found in the names' full-text index fts, or, for a number,
// whose id it is. The members come from the membership table's index on
// (realm_id, column, user_id); an id of another realm has no membership in
// this one.
func (sq *searchQuery) membership(t directory.Term, table, column, fts string) error {
	words, err := directory.TextWords(t)
	if err != nil {
		return err
	}
	var sources []string
	var args []any
	if len(words) > 0 {
		sources = append(sources, "SELECT rowid FROM "+fts+" WHERE "+fts+" MATCH ?")
		args = append(args, textMatch(sq.realmID, []string{"name"}, words, t.Phrase))
	}
	if id, perr := strconv.ParseInt(t.Value, 10, 64); perr == nil && id > 0 && !t.Phrase {
		sources = append(sources, "SELECT ?")
		args = append(args, id)
	}
	if len(sources) == 0 {
		// Nothing searchable (punctuation only): nobody is in it.
		if !t.Negated {
			sq.nothing = true
		}
		return nil
	}
	sq.cond(t, "u.id IN (SELECT user_id FROM "+table+" WHERE realm_id = ? AND "+column+" IN ("+
		strings.Join(sources, " UNION ALL ")+"))", append([]any{sq.realmID}, args...)...)
	return nil
}

// orgNone adds organization:none, the users in no organization, or its
// negation. The literal 0 lets the planner use the partial indexes
// users_realm_no_organization and users_realm_organization, which a bound
// parameter would not. Its args come last in sq.args as the cond order
// requires.
func (sq *searchQuery) orgNone(t directory.Term) {
	if t.Negated {
		// Through the index of the users with an organization: the
		// planner would rather walk the realm's users in id order.
		sq.where = append(sq.where, "u.id IN (SELECT id FROM users WHERE realm_id = ? AND organization_id <> 0)")
		sq.args = append(sq.args, sq.realmID)
	} else {
		sq.where = append(sq.where, "u.organization_id = 0")
	}
}

// buildSearch translates q, a search of realm realmID; broad holds the
// fields whose Numeric terms make broad ranges (broadRanges).
func buildSearch(realmID int64, q directory.UserQuery, broad map[string]bool) (*searchQuery, error) {
	sq := &searchQuery{realmID: realmID,
		where: []string{"u.realm_id = ?", "u.deleted_at IS NULL"}, args: []any{realmID}}
	if !q.FindsUsers() {
		return &searchQuery{nothing: true}, nil
	}
	if q.Suspended != nil {
		sq.where = append(sq.where, "u.suspended = ?")
		sq.args = append(sq.args, *q.Suspended)
	}
	if q.Verified != nil {
		sq.where = append(sq.where, "u.verified = ?")
		sq.args = append(sq.args, *q.Verified)
	}
	ranges := directory.NumberRanges(q)
	for _, t := range q.Terms {
		var err error
		switch t.Field {
		case "":
			err = sq.text(t, []string{directory.AnyField})
		case "name", "details", "notes":
			err = sq.text(t, []string{t.Field})
		case "email":
			switch {
			case t.Wildcard:
				sq.trigram(t, "email")
			case strings.Contains(t.Value, "@"):
				sq.cond(t, "u.id IN (SELECT user_id FROM identities WHERE realm_id = ? AND type = 'email' AND lower(value) = ?)",
					realmID, directory.NormalizeEmail(t.Value))
			default:
				err = sq.text(t, []string{"email"})
			}
		case "phone":
			if t.Wildcard {
				sq.trigram(t, "phone")
			} else {
				err = sq.text(t, []string{"phone"})
			}
		case "external_id":
			if t.Wildcard {
				sq.trigram(t, "external_id")
			} else {
				sq.cond(t, "u.external_id_key = ?", directory.FoldKey(t.Value))
			}
		case "role":
			sq.cond(t, "u.role = ?", strings.ToLower(t.Value))
		case "tags":
			tag := strings.ToLower(t.Value)
			if prefix, ok := strings.CutSuffix(tag, "*"); ok && t.Wildcard {
				sq.cond(t, "u.id IN (SELECT user_id FROM user_tags WHERE realm_id = ? AND tag >= ? AND tag < ?)",
					realmID, prefix, prefix+"\U0010FFFF")
			} else if !t.Negated && sq.tag == "" {
				sq.tag = tag
			} else {
				sq.cond(t, "u.id IN (SELECT user_id FROM user_tags WHERE realm_id = ? AND tag = ?)", realmID, tag)
			}
		case "created":
			sq.timeCond(t, "created_at")
		case "updated":
			sq.timeCond(t, "updated_at")
		case "user":
			if id, perr := strconv.ParseInt(t.Value, 10, 64); perr == nil {
				sq.cond(t, "u.id = ?", id)
			} else if strings.Contains(t.Value, "@") {
				sq.cond(t, "u.id IN (SELECT user_id FROM identities WHERE realm_id = ? AND type = 'email' AND lower(value) = ?)",
					realmID, directory.NormalizeEmail(t.Value))
			} else {
				err = sq.text(t, []string{"name"})
			}
		case "organization":
			if directory.IsNone(t) {
				sq.orgNone(t)
			} else {
				err = sq.membership(t, "organization_memberships", "organization_id", "organizations_fts")
			}
		case "group":
			err = sq.membership(t, "group_memberships", "group_id", "groups_fts")
		default:
			// A custom field key, checked by the Service: its value as a
			// number (a field's positive terms one range), or its words.
			if !t.Numeric() {
				err = sq.text(t, []string{t.Field})
			} else if terms := ranges.Take(t); terms != nil {
				sq.number(terms, broad[t.Field])
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return sq, nil
}

// from returns the FROM clause and its arguments: driven by the full-text
// index when there is a text term, so FTS5 hands rows back in rowid order.
func (sq *searchQuery) from() (string, []any) {
	if len(sq.match) == 0 && sq.tag != "" {
		// user_tags holds active users only, in (realm, tag, user id)
		// order: it hands matches back in id order too.
		return "user_tags g CROSS JOIN users u ON u.id = g.user_id", nil
	}
	if len(sq.match) == 0 {
		return "users u", nil
	}
	// CROSS JOIN fixes the join order: without it the planner may probe
	// the full-text index once per user of the realm.
	return "users_fts f CROSS JOIN users u ON u.id = f.rowid", []any{sq.matchExpr()}
}

// matchExpr is the one MATCH expression of the positive text terms; their
// tokens name the realm.
func (sq *searchQuery) matchExpr() string {
	return strings.Join(sq.match, " AND ")
}

func (sq *searchQuery) sql(selection string) (string, []any) {
	from, fromArgs := sq.from()
	where := strings.Join(sq.where, " AND ")
	args := append([]any{}, sq.args...)
	switch {
	case len(sq.match) > 0:
		where = "users_fts MATCH ? AND " + where
		args = append(fromArgs, args...)
		if sq.tag != "" {
			where += " AND u.id IN (SELECT user_id FROM user_tags WHERE realm_id = u.realm_id AND tag = ?)"
			args = append(args, sq.tag)
		}
	case sq.tag != "":
		where = "g.realm_id = ? AND g.tag = ? AND " + where
		args = append([]any{sq.realmID, sq.tag}, args...)
	}
	return "SELECT " + selection + " FROM " + from + " WHERE " + where, args
}

// searchColumns are userColumns qualified with u.
var searchColumns = "u." + strings.Join(strings.Split(strings.ReplaceAll(strings.ReplaceAll(userColumns, "\n", ""), "\t", ""), ", "), ", u.")

// SearchUsers returns one page of the active users matching q.
func (s *Store) SearchUsers(ctx context.Context, realmID int64, q directory.UserQuery, p directory.SearchPage) ([]directory.User, error) {
	broad, err := s.broadRanges(ctx, realmID, q)
	if err != nil {
		return nil, err
	}
	sq, err := buildSearch(realmID, q, broad)
	if err != nil || sq.nothing {
		return []directory.User{}, err
	}
	idColumn := "u.id"
	switch {
	case len(sq.match) > 0:
		idColumn = "f.rowid"
	case sq.tag != "":
		idColumn = "g.user_id"
	}
	if p.AfterID > 0 {
		sq.where = append(sq.where, idColumn+" > ?")
		sq.args = append(sq.args, p.AfterID)
	}
	query, args := sq.sql(searchColumns)
	dir := " ASC"
	if q.Descending {
		dir = " DESC"
	}
	switch q.OrderBy {
	case "created_at":
		query += " ORDER BY u.created_at" + dir + ", u.id" + dir
	case "updated_at":
		query += " ORDER BY u.updated_at" + dir + ", u.id" + dir
	case "name":
		query += " ORDER BY u.name" + dir + ", u.id" + dir
	default:
		query += " ORDER BY " + idColumn + dir
	}
	query += " LIMIT ? OFFSET ?"
	args = append(args, p.Limit, p.Offset)
	return s.queryUsers(ctx, query, args...)
}

// CountSearchUsers counts the active users matching q.
func (s *Store) CountSearchUsers(ctx context.Context, realmID int64, q directory.UserQuery) (int64, error) {
	var n int64
	if terms, ok := directory.LoneRange(q); ok {
		// user_field_numbers holds active users only, a value per user
		// and key: the range counts alone, without reading users (and
		// without asking first how broad it is).
		cond, args := numberRange(terms)
		err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM user_field_numbers WHERE realm_id = ? AND key = ? AND "+cond,
			append([]any{realmID, terms[0].Field}, args...)...).Scan(&n)
		return n, err
	}
	broad, err := s.broadRanges(ctx, realmID, q)
	if err != nil {
		return 0, err
	}
	sq, err := buildSearch(realmID, q, broad)
	if err != nil || sq.nothing {
		return 0, err
	}
	if role, ok := directory.LoneRole(q); ok {
		// The role's counter of active users, kept with every write.
		return s.CountUsers(ctx, realmID, directory.UserFilter{Roles: []directory.Role{role}})
	}
	query, args := sq.sql("count(*)")
	switch {
	case len(sq.match) > 0 && sq.tag == "" && len(sq.where) == 2:
		// Only text terms: their tokens hold just this realm's active
		// users, so the index counts alone, without reading users.
		query, args = "SELECT count(*) FROM users_fts WHERE users_fts MATCH ?", []any{sq.matchExpr()}
	case len(sq.match) == 0 && sq.tag != "" && len(sq.where) == 2:
		// Only a tag: its counter of active users (migration 0025).
		query, args = "SELECT coalesce((SELECT n FROM tag_counts WHERE realm_id = ? AND tag = ?), 0)", []any{realmID, sq.tag}
	}
	err = s.read.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// backfillNameSearch fills search_text for the organizations and groups
// written before it existed; the triggers index it.
func (s *Store) backfillNameSearch(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"organizations", "groups"} {
			deleted := "NULL"
			if table == "groups" {
				deleted = "deleted_at"
			}
			type row struct {
				id, realmID int64
				name        string
				deleted     bool
			}
			rows, err := tx.QueryContext(ctx, `SELECT id, realm_id, name, `+deleted+` IS NOT NULL FROM `+table)
			if err != nil {
				return err
			}
			var all []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.realmID, &r.name, &r.deleted); err != nil {
					rows.Close()
					return err
				}
				all = append(all, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range all {
				text := ""
				if !r.deleted {
					text = directory.NameSearchText(r.realmID, r.name)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET search_text = ? WHERE id = ?`, text, r.id); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// backfillSearchText fills search_text for users written before it
// existed, then rebuilds the full-text index from it.
func (s *Store) backfillSearchText(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE search_text = ''`)
		if err != nil {
			return err
		}
		var users []*directory.User
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return err
			}
			users = append(users, u)
		}
		rows.Close()
		for _, u := range users {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET search_text = ? WHERE id = ?`, directory.SearchText(u.RealmID, u), u.ID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users_fts (users_fts) VALUES ('rebuild')`)
		return err
	})
}

// bulkIndexMin is how many new users a batch of ImportUsers must hold for
// their search index to be written in bulk rather than by the triggers.
const bulkIndexMin = 100

// indexTriggers are the AFTER INSERT triggers that keep the search index
// and its tag counts (migrations 0003, 0004 and 0025), each with the
// statement that does its work at once for the new users of a realm with
// ids in a range (realm_id = ?1 AND ?2 <= id AND id <= ?3, all written by
// one batch).
//
// Why: run per row, the triggers write the index through the FTS5 tables'
// per-row path and make SQLite copy an INSERT ... SELECT's rows to a
// temporary table first (it must, when a trigger could read what the
// statement reads); one INSERT ... SELECT per index table after the rows
// are in costs less. The trigger definitions are checked before each use:
// if a later migration changes one, the batch falls back to the triggers
// (and TestBulkIndexTriggers fails until this list follows).
//
// Each trigger is on users but the last, which keeps tag_counts (migration
// 0025) from user_tags: it runs after the user_tags statement, and counts
// the batch's new tag rows at once. With a row trigger on user_tags,
// SQLite would also copy that INSERT ... SELECT to a temporary table
// first, as above.
var indexTriggers = []struct{ table, name, def, bulk string }{
	{
		table: "users",
		name:  "users_fts_insert",
		def: `CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
			INSERT INTO users_fts (rowid, search_text) VALUES (new.id, new.search_text);
			END`,
		bulk: `INSERT INTO users_fts (rowid, search_text)
			SELECT id, search_text FROM users WHERE realm_id = ?1 AND id BETWEEN ?2 AND ?3 ORDER BY id`,
	},
	{
		table: "users",
		name:  "users_trigram_insert",
		def: `CREATE TRIGGER users_trigram_insert AFTER INSERT ON users BEGIN
			INSERT INTO users_trigram (rowid, email, external_id, phone) VALUES (new.id, new.email, new.external_id, new.phone);
			END`,
		bulk: `INSERT INTO users_trigram (rowid, email, external_id, phone)
			SELECT id, email, external_id, phone FROM users WHERE realm_id = ?1 AND id BETWEEN ?2 AND ?3 ORDER BY id`,
	},
	{
		table: "users",
		name:  "user_tags_insert",
		def: `CREATE TRIGGER user_tags_insert AFTER INSERT ON users WHEN new.deleted_at IS NULL BEGIN
			INSERT OR IGNORE INTO user_tags (realm_id, tag, user_id) SELECT new.realm_id, value, new.id FROM json_each(new.tags);
			END`,
		bulk: `INSERT OR IGNORE INTO user_tags (realm_id, tag, user_id)
			SELECT u.realm_id, j.value, u.id FROM users u, json_each(u.tags) j
			WHERE u.realm_id = ?1 AND u.id BETWEEN ?2 AND ?3 AND u.deleted_at IS NULL`,
	},
	{
		table: "user_tags",
		name:  "tag_counts_insert",
		def: `CREATE TRIGGER tag_counts_insert AFTER INSERT ON user_tags BEGIN
			INSERT INTO tag_counts (realm_id, tag, n) VALUES (new.realm_id, new.tag, 1)
			ON CONFLICT (realm_id, tag) DO UPDATE SET n = n + 1;
			END`,
		bulk: `INSERT INTO tag_counts (realm_id, tag, n)
			SELECT realm_id, tag, count(*) FROM user_tags WHERE realm_id = ?1 AND user_id BETWEEN ?2 AND ?3 GROUP BY tag
			ON CONFLICT (realm_id, tag) DO UPDATE SET n = n + excluded.n`,
	},
	{
		// Sorted in the index's order, the batch's values go in with one
		// pass over it; a user at a time, they land at random places. The
		// user index needs no such care: new users' ids are the largest.
		table: "users",
		name:  "user_field_numbers_insert",
		def: `CREATE TRIGGER user_field_numbers_insert AFTER INSERT ON users
			WHEN new.deleted_at IS NULL AND new.user_fields <> '{}' BEGIN
			INSERT OR IGNORE INTO user_field_numbers (realm_id, key, value, user_id)
			SELECT realm_id, key, value, user_id FROM user_field_number_rows WHERE user_id = new.id;
			END`,
		bulk: `INSERT OR IGNORE INTO user_field_numbers (realm_id, key, value, user_id)
			SELECT realm_id, key, value, user_id FROM user_field_number_rows
			WHERE realm_id = ?1 AND user_id BETWEEN ?2 AND ?3 ORDER BY realm_id, key, value, user_id`,
	},
}

// sameSQL reports whether two SQL texts differ only in white space.
func sameSQL(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// suspendIndexTriggers drops, inside tx, the triggers of indexTriggers, and
// returns their stored definitions, which indexNewUsers puts back in the
// same transaction: no other connection ever sees users without them.
// ok is false, and nothing is dropped, when a trigger is missing or not as
// indexTriggers expects.
func suspendIndexTriggers(ctx context.Context, tx *sql.Tx) (defs []string, ok bool, err error) {
	defs = make([]string, len(indexTriggers))
	for i, t := range indexTriggers {
		err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ? AND tbl_name = ?`, t.name, t.table).Scan(&defs[i])
		if errors.Is(err, sql.ErrNoRows) || err == nil && !sameSQL(defs[i], t.def) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
	for _, t := range indexTriggers {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER `+t.name); err != nil {
			return nil, false, err
		}
	}
	return defs, true, nil
}

// indexNewUsers does the work of the suspended triggers for the users of
// realmID with ids from first to last, then puts the triggers back.
func indexNewUsers(ctx context.Context, tx *sql.Tx, realmID, first, last int64, defs []string) error {
	if err := indexUsers(ctx, tx, []idSpan{{realmID, first, last}}); err != nil {
		return err
	}
	for _, def := range defs {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return err
		}
	}
	return nil
}

// indexUsers does the work of the insert triggers for the users of spans.
func indexUsers(ctx context.Context, tx *sql.Tx, spans []idSpan) error {
	// One FTS5 segment per call: FTS5 writes its pending terms out as a
	// new segment whenever they pass hashsize (1 MiB by default), and
	// merges segments as they pile up; a batch of 10,000 users holds tens
	// of megabytes of terms. The setting is put back before the commit.
	if err := setHashSize(ctx, tx, bulkHashSize); err != nil {
		return err
	}
	for _, sp := range spans {
		for _, t := range indexTriggers {
			if _, err := tx.ExecContext(ctx, t.bulk, sp.realmID, sp.first, sp.last); err != nil {
				return err
			}
		}
	}
	return setHashSize(ctx, tx, defaultHashSize)
}

// FTS5's hashsize: its default, and the size a bulk load uses.
const (
	defaultHashSize = 1 << 20
	bulkHashSize    = 64 << 20
)

// setHashSize sets the hashsize of both full-text tables.
func setHashSize(ctx context.Context, tx *sql.Tx, n int) error {
	for _, table := range []string{"users_fts", "users_trigram"} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`, rank) VALUES ('hashsize', ?)`, n); err != nil {
			return err
		}
	}
	return nil
}
