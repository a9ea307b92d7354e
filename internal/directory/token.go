package directory

import "time"

// APIToken is a realm-wide API token. Only its SHA-256 hash is stored; the
// token itself is shown once, when created. Whoever holds it may act as any
// agent or admin of the realm, named by email in the Basic credentials, as
// with Zendesk.
type APIToken struct {
	ID          int64
	RealmID     int64
	Hash        string // hex SHA-256 of the token
	Hint        string // the token's last four characters, to tell tokens apart
	Description string
	CreatedAt   time.Time
	LastUsedAt  time.Time
}

// AccessToken is an OAuth bearer token for one user of a realm. Only its
// hash is stored.
type AccessToken struct {
	ID        int64
	RealmID   int64
	UserID    int64
	Hash      string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: no expiry
	// SessionID is the realm sign-in session the token was issued from
	// (0: none); the token is valid only while that session is alive.
	SessionID int64
	// ClientID is the realm OAuth client it was issued to (0: none).
	ClientID int64
}
