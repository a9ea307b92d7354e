// Package cli is Clientele's command line: configuration from flags and
// CLIENTELE_* variables, the wiring of store, services and handlers, and
// the noun-verb subcommands. Every command runs in-process through Run, so
// tests drive the CLI exactly as an operator does.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/postgres"
	"github.com/clientele/clientele/internal/sqlite"
)

// Version is the build's version, set with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// Config is every setting of Clientele. Flags fill it, with CLIENTELE_*
// environment variables as their defaults.
type Config struct {
	Addr      string // CLIENTELE_ADDR
	Database  string // CLIENTELE_DATABASE: a SQLite path or a postgres:// DSN
	PublicURL string // CLIENTELE_PUBLIC_URL
	RateLimit int    // CLIENTELE_RATE_LIMIT: requests per realm per minute
	// AuthCache is how long a node remembers an authenticated credential
	// (CLIENTELE_AUTH_CACHE); see auth.Authenticator.CacheFor.
	AuthCache time.Duration
	// JobLease is how long a node's bulk job runner holds a job without
	// finishing an item (CLIENTELE_JOB_LEASE); see
	// directory.Service.RunJobsWithLease.
	JobLease  time.Duration
	LogFormat string // CLIENTELE_LOG_FORMAT: text or json
	SMTPURL   string // CLIENTELE_SMTP_URL: where realm mails go; "" for the outbox only
	MailFrom  string // CLIENTELE_MAIL_FROM
	// SecretKey (CLIENTELE_SECRET_KEY, 32 bytes in base64) encrypts the
	// identity providers' secrets and tokens; "" turns providers off.
	SecretKey string
	// CORSOrigins (CLIENTELE_CORS_ORIGINS, comma-separated) may call the
	// Customers API from a browser with the customer's cookie.
	CORSOrigins string
}

// env is the environment the CLI reads; tests replace it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// Run runs the command in args (without the program name) and returns the
// process exit code: 0 on success, 1 on failure, 2 on usage errors.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	err := e.run(ctx, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, "clientele:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "clientele:", err)
		return 1
	}
}

// usageError marks a mistake in the command line.
type usageError string

func (u usageError) Error() string { return string(u) }

const usage = `Clientele: a self-hosted customer directory with a Zendesk-compatible Users API.

Usage:
  clientele serve                  run the HTTP server (migrates first)
  clientele migrate                apply database migrations
  clientele realm create --uid UID --name NAME [--json]
  clientele realm list [--json]
  clientele token create --realm UID --email EMAIL [--description TEXT] [--oauth [--ttl D] [--scopes S]]
  clientele token list --realm UID [--json]
  clientele token revoke --realm UID --id ID
  clientele admin-token create [--description TEXT]     (Customers API administration, every realm)
  clientele admin-token list [--json]
  clientele admin-token revoke --id ID
  clientele user import FILE --realm UID [--format csv|jsonl] [--batch N] [--commit N] [--json]
  clientele user token --realm UID --email EMAIL [--scopes public,admin]
  clientele realm signin --realm UID [--signup on|off] [--session-lifetime D] [--idle-timeout D] [--allowed-origins LIST] [--json]
  clientele oauth-client create --realm UID --redirect-uri URI [--redirect-uri URI...] [--name N] [--scopes S] [--public] [--json]
  clientele oauth-client list --realm UID [--json]
  clientele oauth-client delete --realm UID --client-id ID
  clientele outbox list [--realm UID] [--limit N] [--json]
  clientele idp create --realm UID --uid ID --issuer URL --client-id ID [--client-secret S] [--name N] [--scopes S] [--auth-method M]
                       [--pkce S256|plain] [--claim CLAIM=FIELD...] [--refresh] [--refresh-anticipation D] [--show-delegation] [--json]
  clientele idp list --realm UID [--json]
  clientele idp delete --realm UID --uid ID
  clientele integration zendesk set --realm UID --url U [--name N] [--secret S|-] [--json]   (JWT SSO into Zendesk)
  clientele integration zendesk show|delete --realm UID [--json]
  clientele account show [--show-secret] [--json]          (the account: delivery token subject and secret)
  clientele account set --delivery-token-ttl D [--json]
  clientele seed --realm UID --users N [--seed S] [--start K] [--batch N] [--commit N] [--json]
  clientele bench --url URL --token EMAIL/token:TOKEN [--duration 10s] [--rate 0] [--workers N] [--scenarios LIST] [--json]
  clientele version

Every command but bench takes --database (CLIENTELE_DATABASE); see "clientele serve -h".
`

