package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"text/tabwriter"

	"github.com/clientele/clientele/internal/directory"
)

// realmJSON is a realm as `--json` prints it.
type realmJSON struct {
	ID        int64  `json:"id"`
	UID       string `json:"uid"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

func toRealmJSON(r directory.Realm) realmJSON {
	return realmJSON{ID: r.ID, UID: r.UID, Name: r.Name, CreatedAt: r.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
}

func (e *env) realmCreate(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("realm create", &c)
	uid := fs.String("uid", "", "the realm's URL identifier: lowercase letters, digits and dashes")
	name := fs.String("name", "", "the realm's display name")
	asJSON := fs.Bool("json", false, "print the realm as JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *uid == "" || *name == "" {
		return usageError("realm create: --uid and --name are required")
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := directory.NewService(store, directory.ServiceOptions{})
	r, err := svc.CreateRealm(ctx, *uid, *name)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(toRealmJSON(*r))
	}
	fmt.Fprintln(e.stdout, r.UID)
	fmt.Fprintf(e.stderr, "created realm %q (%s)\n", r.UID, r.Name)
	return nil
}

func (e *env) realmList(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("realm list", &c)
	asJSON := fs.Bool("json", false, "print the realms as a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	realms, err := directory.NewService(store, directory.ServiceOptions{}).Realms(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := []realmJSON{}
		for _, r := range realms {
			out = append(out, toRealmJSON(r))
		}
		return json.NewEncoder(e.stdout).Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UID\tNAME\tCREATED")
	for _, r := range realms {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.UID, r.Name, r.CreatedAt.UTC().Format("2006-01-02"))
	}
	return tw.Flush()
}

// redact hides the password of a DSN for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
