package directory

import "time"

// Identity types a user may have. Only email and phone_number are created by
// the user endpoints; the others exist for the identities API.
const (
	IdentityEmail    = "email"
	IdentityPhone    = "phone_number"
	IdentityTwitter  = "twitter"
	IdentityFacebook = "facebook"
	IdentityGoogle   = "google"
)

// Identity is one way to reach or recognise a user: an email address, a
// phone number, a social account. Values are unique per realm and type.
type Identity struct {
	ID        int64
	RealmID   int64
	UserID    int64
	Type      string
	Value     string
	Verified  bool
	Primary   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IdentityInput is an identity sent along with a new user.
type IdentityInput struct {
	Type  string
	Value string
}

// IdentityChange is what a user update does to the user's identities, all
// in the same transaction as the user row.
type IdentityChange struct {
	Add    []Identity
	Update []Identity
	Delete []int64
	// Organization, when set, makes that organization the user's only
	// membership, as its default (no membership for 0); organization_id
	// follows. Without it the update leaves memberships and
	// organization_id as stored (see organization.go).
	Organization *int64
}
