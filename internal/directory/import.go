package directory

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"time"
)

// ImportUser is one write of a bulk load: a new user (ID 0) with its
// identities, or an existing user, rewritten whole as UpdateUser rewrites
// it, with the change to its identities. A new user's OrganizationID (when
// not 0) and an existing user's Change.Organization (when set) become the
// user's default and only organization membership, as in CreateUser and
// UpdateUser.
type ImportUser struct {
	User *User
	// Identities are a new user's identities; ignored for an existing user.
	Identities []Identity
	// Change is what happens to an existing user's identities; ignored for
	// a new user.
	Change IdentityChange
}

// ImportStore is the part of Store that loads users in bulk.
type ImportStore interface {
	// ImportUsers writes batch in one transaction: it inserts every new
	// user (ID 0) with its identities and organization and sets its ID (not
	// the identities' ids); it rewrites every existing user and applies its
	// identity and organization change, as UpdateUser does; and it moves
	// the user_counts counters
	// once for the whole batch. The users are already validated: the store
	// checks only its constraints. Either the whole batch is written or
	// nothing is: a unique violation fails it with the DuplicateValue error
	// CreateUser would return, and an existing user that is not in the
	// realm fails it with KindNotFound.
	ImportUsers(ctx context.Context, realmID int64, batch []ImportUser) error
	// IdentitiesByValues returns the identities of type typ whose value is
	// one of values, compared case-insensitively, ordered by id.
	IdentitiesByValues(ctx context.Context, realmID int64, typ string, values []string) ([]Identity, error)
	// IdentitiesByUsers returns the identities of the users userIDs,
	// ordered by user id, then primary first, then by id.
	IdentitiesByUsers(ctx context.Context, realmID int64, userIDs []int64) ([]Identity, error)
	// MembershipCounts returns how many organization memberships each of
	// the users userIDs has; a user with none is absent from the map.
	MembershipCounts(ctx context.Context, realmID int64, userIDs []int64) (map[int64]int64, error)
}

// BulkLoader is implemented by a store with a faster way to load many
// users than one transaction per ImportUsers batch. The command-line
// loads (seed, user import) use it when the store has it.
type BulkLoader interface {
	// BulkLoad starts a load and returns the context that joins it: the
	// store's reads and writes made with that context are one
	// transaction, committed by the Load's Commit, and see each other's
	// writes. The store may hold back work that a commit needs (the
	// search index of the users loaded) until Commit, so a search made
	// with the load's context may miss users loaded since the last
	// commit. Writes made with any other context wait until End (reads
	// do not, and see only what was committed); the load's calls must
	// come from one goroutine.
	BulkLoad(ctx context.Context) (context.Context, Load, error)
}

// Load is a bulk load in progress (BulkLoader).
type Load interface {
	// Commit makes the load's writes so far durable and complete (every
	// index written); the load goes on.
	Commit(ctx context.Context) error
	// End rolls back the writes since the last Commit and ends the load.
	End() error
}

// LoadSizer is implemented by a Load that can prepare for how many new
// users it will write between two commits: a store may then choose a
// cheaper way to keep its indexes when a part is large against what the
// store holds (SQLite builds some indexes once at the commit instead of
// entry by entry).
type LoadSizer interface {
	// ExpectPerCommit says that about n new users will be loaded between
	// two commits. It is a hint: any number gives correct results.
	ExpectPerCommit(n int)
}

// UniqueAtCommit is implemented by a Load that can check the uniqueness
// of what it loads (emails, phones) once at each commit instead of row by
// row, which costs far less at a million users. It is for a loader whose
// rows are unique by construction and that does not look its own writes
// up (seed): a duplicate then fails the whole part at its commit, not the
// one batch that holds it.
type UniqueAtCommit interface {
	// CheckUniqueAtCommit asks for uniqueness to be checked at commits.
	CheckUniqueAtCommit()
}

// ImportAction is what ImportUsers did with one row.
type ImportAction int

