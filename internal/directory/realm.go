package directory

import "time"

// Realm is a tenant: one digital business's set of customers. Every other
// record belongs to exactly one realm, and nothing is visible across realms.
type Realm struct {
	ID        int64
	UID       string // URL identifier, e.g. "acme"
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}
