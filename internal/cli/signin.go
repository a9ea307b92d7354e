package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/customers"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/realmweb"
)

// newSignin returns the realm sign-in rules, mailing through SMTP when c
// names a server.
func newSignin(svc *directory.Service, c *Config) (*directory.Signin, error) {
	opts := directory.SigninOptions{Passwords: auth.Argon2id{}}
	if c.SecretKey != "" {
		sealer, err := auth.NewSealer(c.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("CLIENTELE_SECRET_KEY: %w", err)
		}
		opts.Sealer = sealer
	}
	if c.SMTPURL != "" {
		m, err := realmweb.NewSMTPMailer(c.SMTPURL, c.MailFrom)
		if err != nil {
			return nil, err
		}
		opts.Mailer = m
	}
	if svc == nil {
		return nil, nil
	}
	return directory.NewSignin(svc, opts), nil
}

// checkSignin reports a malformed SMTP, secret key or CORS setting,
// before serve starts.
func checkSignin(c *Config) error {
	if _, err := newSignin(nil, c); err != nil {
		return err
	}
	_, err := customers.ParseOrigins(c.CORSOrigins)
	return err
}

// mustCustomerHandlers returns the realm pages' handler (/realms/) and
// the Customers API's (/api/customers/, /api/profile/), which share the
// sign-in rules; it panics on the settings checkSignin refuses, which
// serve checks first.
func mustCustomerHandlers(svc *directory.Service, c *Config, log *slog.Logger) (*realmweb.Handler, *customers.Handler) {
	signin, err := newSignin(svc, c)
	if err != nil {
		panic(err)
	}
	var oidc *auth.OIDC
	if c.SecretKey != "" {
		oidc = auth.NewOIDC(signin, nil)
	}
	origins, err := customers.ParseOrigins(c.CORSOrigins)
	if err != nil {
		panic(err)
	}
	api, err := customers.NewHandler(customers.Config{Signin: signin, Logger: log, PublicURL: c.PublicURL, OIDC: oidc,
		AllowedOrigins: origins})
	if err != nil {
		panic(err)
	}
	return realmweb.NewHandler(realmweb.Config{Signin: signin, Logger: log, PublicURL: c.PublicURL, OIDC: oidc}), api
}

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds one value.
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// openSignin opens the store, finds the realm and returns the sign-in
// rules over them; the caller closes the store.
func openSignin(ctx context.Context, c *Config, realmUID string) (directory.Store, *directory.Realm, *directory.Signin, error) {
	store, realm, err := openRealm(ctx, c, realmUID)
	if err != nil {
		return nil, nil, nil, err
	}
	signin, err := newSignin(directory.NewService(store, directory.ServiceOptions{}), c)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	return store, realm, signin, nil
}

