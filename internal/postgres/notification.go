package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

const notificationColumns = `id, realm_id, user_id, subject, body, sent_at, opened_at`

// NotifyUser gives n to its one recipient, an active user of the realm.
func (s *Store) NotifyUser(ctx context.Context, realmID int64, n *directory.Notification) error {
	n.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO notifications (realm_id, user_id, subject, body, sent_at)
			SELECT realm_id, id, $1, $2, $3 FROM users WHERE realm_id = $4 AND id = $5 AND deleted_at IS NULL RETURNING id`,
			n.Subject, n.Body, at(n.SentAt), realmID, n.UserID).Scan(&n.ID)
	})
}

const sendColumns = `id, realm_id, tag, subject, body, sent_at, last_user_id, cursor, copied, done_at`

func scanSend(row pgx.Row) (*directory.NotificationSend, error) {
	var n directory.NotificationSend
	var done *time.Time
	if err := row.Scan(&n.ID, &n.RealmID, &n.Tag, &n.Subject, &n.Body, &n.SentAt, &n.LastUserID, &n.Cursor, &n.Copied, &done); err != nil {
		return nil, err
	}
	n.SentAt, n.DoneAt = n.SentAt.UTC(), fromNullTime(done)
	return &n, nil
}

// sendAudience is the WHERE clause (over users u) of a send's recipients
// with ids in (cursor, upTo], its arguments numbered from $1.
func sendAudience(send *directory.NotificationSend, upTo int64) (string, params) {
	args := params{send.RealmID, send.Cursor, upTo}
	where := `u.realm_id = $1 AND u.deleted_at IS NULL AND u.id > $2 AND u.id <= $3`
	if send.Tag != "" {
		where += ` AND u.id IN (SELECT user_id FROM user_tags WHERE realm_id = $1 AND tag = ` + args.add(send.Tag) + ` AND user_id > $2 AND user_id <= $3)`
	}
	return where, args
}

// CreateNotificationSend records a send to the realm's current users (or
// those with the tag) and counts them: from the counters for a whole
// realm, from user_tags for a tag.
func (s *Store) CreateNotificationSend(ctx context.Context, realmID int64, send *directory.NotificationSend) (int64, error) {
	send.RealmID = realmID
	var recipients int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM users`).Scan(&send.LastUserID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO notification_sends (realm_id, tag, subject, body, sent_at, last_user_id)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, realmID, send.Tag, send.Subject, send.Body, at(send.SentAt), send.LastUserID).Scan(&send.ID); err != nil {
			return err
		}
		if send.Tag == "" {
			return tx.QueryRow(ctx, `SELECT coalesce(sum(n), 0) FROM user_counts WHERE realm_id = $1 AND NOT deleted`, realmID).Scan(&recipients)
		}
		where, args := sendAudience(send, send.LastUserID)
		return tx.QueryRow(ctx, `SELECT count(*) FROM users u WHERE `+where, args...).Scan(&recipients)
	})
	return recipients, err
}

// CopyNotificationSend copies the send to its next recipients in one
// transaction that holds the send's row lock, so two nodes cannot both
// copy a chunk.
func (s *Store) CopyNotificationSend(ctx context.Context, realmID, id int64, limit int, when time.Time) (*directory.NotificationSend, error) {
	var send *directory.NotificationSend
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		send, err = scanSend(tx.QueryRow(ctx, `SELECT `+sendColumns+` FROM notification_sends WHERE realm_id = $1 AND id = $2 FOR UPDATE`, realmID, id))
		if err != nil || !send.DoneAt.IsZero() {
			return err
		}
		// The chunk ends at its limit-th recipient, or at the send's last
		// user when fewer are left.
		where, args := sendAudience(send, send.LastUserID)
		upTo := send.LastUserID
		boundary := `SELECT u.id FROM users u WHERE ` + where + ` ORDER BY u.id LIMIT 1 OFFSET ` + args.add(limit-1)
		err = tx.QueryRow(ctx, boundary, args...).Scan(&upTo)
		done := errors.Is(err, pgx.ErrNoRows)
		if err != nil && !done {
			return err
		}
		if upTo == send.LastUserID {
			done = true
		}
		where, args = sendAudience(send, upTo)
		insert := `INSERT INTO notifications (realm_id, user_id, subject, body, sent_at, send_id)
			SELECT u.realm_id, u.id, ` + args.add(send.Subject) + `, ` + args.add(send.Body) + `, ` + args.add(at(send.SentAt)) + `, ` +
			args.add(send.ID) + ` FROM users u WHERE ` + where
		tag, err := tx.Exec(ctx, insert, args...)
		if err != nil {
			return err
		}
		send.Cursor, send.Copied = upTo, send.Copied+tag.RowsAffected()
		var doneAt *time.Time
		if done {
			send.DoneAt = when.UTC().Truncate(time.Second)
			doneAt = &send.DoneAt
		}
		_, err = tx.Exec(ctx, `UPDATE notification_sends SET cursor = $1, copied = $2, done_at = $3 WHERE realm_id = $4 AND id = $5`,
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
	return all(ctx, s.pool, func(row pgx.CollectableRow) (directory.NotificationSend, error) {
		send, err := scanSend(row)
		if err != nil {
			return directory.NotificationSend{}, err
		}
		return *send, nil
	}, `SELECT `+sendColumns+` FROM notification_sends WHERE done_at IS NULL ORDER BY id LIMIT $1`, limit)
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
