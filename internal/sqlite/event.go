package sqlite

import (
	"context"
	"database/sql"

	"github.com/clientele/clientele/internal/directory"
)

// AddEvent inserts e and sets its id.
func (s *Store) AddEvent(ctx context.Context, realmID int64, e *directory.Event) error {
	e.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO events (realm_id, user_id, type, method, user_agent, ip, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, e.UserID, e.Type, e.Method, e.UserAgent, e.IP, e.CreatedAt.Unix()).Scan(&e.ID)
	})
}

// eventWhere selects the realm's events, of one user unless userID is 0.
func eventWhere(realmID, userID int64) (string, []any) {
	if userID == 0 {
		return `WHERE realm_id = ?`, []any{realmID}
	}
	return `WHERE realm_id = ? AND user_id = ?`, []any{realmID, userID}
}

// ListEvents returns one offset page of events by id.
func (s *Store) ListEvents(ctx context.Context, realmID, userID int64, p directory.Page) ([]directory.Event, error) {
	where, args := eventWhere(realmID, userID)
	order := `id`
	if p.Descending {
		order = `id DESC`
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, realm_id, user_id, type, method, user_agent, ip, created_at FROM events `+where+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Event{}
	for rows.Next() {
		var e directory.Event
		var created sql.NullInt64
		if err := rows.Scan(&e.ID, &e.RealmID, &e.UserID, &e.Type, &e.Method, &e.UserAgent, &e.IP, &created); err != nil {
			return nil, err
		}
		e.CreatedAt = fromUnix(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountEvents counts the events ListEvents pages through.
func (s *Store) CountEvents(ctx context.Context, realmID, userID int64) (int64, error) {
	where, args := eventWhere(realmID, userID)
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM events `+where, args...).Scan(&n)
	return n, err
}