func (e *env) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return usageError("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return e.serve(ctx, rest)
	case "migrate":
		return e.migrate(ctx, rest)
	case "seed":
		return e.seed(ctx, rest)
	case "bench":
		return e.bench(ctx, rest)
	case "realm", "token", "user", "oauth-client", "outbox", "idp", "admin-token", "integration", "account":
		if len(rest) == 0 {
			return usageError(cmd + ": missing subcommand")
		}
		return e.noun(ctx, cmd, rest[0], rest[1:])
	case "version":
		fmt.Fprintln(e.stdout, Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}

func (e *env) noun(ctx context.Context, noun, verb string, args []string) error {
	switch noun + " " + verb {
	case "realm create":
		return e.realmCreate(ctx, args)
	case "realm list":
		return e.realmList(ctx, args)
	case "token create":
		return e.tokenCreate(ctx, args)
	case "admin-token create":
		return e.adminTokenCreate(ctx, args)
	case "admin-token list":
		return e.adminTokenList(ctx, args)
	case "admin-token revoke":
		return e.adminTokenRevoke(ctx, args)
	case "token list":
		return e.tokenList(ctx, args)
	case "token revoke":
		return e.tokenRevoke(ctx, args)
	case "user import":
		return e.userImport(ctx, args)
	case "user token":
		return e.userToken(ctx, args)
	case "realm signin":
		return e.realmSignin(ctx, args)
	case "oauth-client create":
		return e.oauthClientCreate(ctx, args)
	case "oauth-client list":
		return e.oauthClientList(ctx, args)
	case "oauth-client delete":
		return e.oauthClientDelete(ctx, args)
	case "outbox list":
		return e.outboxList(ctx, args)
	case "idp create":
		return e.idpCreate(ctx, args)
	case "idp list":
		return e.idpList(ctx, args)
	case "idp delete":
		return e.idpDelete(ctx, args)
	case "integration zendesk":
		return e.integrationZendesk(ctx, args)
	case "account show":
		return e.accountShow(ctx, args)
	case "account set":
		return e.accountSet(ctx, args)
	}
	return usageError(fmt.Sprintf("unknown command %q", noun+" "+verb))
}

// flags returns a flag set bound to the common configuration.
func (e *env) flags(name string, c *Config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&c.Database, "database", e.envOr("CLIENTELE_DATABASE", "data/clientele.db"),
		"SQLite file path, or a postgres:// DSN (CLIENTELE_DATABASE)")
	fs.StringVar(&c.SecretKey, "secret-key", e.getenv("CLIENTELE_SECRET_KEY"), "32 bytes in base64 that encrypt identity provider secrets and tokens (CLIENTELE_SECRET_KEY)")
	fs.StringVar(&c.LogFormat, "log-format", e.envOr("CLIENTELE_LOG_FORMAT", "text"), "log format: text or json (CLIENTELE_LOG_FORMAT)")
	return fs
}

func (e *env) envOr(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// envDuration is the duration the environment variable key holds, or def
// when it is unset; a value that is no duration is a usage error naming
// the variable.
func (e *env) envDuration(key string, def time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(e.envOr(key, def.String()))
	if err != nil {
		return 0, usageError(key + ": " + err.Error())
	}
	return d, nil
}

func (e *env) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0)))
	}
	return nil
}

func (e *env) logger(c *Config) *slog.Logger {
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}

// openStore opens the store named by c.Database: PostgreSQL for a
// postgres:// DSN, SQLite otherwise.
func openStore(ctx context.Context, c *Config) (directory.Store, error) {
	if strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://") {
		return postgres.Open(ctx, c.Database)
	}
	return sqlite.Open(c.Database)
}

// openMigrated opens the store and applies migrations, so every command
// works on a fresh database.
func openMigrated(ctx context.Context, c *Config) (directory.Store, error) {
	s, err := openStore(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
