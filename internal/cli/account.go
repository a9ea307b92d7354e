package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// accountJSON is the account as `--json` prints it; the delivery secret
// only when asked for.
type accountJSON struct {
	UUID             string `json:"uuid"`
	DeliveryTokenTTL int64  `json:"delivery_token_ttl"`
	DeliverySecret   string `json:"delivery_secret,omitempty"`
	CreatedAt        string `json:"created_at"`
}

// printAccount prints a as a JSON object or as "key: value" lines.
func (e *env) printAccount(a *directory.Account, asJSON, showSecret bool) error {
	j := accountJSON{UUID: a.UUID, DeliveryTokenTTL: int64(a.DeliveryTokenTTL / time.Second), CreatedAt: a.CreatedAt.UTC().Format(time.RFC3339)}
	if showSecret {
		j.DeliverySecret = a.DeliverySecret
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(j)
	}
	fmt.Fprintf(e.stdout, "uuid: %s\ndelivery_token_ttl: %s\n", j.UUID, a.DeliveryTokenTTL)
	if showSecret {
		fmt.Fprintf(e.stdout, "delivery_secret: %s\n", j.DeliverySecret)
	}
	return nil
}

// accountShow prints the install's account (made on first use): its UUID,
// the subject of delivery tokens, their lifetime and, with --show-secret,
// the secret a content server verifies them with.
func (e *env) accountShow(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("account show", &c)
	asJSON := fs.Bool("json", false, "print the account as JSON")
	showSecret := fs.Bool("show-secret", false, "also print the secret that signs delivery tokens (HS256)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	a, err := directory.NewService(store, directory.ServiceOptions{}).Account(ctx)
	if err != nil {
		return err
	}
	return e.printAccount(a, *asJSON, *showSecret)
}

// accountSet changes the account's settings: the delivery token lifetime.
func (e *env) accountSet(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("account set", &c)
	ttl := fs.Duration("delivery-token-ttl", 0, "lifetime of the delivery tokens issued from now on (1m to 24h)")
	asJSON := fs.Bool("json", false, "print the account as JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *ttl == 0 {
		return usageError("account set: --delivery-token-ttl is required")
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	a, err := directory.NewService(store, directory.ServiceOptions{}).SetDeliveryTokenTTL(ctx, *ttl)
	if err != nil {
		return err
	}
	return e.printAccount(a, *asJSON, false)
}
