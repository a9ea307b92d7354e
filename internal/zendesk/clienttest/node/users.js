// users.js drives Clientele's Zendesk Users API with the unmodified npm
// client node-zendesk (the version pinned in package.json) and prints ONE
// JSON object on stdout with what the client observed. It exits non-zero
// on any unexpected outcome; ../node_test.go runs it and checks both this
// report and the stored state through the server's own API.
//
// Usage:
//
//	node users.js [ENDPOINT_URI]
//
// Environment:
//
//	ZENDESK_ENDPOINT_URI  base URL, e.g. http://127.0.0.1:PORT/api/v2 (if not in argv)
//	ZENDESK_USERNAME      email of an agent or admin of the realm
//	ZENDESK_TOKEN         an API token of the realm
//	ZENDESK_FOREIGN_ID    id of a user in another realm, which must stay invisible
//	USERS_TO_CREATE       how many users to create (default 7)
'use strict';

const {createClient} = require('node-zendesk');
const {report} = require('./report');

const endpointUri = process.argv[2] || process.env.ZENDESK_ENDPOINT_URI;
const username = process.env.ZENDESK_USERNAME;
const token = process.env.ZENDESK_TOKEN;
const foreignID = Number(process.env.ZENDESK_FOREIGN_ID || 0);
const toCreate = Number(process.env.USERS_TO_CREATE || 7);
const pageSize = 2;

// Every response any client received, to prove that none carried a
// Retry-After header (node-zendesk turns any such response into a fake 429).
const exchanges = [];
// The User-Agent the client sends, which names its version.
let userAgent = null;

// newClient returns a client whose requests are recorded; `query` is the
// client option of default query parameters (clients.md §1.1).
function newClient(extra = {}) {
  const zd = createClient({
    endpointUri,
    username,
    token,
    throwOriginalException: true,
    ...extra,
  });
  const requests = [];
  // Service instances are cached by the client, so these listeners see
  // every later call through zd.users.
  zd.users.on('debug::request', (event) => {
    // Only method and URL: the options also hold the Authorization header.
    const exchange = {method: event.detail.method, uri: event.detail.uri};
    requests.push(exchange);
    exchanges.push(exchange);
    userAgent ??= event.detail.headers['User-Agent'];
  });
  zd.users.on('debug::response', (event) => {
    const last = exchanges.at(-1);
    last.status = event.detail.status;
    last.retry_after = event.detail.headers.get('retry-after');
  });
  return {zd, requests};
}

class Unexpected extends Error {}

function expect(cond, message) {
  if (!cond) throw new Unexpected(message);
}

// ok unwraps {response, result} from get/post/put/delete-based methods,
// refusing the Error objects node-zendesk resolves with for 204 and for
// responses that carry Retry-After.
function ok(reply, what) {
  expect(reply && reply.response && reply.result !== undefined, `${what}: no {response, result}`);
  expect(!(reply.result instanceof Error),
    `${what}: resolved with an error result (${reply.result && reply.result.message}, statusCode ${reply.result && reply.result.statusCode})`);
  return {status: reply.response.status, result: reply.result};
}

// okList checks a flat array from a getAll-based method.
function okList(list, what) {
  expect(Array.isArray(list), `${what}: not an array`);
  for (const item of list) {
    expect(!(item instanceof Error), `${what}: error in list (${item && item.message})`);
  }
  return list;
}

// rejection runs fn, which must reject, and returns what the error says.
async function rejection(fn, what) {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Unexpected) throw error;
    return {
      status_code: error.statusCode ?? null,
      message: error.message,
      error: error.result && typeof error.result === 'object' ? error.result.error ?? null : null,
      description: error.result && typeof error.result === 'object' ? error.result.description ?? null : null,
    };
  }
  throw new Unexpected(`${what}: resolved, want a rejection`);
}

function summary(u) {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    active: u.active,
    suspended: u.suspended,
    external_id: u.external_id,
    tags: u.tags,
    notes: u.notes,
  };
}

