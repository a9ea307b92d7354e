package directory

import (
	"context"
	"time"
)

// AccountStore keeps the install's account: one record for the whole
// database, shared by every node.
type AccountStore interface {
	// Account returns the account; KindNotFound before it was made.
	Account(ctx context.Context) (*Account, error)
	// CreateAccountIfMissing inserts a unless an account exists already,
	// in which case it changes nothing and returns nil: two nodes making
	// it at once both succeed, and the first insert wins.
	CreateAccountIfMissing(ctx context.Context, a *Account) error
	// SetDeliveryTokenTTL changes the account's delivery token lifetime;
	// KindNotFound before the account was made.
	SetDeliveryTokenTTL(ctx context.Context, ttl time.Duration) error
}

// Account is the install as Modyo's Customers API knows it: the account
// every realm belongs to. Its UUID is the subject of the delivery tokens
// that unlock private content, and DeliverySecret signs them (HS256).
type Account struct {
	UUID string
	// DeliverySecret signs delivery tokens. It is stored as is: whoever
	// serves the private content must verify the tokens with it, so it is
	// a shared secret to hand out, not one Clientele alone keeps.
	DeliverySecret   string
	DeliveryTokenTTL time.Duration
	CreatedAt        time.Time
}

// DefaultDeliveryTokenTTL is a delivery token's lifetime until an operator
// changes it, as in Modyo (one hour).
const DefaultDeliveryTokenTTL = time.Hour

// Bounds of the delivery token's lifetime: a token must outlive the
// content request it is fetched for, and should not outlive a working day.
const (
	MinDeliveryTokenTTL = time.Minute
	MaxDeliveryTokenTTL = 24 * time.Hour
)

// Account returns the install's account, making it on first use with a
// new UUID and signing secret. Several nodes may race to make it: the
// store keeps the first, and every node reads that one back.
func (s *Service) Account(ctx context.Context) (*Account, error) {
	a, err := s.store.Account(ctx)
	if KindOf(err) != KindNotFound {
		return a, err
	}
	fresh := &Account{UUID: s.newUUID(), DeliverySecret: randomSecret() + randomSecret(),
		DeliveryTokenTTL: DefaultDeliveryTokenTTL, CreatedAt: s.Now()}
	if err := s.store.CreateAccountIfMissing(ctx, fresh); err != nil {
		return nil, err
	}
	return s.store.Account(ctx)
}

// SetDeliveryTokenTTL changes how long the delivery tokens issued from now
// on live, between MinDeliveryTokenTTL and MaxDeliveryTokenTTL, in whole
// seconds.
func (s *Service) SetDeliveryTokenTTL(ctx context.Context, ttl time.Duration) (*Account, error) {
	if ttl < MinDeliveryTokenTTL || ttl > MaxDeliveryTokenTTL || ttl%time.Second != 0 {
		var v Invalid
		v.Add("delivery_token_ttl", "InvalidValue", "must be a whole number of seconds between 1 minute and 24 hours")
		return nil, v.Err()
	}
	if _, err := s.Account(ctx); err != nil {
		return nil, err
	}
	if err := s.store.SetDeliveryTokenTTL(ctx, ttl); err != nil {
		return nil, err
	}
	return s.store.Account(ctx)
}
