package directory

import (
	"context"
	"time"
)

// MailStore keeps every mail the realm sent or could not send: the outbox
// the operator reads with `clientele outbox list`.
type MailStore interface {
	// AddMail inserts m and sets its id.
	AddMail(ctx context.Context, realmID int64, m *Mail) error
	// ListMail returns the realm's mails, newest first, at most limit.
	ListMail(ctx context.Context, realmID int64, limit int) ([]Mail, error)
}

// Mail is a message to a customer: an activation or a password reset.
type Mail struct {
	ID        int64
	RealmID   int64
	To        string
	Subject   string
	Body      string
	CreatedAt time.Time
	SentAt    time.Time // zero: not delivered by SMTP, read it in the outbox
	Error     string    // why SMTP delivery failed, if it did
}

// sendMail delivers a mail through the mailer when one is configured and
// always keeps it in the outbox, with the outcome: no mail is ever
// silently dropped.
func (s *Signin) sendMail(ctx context.Context, realmID int64, to, subject, body string) error {
	m := &Mail{To: to, Subject: subject, Body: body, CreatedAt: s.svc.Now()}
	if s.mailer != nil {
		if err := s.mailer.Send(ctx, m); err != nil {
			m.Error = clip(err.Error(), 500)
		} else {
			m.SentAt = s.svc.Now()
		}
	}
	return s.store.AddMail(ctx, realmID, m)
}

// Outbox returns the realm's newest mails.
func (s *Signin) Outbox(ctx context.Context, realmID int64, limit int) ([]Mail, error) {
	return s.store.ListMail(ctx, realmID, limit)
}
