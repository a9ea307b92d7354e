package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// afterMigration holds work a migration needs done in Go, in its
// transaction: the search index holds words folded in Go, which SQL cannot
// compute for the rows already there.
var afterMigration = map[string]func(context.Context, pgx.Tx) error{
	"0003_search":               backfillSearchText,
	"0013_search_organizations": backfillNameSearch,
	"0026_name_key":             backfillNameKeys,
}

func backfillSearchText(ctx context.Context, tx pgx.Tx) error {
	users, err := all(ctx, tx, scanUser, `SELECT `+userColumns+` FROM users`)
	if err != nil {
		return err
	}
	for _, u := range users {
		if _, err := tx.Exec(ctx, `UPDATE users SET search_text = $1 WHERE id = $2`, directory.SearchText(u.RealmID, &u), u.ID); err != nil {
			return err
		}
	}
	return nil
}

// backfillNameSearch fills search_text for the organizations and groups
// written before it existed; their tsvectors follow.
func backfillNameSearch(ctx context.Context, tx pgx.Tx) error {
	for _, table := range []string{"organizations", "groups"} {
		deleted := "false"
		if table == "groups" {
			deleted = "deleted_at IS NOT NULL"
		}
		type row struct {
			id, realmID int64
			name        string
			deleted     bool
		}
		rows, err := tx.Query(ctx, `SELECT id, realm_id, name, `+deleted+` FROM `+table)
		if err != nil {
			return err
		}
		all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.id, &x.realmID, &x.name, &x.deleted)
			return x, err
		})
		if err != nil {
			return err
		}
		for _, r := range all {
			text := ""
			if !r.deleted {
				text = directory.NameSearchText(r.realmID, r.name)
			}
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET search_text = $1 WHERE id = $2`, text, r.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// searchQuery is a user search translated to SQL conditions on users u:
// the full-text index for text terms, indexed columns for the others.
type searchQuery struct {
	realmID int64
	p       params
	where   []string
	nothing bool // the query cannot match anything
	// tag is a tag every match has, which drives the query from
	// user_tags when no text term is there to drive it from the GIN index.
	tag string
	// textOnly holds the tsqueries of the positive text terms (see
	// CountSearchUsers); where holds one more condition per other term.
	textOnly []string
}

// textQuery is the tsquery for words in one of fields: word prefixes, or
// the exact phrase when phrase is set. Words of a value must follow each
// other (as "example.com" does in an email).
func textQuery(realmID int64, fields []string, words []string, phrase bool) string {
	var alts []string
	for _, f := range fields {
		tokens := make([]string, len(words))
		for i, w := range words {
			// Tokens hold only letters and digits, so quoting needs no escape.
			tokens[i] = "'" + directory.SearchToken(realmID, f, w) + "'"
			if !phrase && i == len(words)-1 {
				tokens[i] += ":*"
			}
		}
		alts = append(alts, "("+strings.Join(tokens, " <-> ")+")")
	}
	return strings.Join(alts, " | ")
}

func likePattern(v string) string {
	r := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`, "*", "%")
	return r.Replace(strings.ToLower(v))
}

func (sq *searchQuery) cond(t directory.Term, cond string) {
	if t.Negated {
		cond = "NOT (" + cond + ")"
	}
	sq.where = append(sq.where, cond)
}

func (sq *searchQuery) text(t directory.Term, fields []string) error {
	words, err := directory.TextWords(t)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		if !t.Negated {
			sq.nothing = true
		}
		return nil
	}
	tsq := textQuery(sq.realmID, fields, words, t.Phrase)
	sq.cond(t, "u.search_tsv @@ "+sq.p.add(tsq)+"::tsquery")
	if !t.Negated {
		sq.textOnly = append(sq.textOnly, tsq)
	}
	return nil
}

