package sqlite

import (
	"context"
	"database/sql"

	"github.com/clientele/clientele/internal/directory"
)

// AddMail inserts m and sets its id.
func (s *Store) AddMail(ctx context.Context, realmID int64, m *directory.Mail) error {
	m.RealmID = realmID
	return s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO mails (realm_id, to_addr, subject, body, created_at, sent_at, error) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, m.To, m.Subject, m.Body, m.CreatedAt.Unix(), unix(m.SentAt), m.Error).Scan(&m.ID)
	})
}

// ListMail returns the realm's newest mails.
func (s *Store) ListMail(ctx context.Context, realmID int64, limit int) ([]directory.Mail, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, realm_id, to_addr, subject, body, created_at, sent_at, error FROM mails
		WHERE realm_id = ? ORDER BY id DESC LIMIT ?`, realmID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []directory.Mail{}
	for rows.Next() {
		var m directory.Mail
		var created, sent sql.NullInt64
		if err := rows.Scan(&m.ID, &m.RealmID, &m.To, &m.Subject, &m.Body, &created, &sent, &m.Error); err != nil {
			return nil, err
		}
		m.CreatedAt, m.SentAt = fromUnix(created), fromUnix(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}
