package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// AddEvent inserts e and sets its id.
func (s *Store) AddEvent(ctx context.Context, realmID int64, e *directory.Event) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return addEvent(ctx, tx, realmID, e) })
}

// addEvent inserts e within tx.
func addEvent(ctx context.Context, tx pgx.Tx, realmID int64, e *directory.Event) error {
	e.RealmID = realmID
	info := e.Info
	if info == nil {
		info = map[string]string{}
	}
	return tx.QueryRow(ctx, `INSERT INTO events (realm_id, user_id, type, method, user_agent, ip, created_at, info)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		realmID, e.UserID, e.Type, e.Method, e.UserAgent, e.IP, at(e.CreatedAt), info).Scan(&e.ID)
}

// eventWhere selects the realm's events, of one user unless userID is 0.
func eventWhere(realmID, userID int64) (string, params) {
	if userID == 0 {
		return `WHERE realm_id = $1`, params{realmID}
	}
	return `WHERE realm_id = $1 AND user_id = $2`, params{realmID, userID}
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
		// COLLATE "C": byte order, as SQLite sorts.
		order = `type COLLATE "C"` + dir + `, id` + dir
	}
	sql := `SELECT id, realm_id, user_id, type, method, user_agent, ip, created_at, info FROM events ` + where +
		` ORDER BY ` + order + ` LIMIT ` + args.add(q.Limit) + ` OFFSET ` + args.add(q.Offset)
	return all(ctx, s.pool, func(row pgx.CollectableRow) (directory.Event, error) {
		var e directory.Event
		err := row.Scan(&e.ID, &e.RealmID, &e.UserID, &e.Type, &e.Method, &e.UserAgent, &e.IP, &e.CreatedAt, &e.Info)
		e.CreatedAt = e.CreatedAt.UTC()
		if len(e.Info) == 0 {
			e.Info = nil
		}
		return e, err
	}, sql, args...)
}

// CountEvents counts the events ListEvents pages through.
func (s *Store) CountEvents(ctx context.Context, realmID, userID int64) (int64, error) {
	where, args := eventWhere(realmID, userID)
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM events `+where, args...).Scan(&n)
	return n, err
}
