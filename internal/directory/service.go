package directory

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// Service applies the directory's rules on top of a Store: validation,
// normalisation, uniqueness, defaults and who may do what. Every API calls
// it; none talks to the Store for writes on its own.
type Service struct {
	store    Store
	now      func() time.Time
	newUUID  func() string
	newJobID func() string
	// fieldKeys remembers each realm's user field keys for rendering
	// users; a pointer, as job items run on copies of the Service.
	fieldKeys *fieldKeyCache
}

// ServiceOptions injects the clock and the UUID and job id sources, so
// tests and golden files are deterministic. Zero values mean the real clock,
// random UUIDs and random job ids.
type ServiceOptions struct {
	Now      func() time.Time
	NewUUID  func() string
	NewJobID func() string
}

// NewService returns a Service over store.
func NewService(store Store, opts ServiceOptions) *Service {
	s := &Service{store: store, now: opts.Now, newUUID: opts.NewUUID, newJobID: opts.NewJobID,
		fieldKeys: &fieldKeyCache{byRealm: map[int64]cachedKeys{}}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newUUID == nil {
		s.newUUID = randomUUID
	}
	if s.newJobID == nil {
		s.newJobID = randomJobID
	}
	return s
}

// Store returns the store the service writes to, for read paths that need
// no rule (authentication lookups, health checks).
func (s *Service) Store() Store { return s.store }

// Now returns the service clock's current time in UTC, truncated to the
// second as every timestamp on the wire is.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// Actor is who performs an operation: a user of a realm, or the operator
// (UserID 0, acting as an admin) through the CLI.
type Actor struct {
	RealmID int64
	UserID  int64
	Role    Role
}

// Operator returns the actor of CLI commands in a realm: an admin that is
// not a user.
func Operator(realmID int64) Actor { return Actor{RealmID: realmID, Role: RoleAdmin} }

// randomUUID returns a version 4 UUID.
func randomUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand documents it)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func forbidden() error {
	return Errorf(KindForbidden, "You do not have access to this page. Please contact the account owner of this help desk for further help.")
}

func requireStaff(a Actor) error {
	if !a.Role.Staff() {
		return forbidden()
	}
	return nil
}

func requireAdmin(a Actor) error {
	if a.Role != RoleAdmin {
		return forbidden()
	}
	return nil
}

// CreateRealm validates and stores a new realm.
func (s *Service) CreateRealm(ctx context.Context, uid, name string) (*Realm, error) {
	var v Invalid
	if !validRealmUID(uid) {
		v.Add("uid", "InvalidValue", "must be 1 to 63 lowercase letters, digits or dashes, starting with a letter or digit")
	}
	if !validText(name, 255) || trimmed(name) == "" {
		v.Add("name", "BlankValue", "is too short (minimum is 1 characters)")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.Now()
	r := &Realm{UID: uid, Name: trimmed(name), CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateRealm(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Realm returns the realm with the given uid.
func (s *Service) Realm(ctx context.Context, uid string) (*Realm, error) {
	return s.store.RealmByUID(ctx, uid)
}

// Realms lists every realm.
func (s *Service) Realms(ctx context.Context) ([]Realm, error) {
	return s.store.ListRealms(ctx)
}

func validRealmUID(uid string) bool {
	if len(uid) == 0 || len(uid) > 63 || uid[0] == '-' {
		return false
	}
	for _, c := range uid {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
