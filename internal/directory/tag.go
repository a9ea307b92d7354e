package directory

import (
	"context"
	"slices"
)

// UserTags returns the tags of user id. Agents and admins only.
func (s *Service) UserTags(ctx context.Context, a Actor, id int64) ([]string, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	u, err := s.activeUser(ctx, a.RealmID, id)
	if err != nil {
		return nil, err
	}
	return u.Tags, nil
}

// SetUserTags replaces the tags of user id with tags, normalised as on a
// user update, and returns them.
func (s *Service) SetUserTags(ctx context.Context, a Actor, id int64, tags []string) ([]string, error) {
	return s.editTags(ctx, a, id, func([]string) []string { return tags })
}

// AddUserTags adds tags to those of user id and returns them all.
func (s *Service) AddUserTags(ctx context.Context, a Actor, id int64, tags []string) ([]string, error) {
	return s.editTags(ctx, a, id, func(old []string) []string { return append(slices.Clone(old), tags...) })
}

// RemoveUserTags removes tags (compared in their normalised form) from
// those of user id and returns the tags left.
func (s *Service) RemoveUserTags(ctx context.Context, a Actor, id int64, tags []string) ([]string, error) {
	drop := NormalizeTags(tags)
	return s.editTags(ctx, a, id, func(old []string) []string {
		return slices.DeleteFunc(slices.Clone(old), func(t string) bool { return slices.Contains(drop, t) })
	})
}

// editTags applies edit to the user's tags through UpdateUser, so tags get
// the same normalisation, limits, permissions and search-index update, in
// one transaction, as when sent in a user object.
func (s *Service) editTags(ctx context.Context, a Actor, id int64, edit func([]string) []string) ([]string, error) {
	old, err := s.UserTags(ctx, a, id)
	if err != nil {
		return nil, err
	}
	tags := edit(old)
	u, err := s.UpdateUser(ctx, a, id, UserInput{Tags: &tags})
	if err != nil {
		return nil, err
	}
	return u.Tags, nil
}
