// groups.js drives Clientele's groups and group memberships endpoints with
// the unmodified npm client node-zendesk (the version pinned in
// package.json) and prints ONE JSON object on stdout with what the client
// observed. It exits non-zero on any unexpected outcome; ../group_test.go
// runs it and checks both this report and the stored state.
//
// Usage:
//
//	node groups.js [ENDPOINT_URI]
//
// Environment:
//
//	ZENDESK_ENDPOINT_URI      base URL, e.g. http://127.0.0.1:PORT/api/v2 (if not in argv)
//	ZENDESK_USERNAME          email of an admin of the realm
//	ZENDESK_TOKEN             an API token of the realm
//	ZENDESK_FOREIGN_GROUP_ID  id of a group in another realm, which must stay invisible
//
// The bulk calls (bulkCreate, bulkDelete) answer with a queued job, which
// a job runner beside the server must run: the script polls it.
'use strict';

const {createClient} = require('node-zendesk');
const {report} = require('./report');

const endpointUri = process.argv[2] || process.env.ZENDESK_ENDPOINT_URI;
const username = process.env.ZENDESK_USERNAME;
const token = process.env.ZENDESK_TOKEN;
const foreignGroupID = Number(process.env.ZENDESK_FOREIGN_GROUP_ID || 0);
const pageSize = 2;
// How long a job may take before the scenario gives up on it.
const jobTimeoutMs = 30000;

// Every response any client received, to prove that none carried a
// Retry-After header (node-zendesk turns any such response into a fake 429).
const exchanges = [];

