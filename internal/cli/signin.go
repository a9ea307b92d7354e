package cli

import (
	"log/slog"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/realmweb"
)

// newSignin returns the realm sign-in rules, mailing through SMTP when c
// names a server.
func newSignin(svc *directory.Service, c *Config) (*directory.Signin, error) {
	opts := directory.SigninOptions{Passwords: auth.Argon2id{}}
	if c.SMTPURL != "" {
		m, err := realmweb.NewSMTPMailer(c.SMTPURL, c.MailFrom)
		if err != nil {
			return nil, err
		}
		opts.Mailer = m
	}
	return directory.NewSignin(svc, opts), nil
}

// newRealmPages returns the /realms/ handler.
func newRealmPages(svc *directory.Service, c *Config, log *slog.Logger) (*realmweb.Handler, error) {
	signin, err := newSignin(svc, c)
	if err != nil {
		return nil, err
	}
	return realmweb.NewHandler(realmweb.Config{Signin: signin, Logger: log, PublicURL: c.PublicURL}), nil
}
