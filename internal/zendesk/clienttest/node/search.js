// search.js drives Clientele's search endpoints and bulk jobs with the
// unmodified npm client node-zendesk (the version pinned in package.json)
// and prints ONE JSON object on stdout with what the client observed. It
// exits non-zero on any unexpected outcome; ../search_test.go runs it and
// checks both this report and the stored state through the server's own
// API. A job runner must be running beside the server.
//
// Usage:
//
//	node search.js [ENDPOINT_URI]
//
// Environment:
//
//	ZENDESK_ENDPOINT_URI  base URL, e.g. http://127.0.0.1:PORT/api/v2 (if not in argv)
//	ZENDESK_USERNAME      email of an admin of the realm
//	ZENDESK_TOKEN         an API token of the realm
//	ZENDESK_FOREIGN_ID    id of a user in another realm, which destroy_many
//	                      is asked to delete and must not find
//	ZENDESK_TAKEN_EMAIL   email of that other realm's user, which a bulk
//	                      create may use in this realm
//
// The users it creates all have "quokka" in their name (but one, a
// wombat), so that their searches span several pages of pageSize.
'use strict';

const {createClient} = require('node-zendesk');
const {report} = require('./report');

const endpointUri = process.argv[2] || process.env.ZENDESK_ENDPOINT_URI;
const username = process.env.ZENDESK_USERNAME;
const token = process.env.ZENDESK_TOKEN;
const foreignID = Number(process.env.ZENDESK_FOREIGN_ID || 0);
const takenEmail = process.env.ZENDESK_TAKEN_EMAIL || 'taken@example.com';
const pageSize = 2;
// How long a job may take before the scenario gives up on it.
const jobTimeoutMs = 30000;

// Every response any recorded client received, to prove that none carried
// a Retry-After header (node-zendesk turns any such response into a fake
// 429). jobstatuses.watch polls through a client of its own, which is not
// recorded.
const exchanges = [];
let userAgent = null;

