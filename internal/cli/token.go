package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
)

// tokenCreate issues an API token for a realm (or, with --oauth, a bearer
// access token for one user) and prints only the token on stdout. The user
// named by --email is created as an admin when missing, so a fresh realm
// can be used at once.
func (e *env) tokenCreate(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("token create", &c)
	realmUID := fs.String("realm", "", "realm uid")
	email := fs.String("email", "", "email of the agent or admin the token acts as (created as an admin if missing)")
	description := fs.String("description", "", "what the token is for")
	oauth := fs.Bool("oauth", false, "issue an OAuth bearer access token for the user instead of a realm API token")
	ttl := fs.Duration("ttl", 0, "with --oauth: lifetime of the token (0: no expiry)")
	scopes := fs.String("scopes", "read,write", "with --oauth: comma-separated scopes")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" || *email == "" {
		return usageError("token create: --realm and --email are required")
	}
	store, realm, err := openRealm(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := directory.NewService(store, directory.ServiceOptions{})
	u, err := ensureAdmin(ctx, svc, realm, *email, e)
	if err != nil {
		return err
	}
	var token string
	if *oauth {
		token, err = auth.IssueAccessToken(ctx, store, realm.ID, u.ID, strings.Split(*scopes, ","), *ttl, time.Now())
	} else {
		token, _, err = auth.IssueAPIToken(ctx, store, realm.ID, *description, time.Now())
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	fmt.Fprintln(e.stderr, "this token is shown once; store it now")
	return nil
}

// ensureAdmin returns the user with email in realm, creating an admin when
// there is none. API tokens act only as agents and admins, so an existing
// end user is refused rather than silently promoted.
func ensureAdmin(ctx context.Context, svc *directory.Service, realm *directory.Realm, email string, e *env) (*directory.User, error) {
	u, err := svc.Store().UserByIdentity(ctx, realm.ID, directory.IdentityEmail, email)
	switch {
	case err == nil && !u.Role.Staff():
		return nil, fmt.Errorf("%s is an end user of realm %q; a token acts as an agent or admin", email, realm.UID)
	case err == nil:
		return u, nil
	case directory.KindOf(err) != directory.KindNotFound:
		return nil, err
	}
	name, _, _ := strings.Cut(email, "@")
	role, verified := string(directory.RoleAdmin), true
	u, err = svc.CreateUser(ctx, directory.Operator(realm.ID), directory.UserInput{
		Name: &name, Email: &email, Role: &role, Verified: &verified,
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "created admin %s in realm %q\n", email, realm.UID)
	return u, nil
}

func (e *env) tokenList(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("token list", &c)
	realmUID := fs.String("realm", "", "realm uid")
	asJSON := fs.Bool("json", false, "print the tokens as a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" {
		return usageError("token list: --realm is required")
	}
	store, realm, err := openRealm(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	tokens, err := store.ListAPITokens(ctx, realm.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		type tokenJSON struct {
			ID          int64  `json:"id"`
			Hint        string `json:"hint"`
			Description string `json:"description"`
			CreatedAt   string `json:"created_at"`
		}
		out := []tokenJSON{}
		for _, t := range tokens {
			out = append(out, tokenJSON{t.ID, "..." + t.Hint, t.Description, t.CreatedAt.UTC().Format(time.RFC3339)})
		}
		return json.NewEncoder(e.stdout).Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTOKEN\tDESCRIPTION\tCREATED")
	for _, t := range tokens {
		fmt.Fprintf(tw, "%d\t...%s\t%s\t%s\n", t.ID, t.Hint, t.Description, t.CreatedAt.UTC().Format("2006-01-02"))
	}
	return tw.Flush()
}

func (e *env) tokenRevoke(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("token revoke", &c)
	realmUID := fs.String("realm", "", "realm uid")
	idText := fs.String("id", "", "id of the token, as token list shows it")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(*idText, 10, 64)
	if *realmUID == "" || err != nil {
		return usageError("token revoke: --realm and a numeric --id are required")
	}
	store, realm, err := openRealm(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.DeleteAPIToken(ctx, realm.ID, id); err != nil {
		return fmt.Errorf("token %d: %w", id, err)
	}
	fmt.Fprintf(e.stderr, "revoked token %d of realm %q\n", id, realm.UID)
	return nil
}

// openRealm opens the migrated store and finds the realm uid in it; the
// caller closes the store.
func openRealm(ctx context.Context, c *Config, uid string) (directory.Store, *directory.Realm, error) {
	store, err := openMigrated(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	realm, err := store.RealmByUID(ctx, uid)
	if err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("realm %q: %w", uid, err)
	}
	return store, realm, nil
}
