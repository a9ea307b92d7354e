package directory

import (
	"context"
	"time"
)

// RealmAdminStore is what the realm administration of the Customers API
// needs from a store beyond the realm lookups of Store.
type RealmAdminStore interface {
	// SaveRealm inserts r (ID 0, setting its id) or updates its name and
	// updated_at, and writes st when not nil, in one transaction. Updating
	// a deleted or missing realm is a KindNotFound error.
	SaveRealm(ctx context.Context, r *Realm, st *SigninSettings) error
	// DeleteRealm marks the realm deleted at at: from then on RealmByUID,
	// RealmByID and ListRealms skip it. Its data stays. KindNotFound when
	// there is no such live realm.
	DeleteRealm(ctx context.Context, realmID int64, at time.Time) error
	// UserByUsername finds the user (deleted or not) holding username,
	// compared exactly; the lowest id when several do.
	UserByUsername(ctx context.Context, realmID int64, username string) (*User, error)
	// UsersWithFieldValue returns the ids, at most limit, of the realm's
	// active users whose custom field key holds value (a string or a
	// float64, compared as JSON values are).
	UsersWithFieldValue(ctx context.Context, realmID int64, key string, value any, limit int) ([]int64, error)
}

// RealmInput is a new realm, or the change of one: a nil pointer is not
// sent. Settings, when sent, replace the realm's sign-in settings whole.
type RealmInput struct {
	UID      *string
	Name     *string
	Settings *SigninSettings
}

// CreateRealmWithSettings validates and stores a new realm with its
// sign-in settings (the defaults when in.Settings is nil), in one
// transaction.
func (s *Signin) CreateRealmWithSettings(ctx context.Context, in RealmInput) (*Realm, *SigninSettings, error) {
	var v Invalid
	uid, name := deref(in.UID, ""), deref(in.Name, "")
	if !validRealmUID(uid) {
		v.Add("uid", "InvalidValue", "must be 1 to 63 lowercase letters, digits or dashes, starting with a letter or digit")
	}
	if !validText(name, maxShortText) || trimmed(name) == "" {
		v.Add("name", "BlankValue", "is too short (minimum is 1 characters)")
	}
	st := DefaultSigninSettings()
	if in.Settings != nil {
		st = *in.Settings
	}
	checkSigninSettings(&v, &st)
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	now := s.svc.Now()
	r := &Realm{UID: uid, Name: trimmed(name), CreatedAt: now, UpdatedAt: now}
	if err := s.store.SaveRealm(ctx, r, &st); err != nil {
		return nil, nil, err
	}
	return r, &st, nil
}

// UpdateRealm applies in to the live realm uid: its name and its sign-in
// settings, in one transaction. The uid never changes: it is in every
// link, cookie name and token audience already handed out.
func (s *Signin) UpdateRealm(ctx context.Context, uid string, in RealmInput) (*Realm, *SigninSettings, error) {
	r, err := s.store.RealmByUID(ctx, uid)
	if err != nil {
		return nil, nil, err
	}
	var v Invalid
	if in.UID != nil && *in.UID != r.UID {
		v.Add("uid", "InvalidValue", "cannot be changed")
	}
	if in.Name != nil {
		if name := trimmed(*in.Name); name == "" || !validText(name, maxShortText) {
			v.Add("name", "BlankValue", "is too short (minimum is 1 characters)")
		} else {
			r.Name = name
		}
	}
	if in.Settings != nil {
		checkSigninSettings(&v, in.Settings)
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	r.UpdatedAt = s.svc.Now()
	if err := s.store.SaveRealm(ctx, r, in.Settings); err != nil {
		return nil, nil, err
	}
	st, err := s.Settings(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	return r, st, nil
}

// DeleteRealm deletes the live realm uid: at once it is unknown to every
// API, page and credential, and its uid stays taken. Its users and
// records are kept, so a mistaken deletion loses nothing; erasing them is
// a separate, deliberate step.
func (s *Signin) DeleteRealm(ctx context.Context, uid string) error {
	r, err := s.store.RealmByUID(ctx, uid)
	if err != nil {
		return err
	}
	return s.store.DeleteRealm(ctx, r.ID, s.svc.Now())
}
