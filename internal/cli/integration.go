package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// integrationZendesk runs `clientele integration zendesk set|show|delete`:
// a realm's Zendesk JWT SSO integration.
func (e *env) integrationZendesk(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("integration zendesk: missing subcommand (set, show or delete)")
	}
	switch args[0] {
	case "set":
		return e.integrationZendeskSet(ctx, args[1:])
	case "show":
		return e.integrationZendeskShow(ctx, args[1:])
	case "delete":
		return e.integrationZendeskDelete(ctx, args[1:])
	}
	return usageError(fmt.Sprintf("unknown command %q", "integration zendesk "+args[0]))
}

// zendeskJSON is a Zendesk integration as `--json` prints it: the secret
// only as its last four characters.
type zendeskJSON struct {
	Realm      string `json:"realm"`
	Name       string `json:"name"`
	URL        string `json:"url"`
	SecretHint string `json:"secret_hint"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
}

// printZendesk prints z as a JSON object or as "key: value" lines.
func (e *env) printZendesk(realm *directory.Realm, z *directory.ZendeskIntegration, asJSON bool) error {
	j := zendeskJSON{Realm: realm.UID, Name: z.Name, URL: "https://" + z.Host, SecretHint: "..." + z.SecretHint,
		CreatedAt: z.CreatedAt.UTC().Format(time.RFC3339), UpdatedAt: z.UpdatedAt.UTC().Format(time.RFC3339)}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(j)
	}
	_, err := fmt.Fprintf(e.stdout, "realm: %s\nname: %s\nurl: %s\nsecret: %s\n", j.Realm, j.Name, j.URL, j.SecretHint)
	return err
}

func (e *env) integrationZendeskSet(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("integration zendesk set", &c)
	realmUID := fs.String("realm", "", "realm uid")
	var in directory.ZendeskInput
	fs.StringVar(&in.Name, "name", "", "the integration's name (default Zendesk)")
	fs.StringVar(&in.URL, "url", "", "the Zendesk account: acme.zendesk.com or https://acme.zendesk.com")
	fs.StringVar(&in.Secret, "secret", "", `the JWT shared secret from Zendesk's SSO settings (stored encrypted); "-" reads it from stdin; empty keeps the current one`)
	asJSON := fs.Bool("json", false, "print the integration as JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" || in.URL == "" {
		return usageError("integration zendesk set: --realm and --url are required")
	}
	if in.Secret == "-" {
		// The secret stays out of the process list and shell history.
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("integration zendesk set: reading the secret from stdin: %w", err)
		}
		in.Secret = strings.TrimRight(line, "\r\n")
		if in.Secret == "" {
			return usageError("integration zendesk set: the secret read from stdin is empty")
		}
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	z, created, err := signin.SetZendeskIntegration(ctx, realm.ID, in)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(e.stderr, "created the Zendesk integration of realm %q\n", realm.UID)
	} else {
		fmt.Fprintf(e.stderr, "replaced the Zendesk integration of realm %q\n", realm.UID)
	}
	return e.printZendesk(realm, z, *asJSON)
}

func (e *env) integrationZendeskShow(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("integration zendesk show", &c)
	realmUID := fs.String("realm", "", "realm uid")
	asJSON := fs.Bool("json", false, "print the integration as JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" {
		return usageError("integration zendesk show: --realm is required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	z, err := signin.ZendeskIntegration(ctx, realm.ID)
	if directory.KindOf(err) == directory.KindNotFound {
		return fmt.Errorf("realm %q has no Zendesk integration", realm.UID)
	}
	if err != nil {
		return err
	}
	return e.printZendesk(realm, z, *asJSON)
}

func (e *env) integrationZendeskDelete(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("integration zendesk delete", &c)
	realmUID := fs.String("realm", "", "realm uid")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" {
		return usageError("integration zendesk delete: --realm is required")
	}
	store, realm, signin, err := openSignin(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	err = signin.DeleteZendeskIntegration(ctx, realm.ID)
	if directory.KindOf(err) == directory.KindNotFound {
		return fmt.Errorf("realm %q has no Zendesk integration", realm.UID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "deleted the Zendesk integration of realm %q\n", realm.UID)
	return nil
}