// The outcomes of an imported row.
const (
	ImportFailed    ImportAction = iota // the row was refused; see ImportResult.Err
	ImportCreated                       // a new user was created
	ImportUpdated                       // an existing user was changed
	ImportUnchanged                     // an existing user already was as the row says
)

// ImportResult is the outcome of one row of ImportUsers.
type ImportResult struct {
	Action ImportAction
	// User is the user created, updated or matched; nil when the row failed.
	User *User
	// Err says why the row was refused: a KindInvalid error naming the
	// fields, or KindForbidden.
	Err error
}

// ImportUsers creates or updates one user per row, as CreateOrUpdateUser
// does for one: a row whose external_id (compared case-insensitively), or
// else whose email, matches an active user of the realm updates that user;
// any other row creates a user. A row's organization_id makes that
// organization the user's default and only membership (null: none), as a
// single create or update does; an id that is not an organization of the
// realm fails the row. Every row goes through the rules of
// CreateUser and UpdateUser (validation, defaults, uniqueness, who may do
// what); a row that breaks one gets its error in its result and the other
// rows go on. A row that would change nothing writes nothing and is
// ImportUnchanged, so importing the same rows twice leaves the same users.
//
// Rows are looked up and written in batches, each one transaction of the
// store, so callers should pass a few thousand rows at a time. Rows are
// applied in order: a row naming the same user, email, phone or external
// id as an earlier row of the call sees that row's write. The error
// returned is a failure of the store; rows without a result (Action
// ImportFailed and a nil Err) were not written.
func (s *Service) ImportUsers(ctx context.Context, a Actor, rows []UserInput) ([]ImportResult, error) {
	results := make([]ImportResult, len(rows))
	if err := requireStaff(a); err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results, nil
	}
	for start := 0; start < len(rows); {
		n, err := s.importBatch(ctx, a, rows[start:], results[start:])
		if err != nil {
			return results, err
		}
		start += n
	}
	return results, nil
}

// importRow is the work on one row of a batch.
type importRow struct {
	in      UserInput
	org     *int64 // the organization_id sent (nil: none), taken out of in
	extKey  string // FoldKey of the trimmed external id; "" when none sent
	email   string // NormalizeEmail of the email sent; "" when none
	old     *User  // the matched user, nil for a create
	op      ImportUser
	err     error
	skip    bool // unchanged: nothing to write
	created bool
}

// identityKey names an identity value for uniqueness, as the stores'
// unique index compares it (by type and lowercased value).
func identityKey(typ, value string) string { return typ + "\x00" + strings.ToLower(value) }

