package realmweb_test

import (
	"context"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/realmweb"
	"github.com/clientele/clientele/internal/sqlite/sqlitetest"
)

// smtpSink is a minimal SMTP server that keeps what it is sent.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs []string
}

func startSMTP(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpSink{addr: ln.Addr().String()}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpSink) serve(conn net.Conn) {
	defer conn.Close()
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 sink ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
		case "EHLO", "HELO":
			tp.PrintfLine("250 sink")
		case "DATA":
			tp.PrintfLine("354 go on")
			body, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, string(body))
			s.mu.Unlock()
			tp.PrintfLine("250 kept")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("250 ok")
		}
	}
}

// TestMailDelivery sends a reset mail over SMTP and keeps it in the
// outbox as sent; with SMTP down the mail waits in the outbox with the
// error, never lost.
func TestMailDelivery(t *testing.T) {
	ctx := context.Background()
	store := sqlitetest.Open(t)
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	svc := directory.NewService(store, directory.ServiceOptions{Now: func() time.Time { return now }})
	realm, err := svc.CreateRealm(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	name, email := "Carla", "carla@acme.test"
	if _, err := svc.CreateUser(ctx, directory.Operator(realm.ID), directory.UserInput{Name: &name, Email: &email}); err != nil {
		t.Fatal(err)
	}
	sink := startSMTP(t)
	mailer, err := realmweb.NewSMTPMailer("smtp://"+sink.addr, "Acme <noreply@acme.test>")
	if err != nil {
		t.Fatal(err)
	}
	signin := directory.NewSignin(svc, directory.SigninOptions{Passwords: auth.Argon2id{}, Mailer: mailer})
	if err := signin.RequestPasswordReset(ctx, realm, email, directory.Client{BaseURL: "https://id.acme.test"}); err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	msgs := append([]string(nil), sink.msgs...)
	sink.mu.Unlock()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "To: carla@acme.test") || !strings.Contains(msgs[0], "https://id.acme.test/realms/acme/password/reset/") {
		t.Fatalf("delivered: %q", msgs)
	}
	mails, _ := store.ListMail(ctx, realm.ID, 10)
	if len(mails) != 1 || mails[0].SentAt.IsZero() || mails[0].Error != "" {
		t.Errorf("outbox after delivery: %+v", mails)
	}

	now = now.Add(time.Minute) // one reset mail a minute
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := ln.Addr().String()
	ln.Close()
	mailer, _ = realmweb.NewSMTPMailer("smtp://"+down, "noreply@acme.test")
	signin = directory.NewSignin(svc, directory.SigninOptions{Passwords: auth.Argon2id{}, Mailer: mailer})
	if err := signin.RequestPasswordReset(ctx, realm, email, directory.Client{BaseURL: "https://id.acme.test"}); err != nil {
		t.Fatalf("a mail server that is down failed the request: %v", err)
	}
	mails, _ = store.ListMail(ctx, realm.ID, 10)
	if len(mails) != 2 || !mails[0].SentAt.IsZero() || mails[0].Error == "" || !strings.Contains(mails[0].Body, "/password/reset/") {
		t.Errorf("outbox after a failed delivery: %+v", mails[0])
	}

	for _, bad := range []string{"http://x", "smtp://", "not a url"} {
		if _, err := realmweb.NewSMTPMailer(bad, "a@b.c"); err == nil {
			t.Errorf("NewSMTPMailer(%q) accepted", bad)
		}
	}
}
