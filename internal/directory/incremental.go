package directory

import (
	"context"
	"time"
)

// Incremental export.
//
// The incremental user export hands an integration every user changed
// since a time, deleted users included, in the order of their last
// change. Pages only hold users changed before the current second: a
// later write in that second would otherwise land behind a page already
// handed out. Every user changed in a second a page reaches is on that
// page, so the next page starts at the following second and never repeats
// a user.

// MaxIncrementalPage is the most users one incremental page holds, besides
// the users sharing the last one's second.
const MaxIncrementalPage = 1000

// maxSameSecond bounds the users added to a page because they changed in
// its last second: a time-based page must hold them all to move on.
const maxSameSecond = 100000

// IncrementalStore reads users in the order of their last change.
type IncrementalStore interface {
	// UsersChangedAfter returns, ordered by updated_at then id, at most
	// limit users of the realm, deleted ones included, that come after
	// (after, afterID) in that order and changed before until.
	UsersChangedAfter(ctx context.Context, realmID int64, after time.Time, afterID int64, until time.Time, limit int) ([]User, error)
}

// ExportCursor is a position in the incremental export: after the user
// AfterID, changed at After. AfterID 0 starts at the first user changed at
// After.
type ExportCursor struct {
	After   time.Time
	AfterID int64
}

// ExportPage is one page of the incremental export.
type ExportPage struct {
	Users []User
	// Next is where the following page starts.
	Next ExportCursor
	// EndOfStream is set when no user changed before now remains after
	// this page.
	EndOfStream bool
}

// ExportUsersByTime returns the users changed at or after start: at most
// limit, plus those that changed in the same second as the last one, so
// that Next.After, the second after it, leaves nobody behind. Only admins
// export.
func (s *Service) ExportUsersByTime(ctx context.Context, a Actor, start time.Time, limit int) (*ExportPage, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	until := s.Now()
	if start.After(until) {
		return nil, Errorf(KindBadRequest, "start_time is in the future")
	}
	users, err := s.store.UsersChangedAfter(ctx, a.RealmID, start, 0, until, limit+1)
	if err != nil {
		return nil, err
	}
	page := &ExportPage{Users: users, Next: ExportCursor{After: start}, EndOfStream: len(users) <= limit}
	if len(users) > limit {
		page.Users = users[:limit]
		last := page.Users[limit-1]
		rest, err := s.store.UsersChangedAfter(ctx, a.RealmID, last.UpdatedAt, last.ID,
			minTime(last.UpdatedAt.Add(time.Second), until), maxSameSecond)
		if err != nil {
			return nil, err
		}
		page.Users = append(page.Users, rest...)
	}
	if n := len(page.Users); n > 0 {
		page.Next.After = page.Users[n-1].UpdatedAt.Add(time.Second)
	}
	return page, nil
}

// ExportUsersByCursor returns at most limit users changed after the
// cursor c. Only admins export.
func (s *Service) ExportUsersByCursor(ctx context.Context, a Actor, c ExportCursor, limit int) (*ExportPage, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	until := s.Now()
	if c.After.After(until) {
		return nil, Errorf(KindBadRequest, "start_time is in the future")
	}
	users, err := s.store.UsersChangedAfter(ctx, a.RealmID, c.After, c.AfterID, until, limit+1)
	if err != nil {
		return nil, err
	}
	page := &ExportPage{Users: users, Next: c, EndOfStream: len(users) <= limit}
	if len(users) > limit {
		page.Users = users[:limit]
	}
	if n := len(page.Users); n > 0 {
		last := page.Users[n-1]
		page.Next = ExportCursor{After: last.UpdatedAt, AfterID: last.ID}
	}
	return page, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