// importBatch handles the longest prefix of rows in which no two rows name
// the same external id, email, identity or existing user, so the whole
// prefix can be checked against the store at once and written in one
// transaction. It fills results for the prefix and returns its length
// (at least 1).
func (s *Service) importBatch(ctx context.Context, a Actor, rows []UserInput, results []ImportResult) (int, error) {
	// Cut at the first row repeating a key of an earlier one: it must see
	// the earlier row's write, so it goes in the next batch.
	batch := make([]importRow, 0, len(rows))
	seen := map[string]bool{}
	for _, in := range rows {
		r := importRow{in: in, org: in.OrganizationID}
		// organization_id is checked against the store for the whole batch
		// below, not by applyUserInput.
		r.in.OrganizationID = nil
		if in.ExternalID != nil {
			r.extKey = FoldKey(trimmed(*in.ExternalID))
		}
		if in.Email != nil {
			r.email = NormalizeEmail(*in.Email)
		}
		keys := make([]string, 0, 2)
		if r.extKey != "" {
			keys = append(keys, "x\x00"+r.extKey)
		}
		if r.email != "" {
			keys = append(keys, identityKey(IdentityEmail, r.email))
		}
		if len(batch) > 0 && anySeen(seen, keys) {
			break
		}
		for _, k := range keys {
			seen[k] = true
		}
		batch = append(batch, r)
	}

	// Find the users the rows name, in three queries for the whole batch.
	var extKeys, emails []string
	for _, r := range batch {
		if r.extKey != "" {
			extKeys = append(extKeys, r.extKey)
		}
		if r.email != "" {
			emails = append(emails, r.email)
		}
	}
	byExt := map[string]*User{}
	if len(extKeys) > 0 {
		users, err := s.store.UsersByExternalIDs(ctx, a.RealmID, extKeys)
		if err != nil {
			return 0, err
		}
		for i := range users {
			byExt[FoldKey(users[i].ExternalID)] = &users[i]
		}
	}
	// owner maps identityKey to the id of the user holding it (0: nobody).
	owner := map[string]int64{}
	if err := s.lookUpOwners(ctx, a.RealmID, IdentityEmail, emails, owner); err != nil {
		return 0, err
	}
	byID := map[int64]*User{}
	for _, u := range byExt {
		byID[u.ID] = u
	}
	var missing []int64
	for _, r := range batch {
		if r.email == "" || (r.extKey != "" && byExt[r.extKey] != nil) {
			continue
		}
		id := owner[identityKey(IdentityEmail, r.email)]
		if _, asked := byID[id]; id != 0 && !asked {
			missing = append(missing, id)
			byID[id] = nil // until UsersByIDs finds it
		}
	}
	if len(missing) > 0 {
		users, err := s.store.UsersByIDs(ctx, a.RealmID, missing)
		if err != nil {
			return 0, err
		}
		for i := range users {
			byID[users[i].ID] = &users[i]
		}
	}

	// Match each row: by external id, then by email. Two rows of the batch
	// matching one user cut the batch there.
	matched := map[int64]bool{}
	var matchedIDs []int64
	for i := range batch {
		r := &batch[i]
		var m *User
		if r.extKey != "" {
			m = byExt[r.extKey]
		}
		if m == nil && r.email != "" {
			m = byID[owner[identityKey(IdentityEmail, r.email)]]
		}
		if m == nil {
			continue
		}
		if matched[m.ID] {
			batch = batch[:i]
			break
		}
		matched[m.ID] = true
		if !m.Active() {
			// A soft-deleted user keeps its external id and identities,
			// so the row can neither update it nor create a new user.
			var v Invalid
			if r.extKey != "" && byExt[r.extKey] == m {
				v.Add("external_id", "DuplicateValue", trimmed(*r.in.ExternalID)+" has already been taken")
			} else {
				v.Add("email", "DuplicateValue", r.email+" is already being used by another user")
			}
			r.err = v.Err()
			continue
		}
		r.old = m
		matchedIDs = append(matchedIDs, m.ID)
	}
	current := map[int64][]Identity{}
	if len(matchedIDs) > 0 {
		list, err := s.store.IdentitiesByUsers(ctx, a.RealmID, matchedIDs)
		if err != nil {
			return 0, err
		}
		for _, id := range list {
			current[id.UserID] = append(current[id.UserID], id)
		}
	}

	// Organizations named by the rows, in one lookup for the batch; and,
	// for the users a row keeps in the organization that already is their
	// default, whether they have others to leave.
	orgs, err := s.importOrganizations(ctx, a.RealmID, batch)
	if err != nil {
		return 0, err
	}
	var keeping []int64
	for _, r := range batch {
		if r.old != nil && r.org != nil && *r.org != 0 && *r.org == r.old.OrganizationID {
			keeping = append(keeping, r.old.ID)
		}
	}
	memberships := map[int64]int64{}
	if len(keeping) > 0 {
		if memberships, err = s.store.MembershipCounts(ctx, a.RealmID, keeping); err != nil {
			return 0, err
		}
	}

	// Apply each row as CreateUser or UpdateUser would, with the realm's
	// user fields when a row has values for them.
	var fields []UserField
	if slices.ContainsFunc(batch, func(r importRow) bool { return len(r.in.UserFields) > 0 }) {
		var err error
		if fields, err = s.store.UserFields(ctx, a.RealmID); err != nil {
			return 0, err
		}
	}
	now := s.Now()
	for i := range batch {
		r := &batch[i]
		if r.err != nil {
			continue
		}
		if r.old != nil {
			r.err = s.importUpdate(ctx, a, r, current[r.old.ID], memberships[r.old.ID], fields, now)
		} else {
			r.err = s.importCreate(ctx, a, r, fields, now)
		}
		if r.org != nil && *r.org != 0 && !orgs[*r.org] {
			// Reported with the row's other problems, as CreateUser does.
			var v Invalid
			v.Add("organization_id", "InvalidValue", "is not an organization of this account")
			r.err, r.skip = joinInvalid(r.err, v.Err()), false
		}
	}

	// Identities must be unique in the realm: look up the new ones, and cut
	// the batch where two rows bring the same one.
	type newIdentity struct {
		row int
		id  Identity
	}
	var added []newIdentity
	batchKeys := map[string]int{}
	byType := map[string][]string{}
	for i := range batch {
		r := &batch[i]
		if r.err != nil || r.skip {
			continue
		}
		ids := r.op.Identities
		if r.old != nil {
			ids = append(append([]Identity{}, r.op.Change.Add...), r.op.Change.Update...)
		}
		cut := false
		for _, id := range ids {
			k := identityKey(id.Type, id.Value)
			if j, dup := batchKeys[k]; dup && j != i {
				cut = true
				break
			}
		}
		if cut {
			batch = batch[:i]
			break
		}
		for _, id := range ids {
			k := identityKey(id.Type, id.Value)
			batchKeys[k] = i
			added = append(added, newIdentity{row: i, id: id})
			if _, known := owner[k]; !known {
				byType[id.Type] = append(byType[id.Type], id.Value)
			}
		}
	}
	for typ, values := range byType {
		if err := s.lookUpOwners(ctx, a.RealmID, typ, values, owner); err != nil {
			return 0, err
		}
	}
	dups := map[int]*Invalid{}
	for _, n := range added {
		if n.row >= len(batch) {
			continue
		}
		r := &batch[n.row]
		self := int64(0)
		if r.old != nil {
			self = r.old.ID
		}
		if other := owner[identityKey(n.id.Type, n.id.Value)]; other != 0 && other != self {
			v := dups[n.row]
			if v == nil {
				v = &Invalid{}
				dups[n.row] = v
			}
			v.Add(identityField(n.id.Type), "DuplicateValue", n.id.Value+" is already being used by another user")
		}
	}
	for i, v := range dups {
		batch[i].err = v.Err()
	}

	// Write what is left in one transaction.
	var ops []ImportUser
	var opRows []int
	for i := range batch {
		r := &batch[i]
		if r.err == nil && !r.skip {
			ops = append(ops, r.op)
			opRows = append(opRows, i)
		}
	}
	if len(ops) > 0 {
		err := s.store.ImportUsers(ctx, a.RealmID, ops)
		if k := KindOf(err); k == KindInvalid || k == KindConflict || k == KindNotFound {
			// A concurrent write took a value or a user since the lookups:
			// write the rows one by one to find which.
			for j, op := range ops {
				batch[opRows[j]].err = s.store.ImportUsers(ctx, a.RealmID, []ImportUser{op})
				if k := KindOf(batch[opRows[j]].err); batch[opRows[j]].err != nil && k != KindInvalid && k != KindConflict && k != KindNotFound {
					return 0, batch[opRows[j]].err
				}
			}
		} else if err != nil {
			return 0, err
		}
	}
	for i := range batch {
		r := &batch[i]
		switch {
		case r.err != nil:
			results[i] = ImportResult{Action: ImportFailed, Err: r.err}
		case r.skip:
			results[i] = ImportResult{Action: ImportUnchanged, User: r.old}
		case r.created:
			results[i] = ImportResult{Action: ImportCreated, User: r.op.User}
		default:
			results[i] = ImportResult{Action: ImportUpdated, User: r.op.User}
		}
	}
	return len(batch), nil
}

