package realmweb

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// SMTPMailer sends the realm's mails through an SMTP server (STARTTLS
// when the server offers it, as net/smtp does).
type SMTPMailer struct {
	addr string
	auth smtp.Auth
	from string
}

// NewSMTPMailer returns a mailer for rawURL, smtp://user:password@host:port,
// sending from the address from.
func NewSMTPMailer(rawURL, from string) (*SMTPMailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, fmt.Errorf("SMTP URL %q: want smtp://user:password@host:port", rawURL)
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail sender %q: %w", from, err)
	}
	port := u.Port()
	if port == "" {
		port = "587"
	}
	m := &SMTPMailer{addr: net.JoinHostPort(u.Hostname(), port), from: from}
	if u.User != nil {
		password, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), password, u.Hostname())
	}
	return m, nil
}

// Send delivers m.
func (s *SMTPMailer) Send(ctx context.Context, m *directory.Mail) error {
	if strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return fmt.Errorf("header injection refused")
	}
	msg := "From: " + s.from + "\r\nTo: " + m.To + "\r\nSubject: " + mimeSubject(m.Subject) +
		"\r\nDate: " + m.CreatedAt.Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n")
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(s.addr, s.auth, s.from, []string{m.To}, []byte(msg)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// mimeSubject encodes a subject that is not plain ASCII.
func mimeSubject(s string) string {
	for _, c := range s {
		if c > 127 {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}
