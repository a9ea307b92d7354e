package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

const notificationColumns = `id, realm_id, user_id, subject, body, sent_at, opened_at`

// SendNotification copies n to every active user that to selects, in one
// INSERT ... SELECT.
func (s *Store) SendNotification(ctx context.Context, realmID int64, n *directory.Notification, to directory.Recipients) (int64, error) {
	n.RealmID = realmID
	query := `INSERT INTO notifications (realm_id, user_id, subject, body, sent_at)
		SELECT u.realm_id, u.id, ?, ?, ? FROM users u WHERE u.realm_id = ? AND u.deleted_at IS NULL`
	args := []any{n.Subject, n.Body, n.SentAt.Unix(), realmID}
	switch {
	case to.UserID != 0:
		query += ` AND u.id = ?`
		args = append(args, to.UserID)
	case to.Tag != "":
		query += ` AND u.id IN (SELECT user_id FROM user_tags WHERE realm_id = ? AND tag = ?)`
		args = append(args, realmID, to.Tag)
	}
	var sent int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		sent, err = res.RowsAffected()
		return err
	})
	return sent, err
}

// scanNotification reads one row of notificationColumns.
func scanNotification(row interface{ Scan(...any) error }) (directory.Notification, error) {
	var n directory.Notification
	var sent, opened sql.NullInt64
	err := row.Scan(&n.ID, &n.RealmID, &n.UserID, &n.Subject, &n.Body, &sent, &opened)
	n.SentAt, n.OpenedAt = fromUnix(sent), fromUnix(opened)
	return n, err
}

// ListNotifications returns one page of a user's notifications, unread
// first, then newest, along the notifications_user index.
func (s *Store) ListNotifications(ctx context.Context, realmID, userID int64, offset, limit int) ([]directory.Notification, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE realm_id = ? AND user_id = ? ORDER BY opened_at IS NOT NULL, id DESC LIMIT ? OFFSET ?`, realmID, userID, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// CountNotifications counts a user's notifications and the unread ones.
func (s *Store) CountNotifications(ctx context.Context, realmID, userID int64) (total, unread int64, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE opened_at IS NULL) FROM notifications
		WHERE realm_id = ? AND user_id = ?`, realmID, userID).Scan(&total, &unread)
	return total, unread, err
}

// MarkNotificationRead sets opened_at once and stores the opened event
// in the same transaction.
func (s *Store) MarkNotificationRead(ctx context.Context, realmID, userID, id int64, at time.Time, opened *directory.Event) (*directory.Notification, error) {
	var n directory.Notification
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET opened_at = ? WHERE realm_id = ? AND user_id = ? AND id = ? AND opened_at IS NULL`,
			at.Unix(), realmID, userID, id)
		if err != nil {
			return err
		}
		if changed, _ := res.RowsAffected(); changed == 1 {
			if err := addEvent(ctx, tx, realmID, opened); err != nil {
				return err
			}
		}
		n, err = scanNotification(tx.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications
			WHERE realm_id = ? AND user_id = ? AND id = ?`, realmID, userID, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &n, nil
}