// importOrganizations returns the set of the organizations of the realm
// among those the rows of batch name, looked up together.
func (s *Service) importOrganizations(ctx context.Context, realmID int64, batch []importRow) (map[int64]bool, error) {
	found := map[int64]bool{}
	var ids []int64
	asked := map[int64]bool{}
	for _, r := range batch {
		if r.org != nil && *r.org != 0 && !asked[*r.org] {
			asked[*r.org] = true
			ids = append(ids, *r.org)
		}
	}
	for chunk := range slices.Chunk(ids, 500) {
		list, err := s.store.OrganizationsByIDs(ctx, realmID, chunk)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			found[o.ID] = true
		}
	}
	return found, nil
}

func anySeen(seen map[string]bool, keys []string) bool {
	for _, k := range keys {
		if seen[k] {
			return true
		}
	}
	return false
}

// lookUpOwners records in owner who holds each identity of type typ among
// values, 0 for nobody.
func (s *Service) lookUpOwners(ctx context.Context, realmID int64, typ string, values []string, owner map[string]int64) error {
	if len(values) == 0 {
		return nil
	}
	found, err := s.store.IdentitiesByValues(ctx, realmID, typ, values)
	if err != nil {
		return err
	}
	for _, v := range values {
		if _, ok := owner[identityKey(typ, v)]; !ok {
			owner[identityKey(typ, v)] = 0
		}
	}
	for _, id := range found {
		owner[identityKey(id.Type, id.Value)] = id.UserID
	}
	return nil
}

