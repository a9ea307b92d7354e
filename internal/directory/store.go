package directory

import (
	"context"
	"time"
)

// Store persists the directory. Implementations (SQLite, PostgreSQL) only
// store: every rule lives in Service. All methods take the realm id right
// after the context and never return a record of another realm. A missing
// record is an error of KindNotFound, never nil, nil. A unique constraint
// violation is a KindInvalid error whose field names the column ("email",
// "external_id", "uid") with code "DuplicateValue".
type Store interface {
	SearchStore      // search.go
	JobStore         // job.go
	ImportStore      // import.go
	UserFieldStore   // userfield.go
	IncrementalStore // incremental.go
	GroupStore       // group.go

	UserActionStore   // user_action.go
	OrganizationStore // organization.go
	SigninStore       // signin.go
	NotificationStore // notification.go
	AdminStore        // admin.go
	SideloadStore     // sideload.go
	AccountStore      // account.go
	IntegrationStore  // integration.go
	RealmAdminStore   // realm_admin.go

	// Migrate applies the embedded migrations not yet applied.
	Migrate(ctx context.Context) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	CreateRealm(ctx context.Context, r *Realm) error
	RealmByUID(ctx context.Context, uid string) (*Realm, error)
	RealmByID(ctx context.Context, id int64) (*Realm, error)
	ListRealms(ctx context.Context) ([]Realm, error)

	// CreateUser inserts u and its identities, and counts the user, in one
	// transaction. It sets u.ID and the identities' ids. A non-zero
	// u.OrganizationID gets the user its default membership of that
	// organization, in the same transaction.
	CreateUser(ctx context.Context, realmID int64, u *User, ids []Identity) error
	// UpdateUser writes every column of u but organization_id and applies
	// change, moving the user between counters when its role or deletion
	// changed, in one transaction. organization_id changes only with
	// change.Organization, so an update from an older read cannot undo a
	// membership change.
	UpdateUser(ctx context.Context, realmID int64, u *User, change IdentityChange) error
	// EraseUser replaces u's row with its erased form and deletes its
	// identities and credentials, in one transaction.
	EraseUser(ctx context.Context, realmID int64, u *User) error
	UserByID(ctx context.Context, realmID, id int64) (*User, error)
	// UserByIdentity finds the user owning an identity of the given type
	// and value (any, not only the primary one), compared case-insensitively.
	UserByIdentity(ctx context.Context, realmID int64, typ, value string) (*User, error)
	// UsersWithPassword finds, across all realms, at most limit users that
	// own the email identity, have a password, are neither deleted nor
	// suspended, and belong to a realm not deleted: a password login names no realm, so the realm is the one
	// where the password matches.
	UsersWithPassword(ctx context.Context, email string, limit int) ([]User, error)
	// UserByExternalID compares case-insensitively.
	UserByExternalID(ctx context.Context, realmID int64, externalID string) (*User, error)
	// UsersByIDs returns the users found, ordered by id; unknown ids are skipped.
	UsersByIDs(ctx context.Context, realmID int64, ids []int64) ([]User, error)
	// UsersByExternalIDs returns the users found, ordered by id.
	UsersByExternalIDs(ctx context.Context, realmID int64, externalIDs []string) ([]User, error)
	// ListUsers returns one page of the users matching f, ordered by id.
	ListUsers(ctx context.Context, realmID int64, f UserFilter, p Page) ([]User, error)
	// CountUsers counts the users matching f. For filters on role, custom
	// role and deletion it reads counters kept with every write, so it is
	// O(1) whatever the realm's size.
	CountUsers(ctx context.Context, realmID int64, f UserFilter) (int64, error)
	// IdentitiesByUser returns a user's identities, primary first, then by id.
	IdentitiesByUser(ctx context.Context, realmID, userID int64) ([]Identity, error)
	// SetPasswordHash replaces a user's password hash.
	SetPasswordHash(ctx context.Context, realmID, userID int64, hash string) error
	// TouchLogin records the time of a user's last sign-in or API call.
	TouchLogin(ctx context.Context, realmID, userID int64, at time.Time) error

	CreateAPIToken(ctx context.Context, realmID int64, t *APIToken) error
	// APITokenByHash finds a token by its hash in any realm: the token
	// names the realm.
	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	ListAPITokens(ctx context.Context, realmID int64) ([]APIToken, error)
	DeleteAPIToken(ctx context.Context, realmID, id int64) error
	// TouchAPIToken records when a token was last used.
	TouchAPIToken(ctx context.Context, realmID, id int64, at time.Time) error

	CreateAccessToken(ctx context.Context, realmID int64, t *AccessToken) error
	// AccessTokenByHash finds a token by its hash in any realm.
	AccessTokenByHash(ctx context.Context, hash string) (*AccessToken, error)
}