// oauthClientJSON is an OAuth client as `--json` prints it; the secret
// only when it was just created.
type oauthClientJSON struct {
	ClientID     string   `json:"client_id"`
	ClientSecret *string  `json:"client_secret,omitempty"`
	Name         string   `json:"name"`
	Confidential bool     `json:"confidential"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	CreatedAt    string   `json:"created_at"`
}

func toOAuthClientJSON(c directory.OAuthClient) oauthClientJSON {
	return oauthClientJSON{ClientID: c.UID, Name: c.Name, Confidential: c.Confidential, RedirectURIs: c.RedirectURIs,
		Scopes: c.Scopes, CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339)}
}

// oauthClientCreate registers an OAuth client and prints its id and
// secret, which is shown only now.
func (e *env) oauthClientCreate(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("oauth-client create", &c)
	realmUID := fs.String("realm", "", "realm uid")
	var redirects listFlag
	fs.Var(&redirects, "redirect-uri", "a redirect URI the client may use (repeat for several)")
	name := fs.String("name", "", "what the client is")
	scopes := fs.String("scopes", "public", "comma-separated scopes the client may ask for: public, admin")
	public := fs.Bool("public", false, "a public client (browser or mobile app): no secret, PKCE required")
	asJSON := fs.Bool("json", false, `print {"client_id": ..., "client_secret": ...} and the rest as JSON`)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" || len(redirects) == 0 {
		return usageError("oauth-client create: --realm and --redirect-uri are required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	client, secret, err := signin.CreateOAuthClient(ctx, realm.ID, *name, redirects, strings.Split(*scopes, ","), *public)
	if err != nil {
		return err
	}
	if *asJSON {
		out := toOAuthClientJSON(*client)
		out.ClientSecret = &secret
		return json.NewEncoder(e.stdout).Encode(out)
	}
	fmt.Fprintln(e.stdout, "client_id:", client.UID)
	if secret != "" {
		fmt.Fprintln(e.stdout, "client_secret:", secret)
		fmt.Fprintln(e.stderr, "the secret is shown once; store it now")
	}
	return nil
}

func (e *env) oauthClientList(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("oauth-client list", &c)
	realmUID := fs.String("realm", "", "realm uid")
	asJSON := fs.Bool("json", false, "print the clients as a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" {
		return usageError("oauth-client list: --realm is required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	clients, err := signin.OAuthClients(ctx, realm.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		out := []oauthClientJSON{}
		for _, cl := range clients {
			out = append(out, toOAuthClientJSON(cl))
		}
		return json.NewEncoder(e.stdout).Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT ID\tTYPE\tSCOPES\tREDIRECT URIS\tNAME")
	for _, cl := range clients {
		typ := "confidential"
		if !cl.Confidential {
			typ = "public"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cl.UID, typ, strings.Join(cl.Scopes, ","), strings.Join(cl.RedirectURIs, " "), cl.Name)
	}
	return tw.Flush()
}

func (e *env) oauthClientDelete(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("oauth-client delete", &c)
	realmUID := fs.String("realm", "", "realm uid")
	clientID := fs.String("client-id", "", "the client's client_id")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" || *clientID == "" {
		return usageError("oauth-client delete: --realm and --client-id are required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := signin.DeleteOAuthClient(ctx, realm.ID, *clientID); err != nil {
		return fmt.Errorf("oauth client %q: %w", *clientID, err)
	}
	fmt.Fprintf(e.stderr, "deleted oauth client %s of realm %q and its tokens\n", *clientID, realm.UID)
	return nil
}

// userToken starts a session for a customer and prints an access token
// bound to it: it works as `Authorization: Bearer` until the session ends.
func (e *env) userToken(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("user token", &c)
	realmUID := fs.String("realm", "", "realm uid")
	email := fs.String("email", "", "the customer's email")
	scopes := fs.String("scopes", "public", "comma-separated scopes: public, admin")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" || *email == "" {
		return usageError("user token: --realm and --email are required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	for _, sc := range strings.Split(*scopes, ",") {
		if sc != directory.ScopePublic && sc != directory.ScopeAdmin {
			return usageError(fmt.Sprintf("user token: unknown scope %q", sc))
		}
	}
	u, err := store.UserByIdentity(ctx, realm.ID, directory.IdentityEmail, directory.NormalizeEmail(*email))
	if err != nil {
		return fmt.Errorf("user %s in realm %q: %w", *email, realm.UID, err)
	}
	_, sess, err := signin.StartSession(ctx, realm, u, directory.MethodCLI, directory.Client{UserAgent: "clientele user token"})
	if err != nil {
		return err
	}
	token, err := signin.IssueSessionToken(ctx, sess, strings.Split(*scopes, ","))
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	fmt.Fprintf(e.stderr, "this token is shown once; it lasts as long as the session (until %s)\n", sess.ExpiresAt.Format(time.RFC3339))
	return nil
}

// outboxList prints the mails of one realm, or of every realm, newest
// first: what was sent and what waits for the operator to forward.
func (e *env) outboxList(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("outbox list", &c)
	realmUID := fs.String("realm", "", "realm uid (default: every realm)")
	limit := fs.Int("limit", 50, "at most this many mails per realm")
	asJSON := fs.Bool("json", false, "print the mails as a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *limit < 1 || *limit > 10000 {
		return usageError("outbox list: --limit must be between 1 and 10000")
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	var realms []directory.Realm
	if *realmUID != "" {
		r, err := store.RealmByUID(ctx, *realmUID)
		if err != nil {
			return fmt.Errorf("realm %q: %w", *realmUID, err)
		}
		realms = []directory.Realm{*r}
	} else if realms, err = store.ListRealms(ctx); err != nil {
		return err
	}
	type mailJSON struct {
		Realm     string  `json:"realm"`
		ID        int64   `json:"id"`
		To        string  `json:"to"`
		Subject   string  `json:"subject"`
		Body      string  `json:"body"`
		CreatedAt string  `json:"created_at"`
		SentAt    *string `json:"sent_at"`
		Error     string  `json:"error,omitempty"`
	}
	out := []mailJSON{}
	for _, r := range realms {
		mails, err := store.ListMail(ctx, r.ID, *limit)
		if err != nil {
			return err
		}
		for _, m := range mails {
			j := mailJSON{Realm: r.UID, ID: m.ID, To: m.To, Subject: m.Subject, Body: m.Body, CreatedAt: m.CreatedAt.Format(time.RFC3339), Error: m.Error}
			if !m.SentAt.IsZero() {
				s := m.SentAt.Format(time.RFC3339)
				j.SentAt = &s
			}
			out = append(out, j)
		}
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(out)
	}
	for _, m := range out {
		status := "not sent (SMTP not configured)"
		switch {
		case m.SentAt != nil:
			status = "sent " + *m.SentAt
		case m.Error != "":
			status = "not sent: " + m.Error
		}
		fmt.Fprintf(e.stdout, "--- %s #%d  %s  %s\nTo: %s\nSubject: %s\n\n%s\n", m.Realm, m.ID, m.CreatedAt, status, m.To, m.Subject, m.Body)
	}
	return nil
}

// realmSignin shows the realm's sign-in settings and changes those given.
func (e *env) realmSignin(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("realm signin", &c)
	realmUID := fs.String("realm", "", "realm uid")
	signup := fs.String("signup", "", "on or off: whether visitors may sign up")
	lifetime := fs.Duration("session-lifetime", 0, "how long a session lasts, 15m to 2160h")
	idle := fs.String("idle-timeout", "", "end sessions unused this long, 5m to 6h; 0 for never")
	origins := fs.String("allowed-origins", "", "comma-separated origins (https://shop.example) sign-in may redirect to; \"-\" for none")
	asJSON := fs.Bool("json", false, "print the settings as JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" {
		return usageError("realm signin: --realm is required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	st, err := signin.Settings(ctx, realm.ID)
	if err != nil {
		return err
	}
	changed := false
	switch *signup {
	case "":
	case "on":
		st.SignupEnabled, changed = true, true
	case "off":
		st.SignupEnabled, changed = false, true
	default:
		return usageError("realm signin: --signup is on or off")
	}
	if *lifetime != 0 {
		st.SessionLifetime, changed = *lifetime, true
	}
	if *idle != "" {
		d, err := time.ParseDuration(*idle)
		if err != nil {
			return usageError("realm signin: --idle-timeout: " + err.Error())
		}
		st.IdleTimeout, changed = d, true
	}
	if *origins == "-" {
		st.AllowedOrigins, changed = []string{}, true
	} else if *origins != "" {
		st.AllowedOrigins, changed = strings.Split(*origins, ","), true
	}
	if changed {
		if err := signin.SetSettings(ctx, realm.ID, *st); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{"signup": st.SignupEnabled, "session_lifetime": st.SessionLifetime.String(),
			"idle_timeout": st.IdleTimeout.String(), "allowed_origins": st.AllowedOrigins})
	}
	fmt.Fprintf(e.stdout, "signup: %v\nsession lifetime: %s\nidle timeout: %s\nallowed origins: %s\n",
		map[bool]string{true: "on", false: "off"}[st.SignupEnabled], st.SessionLifetime, st.IdleTimeout, strings.Join(st.AllowedOrigins, " "))
	return nil
}

func (e *env) idpCreate(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("idp create", &c)
	realmUID := fs.String("realm", "", "realm uid")
	var in directory.IdPInput
	fs.StringVar(&in.UID, "uid", "", "the provider's identifier in URLs (/realms/UID/auth/openidc/ID)")
	fs.StringVar(&in.Name, "name", "", "the provider's name on the login button")
	fs.StringVar(&in.Issuer, "issuer", "", "the issuer URL; its discovery document fills in the endpoints")
	fs.StringVar(&in.ClientID, "client-id", "", "the client id registered at the provider")
	fs.StringVar(&in.ClientSecret, "client-secret", "", "the client secret (stored encrypted)")
	scopes := fs.String("scopes", "openid,email,profile", "comma-separated scopes")
	fs.StringVar(&in.AuthMethod, "auth-method", directory.IdPAuthBasic, "client_secret_basic, client_secret_post or none")
	fs.StringVar(&in.PKCE, "pkce", "S256", "S256, plain, or none")
	var claims listFlag
	fs.Var(&claims, "claim", "CLAIM=FIELD: copy a claim to name, first_name, last_name, phone or a custom field at each login (repeatable)")
	fs.BoolVar(&in.EnableRefresh, "refresh", false, "refresh the provider's access token while the customer is active")
	fs.DurationVar(&in.RefreshAnticipation, "refresh-anticipation", 0, "refresh this long before expiry (0 to 100s)")
	fs.BoolVar(&in.ShowDelegation, "show-delegation", false, "show the provider's access token as the customer's delegated_token")
	asJSON := fs.Bool("json", false, "print the provider as JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" || in.UID == "" || in.Issuer == "" || in.ClientID == "" {
		return usageError("idp create: --realm, --uid, --issuer and --client-id are required")
	}
	if in.PKCE == "none" {
		in.PKCE = ""
	}
	in.Scopes = strings.Split(*scopes, ",")
	in.ClaimsMapping = map[string]string{}
	for _, cl := range claims {
		claim, field, ok := strings.Cut(cl, "=")
		if !ok {
			return usageError("idp create: --claim takes CLAIM=FIELD")
		}
		in.ClaimsMapping[claim] = field
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	p, err := signin.CreateIdP(ctx, realm.ID, in)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(toIdPJSON(*p))
	}
	fmt.Fprintln(e.stdout, p.UID)
	fmt.Fprintf(e.stderr, "register this redirect URI at the provider: PUBLIC_URL/realms/%s/auth/openidc/callback\n", realm.UID)
	return nil
}

// idpJSON is an identity provider as `--json` prints it, without its
// secret.
type idpJSON struct {
	UID                 string            `json:"uid"`
	Name                string            `json:"name"`
	Issuer              string            `json:"issuer"`
	ClientID            string            `json:"client_id"`
	Scopes              []string          `json:"scopes"`
	AuthMethod          string            `json:"auth_method"`
	PKCE                string            `json:"pkce"`
	ClaimsMapping       map[string]string `json:"claims_mapping"`
	EnableRefresh       bool              `json:"enable_refresh"`
	RefreshAnticipation int64             `json:"refresh_anticipation"`
	ShowDelegation      bool              `json:"show_delegation"`
}

func toIdPJSON(p directory.IdentityProvider) idpJSON {
	return idpJSON{UID: p.UID, Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, Scopes: p.Scopes, AuthMethod: p.AuthMethod,
		PKCE: p.PKCE, ClaimsMapping: p.ClaimsMapping, EnableRefresh: p.EnableRefresh,
		RefreshAnticipation: int64(p.RefreshAnticipation / time.Second), ShowDelegation: p.ShowDelegation}
}

func (e *env) idpList(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("idp list", &c)
	realmUID := fs.String("realm", "", "realm uid")
	asJSON := fs.Bool("json", false, "print the providers as a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" {
		return usageError("idp list: --realm is required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	ps, err := signin.IdPs(ctx, realm.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		out := []idpJSON{}
		for _, p := range ps {
			out = append(out, toIdPJSON(p))
		}
		return json.NewEncoder(e.stdout).Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UID\tNAME\tISSUER\tCLIENT ID")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.UID, p.Name, p.Issuer, p.ClientID)
	}
	return tw.Flush()
}

func (e *env) idpDelete(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("idp delete", &c)
	realmUID := fs.String("realm", "", "realm uid")
	uid := fs.String("uid", "", "the provider's uid")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" || *uid == "" {
		return usageError("idp delete: --realm and --uid are required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := signin.DeleteIdP(ctx, realm.ID, *uid); err != nil {
		return fmt.Errorf("identity provider %q: %w", *uid, err)
	}
	fmt.Fprintf(e.stderr, "deleted identity provider %s of realm %q\n", *uid, realm.UID)
	return nil
}