// newClient returns a client whose users, search and jobstatuses requests
// are recorded; `query` is the client option of default query parameters
// (clients.md §1.1), which lands in the first request of a getAll only.
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
  // every later call through them.
  for (const service of [zd.users, zd.search, zd.jobstatuses]) {
    service.on('debug::request', (event) => {
      // Only method and URL: the options also hold the Authorization header.
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

function summary(u) {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    active: u.active,
    external_id: u.external_id,
    details: u.details,
    notes: u.notes,
  };
}

// found is what a getAll-based search resolved with: ids in order, the
// distinct result_type values (search and export only) and the requests.
function found(list, requests, what) {
  okList(list, what);
  const out = {ids: list.map((r) => r.id), requests};
  if (list.some((r) => r.result_type !== undefined)) {
    out.result_types = [...new Set(list.map((r) => r.result_type))];
  }
  return out;
}

// usersSearch runs users.search(params) on a fresh client, so that its
// requests are its own.
async function usersSearch(params, what) {
  const {zd, requests} = newClient();
  return found(await zd.users.search(params), requests, what);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Unexpected(`${what}: not done after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// submitted checks the reply to a bulk request: 200 with a job_status,
// which node-zendesk's users module returns whole (job_status is not one of
// its names).
function submitted(reply, what) {
  const {status, result} = ok(reply, what);
  expect(result.job_status && typeof result.job_status.id === 'string', `${what}: no job_status in ${JSON.stringify(result)}`);
  return {status, keys: Object.keys(result), job_status: result.job_status};
}

// poll shows a job through jobstatuses.show until it is over.
async function poll(zd, id, what) {
  const deadline = Date.now() + jobTimeoutMs;
  for (let polls = 1; ; polls++) {
    // jobstatuses' only name is "jobstatuses", so show returns the whole
    // body.
    const {status, result} = ok(await zd.jobstatuses.show(id), `${what}: show`);
    expect(status === 200 && result.job_status, `${what}: show answered ${status} ${JSON.stringify(result)}`);
    const job = result.job_status;
    if (['completed', 'failed', 'killed'].includes(job.status)) return {polls, job_status: job};
    expect(Date.now() < deadline, `${what}: still ${job.status} after ${jobTimeoutMs} ms`);
    await sleep(20);
  }
}

async function main() {
  expect(endpointUri && username && token, 'endpoint URI, ZENDESK_USERNAME and ZENDESK_TOKEN are required');
  const out = {};
  const {zd} = newClient();

  // The users to find: quokkas 2, 5 and 8 are agents; quokka 1 has "Blue
  // Whale" in its name, quokka 3 the same words the other way round, and
  // quokka 4 the phrase in its details; the wombat has it too but is no
  // quokka.
  const people = [
    {name: 'Quokka Blue Whale'},
    {name: 'Quokka Agent One', role: 'agent'},
    {name: 'Quokka Whale Blue'},
    {name: 'Quokka Three', details: 'saw a blue whale'},
    {name: 'Quokka Agent Two', role: 'agent'},
    {name: 'Quokka Five'},
    {name: 'Quokka Six'},
    {name: 'Quokka Agent Three', role: 'agent'},
    {name: 'Quokka Eight'},
  ].map((u, i) => ({...u, email: `quokka-${i + 1}@acme.example`}));
  people.push({name: 'Wombat Blue Whale', email: 'wombat@acme.example'});
  out.created = [];
  for (const [i, user] of people.entries()) {
    const created = ok(await zd.users.create({user}), `create ${i + 1}`);
    out.created.push({status: created.status, ...summary(created.result)});
  }

  // 1. users.search: every params key is sent (clients.md §1.3), so
  // per_page rides along, and later pages follow next_page.
  out.users_search = {
    all: await usersSearch({query: 'quokka', per_page: pageSize}, 'search quokka'),
    agents: await usersSearch({query: 'role:agent', per_page: pageSize}, 'search role:agent'),
    phrase: await usersSearch({query: '"blue whale"', per_page: pageSize}, 'search phrase'),
    not_agents: await usersSearch({query: 'quokka -role:agent', per_page: pageSize}, 'search -role:agent'),
    not_whale: await usersSearch({query: 'quokka -whale', per_page: pageSize}, 'search -whale'),
  };

  // 2. search.queryAll takes only the query text: per_page comes from the
  // client's query option, and later pages follow next_page.
  const general = newClient({query: {per_page: pageSize}});
  out.search_all = found(await general.zd.search.queryAll('type:user quokka'), general.requests, 'queryAll');
  const agents = newClient({query: {per_page: pageSize}});
  out.search_agents = found(await agents.zd.search.queryAll('type:user role:agent quokka'), agents.requests, 'queryAll agents');
  // search has no name for {count}, so the whole body comes back.
  const count = ok(await zd.search.showResultsCount('type:user quokka'), 'showResultsCount');
  out.search_count = {status: count.status, count: count.result.count};

  // 3. search.exportResults(query, type, size) sends filter[type] and
  // page[size], and follows links.next.
  const exporter = newClient();
  out.export = found(await exporter.zd.search.exportResults('quokka', 'user', pageSize), exporter.requests, 'exportResults');

  // 4. Bulk jobs. create_many with one duplicate email (quokka 1's); the
  // first user takes the email of another realm's user, which is free here.
  const bulk = [
    {name: 'Quokka Bulk One', email: takenEmail, external_id: 'quokka-bulk-1'},
    {name: 'Quokka Bulk Two', email: 'quokka-bulk-2@acme.example'},
    {name: 'Quokka Bulk Dup', email: 'quokka-1@acme.example'},
    {name: 'Quokka Bulk Four', email: 'quokka-bulk-4@acme.example', external_id: 'quokka-bulk-4'},
  ];
  out.create_many = submitted(await zd.users.createMany({users: bulk}), 'createMany');
  // watch(id, interval, attempts) polls jobstatuses.show through a client
  // of its own until the job is completed, failed or killed.
  out.create_many_done = await withTimeout(
    zd.jobstatuses.watch(out.create_many.job_status.id, 50, 5), jobTimeoutMs, 'watch create_many');
  const createdIDs = (out.create_many_done.results || []).filter((r) => r.status === 'Created').map((r) => r.id);
  expect(createdIDs.length === 3, `create_many created ${createdIDs.length} users: ${JSON.stringify(out.create_many_done)}`);
  const [b1, b2, b4] = createdIDs;
  const shown = ok(await zd.users.showMany(createdIDs), 'showMany created');
  out.created_by_job = okList(shown.result, 'showMany created').map(summary);

  // update_many, three-argument form: an id list becomes ?ids=, the second
  // argument is the body. 999999999 is nobody.
  out.update_many = submitted(await zd.users.updateMany([b1, b2, 999999999], {user: {notes: 'bulk updated'}}, null), 'updateMany ids');
  out.update_many_done = await poll(zd, out.update_many.job_status.id, 'update_many ids');

  // update_many, two-argument form: the FIRST argument is the body and the
  // second is ignored (clients.md §1.6); one user named by external_id.
  out.update_many_list = submitted(await zd.users.updateMany(
    {users: [{id: b2, details: 'second pass'}, {external_id: 'quokka-bulk-4', notes: 'named by external id'}]}, null),
  'updateMany list');
  out.update_many_list_done = await poll(zd, out.update_many_list.job_status.id, 'update_many list');

  // destroy_many, three-argument form (?ids=), with another realm's user.
  const quokka9 = out.created[8].id;
  out.destroy_many = submitted(await zd.users.destroyMany([b4, quokka9, foreignID], null, null), 'destroyMany');
  out.destroy_many_done = await poll(zd, out.destroy_many.job_status.id, 'destroy_many');

  const jobIDs = [out.create_many, out.update_many, out.update_many_list, out.destroy_many].map((j) => j.job_status.id);
  const many = ok(await zd.jobstatuses.showMany(jobIDs), 'jobstatuses.showMany');
  out.job_statuses_show_many = {status: many.status, keys: Object.keys(many.result),
    ids: many.result.job_statuses.map((j) => j.id), statuses: many.result.job_statuses.map((j) => j.status)};
  const listed = ok(await zd.jobstatuses.list(), 'jobstatuses.list');
  out.job_statuses_list = {status: listed.status, keys: Object.keys(listed.result),
    ids: listed.result.job_statuses.map((j) => j.id)};

  // The searches see the jobs' writes at once.
  out.after_jobs = {
    all: await usersSearch({query: 'quokka', per_page: pageSize}, 'search quokka after jobs'),
    bulk: await usersSearch({query: 'quokka bulk'}, 'search quokka bulk'),
    notes: await usersSearch({query: '"bulk updated"'}, 'search bulk updated'),
    details: await usersSearch({query: 'details:"second pass"'}, 'search details'),
    external_id: await usersSearch({external_id: 'quokka-bulk-1'}, 'search external_id'),
    dup: await usersSearch({query: 'dup'}, 'search dup'),
  };

  out.user_agent = userAgent;
  out.exchanges = exchanges;
  return out;
}

report(main, exchanges);
