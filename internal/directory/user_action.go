package directory

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// UserActionStore is what the user actions beyond plain edits (merging
// users, signing users out) need from a store.
type UserActionStore interface {
	// MergeUsers moves the identities moved (with the primary and verified
	// flags they carry) from source to target and writes both users (source
	// soft-deleted by the caller), moving counters, in one transaction.
	MergeUsers(ctx context.Context, realmID int64, source, target *User, moved []Identity) error
	// RevokeAccessTokens deletes the OAuth access tokens of the users
	// userIDs and returns how many it deleted.
	RevokeAccessTokens(ctx context.Context, realmID int64, userIDs []int64) (int64, error)
}

// PasswordHasher hashes and checks passwords. The directory names the
// rules; the auth package provides the hash (argon2id).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(hash, password string) bool
}

// Password limits: long enough to resist guessing, short enough that one
// request cannot make the hash expensive.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// passwordRequirements are the rules of a new password, as
// /password/requirements lists them.
var passwordRequirements = []string{
	fmt.Sprintf("must be at least %d characters", MinPasswordLength),
	fmt.Sprintf("must be at most %d characters", MaxPasswordLength),
	"must be different from email address",
}

// checkNewPassword adds to v the rules a new password of the user with
// email breaks: the one check for the password endpoints and for realm
// sign-up, reset and change.
func checkNewPassword(v *Invalid, email, password string) {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password) || n < MinPasswordLength:
		v.Add("password", "InvalidValue", passwordRequirements[0])
	case n > MaxPasswordLength:
		v.Add("password", "InvalidValue", passwordRequirements[1])
	case email != "" && NormalizeEmail(password) == NormalizeEmail(email):
		v.Add("password", "InvalidValue", passwordRequirements[2])
	}
}

// UserRelated counts what refers to a user. Clientele has no tickets and
// no organization subscriptions, so every count is zero.
type UserRelated struct {
	AssignedTickets           int64
	RequestedTickets          int64
	CCDTickets                int64
	OrganizationSubscriptions int64
}

// ComplianceDeletionStatus is one step of a user's GDPR deletion.
type ComplianceDeletionStatus struct {
	Action           string // request_deletion, started, complete
	Application      string // all, support
	AccountSubdomain string
	ExecuterID       int64 // 0: unknown (null)
	UserID           int64
	CreatedAt        time.Time
}

// MergeUsers merges end user sourceID into end user targetID: the
// source's identities move to the target (its primary email or phone stays
// primary only when the target has none of that type) and the source is
// soft-deleted. Agents and admins cannot be merged. Returns the target.
func (s *Service) MergeUsers(ctx context.Context, a Actor, sourceID, targetID int64) (*User, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	source, err := s.activeUser(ctx, a.RealmID, sourceID)
	if err != nil {
		return nil, err
	}
	target, err := s.activeUser(ctx, a.RealmID, targetID)
	if err != nil {
		return nil, err
	}
	if err := authorizeWrite(a, source); err != nil {
		return nil, err
	}
	if err := authorizeWrite(a, target); err != nil {
		return nil, err
	}
	return s.merge(ctx, a.RealmID, source, target)
}

// MergeSelf merges the signed-in end user into the end user owning email
// whose password is password, as PUT /users/me/merge does, and returns
// that user. A wrong email or password gives one and the same error.
func (s *Service) MergeSelf(ctx context.Context, a Actor, email, password string, h PasswordHasher) (*User, error) {
	if a.Role.Staff() {
		return nil, mergeStaffError()
	}
	source, err := s.activeUser(ctx, a.RealmID, a.UserID)
	if err != nil {
		return nil, err
	}
	target, err := s.store.UserByIdentity(ctx, a.RealmID, IdentityEmail, NormalizeEmail(email))
	if err != nil && KindOf(err) != KindNotFound {
		return nil, err
	}
	if err != nil || !target.Active() || target.PasswordHash == "" {
		// Spend what a wrong password costs, so the time taken does not
		// tell whether the email exists.
		h.Hash(password)
	}
	if err != nil || !target.Active() || target.PasswordHash == "" || !h.Verify(target.PasswordHash, password) {
		var v Invalid
		v.Add("user", "InvalidValue", "email or password is incorrect")
		return nil, v.Err()
	}
	return s.merge(ctx, a.RealmID, source, target)
}

func mergeStaffError() error {
	var v Invalid
	v.Add("user", "InvalidValue", "agents and admins cannot be merged")
	return v.Err()
}

// merge moves source's identities to target and soft-deletes source.
func (s *Service) merge(ctx context.Context, realmID int64, source, target *User) (*User, error) {
	if source.ID == target.ID {
		var v Invalid
		v.Add("user", "InvalidValue", "cannot be merged into itself")
		return nil, v.Err()
	}
	if source.Role != RoleEndUser || target.Role != RoleEndUser {
		return nil, mergeStaffError()
	}
	sourceIDs, err := s.store.IdentitiesByUser(ctx, realmID, source.ID)
	if err != nil {
		return nil, err
	}
	targetIDs, err := s.store.IdentitiesByUser(ctx, realmID, target.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	moved := make([]Identity, len(sourceIDs))
	for i, id := range sourceIDs {
		id.UserID, id.UpdatedAt = target.ID, now
		id.Primary = id.Primary && primaryOf(targetIDs, id.Type) == nil
		moved[i] = id
	}
	// The source keeps its shared phone, if any: only identities move.
	s.followIdentities(target, append(targetIDs, moved...))
	target.UpdatedAt = now
	source.Email = ""
	if !source.SharedPhoneNumber {
		source.Phone = ""
	}
	source.DeletedAt, source.UpdatedAt = now, now
	if err := s.store.MergeUsers(ctx, realmID, source, target, moved); err != nil {
		return nil, err
	}
	return target, nil
}

// activeUser returns user id, or ErrNotFound when it is deleted.
func (s *Service) activeUser(ctx context.Context, realmID, id int64) (*User, error) {
	u, err := s.store.UserByID(ctx, realmID, id)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, ErrNotFound
	}
	return u, nil
}

