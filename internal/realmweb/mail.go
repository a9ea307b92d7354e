package realmweb

import (
	"context"
	"crypto/tls"
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
// when the server offers it, as smtp.SendMail does, within a deadline).
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
	return s.send(ctx, m.To, []byte(msg))
}

// smtpTimeout bounds a whole delivery, so a stuck server cannot hold a
// sign-in page.
const smtpTimeout = 20 * time.Second

// send is smtp.SendMail with a deadline: dial, STARTTLS when offered,
// AUTH when configured, one recipient.
func (s *SMTPMailer) send(ctx context.Context, to string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, smtpTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(s.addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
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
