package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// RunIntegrations runs the contract of the account and of the realms'
// integrations against stores made by open.
func RunIntegrations(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, directory.Store)
	}{
		{"Account", testAccount},
		{"AccountRace", testAccountRace},
		{"ZendeskIntegration", testZendeskIntegration},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func testAccount(t *testing.T, s directory.Store) {
	ctx := context.Background()
	if _, err := s.Account(ctx); directory.KindOf(err) != directory.KindNotFound {
		t.Fatalf("Account before any: %v, want KindNotFound", err)
	}
	if err := s.SetDeliveryTokenTTL(ctx, time.Minute); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("SetDeliveryTokenTTL before any: %v, want KindNotFound", err)
	}
	first := &directory.Account{UUID: "uuid-1", DeliverySecret: "secret-1", DeliveryTokenTTL: time.Hour, CreatedAt: epoch}
	if err := s.CreateAccountIfMissing(ctx, first); err != nil {
		t.Fatal(err)
	}
	// A second account changes nothing: the first stays.
	second := &directory.Account{UUID: "uuid-2", DeliverySecret: "secret-2", DeliveryTokenTTL: time.Minute, CreatedAt: epoch.Add(time.Hour)}
	if err := s.CreateAccountIfMissing(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := s.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, got); diff != "" {
		t.Errorf("Account (-want +got):\n%s", diff)
	}
	if err := s.SetDeliveryTokenTTL(ctx, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	got, err = s.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := *first
	want.DeliveryTokenTTL = 90 * time.Second
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Account after SetDeliveryTokenTTL (-want +got):\n%s", diff)
	}
}

// testAccountRace makes the account from several goroutines at once, as
// nodes starting together on one database do: every one succeeds and
// reads the same account back.
func testAccountRace(t *testing.T, s directory.Store) {
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	read := make([]*directory.Account, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &directory.Account{UUID: fmt.Sprintf("uuid-%d", i), DeliverySecret: fmt.Sprintf("secret-%d", i),
				DeliveryTokenTTL: time.Hour, CreatedAt: epoch}
			if errs[i] = s.CreateAccountIfMissing(ctx, a); errs[i] == nil {
				read[i], errs[i] = s.Account(ctx)
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if diff := cmp.Diff(read[0], read[i]); diff != "" {
			t.Errorf("goroutine %d read another account (-0 +%d):\n%s", i, i, diff)
		}
	}
	if read[0].UUID[len("uuid-"):] != read[0].DeliverySecret[len("secret-"):] {
		t.Errorf("account mixes two inserts: %+v", read[0])
	}
}

func testZendeskIntegration(t *testing.T, s directory.Store) {
	ctx := context.Background()
	acme, beta := realm(t, s, "acme"), realm(t, s, "beta")
	if _, err := s.ZendeskIntegration(ctx, acme.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Fatalf("ZendeskIntegration before any: %v, want KindNotFound", err)
	}
	if err := s.DeleteZendeskIntegration(ctx, acme.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("DeleteZendeskIntegration of none: %v, want KindNotFound", err)
	}
	z := &directory.ZendeskIntegration{Name: "Help", Host: "acme.zendesk.com", SealedSecret: "sealed-1", SecretHint: "abcd",
		CreatedAt: epoch, UpdatedAt: epoch}
	if err := s.PutZendeskIntegration(ctx, acme.ID, z); err != nil {
		t.Fatal(err)
	}
	got, err := s.ZendeskIntegration(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *z
	want.RealmID = acme.ID
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("ZendeskIntegration (-want +got):\n%s", diff)
	}
	// The second realm sees none, and deleting its own touches nothing.
	if _, err := s.ZendeskIntegration(ctx, beta.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("beta's integration: %v, want KindNotFound", err)
	}
	if err := s.DeleteZendeskIntegration(ctx, beta.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("DeleteZendeskIntegration(beta): %v, want KindNotFound", err)
	}
	// Put again replaces every column but created_at.
	later := epoch.Add(time.Hour)
	replaced := &directory.ZendeskIntegration{Name: "Support", Host: "help.acme.test:8443", SealedSecret: "sealed-2", SecretHint: "wxyz",
		CreatedAt: later, UpdatedAt: later}
	if err := s.PutZendeskIntegration(ctx, acme.ID, replaced); err != nil {
		t.Fatal(err)
	}
	got, err = s.ZendeskIntegration(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	want = directory.ZendeskIntegration{RealmID: acme.ID, Name: "Support", Host: "help.acme.test:8443", SealedSecret: "sealed-2",
		SecretHint: "wxyz", CreatedAt: epoch, UpdatedAt: later}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("replaced ZendeskIntegration (-want +got):\n%s", diff)
	}
	betaZ := &directory.ZendeskIntegration{Name: "Beta", Host: "beta.zendesk.com", SealedSecret: "sealed-b", SecretHint: "bbbb",
		CreatedAt: epoch, UpdatedAt: epoch}
	if err := s.PutZendeskIntegration(ctx, beta.ID, betaZ); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteZendeskIntegration(ctx, acme.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ZendeskIntegration(ctx, acme.ID); directory.KindOf(err) != directory.KindNotFound {
		t.Errorf("after delete: %v, want KindNotFound", err)
	}
	if got, err := s.ZendeskIntegration(ctx, beta.ID); err != nil || got.Host != "beta.zendesk.com" {
		t.Errorf("beta's integration after acme's delete: %+v, %v", got, err)
	}
}
