package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/clientele/clientele/internal/directory"
)

// AddEvent inserts e and sets its id.
func (s *Store) AddEvent(ctx context.Context, realmID int64, e *directory.Event) error {
	e.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error { return addEvent(ctx, tx, realmID, e) })
}

// addEvent inserts e within tx.
func addEvent(ctx context.Context, tx *sql.Tx, realmID int64, e *directory.Event) error {
	info, err := eventInfo(e.Info)
	if err != nil {
		return err
	}
	e.RealmID = realmID
	return tx.QueryRowContext(ctx, `INSERT INTO events (realm_id, user_id, type, method, user_agent, ip, created_at, info)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		realmID, e.UserID, e.Type, e.Method, e.UserAgent, e.IP, e.CreatedAt.Unix(), info).Scan(&e.ID)
}

// eventInfo is the info column's JSON for an event's parameters.
func eventInfo(info map[string]string) (string, error) {
	if len(info) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(info)
	return string(b), err
}

// eventWhere selects the realm's events, of one user unless userID is 0.
func eventWhere(realmID, userID int64) (string, []any) {
	if userID == 0 {
		return `WHERE realm_id = ?`, []any{realmID}
	}
	return `WHERE realm_id = ? AND user_id = ?`, []any{realmID, userID}
}

// ListEvents returns one offset page of events by id, or by type and id.
func (s *Store) ListEvents(ctx context.Context, realmID, userID int64, q directory.EventQuery) ([]directory.Event, error) {
	where, args := eventWhere(realmID, userID)
	dir := ``
	if q.Descending {
		dir = ` DESC`
	}
	order := `id` + dir
	if q.ByType {
		order = `type` + dir + `, id` + dir
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, realm_id, user_id, type, method, user_agent, ip, created_at, info FROM events `+where+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Event{}
	for rows.Next() {
		var e directory.Event
		var created sql.NullInt64
		var info string
		if err := rows.Scan(&e.ID, &e.RealmID, &e.UserID, &e.Type, &e.Method, &e.UserAgent, &e.IP, &created, &info); err != nil {
			return nil, err
		}
		e.CreatedAt = fromUnix(created)
		if info != "{}" {
			if err := json.Unmarshal([]byte(info), &e.Info); err != nil {
				return nil, fmt.Errorf("sqlite: event %d info: %w", e.ID, err)
			}
		}
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
