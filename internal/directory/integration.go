package directory

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// IntegrationStore keeps the realms' integrations with other services.
type IntegrationStore interface {
	// PutZendeskIntegration inserts the realm's Zendesk integration or
	// replaces the one it has.
	PutZendeskIntegration(ctx context.Context, realmID int64, z *ZendeskIntegration) error
	// ZendeskIntegration returns the realm's Zendesk integration;
	// KindNotFound when it has none.
	ZendeskIntegration(ctx context.Context, realmID int64) (*ZendeskIntegration, error)
	// DeleteZendeskIntegration removes the realm's Zendesk integration;
	// KindNotFound when it has none.
	DeleteZendeskIntegration(ctx context.Context, realmID int64) error
}

// ZendeskIntegration signs a realm's customers into a Zendesk help center
// with Zendesk's JWT single sign-on: tokens signed (HS256) with the shared
// secret Zendesk shows in its JWT SSO settings. A realm has at most one.
type ZendeskIntegration struct {
	RealmID int64
	Name    string
	// Host is the Zendesk account's host, "acme.zendesk.com" (or a host
	// mapped to it), with a port only when one was given.
	Host string
	// SealedSecret is the shared secret, sealed; SecretHint is its last
	// four characters, all that is ever shown of it.
	SealedSecret string
	SecretHint   string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ZendeskInput is a Zendesk integration to create or replace. An empty
// Secret keeps the secret of the integration it replaces.
type ZendeskInput struct {
	Name   string
	URL    string // "acme.zendesk.com" or "https://acme.zendesk.com"
	Secret string
}

// DefaultZendeskName names an integration created without a name.
const DefaultZendeskName = "Zendesk"

// maxZendeskSecret bounds the shared secret; Zendesk's are 48 characters.
const maxZendeskSecret = 512

// errNoSealerIntegration explains why integrations cannot keep secrets.
var errNoSealerIntegration = Errorf(KindBadRequest, "integrations need CLIENTELE_SECRET_KEY to encrypt their shared secrets")

// SetZendeskIntegration validates in and makes it the realm's Zendesk
// integration, sealing its secret; it replaces the realm's integration if
// it has one. created reports that the realm had none.
func (s *Signin) SetZendeskIntegration(ctx context.Context, realmID int64, in ZendeskInput) (z *ZendeskIntegration, created bool, err error) {
	if s.sealer == nil {
		return nil, false, errNoSealerIntegration
	}
	old, err := s.store.ZendeskIntegration(ctx, realmID)
	if err != nil && KindOf(err) != KindNotFound {
		return nil, false, err
	}
	var v Invalid
	name := trimmed(in.Name)
	if name == "" {
		name = DefaultZendeskName
	}
	if !validText(name, maxShortText) {
		v.Add("name", "InvalidValue", "is invalid or too long")
	}
	host, msg := zendeskHost(in.URL)
	if msg != "" {
		v.Add("url", "InvalidValue", msg)
	}
	switch {
	case in.Secret == "" && old == nil:
		v.Add("secret", "BlankValue", "can't be blank")
	case in.Secret != "" && (strings.TrimSpace(in.Secret) != in.Secret || !utf8.ValidString(in.Secret) ||
		utf8.RuneCountInString(in.Secret) < 4 || len(in.Secret) > maxZendeskSecret):
		v.Add("secret", "InvalidValue", "must be 4 to 512 characters without leading or trailing spaces")
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	now := s.svc.Now()
	z = &ZendeskIntegration{RealmID: realmID, Name: name, Host: host, CreatedAt: now, UpdatedAt: now}
	if old != nil {
		z.CreatedAt, z.SealedSecret, z.SecretHint = old.CreatedAt, old.SealedSecret, old.SecretHint
	}
	if in.Secret != "" {
		if z.SealedSecret, err = s.sealer.Seal(in.Secret); err != nil {
			return nil, false, err
		}
		runes := []rune(in.Secret)
		z.SecretHint = string(runes[len(runes)-4:])
	}
	if err := s.store.PutZendeskIntegration(ctx, realmID, z); err != nil {
		return nil, false, err
	}
	return z, old == nil, nil
}

// zendeskHost reads the host of a Zendesk URL given as a host name
// ("acme.zendesk.com") or an https URL with no path; the message says
// what is wrong, "" when nothing is.
func zendeskHost(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "can't be blank"
	}
	const want = "must be a Zendesk host such as acme.zendesk.com, or https://acme.zendesk.com"
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", want
	}
	host := strings.ToLower(u.Hostname())
	if !validHostName(host) {
		return "", want
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", want
		}
		return net.JoinHostPort(host, port), ""
	}
	return host, ""
}

