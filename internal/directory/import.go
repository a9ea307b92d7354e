package directory

// ImportStore is the part of Store that loads users in bulk.
type ImportStore interface{}
