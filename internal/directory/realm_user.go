package directory

import "context"

// CreateRealmUser creates a user of a realm through the Customers API's
// administration: CreateUser with the custom fields' required and unique
// flags enforced and, when password is not nil, the password checked by
// the one password rule and stored argon2id-hashed with the user, in the
// same transaction.
func (s *Signin) CreateRealmUser(ctx context.Context, a Actor, in UserInput, password *string) (*User, error) {
	in.FieldRules = true
	var hash string
	if password != nil {
		var v Invalid
		checkNewPassword(&v, NormalizeEmail(deref(in.Email, "")), *password)
		if err := v.Err(); err != nil {
			return nil, err
		}
		var err error
		if hash, err = s.passwords.HashPassword(*password); err != nil {
			return nil, err
		}
	}
	return s.svc.createUser(ctx, a, in, hash)
}

// UpdateRealmUser updates a user through the Customers API's
// administration: UpdateUser with the custom fields' flags enforced and,
// when one is sent, the new password, in one transaction. The password is
// checked and hashed before anything is written, so a bad one changes
// nothing.
func (s *Signin) UpdateRealmUser(ctx context.Context, a Actor, id int64, in UserInput, password *string) (*User, error) {
	in.FieldRules = true
	var hash string
	if password != nil {
		old, err := s.svc.activeUser(ctx, a.RealmID, id)
		if err != nil {
			return nil, err
		}
		var v Invalid
		checkNewPassword(&v, old.Email, *password)
		if err := v.Err(); err != nil {
			return nil, err
		}
		if hash, err = s.passwords.HashPassword(*password); err != nil {
			return nil, err
		}
	}
	if hash == "" {
		return s.svc.UpdateUser(ctx, a, id, in)
	}
	// The profile and the password are stored together or not at all.
	var u *User
	err := s.store.InTransaction(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.svc.UpdateUser(ctx, a, id, in); err != nil {
			return err
		}
		return s.store.SetPasswordHash(ctx, a.RealmID, u.ID, hash)
	})
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	return u, nil
}