// newClient returns a client whose users, groups and groupmemberships
// requests are recorded; `query` is the client option of default query
// parameters.
function newClient(extra = {}) {
  const zd = createClient({endpointUri, username, token, throwOriginalException: true, ...extra});
  const requests = [];
  for (const service of [zd.users, zd.groups, zd.groupmemberships, zd.jobstatuses]) {
    service.on('debug::request', (event) => {
      // Only method and URL: the options also hold the Authorization header.
      const exchange = {method: event.detail.method, uri: event.detail.uri};
      requests.push(exchange);
      exchanges.push(exchange);
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

// ok unwraps {response, result}, refusing the Error objects node-zendesk
// resolves with for 204 and for responses that carry Retry-After.
function ok(reply, what) {
  expect(reply && reply.response && reply.result !== undefined, `${what}: no {response, result}`);
  expect(!(reply.result instanceof Error),
    `${what}: resolved with an error result (${reply.result && reply.result.message})`);
  return {status: reply.response.status, result: reply.result};
}

// noContent returns the status of a DELETE, which node-zendesk resolves
// with an Error('No Content') result for a 204.
function noContent(reply, what) {
  const status = reply && reply.response ? reply.response.status : reply && reply.result && reply.result.statusCode;
  expect(status === 204, `${what}: status ${status}, want 204`);
  return status;
}

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
      error: error.result && typeof error.result === 'object' ? error.result.error ?? null : null,
    };
  }
  throw new Unexpected(`${what}: resolved, want a rejection`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// submitted checks the reply to a bulk request: 200 with a job_status,
// which groupmemberships returns whole (job_status is not one of its
// names).
function submitted(reply, what) {
  const {status, result} = ok(reply, what);
  expect(result.job_status && typeof result.job_status.id === 'string', `${what}: no job_status in ${JSON.stringify(result)}`);
  return {status, keys: Object.keys(result), job_status: result.job_status};
}

// poll shows a job through jobstatuses.show until it is over.
async function poll(zd, id, what) {
  const deadline = Date.now() + jobTimeoutMs;
  for (let polls = 1; ; polls++) {
    const {status, result} = ok(await zd.jobstatuses.show(id), `${what}: show`);
    expect(status === 200 && result.job_status, `${what}: show answered ${status} ${JSON.stringify(result)}`);
    const job = result.job_status;
    if (['completed', 'failed', 'killed'].includes(job.status)) return {polls, job_status: job};
    expect(Date.now() < deadline, `${what}: still ${job.status} after ${jobTimeoutMs} ms`);
    await sleep(20);
  }
}

const group = (g) => ({id: g.id, name: g.name, description: g.description, default: g.default, deleted: g.deleted});
const membership = (m) => ({id: m.id, user_id: m.user_id, group_id: m.group_id, default: m.default});

async function main() {
  expect(endpointUri && username && token, 'endpoint URI, ZENDESK_USERNAME and ZENDESK_TOKEN are required');
  const out = {};
  const {zd} = newClient();

  // Groups: create three, show, update, count, list all pages.
  out.created_groups = [];
  for (const name of ['Node Support', 'Node Sales', 'Node Billing']) {
    const created = ok(await zd.groups.create({group: {name, description: `${name} team`}}), `create ${name}`);
    out.created_groups.push({status: created.status, ...group(created.result)});
  }
  const [g1, g2, g3] = out.created_groups.map((g) => g.id);
  const shown = ok(await zd.groups.show(g2), 'show group');
  out.shown_group = {status: shown.status, ...group(shown.result)};
  const updated = ok(await zd.groups.update(g2, {group: {name: 'Node Sales EMEA'}}), 'update group');
  out.updated_group = {status: updated.status, ...group(updated.result)};
  const count = ok(await zd.groups.count(), 'count groups');
  out.group_count = count.result.count.value;
  const paged = newClient({query: {page: {size: pageSize}}});
  out.group_list = {ids: okList(await paged.zd.groups.list(), 'list groups').map((g) => g.id), requests: paged.requests};
  out.foreign_group = await rejection(() => zd.groups.show(foreignGroupID), 'show foreign group');

  // An agent: created after the groups, it joins the default group (the first).
  const agent = ok(await zd.users.create({user: {name: 'Node Agent', email: 'node-agent@example.com', role: 'agent'}}), 'create agent');
  out.agent = {id: agent.result.id, default_group_id: agent.result.default_group_id};

  // Memberships: create on both paths, refuse a duplicate, list by user.
  const m2 = ok(await zd.groupmemberships.create({group_membership: {user_id: agent.result.id, group_id: g2}}), 'create membership');
  const m3 = ok(await zd.groupmemberships.createByUser(agent.result.id, {group_membership: {group_id: g3}}), 'create membership by user');
  out.created_memberships = [m2, m3].map((m) => ({status: m.status, ...membership(m.result)}));
  out.duplicate = await rejection(
    () => zd.groupmemberships.create({group_membership: {user_id: agent.result.id, group_id: g2}}), 'duplicate membership');
  out.by_user = okList(await zd.groupmemberships.listByUser(agent.result.id), 'list by user').map(membership);
  out.by_group = okList(await zd.groupmemberships.listByGroup(g2), 'list by group').map(membership);
  out.all_memberships = okList(await zd.groupmemberships.list(), 'list memberships').map(membership);
  out.assignable_groups = okList(await zd.groups.assignable(), 'assignable groups').map((g) => g.id);
  const shownMembership = ok(await zd.groupmemberships.showByUser(agent.result.id, m2.result.id), 'show membership by user');
  out.shown_membership = {status: shownMembership.status, ...membership(shownMembership.result)};

  // Make the second membership the default; the user follows.
  const made = ok(await zd.groupmemberships.makeDefault(agent.result.id, m2.result.id), 'make default');
  out.made_default = {status: made.status, memberships: okList(made.result, 'make default').map(membership)};
  out.agent_after_make_default = ok(await zd.users.show(agent.result.id), 'show agent').result.default_group_id;

  // Delete the default membership (another becomes default), a membership
  // by user, and a group.
  out.deleted_membership = noContent(await zd.groupmemberships.delete(m2.result.id), 'delete membership');
  out.agent_after_delete = ok(await zd.users.show(agent.result.id), 'show agent').result.default_group_id;
  out.deleted_by_user = noContent(await zd.groupmemberships.deleteByUser(agent.result.id, m3.result.id), 'delete membership by user');
  out.deleted_group = noContent(await zd.groups.delete(g3), 'delete group');
  out.groups_after_delete = okList(await zd.groups.list(), 'list after delete').map((g) => g.id);
  const byUserCount = ok(await zd.groups.countByUser(agent.result.id), 'count by user');
  out.user_group_count = byUserCount.result.count.value;
  out.first_group = g1;

  // Bulk memberships as jobs: the agent joins the second group, a
  // duplicate and another realm's group fail alone, the admin joins the
  // second group as its default. Then destroy the agent's new membership
  // and an id that is nobody's.
  const admin = ok(await zd.users.me(), 'me').result;
  out.admin_id = admin.id;
  out.bulk_create = submitted(await zd.groupmemberships.bulkCreate([
    {user_id: agent.result.id, group_id: g2},
    {user_id: agent.result.id, group_id: g1},
    {user_id: agent.result.id, group_id: foreignGroupID},
    {user_id: admin.id, group_id: g2, default: true},
  ]), 'bulkCreate');
  out.bulk_create_done = await poll(zd, out.bulk_create.job_status.id, 'bulkCreate');
  const joined = out.bulk_create_done.job_status.results[0].id;
  out.bulk_delete = submitted(await zd.groupmemberships.bulkDelete([joined, 999999999]), 'bulkDelete');
  out.bulk_delete_done = await poll(zd, out.bulk_delete.job_status.id, 'bulkDelete');
  out.agent_after_bulk = okList(await zd.groupmemberships.listByUser(agent.result.id), 'list agent after bulk').map(membership);
  out.admin_after_bulk = ok(await zd.users.show(admin.id), 'show admin').result.default_group_id;
  out.exchanges = exchanges;
  return out;
}

report(main, exchanges);
