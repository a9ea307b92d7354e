package postgres

import (
	"context"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

// AddMail inserts m and sets its id.
func (s *Store) AddMail(ctx context.Context, realmID int64, m *directory.Mail) error {
	m.RealmID = realmID
	return s.writer(ctx).QueryRow(ctx, `INSERT INTO mails (realm_id, to_addr, subject, body, created_at, sent_at, error) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		realmID, m.To, m.Subject, m.Body, at(m.CreatedAt), nullTime(m.SentAt), m.Error).Scan(&m.ID)
}

// ListMail returns the realm's newest mails.
func (s *Store) ListMail(ctx context.Context, realmID int64, limit int) ([]directory.Mail, error) {
	return all(ctx, s.pool, func(row pgx.CollectableRow) (directory.Mail, error) {
		var m directory.Mail
		var sent *time.Time
		err := row.Scan(&m.ID, &m.RealmID, &m.To, &m.Subject, &m.Body, &m.CreatedAt, &sent, &m.Error)
		m.CreatedAt, m.SentAt = m.CreatedAt.UTC(), fromNullTime(sent)
		return m, err
	}, `SELECT id, realm_id, to_addr, subject, body, created_at, sent_at, error FROM mails WHERE realm_id = $1 ORDER BY id DESC LIMIT $2`, realmID, limit)
}
