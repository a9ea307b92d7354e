// Package clienttest drives Clientele's Customers API with the real Modyo
// client library, unchanged, as an outside conformance check: the test
// starts the real server over a fresh SQLite database, signs a customer
// in, runs the npm package @modyo/sdk (pinned in node/package.json and
// node/package-lock.json) against it, and checks what the client reports
// and what the server saw. It skips when node is not installed and runs
// `npm ci` when node_modules is missing.
package clienttest
