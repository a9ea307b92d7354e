package directory

import (
	"context"
	"strings"
)

// ProfileInput is what a customer may change of their own record through
// the Customers API (PUT me). A nil pointer means "not sent". Email and
// password are not here: they change through the sign-in pages, which
// check the customer's password or mailbox first.
type ProfileInput struct {
	Name           *string
	FirstName      *string
	LastName       *string
	SecondLastName *string
	Phone          *string
	Locale         *string
	TimeZone       *string
	// CustomFields are values by field key; keys of fields the customer
	// may not edit are dropped without an error, as Modyo drops them.
	CustomFields map[string]any
}

// CustomerFields returns the realm's active custom fields that customers
// see, by position.
func (s *Service) CustomerFields(ctx context.Context, realmID int64) ([]UserField, error) {
	fields, err := s.store.UserFields(ctx, realmID)
	if err != nil {
		return nil, err
	}
	out := fields[:0]
	for _, f := range fields {
		if f.Active && f.CustomerVisible {
			out = append(out, f)
		}
	}
	return out, nil
}

// UpdateProfile applies a customer's change to their own record, in one
// transaction. Sending first or last names without a name rebuilds the
// name from them, so the two never disagree.
func (s *Service) UpdateProfile(ctx context.Context, realmID, userID int64, in ProfileInput) (*User, error) {
	old, err := s.store.UserByID(ctx, realmID, userID)
	if err != nil {
		return nil, err
	}
	if !old.Active() || old.Suspended {
		return nil, ErrNotFound
	}
	u := cloneUser(old)
	ui := UserInput{FirstName: in.FirstName, LastName: in.LastName, SecondLastName: in.SecondLastName,
		Phone: in.Phone, Locale: in.Locale, TimeZone: in.TimeZone, Name: in.Name}
	if ui.Name == nil && (in.FirstName != nil || in.LastName != nil || in.SecondLastName != nil) {
		name := fullName(deref(in.FirstName, old.FirstName), deref(in.LastName, old.LastName), deref(in.SecondLastName, old.SecondLastName))
		if name != "" {
			ui.Name = &name
		}
	}
	if err := s.applyUserInput(u, ui, false); err != nil {
		return nil, err
	}
	if len(in.CustomFields) > 0 {
		fields, err := s.store.UserFields(ctx, realmID)
		if err != nil {
			return nil, err
		}
		editable := map[string]any{}
		for _, f := range fields {
			if v, sent := in.CustomFields[f.Key]; sent && f.Active && f.CustomerVisible && f.CustomerEditable {
				editable[f.Key] = v
			}
		}
		if err := s.applyUserFieldValues(ctx, u, editable, fields); err != nil {
			return nil, err
		}
		if err := s.checkFieldRules(ctx, u, old); err != nil {
			return nil, err
		}
	}
	current, err := s.store.IdentitiesByUser(ctx, realmID, userID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	change := identityChangeFor(u, old, ui, current, now)
	if err := s.checkUnique(ctx, realmID, userID, append(change.Add, change.Update...), ""); err != nil {
		return nil, err
	}
	u.UpdatedAt = now
	if err := s.store.UpdateUser(ctx, realmID, u, change); err != nil {
		return nil, err
	}
	return u, nil
}

// fullName joins the parts of a name that are set.
func fullName(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}

// deref is *p, or fallback when p is nil.
func deref(p *string, fallback string) string {
	if p == nil {
		return fallback
	}
	return *p
}
