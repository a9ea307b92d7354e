// Package directory is Clientele's domain: realms, users and their
// identities, API credentials, the Store interface that persists them, and
// the Service that holds every rule (validation, normalisation, uniqueness,
// role checks).
//
// Handlers translate wire formats to calls on Service; stores only store.
// The package depends on no storage or HTTP package; it does use small
// pure-function libraries for phone numbers (E.164) and BCP-47 locales, which
// are rules of the domain rather than infrastructure.
package directory