func (sq *searchQuery) timeCond(t directory.Term, column string) {
	switch t.Op {
	case directory.OpLT:
		sq.cond(t, "u."+column+" < "+sq.p.add(t.Time))
	case directory.OpLE:
		sq.cond(t, "u."+column+" <= "+sq.p.add(t.Time))
	case directory.OpGT:
		sq.cond(t, "u."+column+" > "+sq.p.add(t.Time))
	case directory.OpGE:
		sq.cond(t, "u."+column+" >= "+sq.p.add(t.Time))
	default:
		// ":" on a date is that whole day, in the date's own offset.
		day := t.Time
		sq.cond(t, "u."+column+" >= "+sq.p.add(day)+" AND u."+column+" < "+sq.p.add(day.AddDate(0, 0, 1)))
	}
}

// number adds the Numeric terms of one field, all positive or a single
// negated one: the users whose value of the field falls in every term's
// range, from user_field_numbers. A range of few values is read once, one
// range of the (realm, key, value) index, into an array of ids the users'
// primary key finds; a broad one (directory.BroadRange) and a negated one
// probe each candidate's values in the (user_id, realm_id, key, value)
// index instead. Both forms keep the planner from making a join of them:
// as one, without fresh statistics (right after a bulk load), it read the
// whole range once per user, 5 s for 10,000 users. OFFSET 0 keeps the
// probe a subplan.
func (sq *searchQuery) number(terms []directory.Term, broad bool) {
	t := terms[0]
	cond := numberRange(&sq.p, terms)
	if broad || t.Negated {
		sq.cond(t, "EXISTS (SELECT 1 FROM user_field_numbers WHERE user_id = u.id AND realm_id = "+sq.p.add(sq.realmID)+
			" AND key = "+sq.p.add(t.Field)+" AND "+cond+" OFFSET 0)")
		return
	}
	sq.cond(t, "u.id = ANY (ARRAY(SELECT user_id FROM user_field_numbers WHERE realm_id = "+sq.p.add(sq.realmID)+
		" AND key = "+sq.p.add(t.Field)+" AND "+cond+"))")
}

// numberRange is the condition on user_field_numbers.value of Numeric
// terms of one field, every bound ANDed, with its arguments added to p.
func numberRange(p *params, terms []directory.Term) string {
	var conds []string
	for _, t := range terms {
		for _, b := range t.Bounds {
			conds = append(conds, "value "+b.Op+" "+p.add(b.Value))
		}
	}
	return strings.Join(conds, " AND ")
}