// identityField is the field a duplicate identity is reported on, as
// checkUnique reports it.
func identityField(typ string) string {
	switch typ {
	case IdentityEmail:
		return "email"
	case IdentityPhone:
		return "phone"
	}
	return "identities"
}

// importCreate prepares r as CreateUser prepares a new user.
func (s *Service) importCreate(ctx context.Context, a Actor, r *importRow, fields []UserField, now time.Time) error {
	u := s.newUser(a.RealmID, now)
	if err := s.applyUserInput(u, r.in, true); err != nil {
		return err
	}
	if err := s.applyUserFieldValues(ctx, u, r.in.UserFields, fields); err != nil {
		return err
	}
	if err := authorizeRole(a, u.Role); err != nil {
		return err
	}
	if err := importGroups(nil, u, r.in); err != nil {
		return err
	}
	ids, err := s.newUserIdentities(u, r.in, now)
	if err != nil {
		return err
	}
	if r.org != nil {
		u.OrganizationID = *r.org // the store makes it the default membership
	}
	r.op = ImportUser{User: u, Identities: ids}
	r.created = true
	return nil
}

// importUpdate prepares r as UpdateUser prepares a change of r.old, and
// marks it to skip when it changes nothing. memberships is how many
// organization memberships r.old has (looked up only when the row keeps
// the user's default organization).
func (s *Service) importUpdate(ctx context.Context, a Actor, r *importRow, current []Identity, memberships int64, fields []UserField, now time.Time) error {
	if err := authorizeWrite(a, r.old); err != nil {
		return err
	}
	u := cloneUser(r.old)
	in := r.in
	in.Identities = nil // identities are create-only
	if err := s.applyUserInput(u, in, false); err != nil {
		return err
	}
	if err := s.applyUserFieldValues(ctx, u, in.UserFields, fields); err != nil {
		return err
	}
	if err := authorizePrivileges(a, r.old, u); err != nil {
		return err
	}
	if err := importGroups(r.old, u, in); err != nil {
		return err
	}
	change := identityChangeFor(u, r.old, in, current, now)
	// organization_id, when sent, becomes the only membership (seed 003,
	// "Organization ID"): a change unless the user already has exactly
	// that one, or none when null is sent. (A user with memberships always
	// has a default one, its organization_id.)
	if r.org != nil && (*r.org != r.old.OrganizationID || (*r.org != 0 && memberships != 1)) {
		org := *r.org
		change.Organization = &org
		u.OrganizationID = org
	}
	// A new external id needs no check here: every external id of the
	// batch was looked up, and one held by a user would have matched the
	// row to that user.
	if reflect.DeepEqual(u, r.old) && change.Organization == nil && len(change.Add) == 0 && len(change.Update) == 0 && len(change.Delete) == 0 {
		r.skip = true
		return nil
	}
	u.UpdatedAt = now
	r.op = ImportUser{User: u, Change: change}
	return nil
}
