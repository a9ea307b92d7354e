// sideloads.js drives Clientele's user sideloads (include=) with the
// unmodified npm client node-zendesk (the version pinned in package.json):
// users.setSideLoad([...]) adds include= to every request, and the
// client's users sideLoadMap attaches the sideloaded records to each user
// (identity: the identities whose user_id is the user's id; organization:
// the organization of organization_id; group: every sideloaded group;
// role: the role of custom_role_id). It prints ONE JSON object on stdout
// with what the client observed and exits non-zero on any unexpected
// outcome; ../sideload_test.go runs it and checks the report.
//
// Usage:
//
//	node sideloads.js [ENDPOINT_URI]
//
// Environment:
//
//	ZENDESK_ENDPOINT_URI  base URL, e.g. http://127.0.0.1:PORT/api/v2 (if not in argv)
//	ZENDESK_USERNAME      email of an admin of the realm
//	ZENDESK_TOKEN         an API token of the realm
//	ZENDESK_CUSTOMER_ID   id of the realm's customer with organizations and identities
'use strict';

const {createClient} = require('node-zendesk');
const {report} = require('./report');

const endpointUri = process.argv[2] || process.env.ZENDESK_ENDPOINT_URI;
const username = process.env.ZENDESK_USERNAME;
const token = process.env.ZENDESK_TOKEN;
const customerID = Number(process.env.ZENDESK_CUSTOMER_ID || 0);

// Every request the client sent, with its status.
const exchanges = [];

function newClient() {
  const zd = createClient({endpointUri, username, token, throwOriginalException: true});
  zd.users.on('debug::request', (event) => {
    // Only method and URL: the options also hold the Authorization header.
    exchanges.push({method: event.detail.method, uri: event.detail.uri});
  });
  zd.users.on('debug::response', (event) => {
    const last = exchanges.at(-1);
    last.status = event.detail.status;
    last.retry_after = event.detail.headers.get('retry-after');
  });
  return zd;
}

class Unexpected extends Error {}

function expect(cond, message) {
  if (!cond) throw new Unexpected(message);
}

function ok(reply, what) {
  expect(reply && reply.response && reply.result !== undefined, `${what}: no {response, result}`);
  expect(!(reply.result instanceof Error),
    `${what}: resolved with an error result (${reply.result && reply.result.message})`);
  return {status: reply.response.status, result: reply.result};
}

// attached summarises what the client attached to one user.
function attached(u) {
  return {
    id: u.id,
    role: u.role === undefined ? 'undefined' : u.role,
    identities: Array.isArray(u.identity) ? u.identity.map((i) => `${i.user_id}:${i.type}:${i.value}`) : null,
    organization: u.organization === undefined ? 'undefined' : u.organization && u.organization.name,
    groups: Array.isArray(u.group) ? u.group.map((g) => g.name) : null,
  };
}

async function main() {
  const zd = newClient();
  const out = {};
  zd.users.setSideLoad(['identities', 'organizations', 'groups']);

  const shown = ok(await zd.users.show(customerID), 'show');
  out.shown = {status: shown.status, ...attached(shown.result)};

  const me = ok(await zd.users.auth(), 'me');
  out.me = {status: me.status, ...attached(me.result)};

  const listed = await zd.users.list();
  expect(Array.isArray(listed), 'list: not an array');
  out.listed = listed.map(attached);

  const many = ok(await zd.users.showMany([customerID, me.result.id]), 'show_many');
  out.show_many = {status: many.status, users: many.result.map(attached)};

  // roles: Clientele has no custom roles and answers "roles": [], so the
  // sideLoadMap's role entry finds no role for custom_role_id null.
  zd.users.setSideLoad(['roles']);
  const withRoles = ok(await zd.users.show(customerID), 'show with roles');
  out.with_roles = {status: withRoles.status, ...attached(withRoles.result)};

  out.exchanges = exchanges;
  return out;
}

report(main, exchanges);
