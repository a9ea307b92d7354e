// organizations.js drives Clientele's organizations and organization
// memberships endpoints with the unmodified npm client node-zendesk (the
// version pinned in package.json) and prints ONE JSON object on stdout
// with what the client observed. It exits non-zero on any unexpected
// outcome; ../organization_test.go runs it and checks both this report and
// the stored state.
//
// Usage:
//
//	node organizations.js [ENDPOINT_URI]
//
// Environment:
//
//	ZENDESK_ENDPOINT_URI  base URL, e.g. http://127.0.0.1:PORT/api/v2 (if not in argv)
//	ZENDESK_USERNAME      email of an admin of the realm
//	ZENDESK_TOKEN         an API token of the realm
//	ZENDESK_USER_ID       id of an end user of the realm, to put in organizations
//	ZENDESK_FOREIGN_ORG   id of an organization of another realm, which must stay invisible
'use strict';

const {createClient} = require('node-zendesk');
const {report} = require('./report');

const endpointUri = process.argv[2] || process.env.ZENDESK_ENDPOINT_URI;
const username = process.env.ZENDESK_USERNAME;
const token = process.env.ZENDESK_TOKEN;
const userID = Number(process.env.ZENDESK_USER_ID || 0);
const foreignOrg = Number(process.env.ZENDESK_FOREIGN_ORG || 0);
const pageSize = 2;
const names = ['Node Alpha', 'Node Beta', 'node alphabet', 'Node Gamma', 'Other Co'];

// Every request and response status, to prove none carried Retry-After.
const exchanges = [];
let userAgent = null;

// newClient returns a client whose organizations and memberships requests
// are recorded; extra holds client options such as a default query.
function newClient(extra = {}) {
  const zd = createClient({endpointUri, username, token, throwOriginalException: true, ...extra});
  const requests = [];
  for (const service of [zd.organizations, zd.organizationmemberships]) {
    service.on('debug::request', (event) => {
      const exchange = {method: event.detail.method, uri: event.detail.uri};
      requests.push(exchange);
      exchanges.push(exchange);
      userAgent ??= event.detail.headers['User-Agent'];
    });
    service.on('debug::response', (event) => {
      const last = exchanges.at(-1);
      last.status = event.detail.status;
      last.retry_after = event.detail.headers.get('retry-after');
    });
  }
  return {zd, requests};
}

class Unexpected extends Error {}

function expect(cond, message) {
  if (!cond) throw new Unexpected(message);
}

// ok unwraps {response, result}; a 204 resolves with an Error result,
// which only a delete may give (allowEmpty).
function ok(reply, what, allowEmpty = false) {
  expect(reply && reply.response && reply.result !== undefined, `${what}: no {response, result}`);
  if (!allowEmpty) {
    expect(!(reply.result instanceof Error), `${what}: resolved with an error result (${reply.result && reply.result.message})`);
  }
  return {status: reply.response.status, result: reply.result};
}

function okList(list, what) {
  expect(Array.isArray(list), `${what}: not an array`);
  for (const item of list) {
    expect(!(item instanceof Error), `${what}: error in list (${item && item.message})`);
  }
  return list;
}

async function rejection(fn, what) {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Unexpected) throw error;
    return {status_code: error.statusCode ?? null, error: error.result && error.result.error ? error.result.error : null};
  }
  throw new Unexpected(`${what}: resolved, want a rejection`);
}

function membership(m) {
  return {id: m.id, user_id: m.user_id, organization_id: m.organization_id, organization_name: m.organization_name, default: m.default};
}

async function main() {
  expect(endpointUri && username && token && userID, 'endpoint URI, ZENDESK_USERNAME, ZENDESK_TOKEN and ZENDESK_USER_ID are required');
  const out = {};
  const {zd} = newClient();

  // create
  out.created = [];
  for (const [i, name] of names.entries()) {
    const organization = {name};
    if (i === 0) Object.assign(organization, {external_id: 'node-org-1', tags: ['Node', 'vip'], domain_names: ['alpha.example']});
    const created = ok(await zd.organizations.create({organization}), `create ${name}`);
    out.created.push({status: created.status, id: created.result.id, name: created.result.name,
      external_id: created.result.external_id, tags: created.result.tags});
  }
  const ids = out.created.map((o) => o.id);

  // list all pages by cursor: list() adds page[size]=100, the query
  // option makes it 2, and later pages follow links.next.
  const cursor = newClient({query: {page: {size: pageSize}}});
  out.list = {ids: okList(await cursor.zd.organizations.list(), 'list').map((o) => o.id), requests: cursor.requests};

  // show_many, with another realm's organization mixed in
  const many = okList(await zd.organizations.showMany([ids[3], ids[0], foreignOrg].join(',')), 'showMany');
  out.show_many = many.map((o) => o.id);

  // autocomplete
  out.autocomplete = okList(await zd.organizations.autocomplete({name: 'node al'}), 'autocomplete').map((o) => o.name);

  // search by external id, any case
  out.search = okList(await zd.organizations.search('NODE-ORG-1'), 'search').map((o) => o.id);

  // memberships: create in two organizations, the second as default
  const m1 = ok(await zd.organizationmemberships.create({user_id: userID, organization_id: ids[1]}), 'membership create');
  const m2 = ok(await zd.organizationmemberships.createByUser(userID, {organization_id: ids[0]}), 'membership createByUser');
  out.memberships_created = [{status: m1.status, ...membership(m1.result)}, {status: m2.status, ...membership(m2.result)}];
  out.membership_again = await rejection(
    () => zd.organizationmemberships.create({user_id: userID, organization_id: ids[1]}), 'membership again');

  // list by user: the default first, then by organization name
  out.by_user = okList(await zd.organizationmemberships.listByUser(userID), 'listByUser').map(membership);

  // make default, then list again
  const made = ok(await zd.organizationmemberships.makeDefault(userID, m2.result.id), 'makeDefault');
  out.make_default = {status: made.status, memberships: okList(made.result, 'makeDefault result').map(membership)};
  out.by_user_after = okList(await zd.organizationmemberships.listByUser(userID), 'listByUser after').map(membership);

  // users.search by organization name: a word, a phrase, and an
  // organization without members.
  const byOrg = async (query) => okList(await zd.users.search({query}), `search ${query}`).map((u) => u.id);
  out.users_by_organization = {
    beta: await byOrg('organization:beta'),
    alpha_phrase: await byOrg('organization:"node alpha"'),
    gamma: await byOrg('organization:gamma'),
  };

  // delete an organization: 204, which node-zendesk reports as an error
  // result without throwing.
  const deleted = ok(await zd.organizations.delete(ids[4]), 'delete', true);
  out.deleted = {status: deleted.status};
  out.show_deleted = await rejection(() => zd.organizations.show(ids[4]), 'show deleted');
  out.show_foreign = await rejection(() => zd.organizations.show(foreignOrg), 'show foreign');
  const after = newClient({query: {page: {size: pageSize}}});
  out.list_after_delete = okList(await after.zd.organizations.list(), 'list after delete').map((o) => o.id);

  out.user_agent = userAgent;
  out.exchanges = exchanges;
  return out;
}

report(main, exchanges);