// validHostName reports whether h is a DNS name of at least two labels,
// each of letters, digits and inner dashes.
func validHostName(h string) bool {
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// ZendeskIntegration returns the realm's Zendesk integration; KindNotFound
// when it has none.
func (s *Signin) ZendeskIntegration(ctx context.Context, realmID int64) (*ZendeskIntegration, error) {
	return s.store.ZendeskIntegration(ctx, realmID)
}

// DeleteZendeskIntegration removes the realm's Zendesk integration;
// KindNotFound when it has none.
func (s *Signin) DeleteZendeskIntegration(ctx context.Context, realmID int64) error {
	return s.store.DeleteZendeskIntegration(ctx, realmID)
}

// ZendeskSSO is what signing a customer into Zendesk takes: where, the
// shared secret to sign with, and the claims of the JWT.
type ZendeskSSO struct {
	Host   string
	Secret string
	Claims ZendeskClaims
}

// ZendeskClaims are the attributes Zendesk's JWT SSO reads to find,
// create or update the user it signs in. Empty values are left out of the
// token, so that Zendesk keeps what it has rather than clearing it.
type ZendeskClaims struct {
	IssuedAt time.Time
	// JTI is unique per token: Zendesk refuses a token it has seen.
	JTI        string
	Name       string
	Email      string
	ExternalID string
	// Organization is the name of the customer's default organization.
	Organization   string
	Phone          string
	Tags           []string
	LocaleID       int
	RemotePhotoURL string
	// UserFields are the customer's values of the active custom fields
	// customers may see, by key, in Zendesk's input forms (dates as
	// "YYYY-MM-DD"); fields without a value are left out.
	UserFields map[string]any
}

// ZendeskSSO returns what signs u, a customer of realm, into the realm's
// Zendesk: KindNotFound when the realm has no Zendesk integration.
func (s *Signin) ZendeskSSO(ctx context.Context, realm *Realm, u *User) (*ZendeskSSO, error) {
	z, err := s.store.ZendeskIntegration(ctx, realm.ID)
	if err != nil {
		return nil, err
	}
	if s.sealer == nil {
		return nil, errNoSealerIntegration
	}
	secret, err := s.sealer.Open(z.SealedSecret)
	if err != nil {
		return nil, err
	}
	if u.Email == "" && u.ExternalID == "" {
		return nil, Errorf(KindInvalid, "Zendesk needs the customer's email or external id to sign them in")
	}
	c := ZendeskClaims{IssuedAt: s.svc.Now(), JTI: s.svc.newUUID(), Name: u.Name, Email: u.Email, ExternalID: u.ExternalID,
		Phone: u.Phone, Tags: u.Tags, LocaleID: u.LocaleID, RemotePhotoURL: u.RemotePhotoURL}
	if u.OrganizationID != 0 {
		o, err := s.store.OrganizationByID(ctx, realm.ID, u.OrganizationID)
		switch {
		case err == nil:
			c.Organization = o.Name
		case KindOf(err) != KindNotFound:
			return nil, err
		}
	}
	fields, err := s.svc.CustomerFields(ctx, realm.ID)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		v, ok := u.UserFields[f.Key]
		if !ok || v == nil {
			continue
		}
		if f.Type == FieldDate {
			// Stored as Zendesk's API shows dates; its JWT takes the date.
			if str, ok := v.(string); ok && len(str) >= len(time.DateOnly) {
				v = str[:len(time.DateOnly)]
			}
		}
		if c.UserFields == nil {
			c.UserFields = map[string]any{}
		}
		c.UserFields[f.Key] = v
	}
	return &ZendeskSSO{Host: z.Host, Secret: secret, Claims: c}, nil
}
