package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

const notificationColumns = `id, realm_id, user_id, subject, body, sent_at, opened_at`

// NotifyUser gives n to its one recipient, an active user of the realm.
func (s *Store) NotifyUser(ctx context.Context, realmID int64, n *directory.Notification) error {
	n.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO notifications (realm_id, user_id, subject, body, sent_at)
			SELECT realm_id, id, ?, ?, ? FROM users WHERE realm_id = ? AND id = ? AND deleted_at IS NULL RETURNING id`,
			n.Subject, n.Body, n.SentAt.Unix(), realmID, n.UserID).Scan(&n.ID)
	})
}

const sendColumns = `id, realm_id, tag, subject, body, sent_at, last_user_id, cursor, copied, done_at`

func scanSend(row scanner) (*directory.NotificationSend, error) {
	var n directory.NotificationSend
	var sent, done sql.NullInt64
	if err := row.Scan(&n.ID, &n.RealmID, &n.Tag, &n.Subject, &n.Body, &sent, &n.LastUserID, &n.Cursor, &n.Copied, &done); err != nil {
		return nil, mapError(err)
	}
	n.SentAt, n.DoneAt = fromUnix(sent), fromUnix(done)
	return &n, nil
}

// sendAudience is the WHERE clause (over users u) of a send's recipients
// with ids in (cursor, upTo], and its arguments.
func sendAudience(send *directory.NotificationSend, upTo int64) (string, []any) {
	where := `u.realm_id = ? AND u.deleted_at IS NULL AND u.id > ? AND u.id <= ?`
	args := []any{send.RealmID, send.Cursor, upTo}
	if send.Tag != "" {
		where += ` AND u.id IN (SELECT user_id FROM user_tags WHERE realm_id = ? AND tag = ? AND user_id > ? AND user_id <= ?)`
		args = append(args, send.RealmID, send.Tag, send.Cursor, upTo)
	}
	return where, args
}

// CreateNotificationSend records a send to the realm's current users (or
// those with the tag) and counts them: from the counters for a whole
// realm, from user_tags for a tag.
func (s *Store) CreateNotificationSend(ctx context.Context, realmID int64, send *directory.NotificationSend) (int64, error) {
	send.RealmID = realmID
	var recipients int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM users`).Scan(&send.LastUserID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO notification_sends (realm_id, tag, subject, body, sent_at, last_user_id)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, realmID, send.Tag, send.Subject, send.Body, send.SentAt.Unix(), send.LastUserID).Scan(&send.ID); err != nil {
			return err
		}
		if send.Tag == "" {
			return tx.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM user_counts WHERE realm_id = ? AND deleted = 0`, realmID).Scan(&recipients)
		}
		where, args := sendAudience(send, send.LastUserID)
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM users u WHERE `+where, args...).Scan(&recipients)
	})
	return recipients, err
}

// CopyNotificationSend copies the send to its next recipients in one
// write transaction (SQLite has one writer at a time, so two callers
// cannot both copy a chunk).
func (s *Store) CopyNotificationSend(ctx context.Context, realmID, id int64, limit int, at time.Time) (*directory.NotificationSend, error) {
	var send *directory.NotificationSend
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		send, err = scanSend(tx.QueryRowContext(ctx, `SELECT `+sendColumns+` FROM notification_sends WHERE realm_id = ? AND id = ?`, realmID, id))
		if err != nil || !send.DoneAt.IsZero() {
			return err
		}
		// The chunk ends at its limit-th recipient, or at the send's last
		// user when fewer are left.
		where, args := sendAudience(send, send.LastUserID)
		upTo := send.LastUserID
		err = tx.QueryRowContext(ctx, `SELECT u.id FROM users u WHERE `+where+` ORDER BY u.id LIMIT 1 OFFSET ?`,
			append(args, limit-1)...).Scan(&upTo)
		done := errors.Is(err, sql.ErrNoRows)
		if err != nil && !done {
			return err
		}
		if upTo == send.LastUserID {
			done = true
		}
		where, args = sendAudience(send, upTo)
		res, err := tx.ExecContext(ctx, `INSERT INTO notifications (realm_id, user_id, subject, body, sent_at, send_id)
			SELECT u.realm_id, u.id, ?, ?, ?, ? FROM users u WHERE `+where,
			append([]any{send.Subject, send.Body, send.SentAt.Unix(), send.ID}, args...)...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		send.Cursor, send.Copied = upTo, send.Copied+n
		var doneAt any
		if done {
			send.DoneAt, doneAt = at, at.Unix()
		}
		_, err = tx.ExecContext(ctx, `UPDATE notification_sends SET cursor = ?, copied = ?, done_at = ? WHERE realm_id = ? AND id = ?`,
			send.Cursor, send.Copied, doneAt, realmID, send.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return send, nil
}

// PendingNotificationSends lists sends not yet done, oldest first.
func (s *Store) PendingNotificationSends(ctx context.Context, limit int) ([]directory.NotificationSend, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+sendColumns+` FROM notification_sends WHERE done_at IS NULL ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.NotificationSend{}
	for rows.Next() {
		send, err := scanSend(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *send)
	}
	return out, rows.Err()
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
