package directory

import (
	"context"
	"strings"
	"time"
)

// AdminStore keeps the account-level admin API tokens.
type AdminStore interface {
	// CreateAdminToken inserts t and sets its id.
	CreateAdminToken(ctx context.Context, t *AdminToken) error
	// AdminTokenByHash finds a token by its hash.
	AdminTokenByHash(ctx context.Context, hash string) (*AdminToken, error)
	// TouchAdminToken records a token's last use.
	TouchAdminToken(ctx context.Context, id int64, at time.Time) error
	// ListAdminTokens returns every token by id.
	ListAdminTokens(ctx context.Context) ([]AdminToken, error)
	// DeleteAdminToken removes a token; KindNotFound when there is none.
	DeleteAdminToken(ctx context.Context, id int64) error
}

// AdminToken is an account-level token of the Customers API's
// administration endpoints: whoever holds it manages every realm, as
// Modyo's admin API tokens do. Only its hash is stored; the token is
// shown once, when created.
type AdminToken struct {
	ID          int64
	Hash        string
	Hint        string // the token's last four characters
	Description string
	CreatedAt   time.Time
	LastUsedAt  time.Time
}

// adminTouchEvery bounds how often using an admin token is recorded.
const adminTouchEvery = time.Minute

// CreateAdminToken makes a new admin token and returns it with its
// record; this is the only time the token is seen.
func (s *Service) CreateAdminToken(ctx context.Context, description string) (string, *AdminToken, error) {
	description = strings.TrimSpace(description)
	if !validText(description, maxShortText) {
		return "", nil, Errorf(KindInvalid, "description is invalid or too long")
	}
	token := randomSecret()
	t := &AdminToken{Hash: HashSecret(token), Hint: token[len(token)-4:], Description: description, CreatedAt: s.Now()}
	if err := s.store.CreateAdminToken(ctx, t); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// AdminToken returns the admin token named by its secret and records its
// use; KindNotFound when it does not exist.
func (s *Service) AdminToken(ctx context.Context, token string) (*AdminToken, error) {
	if token == "" || len(token) > 200 {
		return nil, ErrNotFound
	}
	t, err := s.store.AdminTokenByHash(ctx, HashSecret(token))
	if err != nil {
		return nil, err
	}
	if now := s.Now(); now.Sub(t.LastUsedAt) >= adminTouchEvery {
		if err := s.store.TouchAdminToken(ctx, t.ID, now); err != nil {
			return nil, err
		}
		t.LastUsedAt = now
	}
	return t, nil
}

// AdminTokens lists the admin tokens.
func (s *Service) AdminTokens(ctx context.Context) ([]AdminToken, error) {
	return s.store.ListAdminTokens(ctx)
}

// DeleteAdminToken revokes an admin token.
func (s *Service) DeleteAdminToken(ctx context.Context, id int64) error {
	return s.store.DeleteAdminToken(ctx, id)
}
