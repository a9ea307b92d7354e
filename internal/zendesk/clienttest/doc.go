// Package clienttest drives Clientele's Zendesk API with real Zendesk client
// libraries, unchanged, as outside conformance checks: each test starts the
// real server over a fresh SQLite database, runs a client's scenario against
// it, and checks both what the client reports and what the server stored.
//
// The node folder holds the scenario for the npm package node-zendesk
// (pinned in node/package.json and node/package-lock.json); its tests skip
// when node is not installed and run `npm ci` when node_modules is missing.
package clienttest
