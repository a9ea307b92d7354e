package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// adminTokenCreate issues an account-level admin token of the Customers
// API and prints only the token on stdout.
func (e *env) adminTokenCreate(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("admin-token create", &c)
	description := fs.String("description", "", "what the token is for")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	token, _, err := directory.NewService(store, directory.ServiceOptions{}).CreateAdminToken(ctx, *description)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	fmt.Fprintln(e.stderr, "this admin token manages every realm and is shown once; store it now")
	return nil
}

// adminTokenList lists the admin tokens by their last four characters.
func (e *env) adminTokenList(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("admin-token list", &c)
	asJSON := fs.Bool("json", false, "print the tokens as a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	tokens, err := store.ListAdminTokens(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type tokenJSON struct {
			ID          int64   `json:"id"`
			Hint        string  `json:"hint"`
			Description string  `json:"description"`
			CreatedAt   string  `json:"created_at"`
			LastUsedAt  *string `json:"last_used_at"`
		}
		out := []tokenJSON{}
		for _, t := range tokens {
			j := tokenJSON{ID: t.ID, Hint: "..." + t.Hint, Description: t.Description, CreatedAt: t.CreatedAt.UTC().Format(time.RFC3339)}
			if !t.LastUsedAt.IsZero() {
				used := t.LastUsedAt.UTC().Format(time.RFC3339)
				j.LastUsedAt = &used
			}
			out = append(out, j)
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

// adminTokenRevoke deletes an admin token.
func (e *env) adminTokenRevoke(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("admin-token revoke", &c)
	idText := fs.String("id", "", "id of the token, as admin-token list shows it")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(*idText, 10, 64)
	if err != nil {
		return usageError("admin-token revoke: a numeric --id is required")
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.DeleteAdminToken(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "admin token %d revoked\n", id)
	return nil
}
