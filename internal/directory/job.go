package directory

// JobStore is the part of Store that keeps bulk jobs.
type JobStore interface{}