async function main() {
  expect(endpointUri && username && token, 'endpoint URI, ZENDESK_USERNAME and ZENDESK_TOKEN are required');
  const out = {};
  const {zd} = newClient();

  // me
  const me = ok(await zd.users.me(), 'me');
  out.me = {status: me.status, ...summary(me.result)};

  // create
  out.created = [];
  for (let i = 1; i <= toCreate; i++) {
    const user = {name: `Node User ${i}`, email: `node-user-${i}@example.com`};
    if (i === 1) {
      Object.assign(user, {external_id: 'node-ext-1', tags: ['node', 'vip'], verified: true});
    }
    const created = ok(await zd.users.create({user}), `create ${i}`);
    out.created.push({status: created.status, ...summary(created.result)});
  }
  const ids = out.created.map((u) => u.id);
  const [first, second] = ids;

  // show
  const shown = ok(await zd.users.show(first), 'show');
  out.shown = {status: shown.status, ...summary(shown.result)};

  // update
  const updated = ok(await zd.users.update(first, {user: {name: 'Node User 1 Renamed', notes: 'updated by node-zendesk'}}), 'update');
  out.updated = {status: updated.status, ...summary(updated.result)};

  // suspend / unsuspend
  const suspended = ok(await zd.users.suspend(second), 'suspend');
  out.suspended = {status: suspended.status, ...summary(suspended.result)};
  const unsuspended = ok(await zd.users.unsuspend(second), 'unsuspend');
  out.unsuspended = {status: unsuspended.status, ...summary(unsuspended.result)};

  // showMany, with a foreign user's id mixed in
  const many = ok(await zd.users.showMany(foreignID ? [...ids, foreignID] : ids), 'showMany');
  out.show_many = {status: many.status, ids: okList(many.result, 'showMany').map((u) => u.id)};

  // count: users has no count method; the generic get returns the whole body.
  const count = ok(await zd.users.get(['users', 'count']), 'count');
  out.count = {status: count.status, value: count.result.count && count.result.count.value};

  // Cursor pagination: list() adds page[size]=100; the query option turns
  // it into page[size]=2, and later pages follow links.next.
  const cursor = newClient({query: {page: {size: pageSize}}});
  const cursorList = okList(await cursor.zd.users.list(), 'cursor list');
  out.cursor_list = {ids: cursorList.map((u) => u.id), requests: cursor.requests};

  // Offset pagination: any relative users path gets page[size]=100, so the
  // first page is asked for by an absolute URL, which node-zendesk sends
  // unchanged (as it does for every next_page link).
  const offset = newClient();
  const offsetList = okList(await offset.zd.users.getAll(`${endpointUri}/users.json?per_page=${pageSize}`), 'offset list');
  out.offset_list = {ids: offsetList.map((u) => u.id), requests: offset.requests};

  // Errors: a missing id, and a user of another realm.
  out.show_missing = await rejection(() => zd.users.show(999999999), 'show missing');
  if (foreignID) {
    out.show_foreign = await rejection(() => zd.users.show(foreignID), 'show foreign');
  }

  // delete: 200 with the user, now inactive.
  const last = ids.at(-1);
  const deleted = ok(await zd.users.delete(last), 'delete');
  out.deleted = {status: deleted.status, ...summary(deleted.result)};
  const afterDelete = ok(await zd.users.show(last), 'show deleted');
  out.shown_after_delete = {status: afterDelete.status, ...summary(afterDelete.result)};
  // deleted_users is not among the users module's names, so the whole body
  // comes back.
  const deletedUser = ok(await zd.users.get(['deleted_users', last]), 'show deleted_user');
  out.deleted_user = {status: deletedUser.status, keys: Object.keys(deletedUser.result),
    ...summary(deletedUser.result.deleted_user || {})};

  const countAfter = ok(await zd.users.get(['users', 'count']), 'count after delete');
  out.count_after_delete = {status: countAfter.status, value: countAfter.result.count && countAfter.result.count.value};
  const cursorAfter = newClient({query: {page: {size: pageSize}}});
  const listAfter = okList(await cursorAfter.zd.users.list(), 'list after delete');
  out.list_after_delete = {ids: listAfter.map((u) => u.id), requests: cursorAfter.requests};

  out.user_agent = userAgent;
  out.exchanges = exchanges;
  return out;
}

report(main, exchanges);
