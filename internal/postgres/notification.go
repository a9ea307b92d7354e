package postgres

import (
	"context"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

const notificationColumns = `id, realm_id, user_id, subject, body, sent_at, opened_at`

// SendNotification copies n to every active user that to selects, in one
// INSERT ... SELECT.
func (s *Store) SendNotification(ctx context.Context, realmID int64, n *directory.Notification, to directory.Recipients) (int64, error) {
	n.RealmID = realmID
	query := `INSERT INTO notifications (realm_id, user_id, subject, body, sent_at)
		SELECT u.realm_id, u.id, $1, $2, $3 FROM users u WHERE u.realm_id = $4 AND u.deleted_at IS NULL`
	args := []any{n.Subject, n.Body, at(n.SentAt), realmID}
	switch {
	case to.UserID != 0:
		query += ` AND u.id = $5`
		args = append(args, to.UserID)
	case to.Tag != "":
		query += ` AND u.id IN (SELECT user_id FROM user_tags WHERE realm_id = $4 AND tag = $5)`
		args = append(args, to.Tag)
	}
	var sent int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query, args...)
		sent = tag.RowsAffected()
		return err
	})
	return sent, err
}

// scanNotification reads one row of notificationColumns.
func scanNotification(row pgx.Row) (directory.Notification, error) {
	var n directory.Notification
	var opened *time.Time
	err := row.Scan(&n.ID, &n.RealmID, &n.UserID, &n.Subject, &n.Body, &n.SentAt, &opened)
	n.SentAt = n.SentAt.UTC()
	if opened != nil {
		n.OpenedAt = opened.UTC()
	}
	return n, err
}

// ListNotifications returns one page of a user's notifications, unread
// first, then newest, along the notifications_user index.
func (s *Store) ListNotifications(ctx context.Context, realmID, userID int64, offset, limit int) ([]directory.Notification, error) {
	return all(ctx, s.pool, func(row pgx.CollectableRow) (directory.Notification, error) { return scanNotification(row) },
		`SELECT `+notificationColumns+` FROM notifications WHERE realm_id = $1 AND user_id = $2
		ORDER BY (opened_at IS NOT NULL), id DESC LIMIT $3 OFFSET $4`, realmID, userID, limit, offset)
}

// CountNotifications counts a user's notifications and the unread ones.
func (s *Store) CountNotifications(ctx context.Context, realmID, userID int64) (total, unread int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE opened_at IS NULL) FROM notifications
		WHERE realm_id = $1 AND user_id = $2`, realmID, userID).Scan(&total, &unread)
	return total, unread, err
}

// MarkNotificationRead sets opened_at once and stores the opened event
// in the same transaction.
func (s *Store) MarkNotificationRead(ctx context.Context, realmID, userID, id int64, at time.Time, opened *directory.Event) (*directory.Notification, error) {
	var n directory.Notification
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE notifications SET opened_at = $1 WHERE realm_id = $2 AND user_id = $3 AND id = $4 AND opened_at IS NULL`,
			at.UTC(), realmID, userID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			if err := addEvent(ctx, tx, realmID, opened); err != nil {
				return err
			}
		}
		n, err = scanNotification(tx.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications
			WHERE realm_id = $1 AND user_id = $2 AND id = $3`, realmID, userID, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &n, nil
}