// PasswordRequirements lists the rules a new password of user id must
// follow. Staff may ask for anyone, end users for themselves.
func (s *Service) PasswordRequirements(ctx context.Context, a Actor, id int64) ([]string, error) {
	if !a.Role.Staff() && a.UserID != id {
		return nil, forbidden()
	}
	if _, err := s.activeUser(ctx, a.RealmID, id); err != nil {
		return nil, err
	}
	return append([]string(nil), passwordRequirements...), nil
}

// SetPassword sets the password of user id without knowing the old one.
// Admins only.
func (s *Service) SetPassword(ctx context.Context, a Actor, id int64, password string, h PasswordHasher) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	u, err := s.activeUser(ctx, a.RealmID, id)
	if err != nil {
		return err
	}
	return s.storePassword(ctx, u, password, h)
}

// ChangePassword changes the signed-in user's own password, which needs
// the previous one. Nobody may change another user's password this way.
func (s *Service) ChangePassword(ctx context.Context, a Actor, id int64, previous, password string, h PasswordHasher) error {
	if a.UserID != id {
		return Errorf(KindForbidden, "You can only change your own password.")
	}
	u, err := s.activeUser(ctx, a.RealmID, id)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" || !h.Verify(u.PasswordHash, previous) {
		var v Invalid
		v.Add("previous_password", "InvalidValue", "is incorrect")
		return v.Err()
	}
	return s.storePassword(ctx, u, password, h)
}

func (s *Service) storePassword(ctx context.Context, u *User, password string, h PasswordHasher) error {
	var v Invalid
	checkNewPassword(&v, u.Email, password)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := h.Hash(password)
	if err != nil {
		return err
	}
	return s.store.SetPasswordHash(ctx, u.RealmID, u.ID, hash)
}

// LogoutUsers signs the users ids out of the API: their OAuth access
// tokens are revoked. Ids of other realms or of no user are ignored. At
// most 100 ids; admins only.
func (s *Service) LogoutUsers(ctx context.Context, a Actor, ids []int64) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if len(ids) > 100 {
		return Errorf(KindTooMany, "Maximum 100 users may be logged out per call")
	}
	if len(ids) == 0 {
		return Errorf(KindBadRequest, "Send ids: a comma-separated list of up to 100 user ids")
	}
	_, err := s.store.RevokeAccessTokens(ctx, a.RealmID, ids)
	return err
}

// RelatedToUser counts what refers to user id. Agents and admins only.
func (s *Service) RelatedToUser(ctx context.Context, a Actor, id int64) (*UserRelated, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	if _, err := s.store.UserByID(ctx, a.RealmID, id); err != nil {
		return nil, err
	}
	return &UserRelated{}, nil
}

// ComplianceDeletionStatuses reports the GDPR deletion of user id from
// its deletion state: nothing for an active user; a deletion request
// (application "all") once soft-deleted; the support deletion started and
// completed once its data is erased. application filters ("" for all).
// Clientele does not record who deleted, so executer_id is unknown.
func (s *Service) ComplianceDeletionStatuses(ctx context.Context, a Actor, id int64, application string) ([]ComplianceDeletionStatus, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	realm, err := s.store.RealmByID(ctx, a.RealmID)
	if err != nil {
		return nil, err
	}
	var all []ComplianceDeletionStatus
	status := func(action, app string, at time.Time) {
		all = append(all, ComplianceDeletionStatus{Action: action, Application: app,
			AccountSubdomain: realm.UID, UserID: u.ID, CreatedAt: at})
	}
	if !u.Active() {
		status("request_deletion", "all", u.DeletedAt)
	}
	if u.Erased {
		// Erasure happens in one transaction: it starts and completes at
		// the time of the erased row's last update.
		status("started", "support", u.UpdatedAt)
		status("complete", "support", u.UpdatedAt)
	}
	out := []ComplianceDeletionStatus{}
	for _, st := range all {
		if application == "" || st.Application == application {
			out = append(out, st)
		}
	}
	return out, nil
}

// RequestUserCreate validates a request, sent by an agent, that the
// account owner make room for a new user (Zendesk emails the owner to buy
// more agent seats). Clientele has no seats to buy and sends no email: the
// user is validated as a create would, and nothing is stored.
func (s *Service) RequestUserCreate(ctx context.Context, a Actor, in UserInput) error {
	if err := requireStaff(a); err != nil {
		return err
	}
	u := s.newUser(a.RealmID, s.Now())
	in.Identities = nil
	return s.applyUserInput(u, in, true)
}