// broadRanges returns the fields whose range in q (directory.NumberRanges)
// holds at least directory.BroadRange values, counted in the index up to
// that many.
func (s *Store) broadRanges(ctx context.Context, realmID int64, q directory.UserQuery) (map[string]bool, error) {
	var broad map[string]bool
	for field, terms := range directory.NumberRanges(q) {
		var p params
		query := "SELECT count(*) FROM (SELECT FROM user_field_numbers WHERE realm_id = " + p.add(realmID) + " AND key = " + p.add(field) +
			" AND " + numberRange(&p, terms) + " LIMIT " + p.add(directory.BroadRange) + ") AS r"
		var n int
		if err := s.pool.QueryRow(ctx, query, p...).Scan(&n); err != nil {
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

func (sq *searchQuery) emailIs(t directory.Term, realmID int64) {
	sq.cond(t, "u.id IN (SELECT user_id FROM identities WHERE realm_id = "+sq.p.add(realmID)+
		" AND type = 'email' AND lower(value) = "+sq.p.add(directory.NormalizeEmail(t.Value))+")")
}

// membership adds organization:VALUE or group:VALUE: the users with a
// membership (in table, by column) of an organization or group (in
// owners) whose name matches VALUE as name:VALUE matches a user's name
// (word prefixes, or the phrase), found through the names' GIN index, or,
// for a number, whose id it is. The members come from the membership
// table's index on (realm_id, column, user_id); an id of another realm has
// no membership in this one.
func (sq *searchQuery) membership(t directory.Term, table, column, owners string) error {
	words, err := directory.TextWords(t)
	if err != nil {
		return err
	}
	var sources []string
	if len(words) > 0 {
		sources = append(sources, "SELECT id FROM "+owners+" WHERE realm_id = "+sq.p.add(sq.realmID)+
			" AND search_tsv @@ "+sq.p.add(textQuery(sq.realmID, []string{"name"}, words, t.Phrase))+"::tsquery")
	}
	if id, perr := strconv.ParseInt(t.Value, 10, 64); perr == nil && id > 0 && !t.Phrase {
		sources = append(sources, "SELECT "+sq.p.add(id)+"::bigint")
	}
	if len(sources) == 0 {
		// Nothing searchable (punctuation only): nobody is in it.
		if !t.Negated {
			sq.nothing = true
		}
		return nil
	}
	sq.cond(t, "u.id IN (SELECT user_id FROM "+table+" WHERE realm_id = "+sq.p.add(sq.realmID)+" AND "+column+" IN ("+
		strings.Join(sources, " UNION ALL ")+"))")
	return nil
}

// orgNone adds organization:none, the users in no organization, or its
// negation. The literal 0 matches the predicates of the partial indexes
// users_realm_no_organization and users_realm_organization.
func (sq *searchQuery) orgNone(t directory.Term) {
	if t.Negated {
		sq.where = append(sq.where, "u.organization_id <> 0")
	} else {
		sq.where = append(sq.where, "u.organization_id = 0")
	}
}

// buildSearch translates q, a search of realm realmID; broad holds the
// fields whose Numeric terms make broad ranges (broadRanges).
func buildSearch(realmID int64, q directory.UserQuery, broad map[string]bool) (*searchQuery, error) {
	sq := &searchQuery{realmID: realmID}
	sq.where = []string{"u.realm_id = " + sq.p.add(realmID), "u.deleted_at IS NULL"}
	if !q.FindsUsers() {
		return &searchQuery{nothing: true}, nil
	}
	if q.Suspended != nil {
		sq.where = append(sq.where, "u.suspended = "+sq.p.add(*q.Suspended))
	}
	if q.Verified != nil {
		sq.where = append(sq.where, "u.verified = "+sq.p.add(*q.Verified))
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
				sq.cond(t, "lower(u.email) LIKE "+sq.p.add(likePattern(t.Value)))
			case strings.Contains(t.Value, "@"):
				sq.emailIs(t, realmID)
			default:
				err = sq.text(t, []string{"email"})
			}
		case "phone":
			if t.Wildcard {
				sq.cond(t, "u.phone LIKE "+sq.p.add(likePattern(t.Value)))
			} else {
				err = sq.text(t, []string{"phone"})
			}
		case "external_id":
			if t.Wildcard {
				sq.cond(t, "lower(u.external_id) LIKE "+sq.p.add(likePattern(t.Value)))
			} else {
				sq.cond(t, "u.external_id_key = "+sq.p.add(directory.FoldKey(t.Value)))
			}
		case "role":
			sq.cond(t, "u.role = "+sq.p.add(strings.ToLower(t.Value)))
		case "tags":
			tag := strings.ToLower(t.Value)
			if prefix, ok := strings.CutSuffix(tag, "*"); ok && t.Wildcard {
				sq.cond(t, "u.id IN (SELECT user_id FROM user_tags WHERE realm_id = "+sq.p.add(realmID)+
					" AND tag >= "+sq.p.add(prefix)+" AND tag < "+sq.p.add(prefix+"\U0010FFFF")+")")
			} else if !t.Negated && sq.tag == "" {
				sq.tag = tag
			} else {
				sq.tagCond(t, tag)
			}
		case "created":
			sq.timeCond(t, "created_at")
		case "updated":
			sq.timeCond(t, "updated_at")
		case "user":
			if id, perr := strconv.ParseInt(t.Value, 10, 64); perr == nil {
				sq.cond(t, "u.id = "+sq.p.add(id))
			} else if strings.Contains(t.Value, "@") {
				sq.emailIs(t, realmID)
			} else {
				err = sq.text(t, []string{"name"})
			}
		case "organization":
			if directory.IsNone(t) {
				sq.orgNone(t)
			} else {
				err = sq.membership(t, "organization_memberships", "organization_id", "organizations")
			}
		case "group":
			err = sq.membership(t, "group_memberships", "group_id", "groups")
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
	if sq.tag != "" && len(sq.textOnly) > 0 {
		// The text term's GIN index finds fewer rows than a tag's list,
		// as a rule: the tag is one more condition.
		sq.tagCond(directory.Term{}, sq.tag)
		sq.tag = ""
	}
	return sq, nil
}

// tagCond adds the condition that a user has tag, negated when t is.
func (sq *searchQuery) tagCond(t directory.Term, tag string) {
	sq.cond(t, "u.id IN (SELECT user_id FROM user_tags WHERE realm_id = "+sq.p.add(sq.realmID)+" AND tag = "+sq.p.add(tag)+")")
}

// from returns the FROM clause and the id column that orders matches: a
// tag's rows in user_tags when the query has one to drive it (see tag),
// joined to the users; the users alone otherwise. user_tags holds active
// users only, in (realm_id, tag, user_id) order, so a page is the first
// rows of one index range, where a semi-join would read every user with
// the tag before keeping a page of them.
func (sq *searchQuery) from() (from, idColumn string) {
	if sq.tag == "" {
		return "users u", "u.id"
	}
	sq.where = append(sq.where, "g.realm_id = "+sq.p.add(sq.realmID), "g.tag = "+sq.p.add(sq.tag))
	return "user_tags g JOIN users u ON u.id = g.user_id", "g.user_id"
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
	if len(sq.textOnly) > 0 && sq.tag == "" && q.OrderBy == "" && !q.Descending && p.Offset == 0 {
		return s.searchByRanges(ctx, realmID, q, sq, p)
	}
	from, idColumn := sq.from()
	if p.AfterID > 0 {
		sq.where = append(sq.where, idColumn+" > "+sq.p.add(p.AfterID))
	}
	dir := " ASC"
	if q.Descending {
		dir = " DESC"
	}
	order := idColumn + dir
	switch q.OrderBy {
	case "created_at":
		order = "u.created_at" + dir + ", u.id" + dir
	case "updated_at":
		order = "u.updated_at" + dir + ", u.id" + dir
	case "name":
		order = "u.name" + dir + ", u.id" + dir
	}
	query := `SELECT ` + searchColumns + ` FROM ` + from + ` WHERE ` + strings.Join(sq.where, " AND ") +
		` ORDER BY ` + order + ` LIMIT ` + sq.p.add(p.Limit) + ` OFFSET ` + sq.p.add(p.Offset)
	return all(ctx, s.pool, scanUser, query, sq.p...)
}

// The id windows of searchByRanges: the first spans firstIDWindow ids,
// each next one idWindowGrowth times the one before.
const (
	firstIDWindow  = 8192
	idWindowGrowth = 8
)

// plainSearchMatches is how many matches searchByRanges expects to be left
// at most for it to read them from the GIN bitmap alone: each costs a
// heap page (about 3 µs when cached), so 20,000 cost about as much as a
// window of 200,000 ids. A variable so that a test can take either path.
var plainSearchMatches = 20000.0

// searchByRanges returns the first p.Limit users after p.AfterID, in id
// order, that match a search with a text term. Why not one query: the GIN
// index hands matches back in no order, so a page of a broad term would
// read and sort every match of the realm (40,000 rows for a three-letter
// prefix at a million users), or walk the realm in id order testing each
// user. So it reads windows of ids first: bounded by an id range,
// PostgreSQL intersects the GIN bitmap with the id index's (BitmapAnd)
// and reads only the matches inside the window, and a broad term fills
// its page from the first window. Windows grow; but a window's cost
// follows its width (the id index's bitmap), not its matches, which for
// a rare term made the last, realm-wide windows the dearest part (300 ms
// for a surname with 1,000 matches). So once the windows read so far say
// that few matches are left (plainSearchMatches), the rest is one query
// on the GIN bitmap alone, whose cost follows the matches, sorted by a
// top-N sort ("u.id + 0" keeps the id index out of it). A lone bare word
// whose prefix stands for few words is paged from user_words instead
// (wordPage), without the windows.
func (s *Store) searchByRanges(ctx context.Context, realmID int64, q directory.UserQuery, sq *searchQuery, p directory.SearchPage) ([]directory.User, error) {
	if lo, hi, ok := loneWord(realmID, q); ok {
		if users, ok, err := s.wordPage(ctx, realmID, lo, hi, p); err != nil || ok {
			return users, err
		}
	}
	var first, last int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM users
		WHERE realm_id = $1 AND deleted_at IS NULL`, realmID).Scan(&first, &last)
	if err != nil {
		return nil, err
	}
	out := []directory.User{}
	lo := max(first, p.AfterID+1)
	var scanned int64
	for window := int64(firstIDWindow); lo <= last && len(out) < p.Limit; window *= idWindowGrowth {
		args := append(params{}, sq.p...)
		where := strings.Join(sq.where, " AND ") + " AND u.id >= " + args.add(lo)
		order := "u.id"
		// The matches left, at the density of the windows read so far.
		left := float64(len(out)) / float64(max(scanned, 1)) * float64(last-lo+1)
		if scanned > 0 && left <= plainSearchMatches {
			order = "u.id + 0"
		} else if hi := lo + window; hi <= last {
			where += " AND u.id < " + args.add(hi)
			scanned += window
		}
		query := `SELECT ` + searchColumns + ` FROM users u WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ` + args.add(p.Limit-len(out))
		// Planned for this term (pgx's unnamed statement), never from a
		// generic plan cached for the statement: one that does not know
		// how rare the term is may walk the id index over the whole realm,
		// testing every user (a second a query at a million users).
		users, err := all(ctx, s.pool, scanUser, query, append([]any{pgx.QueryExecModeExec}, args...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, users...)
		if order != "u.id" || lo+window > last {
			break
		}
		lo += window
	}
	return out, nil
}

// CountSearchUsers counts the active users matching q.
func (s *Store) CountSearchUsers(ctx context.Context, realmID int64, q directory.UserQuery) (int64, error) {
	var n int64
	if terms, ok := directory.LoneRange(q); ok {
		// user_field_numbers holds active users only, a value per user
		// and key: the range counts from its index alone (and without
		// asking first how broad it is).
		var p params
		query := "SELECT count(*) FROM user_field_numbers WHERE realm_id = " + p.add(realmID) + " AND key = " + p.add(terms[0].Field) +
			" AND " + numberRange(&p, terms)
		err := s.pool.QueryRow(ctx, query, p...).Scan(&n)
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
	if tag, ok := loneTag(q); ok {
		// The tag's deltas of active users (migration 0029), where
		// user_tags's index would be read entry by entry (80,000 for a
		// common tag at 1,000,000 users).
		return s.tagCount(ctx, realmID, tag)
	}
	if role, ok := directory.LoneRole(q); ok {
		// The role's counter of active users, kept with every write.
		return s.CountUsers(ctx, realmID, directory.UserFilter{Roles: []directory.Role{role}})
	}
	if lo, hi, ok := loneWord(realmID, q); ok {
		// user_words holds active users' bare words only, one row per
		// user and token: the range's distinct users, read index-only.
		query, p := wordCountQuery(realmID, lo, hi)
		err = s.pool.QueryRow(ctx, query, p...).Scan(&n)
		return n, err
	}
	if sq.tag == "" && len(sq.textOnly) > 0 && len(sq.where) == 2+len(sq.textOnly) {
		// Only positive text terms: their tokens name the realm, and an
		// inactive user has no tokens, so the realm and deleted_at
		// conditions add nothing. Without them the bitmap heap scan has
		// no column to read, and skips the heap pages the visibility map
		// marks all-visible instead of reading every match there.
		var p params
		conds := make([]string, len(sq.textOnly))
		for i, tsq := range sq.textOnly {
			conds[i] = "search_tsv @@ " + p.add(tsq) + "::tsquery"
		}
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE `+strings.Join(conds, " AND "), p...).Scan(&n)
		return n, err
	}
	from, _ := sq.from()
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM `+from+` WHERE `+strings.Join(sq.where, " AND "), sq.p...).Scan(&n)
	return n, err
}

// loneTag reports whether q is a LoneTerm exact tags:VALUE, and which tag.
func loneTag(q directory.UserQuery) (string, bool) {
	t, ok := directory.LoneTerm(q)
	if !ok || t.Field != "tags" || t.Wildcard {
		return "", false
	}
	return strings.ToLower(t.Value), true
}
