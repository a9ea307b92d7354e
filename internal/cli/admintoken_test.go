package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/sqlite"
)

// TestAdminTokenCommands creates, lists and revokes an admin token, and
// checks the directory knows it only until it is revoked.
func TestAdminTokenCommands(t *testing.T) {
	setup(t)
	if code, _, errOut := run(t, "realm", "create", "--uid", "acme", "--name", "Acme"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := run(t, "admin-token", "create", "--description", "ops")
	token := strings.TrimSpace(out)
	if code != 0 || len(token) < 32 || !strings.Contains(errOut, "shown once") {
		t.Fatalf("admin-token create: %d %q %q", code, out, errOut)
	}
	code, out, _ = run(t, "admin-token", "list", "--json")
	var list []struct {
		ID          int64   `json:"id"`
		Hint        string  `json:"hint"`
		Description string  `json:"description"`
		LastUsedAt  *string `json:"last_used_at"`
	}
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 ||
		list[0].Hint != "..."+token[len(token)-4:] || list[0].Description != "ops" || list[0].LastUsedAt != nil {
		t.Fatalf("admin-token list: %d %s %v", code, out, err)
	}
	if strings.Contains(out, token) {
		t.Errorf("the list shows the token: %s", out)
	}

	// The directory knows the token by its secret until it is revoked.
	resolves := func() bool {
		store, err := sqlite.Open(os.Getenv("CLIENTELE_DATABASE"))
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		_, err = directory.NewService(store, directory.ServiceOptions{}).AdminToken(context.Background(), token)
		return err == nil
	}
	if !resolves() {
		t.Fatal("the new admin token does not resolve")
	}
	if code, _, errOut := run(t, "admin-token", "revoke", "--id", "1"); code != 0 {
		t.Fatalf("revoke: %s", errOut)
	}
	if _, out, _ := run(t, "admin-token", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("after revoke: %s", out)
	}
	if resolves() {
		t.Error("a revoked admin token still resolves")
	}
	if code, _, _ := run(t, "admin-token", "revoke", "--id", "1"); code != 1 {
		t.Errorf("revoking again: exit %d, want 1", code)
	}
	if code, _, _ := run(t, "admin-token", "revoke"); code != 2 {
		t.Errorf("revoke without --id: exit %d, want 2", code)
	}
}
